import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InputError, jsonObject } from '../../helpers';
import { CHARGEBEE_CREDENTIAL, callIdempotencyKey, chargebeeBaseUrl, chargebeeRequest, toFormPairs, type FormObject } from '../../transport';
import { show } from '../types';

const displayOptions = show('customApi', ['request']);

export const description: INodeProperties[] = [
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: [
			{ name: 'GET', value: 'GET', description: 'Read: retrieve or list' },
			{ name: 'POST', value: 'POST', description: 'Create, change or delete (Chargebee deletes with POST …/delete)' },
		],
		default: 'GET',
		description: 'Chargebee API v2 uses only GET and POST',
		displayOptions,
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		required: true,
		default: '',
		placeholder: '/customers/kommo-lead-12345/payment_sources',
		description: 'Path below https://&lt;site&gt;.chargebee.com/api/v2, as in the Chargebee API reference (apidocs.chargebee.com). Full URLs are accepted only for this credential\'s own site.',
		displayOptions,
	},
	{
		displayName: 'Query Parameters (JSON)',
		name: 'query',
		type: 'json',
		default: '{}',
		description: 'Query parameters as a flat JSON object, e.g. {"limit": 10, "status[is]": "active"}',
		displayOptions,
	},
	{
		displayName: 'Body (JSON)',
		name: 'body',
		type: 'json',
		default: '{}',
		description: 'Body parameters as JSON; they are sent form-encoded the way Chargebee expects ({"customer": {"first_name": "Ana"}} → customer[first_name]=Ana, lists of objects → attr[0], meta_data as a JSON string)',
		displayOptions: { show: { ...displayOptions?.show, method: ['POST'] } },
	},
];

/** The path below /api/v2: relative, or a full URL on this credential's own API base; never another host. */
export function customPath(input: string, base: string): string {
	let path = input.trim();
	if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
		if (!path.toLowerCase().startsWith(`${base.toLowerCase()}/`)) {
			throw new InputError(
				`Path "${path}" points outside this Chargebee site`,
				`Give a path below ${base} such as /customers, or a full URL starting with ${base}/. The credential's API key is never sent to another host.`,
			);
		}
		path = path.slice(base.length);
	}
	if (!path.startsWith('/')) path = `/${path}`;
	path = path.replace(/^\/api\/v2(?=\/)/, '');
	if (path.split(/[/?#]/).some((segment) => segment === '..' || segment === '.') || /[\s#]/.test(path) || path.includes('?')) {
		throw new InputError(`Path "${input}" is not a plain API path`, 'Use a path such as /subscriptions/sub_123/pause; put query parameters in "Query Parameters (JSON)".');
	}
	return path;
}

/**
 * Any Chargebee API v2 call with this node's credential, rate limiter, retries (POSTs carry an
 * idempotency key, so a retried call is not applied twice) and error mapping. The answer is
 * returned as Chargebee sends it (lists stay `{list: [...], next_offset}`).
 */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const method = this.getNodeParameter('method', i, 'GET') as 'GET' | 'POST';
	const base = chargebeeBaseUrl(await this.getCredentials(CHARGEBEE_CREDENTIAL));
	const path = customPath(String(this.getNodeParameter('path', i, '')), base);
	const queryObject = jsonObject(this.getNodeParameter('query', i, '{}'), 'Query Parameters (JSON)') ?? {};
	const query: Record<string, string> = {};
	for (const [key, value] of Object.entries(queryObject)) {
		if (value !== null && typeof value === 'object') {
			throw new InputError(`Query parameter "${key}" must be a text, number or boolean`, 'Write filters flat, e.g. {"status[in]": "[\\"active\\",\\"paused\\"]"}.');
		}
		if (value !== undefined && value !== null) query[key] = String(value);
	}
	let form: FormObject | undefined;
	if (method === 'POST') {
		form = (jsonObject(this.getNodeParameter('body', i, '{}'), 'Body (JSON)') ?? {}) as FormObject;
		try {
			toFormPairs(form);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `Body (JSON) cannot be form-encoded: ${(error as Error).message}`, {
				itemIndex: i,
				description: 'Chargebee takes objects one level deep (customer[id]) and lists of flat objects (subscription_items[item_price_id][0]).',
			});
		}
	}
	const body = await chargebeeRequest.call(this, {
		method,
		path,
		query,
		form,
		...(method === 'POST' ? { idempotencyKey: callIdempotencyKey('custom') } : {}),
		itemIndex: i,
	});
	return (body && typeof body === 'object' ? body : { body }) as IDataObject;
}
