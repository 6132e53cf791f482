/**
 * Attacks on the Chargebee Billing Trigger, in-process through n8n-core's real WebhookContext.
 * Turned from the security review's proof of concept (/work/shared/reviews/security-poc/
 * chargebee-attacks.test.ts; findings M2, M5 and L6 in /work/shared/reviews/security.md) into
 * regression tests: each "proven" weakness there is asserted fixed here.
 */
import type { IDataObject, IWebhookResponseData } from 'n8n-workflow';

import { ChargebeeBillingApi } from '../../credentials/ChargebeeBillingApi.credentials';
import { ChargebeeWebhookAuthApi } from '../../credentials/ChargebeeWebhookAuthApi.credentials';
import { ChargebeeBillingTrigger } from '../../nodes/ChargebeeBilling/ChargebeeBillingTrigger.node';
import { basicAuthDigest } from '../../nodes/shared/crypto';
import { resetLimiters } from '../../nodes/shared/rate-limiter';
import { createWebhookContext, fakeHttpExchange } from '../helpers/n8n-context';
import { ChargebeeSandbox } from '../../dev/sandbox/chargebee';
import { invoice } from '../unit/chargebee/fixtures';

const PAIR = { user: 'chargebee-hook', password: 'a-long-random-webhook-password' };
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const auth = { authorization: basic(PAIR.user, PAIR.password) };
const NODE_KEY = 'node:Chargebee Billing Trigger';
const now = () => Math.floor(Date.now() / 1000);

const event = (event_type: string, content: IDataObject, extra: IDataObject = {}): IDataObject => ({
	id: `ev_${event_type}_${Math.random().toString(36).slice(2, 10)}`,
	occurred_at: now() - 30,
	source: 'system',
	object: 'event',
	api_version: 'v2',
	event_type,
	content,
	...extra,
});

let sandbox: ChargebeeSandbox | undefined;

interface Outcome {
	result?: IWebhookResponseData;
	thrown?: string;
	status: number;
	sent: unknown;
}

async function call(
	body: unknown,
	headers: Record<string, string>,
	params: IDataObject = {},
	staticData: IDataObject = {},
	raw?: string,
	pair: IDataObject = PAIR,
): Promise<Outcome> {
	const trigger = new ChargebeeBillingTrigger();
	const exchange = fakeHttpExchange({ headers: { 'content-type': 'application/json', ...headers }, body, rawBody: raw });
	const credentials: Record<string, IDataObject> = { chargebeeWebhookAuthApi: pair };
	if (sandbox) credentials.chargebeeBillingApi = { site: sandbox.site, apiKey: sandbox.apiKey, customHost: true, baseUrl: sandbox.url, requestsPerMinute: 0 };
	const ctx = createWebhookContext(
		{
			nodeType: trigger,
			parameters: { mode: 'manual', events: ['*'], ...params },
			credentials: credentials as never,
			credentialTypes: [new ChargebeeWebhookAuthApi(), new ChargebeeBillingApi()],
			staticData,
		},
		exchange,
	);
	let result: IWebhookResponseData | undefined;
	let thrown: string | undefined;
	try {
		result = await trigger.webhook.call(ctx);
	} catch (e) {
		thrown = (e as Error).message;
	}
	return { result, thrown, status: exchange.response.statusCode, sent: exchange.response.sent };
}

const item = (o: Outcome) => o.result?.workflowData?.[0][0].json as IDataObject;
const normalized = (o: Outcome) => item(o).normalized as IDataObject;

describe('Basic auth edge cases', () => {
	it.each([
		['lower-case scheme', { authorization: `basic ${Buffer.from(`${PAIR.user}:${PAIR.password}`).toString('base64')}` }, true],
		['password with a trailing character', { authorization: basic(PAIR.user, PAIR.password + 'x') }, false],
		['user prefix', { authorization: basic(PAIR.user.slice(0, -1), PAIR.password) }, false],
		['colon moved into the user', { authorization: basic(`${PAIR.user}:${PAIR.password}`, '') }, false],
		['base64 without padding', { authorization: `Basic ${Buffer.from(`${PAIR.user}:${PAIR.password}`).toString('base64').replace(/=+$/, '')}` }, true],
	])('%s', async (_label, headers, ok) => {
		const r = await call(event('invoice_generated', { invoice }), headers as Record<string, string>);
		expect(Boolean(r.result?.workflowData)).toBe(ok);
		if (!ok) expect(r.status).toBe(401);
	});

	it('manual mode with an empty credential pair refuses everything', async () => {
		const r = await call(event('invoice_generated', { invoice }), { authorization: basic('', '') }, {}, {}, undefined, { user: '', password: '' });
		expect(r.status).toBe(401);
		expect(r.result?.workflowData).toBeUndefined();
	});

	it('automatic mode without a stored pair answers 503 and runs nothing', async () => {
		const r = await call(event('invoice_generated', { invoice }), auth, { mode: 'automatic' });
		expect(r.status).toBe(503);
		expect(r.result?.workflowData).toBeUndefined();
	});
});

describe('M2: the generated pair is not readable from static data', () => {
	it('an install that kept the pair in clear is migrated to a digest on the next call, and the pair still works', async () => {
		const legacy: IDataObject = { webhookEndpointId: 'whe_1', basicAuthUser: 'n8n-abc', basicAuthPassword: 'generated-password-0123456789' };
		const staticData = { [NODE_KEY]: legacy };
		const r = await call(event('invoice_generated', { invoice }), { authorization: basic('n8n-abc', 'generated-password-0123456789') }, { mode: 'automatic', options: { refetchEvent: false } }, staticData);
		expect(r.result?.workflowData).toHaveLength(1);
		expect(legacy).toEqual({ webhookEndpointId: 'whe_1', basicAuthDigest: basicAuthDigest('n8n-abc', 'generated-password-0123456789') });
		expect(JSON.stringify(staticData)).not.toContain('generated-password');
	});

	it('the digest does not authenticate as a password', async () => {
		const digest = basicAuthDigest('n8n-abc', 'generated-password-0123456789');
		const staticData = { [NODE_KEY]: { basicAuthDigest: digest } };
		const r = await call(event('invoice_generated', { invoice }), { authorization: basic('n8n-abc', digest) }, { mode: 'automatic', options: { refetchEvent: false } }, staticData);
		expect(r.status).toBe(401);
	});
});

describe('M5: re-fetch by default in automatic mode, and no replays beyond the retry horizon', () => {
	beforeAll(async () => {
		sandbox = await new ChargebeeSandbox({ customersHaveCard: true }).start();
	});
	afterAll(async () => {
		await sandbox?.stop();
		sandbox = undefined;
	});
	beforeEach(() => resetLimiters());
	const stored = () => ({ [NODE_KEY]: { basicAuthDigest: basicAuthDigest('n8n-abc', 'generated-password-0123456789') } });
	const gen = { authorization: basic('n8n-abc', 'generated-password-0123456789') };

	it('a forged event with the right pair is refused: Chargebee has no such event (the PoC accepted it)', async () => {
		const forged = event('payment_succeeded', { transaction: { id: 't', amount: 100000, currency_code: 'USD' }, customer: { id: 'c', cf_kommo_lead_id: '7' } });
		const r = await call(forged, gen, { mode: 'automatic' }, stored());
		expect(r.status).toBe(400);
		expect(r.sent).toEqual({ message: 'Unknown event: Chargebee has no event with this id' });
		expect(r.result?.workflowData).toBeUndefined();
	});

	it('a real event is taken from Chargebee\'s copy, whatever the body says', async () => {
		const real = await sandbox!.simulateEvent('invoice_generated', { invoice: { ...invoice, total: 4000 } });
		const tampered = { ...real, content: { invoice: { ...invoice, total: 99_999_900 } } };
		const r = await call(tampered, gen, { mode: 'automatic' }, stored());
		expect(normalized(r).amount).toMatchObject({ minor: '4000' });
	});

	it('an event older than the retry horizon (about 3.5 days) plus margin is refused; a 3-day-old retry passes', async () => {
		const old = await call(event('invoice_generated', { invoice }, { occurred_at: now() - 5 * 86400 }), auth);
		expect(old.status).toBe(400);
		expect(String((old.sent as IDataObject).message)).toMatch(/^Event refused: the event occurred 120 hours ago, beyond the 96-hour limit/);
		expect(old.result?.workflowData).toBeUndefined();
		const retry = await call(event('invoice_generated', { invoice }, { occurred_at: now() - 3 * 86400 }), auth);
		expect(retry.result?.workflowData).toHaveLength(1);
		const unlimited = await call(event('invoice_generated', { invoice }, { occurred_at: now() - 30 * 86400 }), auth, { options: { maxEventAgeHours: 0 } });
		expect(unlimited.result?.workflowData).toHaveLength(1);
	});
});

describe('L6: hostile values after auth', () => {
	it.each(['constructor', '__proto__'])('event type %s gets category "other"', async (type) => {
		const r = await call(event(type, { invoice }), auth);
		expect(normalized(r).category).toBe('other');
	});

	it('an unknown currency is acknowledged with a warning and no amount, not a 500 (the PoC threw)', async () => {
		const r = await call(event('invoice_generated', { invoice: { ...invoice, currency_code: 'ZZZ' } }), auth);
		expect(r.thrown).toBeUndefined();
		expect(normalized(r).amount).toBeNull();
		expect(item(r).warnings).toEqual([expect.stringContaining('Unknown currency "ZZZ"')]);
	});

	it.each([
		['fractional', 12.5, /not a whole number/],
		['1e21', 1e21, /beyond 2\^53/],
	])('a %s amount gives no amount and a warning', async (_label, total, message) => {
		const r = await call(event('invoice_generated', { invoice: { ...invoice, total } }), auth);
		expect(r.thrown).toBeUndefined();
		expect(normalized(r).amount).toBeNull();
		expect(item(r).warnings).toEqual([expect.stringMatching(message)]);
	});

	it('an amount beyond 2^53 is not silently rounded', async () => {
		const body = event('invoice_generated', { invoice: { ...invoice, total: 0 } });
		const raw = JSON.stringify(body).replace('"total":0', '"total":12345678901234567891');
		const r = await call(JSON.parse(raw), auth, {}, {}, raw);
		expect(normalized(r).amount).toBeNull();
		expect(item(r).warnings).toEqual([expect.stringMatching(/beyond 2\^53/)]);
	});

	it('a form-encoded body and an event without content are refused with 400', async () => {
		const form = await call({ id: 'ev', event_type: 'x' }, { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, {}, {}, 'id=ev&event_type=x');
		expect(form.status).toBe(400);
		const bare = await call({ id: 'ev', event_type: 'payment_succeeded', occurred_at: now() }, auth);
		expect(bare.status).toBe(400);
	});

	it('a 1 MB event id is refused before it can become a dedupe key', async () => {
		const r = await call({ ...event('invoice_generated', { invoice }), id: 'x'.repeat(1_000_000) }, auth);
		expect(r.status).toBe(400);
		expect(r.result?.workflowData).toBeUndefined();
	});
});
