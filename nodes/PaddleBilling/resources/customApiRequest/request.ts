/**
 * Custom API Request: any Paddle endpoint the node has no operation for, through the same
 * transport as every operation (the credential's key and host, the 240/min rate limiter, retries
 * of idempotent methods, Paddle's error text and field in the n8n error, the missing permission
 * named on a 403). Paths are relative to the API base; absolute URLs are accepted only for the
 * credential's own host, so the key is never sent anywhere else.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { parseJsonObject } from '../../helpers';
import { CREDENTIAL_TYPE, paddleBaseUrl, paddleRequest } from '../../transport';
import { forOperation } from '../common';

export const description: INodeProperties[] = forOperation('customApiRequest', 'request', [
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: [
			{ name: 'DELETE', value: 'DELETE' },
			{ name: 'GET', value: 'GET' },
			{ name: 'PATCH', value: 'PATCH' },
			{ name: 'POST', value: 'POST' },
			{ name: 'PUT', value: 'PUT' },
		],
		default: 'GET',
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: '',
		required: true,
		placeholder: '/products',
		description:
			'Path relative to the Paddle API base, e.g. /products or /customers/ctm_…/credit-balances (see developer.paddle.com/api-reference). The credential picks the host (live or sandbox).',
	},
	{
		displayName: 'Query Parameters',
		name: 'query',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Parameter',
		default: {},
		options: [
			{
				displayName: 'Parameter',
				name: 'parameter',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '', description: 'Lists are comma-separated, as Paddle expects (status=active,archived)' },
				],
			},
		],
	},
	{
		displayName: 'Body (JSON)',
		name: 'body',
		type: 'json',
		default: '{}',
		displayOptions: { show: { method: ['PATCH', 'POST', 'PUT'] } },
		description: 'JSON object sent as the request body',
	},
]);

/** The path to call: relative, or an absolute URL on the credential's own API host; else `{ refused }`. */
export function checkPath(path: string, base: string): string | { refused: string } {
	const text = path.trim();
	if (/^[a-z][a-z\d+.-]*:/i.test(text) || text.startsWith('//')) {
		let url: URL;
		try {
			url = new URL(text.startsWith('//') ? `https:${text}` : text);
		} catch {
			return { refused: `Path "${text}" is not a valid URL or path. Enter a path such as /products.` };
		}
		const api = new URL(base);
		if (url.origin !== api.origin) {
			return {
				refused: `Path "${text}" points to ${url.origin}, not to this credential's Paddle API (${api.origin}). Enter a path relative to the API, such as /products: the API key is only sent to the credential's host.`,
			};
		}
		return `${url.pathname}${url.search}`;
	}
	if (!text.startsWith('/')) return `/${text}`;
	return text;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const method = this.getNodeParameter('method', itemIndex, 'GET') as IHttpRequestMethods;
	const rawPath = String(this.getNodeParameter('path', itemIndex, '') ?? '');
	if (!rawPath.trim()) {
		throw new NodeOperationError(this.getNode(), 'Path is empty. Enter a Paddle API path such as /products.', { itemIndex });
	}
	const credentials = (await this.getCredentials(CREDENTIAL_TYPE, itemIndex)) as IDataObject;
	let checked: string | { refused: string };
	try {
		checked = checkPath(rawPath, paddleBaseUrl(credentials));
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
	}
	if (typeof checked !== 'string') throw new NodeOperationError(this.getNode(), checked.refused, { itemIndex });
	const path = checked;
	if (path.split(/[?#]/)[0].split('/').some((segment) => segment === '..' || segment === '.')) {
		throw new NodeOperationError(this.getNode(), `Path "${rawPath}" contains "." or ".." segments; enter the API path directly.`, { itemIndex });
	}
	const qs: IDataObject = {};
	const [pathname, search] = path.split('?', 2);
	for (const [k, v] of new URLSearchParams(search ?? '')) qs[k] = v;
	const rows = ((this.getNodeParameter('query', itemIndex, {}) as IDataObject).parameter ?? []) as IDataObject[];
	for (const row of rows) if (row.name) qs[String(row.name)] = String(row.value ?? '');
	const body = ['POST', 'PATCH', 'PUT'].includes(method)
		? parseJsonObject.call(this, this.getNodeParameter('body', itemIndex, '{}'), 'Body (JSON)', itemIndex)
		: undefined;
	const envelope = await paddleRequest.call(this, {
		method,
		path: pathname,
		qs: Object.keys(qs).length > 0 ? qs : undefined,
		body,
		itemIndex,
	});
	return envelope as unknown as IDataObject;
}
