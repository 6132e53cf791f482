/**
 * Zuora Trigger attacks from the security review (../shared/reviews/security.md H1, M1, L3, L4;
 * proofs of concept in ../shared/reviews/security-poc/zuora-attacks.test.ts), now regression
 * tests: each attack that used to succeed must fail.
 */
import type { IDataObject } from 'n8n-workflow';

import { callZuora, CREDS, items, normalizedOf, recent, sign } from './zuora-helpers';

describe('H1: HMAC template mode trusts only what the signature covers', () => {
	const params = { authentication: 'hmac', hmacSignedData: 'template', hmacTemplate: '{{accountId}}|{{eventTimestamp}}', responseMode: 'onReceived' };
	const genuine = { eventType: 'PaymentProcessed', accountId: 'A00001', eventTimestamp: recent(), paymentId: 'P-1', amount: '49.00', currency: 'USD', crmId: '111' };
	const signature = sign(`${genuine.accountId}|${genuine.eventTimestamp}`);

	it('a genuine callout: only the signed fields are the event; the rest is output as unverified', async () => {
		const { result } = await callZuora(params, { headers: { 'x-zuora-signature': signature }, body: genuine });
		const [item] = items(result);
		expect(item.event).toEqual({ accountId: 'A00001', eventTimestamp: genuine.eventTimestamp });
		expect(item.unverified).toEqual(genuine);
		expect(item.normalized).toMatchObject({ customerId: 'A00001', occurredAt: genuine.eventTimestamp, kommoLeadId: null, amount: null, category: 'other' });
	});

	it('a tampered callout (event, amount, crmId, payment id changed) yields nothing of the forgery and the same dedupe key', async () => {
		const first = await callZuora(params, { headers: { 'x-zuora-signature': signature }, body: genuine });
		const forged = { ...genuine, eventType: 'PaymentDeclined', amount: '99999.00', crmId: '999', paymentId: 'P-ATTACKER' };
		const { result } = await callZuora(params, { headers: { 'x-zuora-signature': signature }, body: forged });
		const n = normalizedOf(result);
		expect(n.category).not.toBe('payment_failed');
		expect(n.kommoLeadId).toBeNull();
		expect(n.amount).toBeNull();
		expect(n.transactionId).toBeNull();
		// the replay is recognised by Billing Event Dedupe: same key as the genuine callout
		expect(n.dedupeKey).toBe(normalizedOf(first.result).dedupeKey);
	});

	it('signed fields that are signed ARE trusted (event type and crmId in the template)', async () => {
		const p = { ...params, hmacTemplate: '{{eventType}}|{{paymentId}}|{{crmId}}|{{amount}}|{{currency}}|{{eventTimestamp}}' };
		const data = `PaymentProcessed|P-1|111|49.00|USD|${genuine.eventTimestamp}`;
		const { result } = await callZuora(p, { headers: { 'x-zuora-signature': sign(data) }, body: genuine });
		expect(normalizedOf(result)).toMatchObject({ category: 'payment_succeeded', kommoLeadId: 111, transactionId: 'P-1', amount: { decimal: '49.00', currency: 'USD' } });
		const forged = { ...genuine, crmId: '999' };
		const refused = await callZuora(p, { headers: { 'x-zuora-signature': sign(data) }, body: forged });
		expect(refused.exchange.response.statusCode).toBe(401);
		expect(refused.result.workflowData).toBeUndefined();
	});

	it('a template whose fields touch is refused as misconfigured (the old default "{{accountId}}{{eventTimestamp}}")', async () => {
		const shifted = { ...genuine, accountId: 'A0000', eventTimestamp: `1${genuine.eventTimestamp}` };
		const { result, exchange } = await callZuora(
			{ ...params, hmacTemplate: '{{accountId}}{{eventTimestamp}}' },
			{ headers: { 'x-zuora-signature': sign(`${genuine.accountId}${genuine.eventTimestamp}`) }, body: shifted },
		);
		expect(result.workflowData).toBeUndefined();
		expect(exchange.response.statusCode).toBe(500);
		expect(JSON.stringify(exchange.response.sent)).toContain('touch');
	});

	it('with a separator, shifting text between fields breaks the signature; a value holding the separator is refused', async () => {
		const shifted = { ...genuine, accountId: 'A0000', eventTimestamp: `1|${genuine.eventTimestamp}` };
		const moved = await callZuora(params, { headers: { 'x-zuora-signature': signature }, body: shifted });
		expect(moved.exchange.response.statusCode).toBe(401);
		const sneaky = { ...genuine, accountId: 'A00001|x' };
		const sep = await callZuora(params, { headers: { 'x-zuora-signature': sign(`A00001|x|${genuine.eventTimestamp}`) }, body: sneaky });
		expect(sep.exchange.response.statusCode).toBe(401);
		expect(sep.result.workflowData).toBeUndefined();
	});

	it('a missing signed field is refused, not signed as empty text', async () => {
		const { accountId: _dropped, ...rest } = genuine;
		void _dropped;
		const { result, exchange } = await callZuora(params, { headers: { 'x-zuora-signature': sign(`|${genuine.eventTimestamp}`) }, body: rest });
		expect(exchange.response.statusCode).toBe(401);
		expect(result.workflowData).toBeUndefined();
	});

	it('a template without a signed event time is refused (a replay could not be told apart)', async () => {
		const p = { ...params, hmacTemplate: '{{accountId}}|{{paymentId}}' };
		const { result, exchange } = await callZuora(p, { headers: { 'x-zuora-signature': sign('A00001|P-1') }, body: genuine });
		expect(exchange.response.statusCode).toBe(401);
		expect(result.workflowData).toBeUndefined();
	});
});

describe('L3: freshness in every mode', () => {
	const old = JSON.stringify({ eventType: 'PaymentProcessed', paymentId: 'P-1', eventTimestamp: '2020-01-01T00:00:00Z', amount: '1.00', currency: 'USD' });

	it('HMAC raw body: a callout signed years ago is refused; a recent one is accepted', async () => {
		const params = { authentication: 'hmac', hmacSignedData: 'rawBody', responseMode: 'onReceived' };
		const stale = await callZuora(params, { headers: { 'x-zuora-signature': sign(old) }, rawBody: old });
		expect(stale.exchange.response.statusCode).toBe(401);
		expect(stale.result.workflowData).toBeUndefined();
		const fresh = old.replace('2020-01-01T00:00:00Z', recent());
		const ok = await callZuora(params, { headers: { 'x-zuora-signature': sign(fresh) }, rawBody: fresh });
		expect(items(ok.result)).toHaveLength(1);
	});

	it('HMAC raw body without any event time is refused; Max Event Age 0 turns the check off', async () => {
		const bare = JSON.stringify({ eventType: 'PaymentProcessed', paymentId: 'P-1' });
		const params = { authentication: 'hmac', hmacSignedData: 'rawBody' };
		const refused = await callZuora(params, { headers: { 'x-zuora-signature': sign(bare) }, rawBody: bare });
		expect(refused.exchange.response.statusCode).toBe(401);
		const off = await callZuora({ ...params, options: { maxEventAgeMinutes: 0 } }, { headers: { 'x-zuora-signature': sign(bare) }, rawBody: bare });
		expect(items(off.result)).toHaveLength(1);
	});

	it('Basic and URL secret: an old event time is refused too; a callout without one is accepted', async () => {
		const basic = { authorization: `Basic ${Buffer.from(`${CREDS.user}:${CREDS.password}`).toString('base64')}` };
		const stale = await callZuora({ authentication: 'basic' }, { headers: basic, rawBody: old });
		expect(stale.exchange.response.statusCode).toBe(401);
		const url = await callZuora({ authentication: 'urlSecret' }, { rawBody: old, query: { secret: CREDS.urlSecret } });
		expect(url.exchange.response.statusCode).toBe(401);
		const noTime = await callZuora({ authentication: 'basic' }, { headers: basic, rawBody: '{"paymentId":"P-1"}' });
		expect(items(noTime.result)).toHaveLength(1);
	});

	it("Zuora's zone-less tenant-time timestamps get ±14 h of slack, not a refusal", async () => {
		const local = new Date(Date.now() + 10 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
		const raw = JSON.stringify({ eventType: 'PaymentProcessed', paymentId: 'P-1', eventTimestamp: local });
		const { result } = await callZuora({ authentication: 'hmac' }, { headers: { 'x-zuora-signature': sign(raw) }, rawBody: raw });
		expect(items(result)).toHaveLength(1);
	});
});

describe('L4: dedupe-key parts cannot shift into each other', () => {
	it("'a:b' + 'c' and 'a' + 'b:c' give different keys", async () => {
		const basic = { authorization: `Basic ${Buffer.from(`${CREDS.user}:${CREDS.password}`).toString('base64')}` };
		const t = recent();
		const one = await callZuora({ authentication: 'basic' }, { headers: basic, body: { objectId: 'a:b', eventType: 'c', eventTimestamp: t } });
		const two = await callZuora({ authentication: 'basic' }, { headers: basic, body: { objectId: 'a', eventType: 'b:c', eventTimestamp: t } });
		expect(normalizedOf(one.result).dedupeKey).not.toBe(normalizedOf(two.result).dedupeKey);
	});
});

describe('M1: a hostile amount costs nothing in the Zuora Trigger', () => {
	it.each([32_000, 256_000])('amount "1.<%i zeros>1" is not parsed and returns within milliseconds', async (n) => {
		const raw = JSON.stringify({ eventType: 'PaymentProcessed', paymentId: 'P-1', eventTimestamp: recent(), amount: `1.${'0'.repeat(n)}1`, currency: 'USD' });
		const started = Date.now();
		const { result } = await callZuora({ authentication: 'hmac' }, { headers: { 'x-zuora-signature': sign(raw) }, rawBody: raw });
		// a bound against the pathological parse (minutes), not a speed target: speed lives in bench/
		expect(Date.now() - started).toBeLessThan(5000);
		expect(normalizedOf(result).amount).toBeNull();
	});
});

describe('URL secret and Basic', () => {
	it('the URL secret never reaches the workflow; a wrong or repeated secret is refused', async () => {
		const ok = await callZuora({ authentication: 'urlSecret' }, { body: { eventType: 'x' }, query: { secret: CREDS.urlSecret, accountId: 'A1' } });
		const [item] = items(ok.result);
		expect(JSON.stringify(item)).not.toContain(CREDS.urlSecret);
		expect(item.event).toEqual({ accountId: 'A1', eventType: 'x' });
		const bad = await callZuora({ authentication: 'urlSecret' }, { body: { a: 1 }, query: { secret: 'nope' } });
		expect(bad.exchange.response.statusCode).toBe(401);
		const twice = await callZuora({ authentication: 'urlSecret' }, { body: { a: 1 }, query: { secret: [CREDS.urlSecret, CREDS.urlSecret] } });
		expect(twice.exchange.response.statusCode).toBe(401);
	});

	it('Basic: missing credentials get the 401 challenge Zuora expects', async () => {
		const { exchange } = await callZuora({ authentication: 'basic' }, { body: { a: 1 } });
		expect(exchange.response.statusCode).toBe(401);
		expect(exchange.response.headers['www-authenticate']).toContain('Basic realm=');
	});
});

describe('misconfiguration never opens the door', () => {
	it('an unknown authentication value is a 500, not an accepted callout', async () => {
		const { result, exchange } = await callZuora({ authentication: 'none' }, { body: { a: 1 } });
		expect(result.workflowData).toBeUndefined();
		expect(exchange.response.statusCode).toBe(500);
	});
});
