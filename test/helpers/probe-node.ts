/**
 * A tiny node + credential used to test nodes/shared/http.ts inside a real
 * n8n-core ExecuteContext: each input item is one request described by its
 * JSON ({method, path, body, idempotencyKey}).
 */
import type {
	IAuthenticateGeneric,
	ICredentialType,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { vendorRequest, type VendorProfile } from '../../nodes/shared/http';

export class ProbeApi implements ICredentialType {
	name = 'probeApi';
	displayName = 'Probe API';
	properties = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string' as const, default: '' },
		{ displayName: 'Token', name: 'token', type: 'string' as const, typeOptions: { password: true }, default: '' },
	];
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } },
	};
}

export const probeProfile: VendorProfile = {
	vendor: 'Probe',
	rateLimit: { requests: 7, windowMs: 1000 },
	idempotencyHeader: 'Idempotency-Key',
	retry: { baseDelayMs: 20, maxDelayMs: 200, maxTotalWaitMs: 5_000, maxAttempts: 4 },
	parseError(status, body) {
		const b = body as { message?: string; field?: string; code?: string } | undefined;
		return { message: b?.message ?? `HTTP ${status}`, field: b?.field, code: b?.code };
	},
	retryAfterFromBody: (body) => (body as { retry_after?: number })?.retry_after,
};

export class Probe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Probe',
		name: 'probe',
		group: ['transform'],
		version: 1,
		description: 'test node',
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'probeApi', required: true }],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const credentials = await this.getCredentials('probeApi');
		const items = this.getInputData();
		const results = await Promise.all(
			items.map(async (item, itemIndex) => {
				const { method = 'GET', path = '/', body, idempotencyKey } = item.json as {
					method?: 'GET' | 'POST';
					path?: string;
					body?: object;
					idempotencyKey?: string;
				};
				const json = await vendorRequest.call(this, probeProfile, 'probeApi', {
					method,
					url: `${credentials.baseUrl as string}${path}`,
					body,
					idempotencyKey,
					itemIndex,
				});
				return { json: (json ?? {}) as INodeExecutionData['json'] };
			}),
		);
		return [results];
	}
}
