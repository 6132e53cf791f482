import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { returnAllAndLimit } from '../../../shared/list-parameters';
import { forOperation, moneyBlock, text } from '../../helpers';
import { zuoraRequest } from '../../transport';
import type { ItemOperation } from '../types';

const MAX_PAGES = 50;

/** Path + query of Zuora's `nextPage` (a full URL on the same host, or a path). */
function nextPath(nextPage: unknown): string | undefined {
	if (typeof nextPage !== 'string' || !nextPage) return undefined;
	try {
		const url = new URL(nextPage, 'http://relative.invalid');
		return `${url.pathname}${url.search}`;
	} catch {
		return undefined;
	}
}

/** Every product of the catalog (GET /v1/catalog/products, following nextPage). */
export async function fetchCatalog(
	this: IExecuteFunctions | ILoadOptionsFunctions,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const products: IDataObject[] = [];
	let path: string | undefined = '/v1/catalog/products?pageSize=40';
	for (let page = 0; path && page < MAX_PAGES; page++) {
		const [pathname, query] = path.split('?');
		const qs = Object.fromEntries(new URLSearchParams(query ?? ''));
		const response: IDataObject = await zuoraRequest.call(this, { method: 'GET', path: pathname, qs, itemIndex });
		products.push(...(((response.products as IDataObject[] | undefined) ?? []) as IDataObject[]));
		path = nextPath(response.nextPage);
	}
	// With a pinned Zuora-Version (≥ 230.0) a product's productRatePlans is the URL of its plans
	// (spec GETProductType.productRatePlans: string), no longer an array capped at 300 plans.
	for (const product of products) {
		if (typeof product.productRatePlans === 'string') {
			product.productRatePlans = await fetchRatePlans.call(this, product.productRatePlans, String(product.id ?? ''), itemIndex);
		}
	}
	return products;
}

/** GET /v1/products/{id}/product-rate-plans, following nextPage. */
async function fetchRatePlans(
	this: IExecuteFunctions | ILoadOptionsFunctions,
	url: string,
	productId: string,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const plans: IDataObject[] = [];
	let path: string | undefined = nextPath(url) ?? `/v1/products/${encodeURIComponent(productId)}/product-rate-plans`;
	for (let page = 0; path && page < MAX_PAGES; page++) {
		const [pathname, query] = path.split('?');
		const qs = { pageSize: 40, ...Object.fromEntries(new URLSearchParams(query ?? '')) };
		const response: IDataObject = await zuoraRequest.call(this, { method: 'GET', path: pathname, qs, itemIndex });
		plans.push(...(((response.productRatePlans as IDataObject[] | undefined) ?? []) as IDataObject[]));
		path = nextPath(response.nextPage);
	}
	return plans;
}

export interface RatePlanRow extends IDataObject {
	id: string;
	name: string;
	status: string;
	productId: string;
	productName: string;
	productSku: string;
	/** Recurring price per currency, summed over the plan's recurring charges. */
	recurringPrices: IDataObject;
	charges: IDataObject[];
}

export function ratePlanRows(products: IDataObject[]): RatePlanRow[] {
	const rows: RatePlanRow[] = [];
	for (const product of products) {
		for (const plan of (product.productRatePlans ?? []) as IDataObject[]) {
			const charges = (plan.productRatePlanCharges ?? []) as IDataObject[];
			const recurringPrices: IDataObject = {};
			for (const charge of charges) {
				if (charge.type !== 'Recurring') continue;
				for (const price of (charge.pricing ?? []) as IDataObject[]) {
					const currency = String(price.currency);
					recurringPrices[currency] = Math.round(((Number(recurringPrices[currency]) || 0) + Number(price.price ?? 0)) * 1e6) / 1e6;
				}
			}
			rows.push({
				id: String(plan.id),
				name: String(plan.name ?? ''),
				status: String(plan.status ?? ''),
				productId: String(product.id ?? ''),
				productName: String(product.name ?? ''),
				productSku: String(product.sku ?? ''),
				recurringPrices,
				charges,
			});
		}
	}
	return rows;
}

/** Dropdown entries: active rate plans as "Product – Plan (49 USD)". */
export async function getProductRatePlans(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const rows = ratePlanRows(await fetchCatalog.call(this)).filter((r) => r.status === 'Active');
	return rows
		.map((r) => {
			const prices = Object.entries(r.recurringPrices)
				.map(([currency, price]) => `${String(price)} ${currency}`)
				.join(', ');
			return {
				name: `${r.productName} – ${r.name}`,
				value: r.id,
				description: prices ? `Recurring: ${prices}` : 'Usage or one-time charges only',
			};
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** Product Rate Plan → List: one item per rate plan (what the dropdowns show). */
export const list: ItemOperation = {
	kind: 'item',
	description: [
		// node version 1 had no Return All / Limit and returned every plan; it still does
		...returnAllAndLimit({ show: { resource: ['productRatePlan'], operation: ['list'], '@version': [{ _cnd: { gte: 1.1 } }] } }),
		...forOperation('productRatePlan', 'list', [
		{
			displayName: 'Include Inactive',
			name: 'includeInactive',
			type: 'boolean',
			default: false,
			description: 'Whether to include expired or not-yet-active rate plans',
		},
		{
			displayName: 'Currency',
			name: 'currency',
			type: 'string',
			default: '',
			placeholder: 'USD',
			description: 'Optional: only plans priced in this currency, with their recurring price as `money`',
		},
		]),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const includeInactive = this.getNodeParameter('includeInactive', itemIndex, false) as boolean;
		const currency = text(this.getNodeParameter('currency', itemIndex, '')).toUpperCase();
		const returnAll = this.getNodeParameter('returnAll', itemIndex, true) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
		return ratePlanRows(await fetchCatalog.call(this, itemIndex))
			.filter((r) => includeInactive || r.status === 'Active')
			.filter((r) => !currency || r.charges.some((c) => ((c.pricing ?? []) as IDataObject[]).some((p) => p.currency === currency)))
			.slice(0, limit)
			.map((r) => ({
				...r,
				money: currency ? moneyBlock(r.recurringPrices[currency], currency) : null,
			}));
	},
};
