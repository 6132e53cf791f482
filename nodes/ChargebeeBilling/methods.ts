/**
 * Dropdown and search-list loaders of the Chargebee Billing node: the "From list" mode of the
 * customer, subscription and item price locators (locators.ts), and the Items dropdown.
 * Chargebee filters are prefix matches (`id[starts_with]`, `email[starts_with]`,
 * `name[starts_with]`: apidocs.chargebee.com "Filtering"); a search runs one query per field and
 * merges them. Without a search text the newest records come page by page.
 */
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { moneyOf } from './helpers';
import { getItemPrices } from './resources/itemPrice/list';
import { CHARGEBEE_CREDENTIAL, chargebeeBaseUrl, chargebeeRequest, type ChargebeeCall } from './transport';

type Query = NonNullable<ChargebeeCall['query']>;

/** https://<site>.chargebee.com (the app), from the credential: the API base without /api/v2. */
async function appUrl(ctx: ILoadOptionsFunctions): Promise<string> {
	return chargebeeBaseUrl(await ctx.getCredentials(CHARGEBEE_CREDENTIAL)).replace(/\/api\/v2$/, '');
}

async function page(ctx: ILoadOptionsFunctions, path: string, key: string, query: Query, offset?: string): Promise<{ list: IDataObject[]; next?: string }> {
	const body = (await chargebeeRequest.call(ctx, { method: 'GET', path, query: { ...query, limit: 100, offset } })) as IDataObject;
	const list = ((body.list as IDataObject[] | undefined) ?? []).map((entry) => entry[key] as IDataObject).filter(Boolean);
	return { list, next: typeof body.next_offset === 'string' && body.next_offset !== '' ? body.next_offset : undefined };
}

/** With a search text: one prefix query per field, merged (each record once, in query order). */
async function search(
	ctx: ILoadOptionsFunctions,
	path: string,
	key: string,
	base: Query,
	fields: string[],
	filter: string | undefined,
	paginationToken: string | undefined,
): Promise<{ list: IDataObject[]; next?: string }> {
	const text = filter?.trim();
	if (!text) return await page(ctx, path, key, base, paginationToken);
	const lists = await Promise.all(fields.map(async (field) => (await page(ctx, path, key, { ...base, [`${field}[starts_with]`]: text })).list));
	const seen = new Set<string>();
	return { list: lists.flat().filter((r) => !seen.has(String(r.id)) && Boolean(seen.add(String(r.id)))) };
}

export const listSearch = {
	/** Customers, newest first; a search matches the start of the ID, email, company or first name. */
	async searchCustomers(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		const fields = filter?.includes('@') ? ['email'] : ['id', 'email', 'company', 'first_name'];
		const { list, next } = await search(this, '/customers', 'customer', { 'sort_by[desc]': 'created_at' }, fields, filter, paginationToken);
		const app = await appUrl(this);
		const results: INodeListSearchItems[] = list.map((c) => {
			const name = [c.first_name, c.last_name].filter(Boolean).join(' ') || String(c.company ?? '');
			return {
				name: `${name || String(c.email ?? c.id)}${c.email && name ? ` <${String(c.email)}>` : ''} (${String(c.id)})`,
				value: String(c.id),
				url: `${app}/d/customers/${encodeURIComponent(String(c.id))}`,
			};
		});
		return { results, paginationToken: next };
	},

	/** Subscriptions, newest first; a search matches the start of the subscription or customer ID. */
	async searchSubscriptions(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		const { list, next } = await search(this, '/subscriptions', 'subscription', { 'sort_by[desc]': 'created_at' }, ['id', 'customer_id'], filter, paginationToken);
		const app = await appUrl(this);
		return {
			results: list.map((s) => {
				const plan = ((s.subscription_items as IDataObject[] | undefined) ?? []).find((item) => item.item_type === 'plan');
				return {
					name: `${String(s.id)} · ${String(plan?.item_price_id ?? 'no plan')} · ${String(s.status)} (customer ${String(s.customer_id)})`,
					value: String(s.id),
					url: `${app}/d/subscriptions/${encodeURIComponent(String(s.id))}`,
				};
			}),
			paginationToken: next,
		};
	},

	/** Active item prices; a search matches the start of the name or ID. */
	async searchItemPrices(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		const { list, next } = await search(this, '/item_prices', 'item_price', { 'status[is]': 'active' }, ['name', 'id'], filter, paginationToken);
		return {
			results: list.map((p) => {
				let money = '';
				try {
					money = moneyOf(p.price, p.currency_code)?.formatted ?? '';
				} catch {
					money = `${String(p.price)} ${String(p.currency_code)}`;
				}
				const period = p.period ? ` / ${String(p.period)} ${String(p.period_unit)}` : '';
				return { name: `${String(p.name ?? p.id)} (${String(p.item_type ?? 'item')}) · ${money}${period}`, value: String(p.id) };
			}),
			paginationToken: next,
		};
	},
};

export const loadOptions = {
	/** Active item prices for the Items dropdown, labelled with their price and period. */
	async getItemPrices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return await getItemPrices.call(this);
	},
};

/** Billing Plan Mapping lists the plan item prices with it. */
export { getItemPrices };
