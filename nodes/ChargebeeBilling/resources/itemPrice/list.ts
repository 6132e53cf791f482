import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { moneyOf } from '../../helpers';
import { chargebeeList } from '../../transport';
import { show } from '../types';

const displayOptions = show('itemPrice', ['list']);

export const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions,
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...displayOptions?.show, returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions,
		options: [
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
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: [
					{ name: 'Active', value: 'active' },
					{ name: 'Archived', value: 'archived' },
				],
				default: 'active',
			},
		],
	},
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
	return prices.map(itemPriceOutput);
}
