/**
 * Custom API Request: any Kommo API v4 call the other operations do not cover, with the node's
 * credential, its 7 requests/second limiter, retries and Kommo error messages
 * (kommoApiRequest). Only paths under /api/v4/ of the account's own host (./path.ts).
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { jsonParse, NodeOperationError } from 'n8n-workflow';

import { kommoApiRequest, kommoConnection, type QueryValue } from '../../transport';
import { runPerItem, show } from '../common';
import { checkCustomPath } from './path';

const display = show('customApiRequest', 'request');

export const description: INodeProperties[] = [
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].map((m) => ({ name: m, value: m })),
		default: 'GET',
		displayOptions: display,
		description: 'The HTTP method Kommo documents for the endpoint',
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: '',
		required: true,
		displayOptions: display,
		placeholder: '/api/v4/leads/123',
		description: 'The endpoint path under /api/v4/ as in Kommo\'s API reference; the host comes from the credential',
	},
	{
		displayName: 'Query Parameters (JSON)',
		name: 'queryParameters',
		type: 'json',
		default: '{}',
		displayOptions: display,
		description:
			'Query parameters as a JSON object, e.g. {"with": "contacts", "page": 2}; arrays repeat the key',
	},
	{
		displayName: 'Body (JSON)',
		name: 'jsonBody',
		type: 'json',
		default: '',
		displayOptions: show('customApiRequest', 'request', { method: ['POST', 'PATCH', 'PUT', 'DELETE'] }),
		description: 'The JSON body, e.g. [{"name": "Deal", "price": 100}] for POST /api/v4/leads; leave empty for none',
	},
];

function parseJson(ctx: IExecuteFunctions, name: string, value: unknown, itemIndex: number): unknown {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	try {
		return jsonParse(value);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `${name} is not valid JSON: ${(error as Error).message}`, {
			itemIndex,
			description: `Check the quotes and commas of the ${name.toLowerCase()}.`,
		});
	}
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const method = this.getNodeParameter('method', i) as IHttpRequestMethods;
		const { baseUrl } = await kommoConnection(this);
		const checked = checkCustomPath(String(this.getNodeParameter('path', i, '') ?? ''), baseUrl);
		if (!checked.ok) throw new NodeOperationError(this.getNode(), checked.error, { itemIndex: i, description: checked.hint });

		const query: Record<string, QueryValue> = {};
		for (const [key, value] of new URLSearchParams(checked.query)) query[key] = value;
		const parsedQuery = parseJson(this, 'Query Parameters', this.getNodeParameter('queryParameters', i, '{}'), i);
		if (parsedQuery !== undefined) {
			if (typeof parsedQuery !== 'object' || Array.isArray(parsedQuery)) {
				throw new NodeOperationError(this.getNode(), 'Query Parameters must be a JSON object', {
					itemIndex: i,
					description: 'For example {"page": 2, "limit": 50}.',
				});
			}
			for (const [key, value] of Object.entries(parsedQuery as IDataObject)) {
				if (value === undefined || value === null) continue;
				query[key] = Array.isArray(value) ? value.map((v) => String(v)) : typeof value === 'object' ? JSON.stringify(value) : (value as QueryValue);
			}
		}
		const body = method === 'GET' ? undefined : parseJson(this, 'Body', this.getNodeParameter('jsonBody', i, ''), i);
		if (body !== undefined && (typeof body !== 'object' || body === null)) {
			throw new NodeOperationError(this.getNode(), 'Body must be a JSON object or array', { itemIndex: i });
		}
		const response = await kommoApiRequest.call(this, method, checked.path, {
			query,
			...(body !== undefined ? { body: body as IDataObject | IDataObject[] } : {}),
			itemIndex: i,
		});
		// 204 No Content (an empty list, an unknown id, a done unlink) comes out as an empty item.
		if (response === undefined) return {};
		return Array.isArray(response) ? (response as IDataObject[]) : response;
	});
}
