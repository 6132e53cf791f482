/**
 * Zuora's Object Query API (`GET /object-query/{objects}`): `filter[]=field.OP:value` (ANDed),
 * `pageSize` 1–99, and a `nextPage` cursor sent back as `cursor` (developer.zuora.com
 * "Object Query - Expand, filter, fields, and sort"). Query keys such as `filter[]` repeat, so
 * the query string is built here rather than by n8n's serializer (which would index arrays).
 */
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

import { zuoraRequest } from './transport';

export const OBJECT_QUERY_MAX_PAGE_SIZE = 99;
const MAX_PAGES = 1000;

export interface ObjectQueryPage {
	data: IDataObject[];
	nextPage?: string;
}

/** One page of an object query. */
export async function objectQueryPage(
	this: IExecuteFunctions | ILoadOptionsFunctions,
	object: 'accounts' | 'subscriptions' | 'invoices',
	options: { filters?: string[]; pageSize?: number; cursor?: string; itemIndex?: number },
): Promise<ObjectQueryPage> {
	const query = new URLSearchParams();
	for (const filter of options.filters ?? []) query.append('filter[]', filter);
	query.set('pageSize', String(Math.min(OBJECT_QUERY_MAX_PAGE_SIZE, Math.max(1, options.pageSize ?? 10))));
	if (options.cursor) query.set('cursor', options.cursor);
	const response = await zuoraRequest.call(this, {
		method: 'GET',
		path: `/object-query/${object}?${query.toString()}`,
		itemIndex: options.itemIndex,
	});
	const data = Array.isArray(response.data) ? (response.data as IDataObject[]) : [];
	const nextPage = typeof response.nextPage === 'string' && response.nextPage ? response.nextPage : undefined;
	return { data, nextPage };
}

/** Every record (or the first `limit`) of an object query, following the cursor. */
export async function objectQueryAll(
	this: IExecuteFunctions,
	object: 'accounts' | 'subscriptions' | 'invoices',
	filters: string[],
	limit: number | undefined,
	itemIndex: number,
): Promise<IDataObject[]> {
	const out: IDataObject[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const want = limit === undefined ? OBJECT_QUERY_MAX_PAGE_SIZE : limit - out.length;
		const result = await objectQueryPage.call(this, object, { filters, pageSize: want, cursor, itemIndex });
		out.push(...result.data);
		cursor = result.nextPage;
		if (!cursor || (limit !== undefined && out.length >= limit)) break;
	}
	return limit === undefined ? out : out.slice(0, limit);
}

