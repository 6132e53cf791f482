/**
 * Runs the Zuora Trigger's webhook() in n8n-core's real WebhookContext with a fake HTTP exchange
 * (the security review's method, ../shared/reviews/security.md).
 */
import { createHmac } from 'node:crypto';

import type { IDataObject, INodeParameters, IWebhookResponseData } from 'n8n-workflow';

import { ZuoraCalloutAuthApi } from '../../credentials/ZuoraCalloutAuthApi.credentials';
import { ZuoraTrigger } from '../../nodes/Zuora/ZuoraTrigger.node';
import { createWebhookContext, fakeHttpExchange, type FakeHttpExchange } from '../helpers/n8n-context';

export const HMAC_SECRET = 'zuora-hmac-secret-0123456789abcdef';
export const CREDS = {
	user: 'zuora-user',
	password: 'zuora-long-password-1',
	hmacSecret: HMAC_SECRET,
	urlSecret: 'url-secret-0123456789abcdefghij',
};

export const sign = (data: string | Buffer) => createHmac('sha256', HMAC_SECRET).update(data).digest('base64');
export const basicHeader = `Basic ${Buffer.from(`${CREDS.user}:${CREDS.password}`).toString('base64')}`;

export interface CallInit {
	headers?: Record<string, string>;
	/** What n8n parsed (depends on Content-Type); the trigger must not rely on it. */
	body?: unknown;
	rawBody?: string | Buffer;
	query?: Record<string, unknown>;
}

export async function callZuora(
	params: INodeParameters,
	init: CallInit,
): Promise<{ result: IWebhookResponseData; exchange: FakeHttpExchange }> {
	const trigger = new ZuoraTrigger();
	const exchange = fakeHttpExchange({
		headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
		body: init.body,
		rawBody: init.rawBody ?? (init.body === undefined ? '' : JSON.stringify(init.body)),
		query: init.query as Record<string, string> | undefined,
	});
	const ctx = createWebhookContext(
		{ nodeType: trigger, parameters: params, credentials: { zuoraCalloutAuthApi: CREDS }, credentialTypes: [new ZuoraCalloutAuthApi()] },
		exchange,
	);
	const result = await trigger.webhook.call(ctx);
	return { result, exchange };
}

export function items(result: IWebhookResponseData): IDataObject[] {
	return (result.workflowData?.[0] ?? []).map((i) => i.json);
}

export function normalizedOf(result: IWebhookResponseData): IDataObject {
	return items(result)[0]?.normalized as IDataObject;
}

/** A recent event time (callouts older than the Max Event Age are refused). */
export function recent(minutesAgo = 5): string {
	return new Date(Math.floor(Date.now() / 1000) * 1000 - minutesAgo * 60_000).toISOString();
}
