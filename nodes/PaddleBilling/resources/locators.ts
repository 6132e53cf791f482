/**
 * Resource locators for the ids people pick most: customer, subscription, price. From List (with
 * search), By ID, and By URL where Paddle's dashboard has a page of its own (customers-v2/ctm_…,
 * subscriptions-v2/sub_…; prices live inside their product's page, so they have no URL mode).
 *
 * Workflows written before these were locators hold a plain string: `requirePaddleId` (helpers.ts)
 * reads both shapes, so they keep working unchanged.
 */
import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
	INodeProperties,
	INodePropertyMode,
} from 'n8n-workflow';

import { priceMoney } from '../helpers';
import { CREDENTIAL_TYPE, paddleRequest } from '../transport';

const ID_CHARS = '[a-z\\d]{26}';

function idValidation(prefix: string, label: string): INodePropertyMode['validation'] {
	return [
		{
			type: 'regex',
			properties: { regex: `^\\s*${prefix}_${ID_CHARS}\\s*$`, errorMessage: `A Paddle ${label} ID is "${prefix}_" followed by 26 lower-case letters or digits` },
		},
	];
}

function urlValidation(prefix: string, page: string, label: string): INodePropertyMode['validation'] {
	return [
		{
			type: 'regex',
			properties: {
				regex: `^https://(sandbox-)?vendors\\.paddle\\.com/.*${prefix}_${ID_CHARS}.*`,
				errorMessage: `Not a Paddle dashboard ${label} URL (https://vendors.paddle.com/${page}/${prefix}_…)`,
			},
		},
	];
}

export const customerLocator: INodeProperties = {
	displayName: 'Customer',
	name: 'customerId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description:
		'The Paddle customer (ctm_…). Pick it from the list (search by name or email), paste its ID, or paste its Paddle dashboard URL. Customer → Find by Email or Find or Create also return it.',
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchCustomers', searchable: true } },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4', validation: idValidation('ctm', 'customer') },
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://vendors.paddle.com/customers-v2/ctm_01hv6y1jedq4p1n0yqn5ba3ky4',
			extractValue: { type: 'regex', regex: `(ctm_${ID_CHARS})` },
			validation: urlValidation('ctm', 'customers-v2', 'customer'),
		},
	],
};

export const subscriptionLocator: INodeProperties = {
	displayName: 'Subscription',
	name: 'subscriptionId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description:
		'The Paddle subscription (sub_…). Pick it from the list (search by subscription or customer ID), paste its ID, or paste its Paddle dashboard URL. Billing events (normalized.subscriptionId) and Transaction → Get (subscription_id) also give it.',
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchSubscriptions', searchable: true } },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'sub_01hv8x29kz0t586xy6zn1a62ny', validation: idValidation('sub', 'subscription') },
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://vendors.paddle.com/subscriptions-v2/sub_01hv8x29kz0t586xy6zn1a62ny',
			extractValue: { type: 'regex', regex: `(sub_${ID_CHARS})` },
			validation: urlValidation('sub', 'subscriptions-v2', 'subscription'),
		},
	],
};

export const priceLocator: INodeProperties = {
	displayName: 'Price',
	name: 'priceId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Paddle price (pri_…). Pick it from the list (search by product or price name), or paste its ID. Price → List gives every price.',
	modes: [
		{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchPrices', searchable: true } },
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'pri_01gsz8x8sawmvhz1pv30nge1ke', validation: idValidation('pri', 'price') },
	],
};

/** Paddle's dashboard for the credential's environment (custom hosts are sandboxes here). */
async function dashboardBase(ctx: ILoadOptionsFunctions): Promise<string> {
	const credentials = (await ctx.getCredentials(CREDENTIAL_TYPE)) as IDataObject;
	return credentials.environment === 'live' ? 'https://vendors.paddle.com' : 'https://sandbox-vendors.paddle.com';
}

/** One page of a list endpoint, with `after` as n8n's pagination token. */
async function page(
	ctx: ILoadOptionsFunctions,
	path: string,
	qs: IDataObject,
	paginationToken: string | undefined,
): Promise<{ data: IDataObject[]; next?: string }> {
	const envelope = await paddleRequest.call(ctx, { method: 'GET', path, qs: { ...qs, ...(paginationToken ? { after: paginationToken } : {}) } });
	const data = (envelope.data ?? []) as unknown as IDataObject[];
	const more = envelope.meta?.pagination?.has_more && data.length > 0;
	return { data, next: more ? String(data[data.length - 1].id) : undefined };
}

function matches(filter: string | undefined, ...values: unknown[]): boolean {
	const wanted = (filter ?? '').trim().toLowerCase();
	return !wanted || values.some((v) => typeof v === 'string' && v.toLowerCase().includes(wanted));
}

export const listSearch = {
	/** GET /customers?search= (Paddle searches every field but status and dates). */
	async searchCustomers(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		const base = await dashboardBase(this);
		const search = filter?.trim().slice(0, 100);
		const { data, next } = await page(this, '/customers', { per_page: 50, ...(search ? { search } : {}) }, paginationToken);
		return {
			results: data.map((c) => ({
				name: `${String(c.name || c.email)}${c.name ? ` <${String(c.email)}>` : ''}`,
				value: String(c.id),
				url: `${base}/customers-v2/${String(c.id)}`,
			})),
			paginationToken: next,
		};
	},

	/**
	 * GET /subscriptions has no search parameter: a typed customer or subscription ID becomes the
	 * `customer_id` / `id` filter, other text is matched against the subscriptions of the page.
	 */
	async searchSubscriptions(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		const base = await dashboardBase(this);
		const text = filter?.trim() ?? '';
		const qs: IDataObject = { per_page: 50 };
		if (new RegExp(`^ctm_${ID_CHARS}$`).test(text)) qs.customer_id = text;
		else if (new RegExp(`^sub_${ID_CHARS}$`).test(text)) qs.id = text;
		const byId = qs.customer_id !== undefined || qs.id !== undefined;
		const { data, next } = await page(this, '/subscriptions', qs, paginationToken);
		const results: INodeListSearchItems[] = data
			.filter((s) => byId || matches(text, s.id, s.customer_id, s.status, ...((s.items ?? []) as IDataObject[]).map((i) => ((i.price ?? {}) as IDataObject).name)))
			.map((s) => {
				const names = ((s.items ?? []) as IDataObject[]).map((i) => ((i.price ?? {}) as IDataObject).name ?? ((i.price ?? {}) as IDataObject).id);
				return {
					name: `${String(s.id)} — ${String(s.status)}, ${names.join(', ') || 'no items'} (${String(s.customer_id)})`,
					value: String(s.id),
					url: `${base}/subscriptions-v2/${String(s.id)}`,
				};
			});
		return { results, paginationToken: next };
	},

	/** GET /prices?include=product has no search parameter: the text is matched against product and price names. */
	async searchPrices(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		const { data, next } = await page(this, '/prices', { per_page: 200, status: 'active', include: 'product' }, paginationToken);
		const results = data
			.filter((p) => matches(filter, p.id, p.name, p.description, ((p.product ?? {}) as IDataObject).name))
			.map((p) => {
				const amount = priceMoney(p);
				const cycle = p.billing_cycle as IDataObject | null;
				const every = cycle ? ` / ${String(cycle.frequency)} ${String(cycle.interval)}` : ' one-time';
				const label = [((p.product ?? {}) as IDataObject).name, p.name ?? p.description].filter(Boolean).join(' — ');
				return { name: `${label || String(p.id)} (${amount ? amount.formatted : '?'}${every})`, value: String(p.id) };
			});
		return { results, paginationToken: next };
	},
};
