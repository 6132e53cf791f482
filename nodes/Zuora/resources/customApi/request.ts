import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { pathOnTenant } from '../../download';
import { forOperation, jsonParameter, text } from '../../helpers';
import { resolveBaseUrl } from '../../auth';
import { CREDENTIAL_TYPE, idempotencyKeyFor, zuoraRequest } from '../../transport';
import type { ItemOperation } from '../types';

/**
 * Custom API Request: any Zuora REST call the other operations do not cover, through the same
 * transport (the shared OAuth token, Zuora-Version, the rate limiter, retries, `success:false`
 * and reasons[] read as errors). Only paths on the credential's host; POST and PATCH carry an
 * Idempotency-Key (derived per execution and item unless one is given), as Zuora keeps it 24 h.
 */
export const request: ItemOperation = {
	kind: 'item',
	description: forOperation('customApi', 'request', [
		{
			displayName: 'Method',
			name: 'method',
			type: 'options',
			options: ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'].map((m) => ({ name: m, value: m })),
			default: 'GET',
			description: 'The HTTP method Zuora\'s API reference names for the endpoint',
		},
		{
			displayName: 'Path',
			name: 'path',
			type: 'string',
			required: true,
			default: '',
			placeholder: '/v1/accounts/A00000001/summary',
			description:
				'Path below the tenant\'s REST base URL of the credential, as in Zuora\'s API reference (developer.zuora.com). A full URL is accepted only on that same host.',
		},
		{
			displayName: 'Query Parameters (JSON)',
			name: 'query',
			type: 'json',
			default: '',
			placeholder: '{"pageSize": 20}',
			description: 'Query string parameters as a JSON object',
		},
		{
			displayName: 'Body (JSON)',
			name: 'body',
			type: 'json',
			default: '',
			placeholder: '{"notes": "Updated from n8n"}',
			description: 'JSON request body (POST, PUT, PATCH)',
			displayOptions: { show: { method: ['PATCH', 'POST', 'PUT'] } },
		},
		{
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			description:
				'Sent as Idempotency-Key (at most 255 characters). Empty: one derived from this execution, item and request, so a retry of the same call is not applied twice.',
			displayOptions: { show: { method: ['PATCH', 'POST'] } },
		},
	]),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const method = this.getNodeParameter('method', itemIndex) as IHttpRequestMethods;
		const rawPath = text(this.getNodeParameter('path', itemIndex, ''));
		if (!rawPath) {
			throw new NodeOperationError(this.getNode(), 'Path is empty', {
				itemIndex,
				description: 'Give the endpoint path from Zuora\'s API reference, e.g. /v1/accounts/A00000001/summary.',
			});
		}
		const credentials = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
		const path = pathOnTenant(this, resolveBaseUrl(credentials), rawPath, itemIndex);
		const qs = jsonParameter(this, this.getNodeParameter('query', itemIndex, ''), 'Query Parameters (JSON)', itemIndex);
		const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
		const body = hasBody ? jsonParameter(this, this.getNodeParameter('body', itemIndex, ''), 'Body (JSON)', itemIndex) : undefined;
		let idempotencyKey: string | undefined;
		if (method === 'POST' || method === 'PATCH') {
			idempotencyKey =
				text(this.getNodeParameter('idempotencyKey', itemIndex, '')) ||
				idempotencyKeyFor.call(this, 'custom', { method, path, qs: qs ?? null, body: body ?? null }, itemIndex);
		}
		const answer = await zuoraRequest.call(this, { method, path, qs, body: body ?? (hasBody ? {} : undefined), idempotencyKey, itemIndex });
		return answer as IDataObject;
	},
};
