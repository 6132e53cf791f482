/**
 * Security review L3 (../shared/reviews/security-poc/zuora-ctype.test.ts) and fidelity review B7:
 * the trigger reads the bytes that arrived, so the unsigned Content-Type cannot change the dedupe
 * key; empty and non-JSON callouts no longer share one constant key; GET callouts with query
 * parameters are read.
 */
import { parse } from 'node:querystring';

import { basicHeader, callZuora, CREDS, items, normalizedOf, recent, sign } from './zuora-helpers';

const raw = JSON.stringify({ eventType: 'PaymentProcessed', paymentId: 'P-1', eventTimestamp: recent(), amount: '10.00', currency: 'USD', crmId: '5' });
const params = { authentication: 'hmac', hmacSignedData: 'rawBody', responseMode: 'onReceived' };

it('same signed bytes, different unsigned Content-Type: the same event and dedupe key', async () => {
	const asJson = await callZuora(params, { headers: { 'x-zuora-signature': sign(raw) }, body: JSON.parse(raw), rawBody: raw });
	const asForm = await callZuora(params, {
		headers: { 'x-zuora-signature': sign(raw), 'content-type': 'application/x-www-form-urlencoded' },
		body: { ...parse(raw) },
		rawBody: raw,
	});
	const asText = await callZuora(params, { headers: { 'x-zuora-signature': sign(raw), 'content-type': 'text/plain' }, body: raw, rawBody: raw });
	const key = normalizedOf(asJson.result).dedupeKey;
	expect(key).toMatch(/^zuora:P-1:PaymentProcessed:/);
	expect(normalizedOf(asForm.result).dedupeKey).toBe(key);
	expect(normalizedOf(asText.result).dedupeKey).toBe(key);
	expect(normalizedOf(asForm.result).kommoLeadId).toBe(5);
});

describe('empty and non-JSON callouts (fidelity review B7)', () => {
	const basic = { authentication: 'basic' };

	it('two body-less callouts with different URL merge fields get different keys (GET or POST)', async () => {
		const a = await callZuora(basic, { headers: { authorization: basicHeader }, query: { accountId: 'A1', eventType: 'AccountUpdated' } });
		const b = await callZuora(basic, { headers: { authorization: basicHeader }, query: { accountId: 'A2', eventType: 'AccountUpdated' } });
		expect(items(a.result)[0].event).toEqual({ accountId: 'A1', eventType: 'AccountUpdated' });
		expect(normalizedOf(a.result).dedupeKey).not.toBe(normalizedOf(b.result).dedupeKey);
		expect(normalizedOf(a.result).customerId).toBe('A1');
	});

	it('a callout without any data is refused (400), not given the key every such callout would share', async () => {
		const { result, exchange } = await callZuora(basic, { headers: { authorization: basicHeader }, rawBody: '' });
		expect(result.workflowData).toBeUndefined();
		expect(exchange.response.statusCode).toBe(400);
	});

	it('Zuora-Notification-Id (the same on every retry) identifies a body-less notification in Basic mode', async () => {
		const headers = { authorization: basicHeader, 'zuora-notification-id': 'n-42' };
		const first = await callZuora(basic, { headers: { ...headers, 'zuora-request-id': 'r1' } });
		const retry = await callZuora(basic, { headers: { ...headers, 'zuora-request-id': 'r2' } });
		const other = await callZuora(basic, { headers: { ...headers, 'zuora-notification-id': 'n-43' } });
		expect(normalizedOf(first.result).dedupeKey).toBe('zuora:notification:n-42');
		expect(normalizedOf(retry.result).dedupeKey).toBe('zuora:notification:n-42');
		expect(normalizedOf(other.result).dedupeKey).toBe('zuora:notification:n-43');
	});

	it('in HMAC mode the unsigned Notification-Id never makes the key (a replay could pick a new one)', async () => {
		const body = JSON.stringify({ paymentId: 'P-9', eventTimestamp: recent() });
		const one = await callZuora(params, { headers: { 'x-zuora-signature': sign(body), 'zuora-notification-id': 'n-1' }, rawBody: body });
		const two = await callZuora(params, { headers: { 'x-zuora-signature': sign(body), 'zuora-notification-id': 'n-2' }, rawBody: body });
		expect(normalizedOf(one.result).dedupeKey).toBe(normalizedOf(two.result).dedupeKey);
	});

	it("Zuora's legacy XML callout is read (payloads/zuora/guardian__autoCancel_legacy_callout.xml)", async () => {
		const xml = '<callout>\n        <parameter name="AccountId">acc123</parameter>\n        <parameter name="AutoPay">true</parameter>\n      </callout>\n';
		const { result } = await callZuora(basic, { headers: { authorization: basicHeader, 'content-type': 'application/xml' }, rawBody: xml });
		expect(items(result)[0].event).toEqual({ AccountId: 'acc123', AutoPay: 'true' });
		expect(normalizedOf(result).customerId).toBe('acc123');
	});

	it('a body that is neither JSON nor a Zuora XML callout is refused with 400', async () => {
		const { exchange } = await callZuora(basic, { headers: { authorization: basicHeader }, rawBody: 'a=1&b=2' });
		expect(exchange.response.statusCode).toBe(400);
	});

	it('URL-secret mode: query merge fields are data, the secret parameter is not', async () => {
		const { result } = await callZuora({ authentication: 'urlSecret' }, { query: { secret: CREDS.urlSecret, paymentId: 'P-7', eventType: 'PaymentProcessed', eventTimestamp: recent() } });
		expect(normalizedOf(result)).toMatchObject({ transactionId: 'P-7', category: 'payment_succeeded' });
		expect(items(result)[0].event).not.toHaveProperty('secret');
	});
});

it('the trigger registers POST, GET and PUT on one path (Zuora callouts may use any of them)', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { ZuoraTrigger } = require('../../nodes/Zuora/ZuoraTrigger.node') as typeof import('../../nodes/Zuora/ZuoraTrigger.node');
	const hooks = new ZuoraTrigger().description.webhooks ?? [];
	expect(hooks.map((h) => [h.name, h.httpMethod, h.path])).toEqual([
		['default', 'POST', 'callout'],
		['default', 'GET', 'callout'],
		['default', 'PUT', 'callout'],
	]);
});
