import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { activeOrArchivedStatus, filtersCollection } from '../../../shared/descriptions';
import { moneyOf } from '../../helpers';
import { chargebeeList } from '../../transport';
import { maybeSimplifyAll, simplifyProperty } from '../../simplify';
import { show } from '../types';
import { returnAllAndLimit } from '../../../shared/list-parameters';

const displayOptions = show('itemPrice', ['list']);

export const description: INodeProperties[] = [
	...returnAllAndLimit(displayOptions),
	simplifyProperty(displayOptions, 1.1),
	filtersCollection(
		[
			{
				displayName: 'Currency',
				name: 'currencyCode',
				type: 'string',
				default: '',
				placeholder: 'USD',
			},
			{
				displayName: 'Item ID',
				name: 'itemId',
				type: 'string',
				default: '',
				description: 'Only the prices of this item (plan, addon or charge)',
			},
			{
				displayName: 'Item Type',
				name: 'itemType',
				type: 'options',
				options: [
					{ name: 'Addon', value: 'addon' },
					{ name: 'Charge', value: 'charge' },
					{ name: 'Plan', value: 'plan' },
				],
				default: 'plan',
			},
			activeOrArchivedStatus,
		],
		displayOptions,
	),
];

export function itemPriceOutput(itemPrice: IDataObject): IDataObject {
	return { ...itemPrice, money: moneyOf(itemPrice.price, itemPrice.currency_code) as unknown as IDataObject };
}

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
	const prices = await chargebeeList.call(this, '/item_prices', 'item_price', {
		query: {
			'item_type[is]': filters.itemType as string | undefined,
			'status[is]': filters.status as string | undefined,
			'currency_code[is]': filters.currencyCode ? String(filters.currencyCode).trim().toUpperCase() : undefined,
			'item_id[is]': filters.itemId ? String(filters.itemId).trim() : undefined,
		},
		returnAll,
		limit: returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number),
		itemIndex: i,
	});
	return maybeSimplifyAll.call(this, i, 'itemPrice', prices.map(itemPriceOutput));
}

/**
 * Dropdown options: active item prices labelled with their price and period, e.g.
 * "Pro USD Monthly (plan)" — "pro-USD-monthly · 30.00 USD / 1 month". Used by this node's
 * Items dropdown (all item types) and by Billing Plan Mapping (plans only).
 */
export async function getItemPrices(
	this: ILoadOptionsFunctions,
	itemType?: 'plan' | 'addon' | 'charge',
): Promise<INodePropertyOptions[]> {
	const prices = await chargebeeList.call(this, '/item_prices', 'item_price', {
		query: { 'status[is]': 'active', 'item_type[is]': itemType },
		returnAll: false,
		limit: 1000,
	});
	return prices
		.map((p) => {
			let money = '';
			try {
				money = moneyOf(p.price, p.currency_code)?.formatted ?? '';
			} catch {
				money = `${String(p.price)} ${String(p.currency_code)}`;
			}
			const period = p.period ? ` / ${String(p.period)} ${String(p.period_unit)}` : '';
			return {
				name: `${String(p.name ?? p.id)} (${String(p.item_type ?? 'item')})`,
				value: String(p.id),
				description: `${String(p.id)} · ${money || String(p.pricing_model)}${period}`,
			};
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}
