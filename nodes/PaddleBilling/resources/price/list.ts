import type {
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { activeOrArchivedStatus, filtersCollection } from '../../../shared/descriptions';
import { priceMoney } from '../../helpers';
import { paddleList } from '../../transport';
import { forOperation } from '../common';
import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';
import { simplifyFieldSinceV11, simplifyMany } from '../simplify';

export const description: INodeProperties[] = forOperation('price', 'list', [
	...returnAllAndLimit(),
	simplifyFieldSinceV11,
	filtersCollection(
		[
			{ displayName: 'Product ID', name: 'productId', type: 'string', default: '', placeholder: 'pro_…' },
			{
				displayName: 'Recurring',
				name: 'recurring',
				type: 'options',
				options: [
					{ name: 'Any', value: 'any' },
					{ name: 'Recurring Only', value: 'true' },
					{ name: 'One-Time Only', value: 'false' },
				],
				default: 'any',
			},
			activeOrArchivedStatus,
		],
	),
]);

export function withMoney(price: IDataObject): IDataObject {
	return { ...price, money: priceMoney(price) as unknown as IDataObject };
}

/** GET /prices (cursor-paginated), each price with a money block for its unit price. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = listLimit(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs: IDataObject = { status: filters.status ?? 'active', per_page: 200, include: 'product' };
	if (filters.productId) qs.product_id = String(filters.productId).trim();
	if (filters.recurring === 'true' || filters.recurring === 'false') qs.recurring = filters.recurring;
	const prices = (await paddleList.call(this, { method: 'GET', path: '/prices', qs, itemIndex }, limit)) as IDataObject[];
	return simplifyMany.call(this, itemIndex, 'price', prices.map(withMoney));
}

/** Dropdown options: "Product — Price (30.00 USD / 1 month)". */
export async function getPrices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const prices = (await paddleList.call(this, {
		method: 'GET',
		path: '/prices',
		qs: { status: 'active', per_page: 200, include: 'product' },
	}, 1000)) as IDataObject[];
	return prices
		.map((price) => {
			const product = (price.product ?? {}) as IDataObject;
			const cycle = price.billing_cycle as IDataObject | null;
			const amount = priceMoney(price);
			const every = cycle ? ` / ${String(cycle.frequency)} ${String(cycle.interval)}` : ' one-time';
			const label = [product.name, price.name ?? price.description].filter(Boolean).join(' — ');
			return {
				name: `${label || String(price.id)} (${amount ? amount.formatted : '?'}${every})`,
				value: price.id as string,
				description: String(price.id),
			};
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}
