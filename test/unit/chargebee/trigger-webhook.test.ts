/**
 * The trigger's webhook(): Basic auth (constant time, 401 + WWW-Authenticate,
 * nothing started), the event filter (200, nothing started), body validation
 * and the output shape — inside a real n8n-core WebhookContext.
 */
import type { IDataObject, IWebhookResponseData } from 'n8n-workflow';

import { ChargebeeBillingApi } from '../../../credentials/ChargebeeBillingApi.credentials';
import { ChargebeeWebhookAuthApi } from '../../../credentials/ChargebeeWebhookAuthApi.credentials';
import { ChargebeeBillingTrigger } from '../../../nodes/ChargebeeBilling/ChargebeeBillingTrigger.node';
import * as sharedCrypto from '../../../nodes/shared/crypto';
import { createWebhookContext, fakeHttpExchange, type FakeHttpExchange } from '../../helpers/n8n-context';
import { event, paymentSucceeded } from './fixtures';

const PAIR = { user: 'chargebee-hook', password: 'a-long-random-webhook-password' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface Call {
	result: IWebhookResponseData;
	exchange: FakeHttpExchange;
}

async function call(
	body: unknown,
	headers: Record<string, string>,
	parameters: IDataObject = {},
	staticData: IDataObject = {},
): Promise<Call> {
	const trigger = new ChargebeeBillingTrigger();
	// the fixtures' events happened on 2025-01-01; here they happen now (older ones are refused as replays)
	const fresh = body && typeof body === 'object' && (body as IDataObject).occurred_at === 1735689600 ? { ...(body as IDataObject), occurred_at: Math.floor(Date.now() / 1000) - 60 } : body;
	const exchange = fakeHttpExchange({ headers: { 'content-type': 'application/json', ...headers }, body: fresh });
	const context = createWebhookContext(
		{
			nodeType: trigger,
			parameters: { mode: 'manual', ...parameters },
			credentials: { chargebeeWebhookAuthApi: PAIR },
			credentialTypes: [new ChargebeeWebhookAuthApi(), new ChargebeeBillingApi()],
			staticData,
		},
		exchange,
	);
	return { result: await trigger.webhook.call(context), exchange };
}

function expectRejected({ result, exchange }: Call, status: number) {
	expect(result).toEqual({ noWebhookResponse: true });
	expect(result.workflowData).toBeUndefined();
	expect(exchange.response.statusCode).toBe(status);
}

describe('Basic auth', () => {
	it('accepts the right pair and emits one item {normalized, event}', async () => {
		const { result, exchange } = await call(paymentSucceeded, { authorization: basic(PAIR.user, PAIR.password) });
		expect(exchange.response.sent).toBeUndefined();
		expect(result.workflowData).toHaveLength(1);
		expect(result.workflowData?.[0]).toHaveLength(1);
		const json = result.workflowData?.[0][0].json as IDataObject;
		expect(json.event).toEqual({ ...paymentSucceeded, occurred_at: expect.any(Number) });
		expect(json.normalized).toMatchObject({
			vendor: 'chargebee',
			eventId: 'ev_payment_succeeded_1',
			category: 'payment_succeeded',
			kommoLeadId: 42,
			amount: { decimal: '40.00', currency: 'USD' },
			dedupeKey: 'chargebee:ev_payment_succeeded_1',
		});
	});

	it.each([
		['missing', {}],
		['wrong password', { authorization: basic(PAIR.user, 'a-long-random-webhook-passworD') }],
		['wrong user', { authorization: basic('someone', PAIR.password) }],
		['empty pair', { authorization: basic('', '') }],
		['not Basic', { authorization: `Bearer ${PAIR.password}` }],
		['garbage', { authorization: 'Basic !!!' }],
	])('answers 401 with WWW-Authenticate and starts nothing when auth is %s', async (_label, headers) => {
		const outcome = await call(paymentSucceeded, headers as Record<string, string>);
		expectRejected(outcome, 401);
		expect(outcome.exchange.response.headers['www-authenticate']).toBe('Basic realm="Chargebee Billing Trigger", charset="UTF-8"');
		expect(JSON.stringify(outcome.exchange.response.sent)).not.toContain(PAIR.password);
	});

	it('compares through the constant-time helper (both parts, every time)', async () => {
		const spy = jest.spyOn(sharedCrypto, 'checkBasicAuth');
		await call(paymentSucceeded, { authorization: basic('x', 'y') });
		expect(spy).toHaveBeenCalledWith(basic('x', 'y'), PAIR.user, PAIR.password);
		spy.mockRestore();
	});

	it('automatic mode checks the generated pair kept in static data; without one everything is refused', async () => {
		const stored = { basicAuthDigest: sharedCrypto.basicAuthDigest('n8n-gen', 'generated-secret-value-123456') };
		const staticData = { 'node:Chargebee Billing Trigger': stored };
		const noRefetch = { mode: 'automatic', options: { refetchEvent: false } };
		const ok = await call(paymentSucceeded, { authorization: basic('n8n-gen', 'generated-secret-value-123456') }, noRefetch, staticData);
		expect(ok.result.workflowData).toHaveLength(1);
		// The manual credential's pair is not accepted in automatic mode.
		expectRejected(await call(paymentSucceeded, { authorization: basic(PAIR.user, PAIR.password) }, noRefetch, staticData), 401);
		expectRejected(await call(paymentSucceeded, { authorization: basic('n8n-gen', 'generated-secret-value-12345') }, noRefetch, staticData), 401);
		// Not stored yet (activation still running): nothing passes, Chargebee is asked to retry.
		expectRejected(await call(paymentSucceeded, { authorization: basic('', '') }, { mode: 'automatic' }, {}), 503);
	});
});

describe('event filter and body', () => {
	const auth = { authorization: basic(PAIR.user, PAIR.password) };

	it('acknowledges an event type outside the filter with 200 and starts nothing', async () => {
		const other = event('customer_created', { customer: { id: 'c1' } });
		const outcome = await call(other, auth);
		expectRejected(outcome, 200);
		expect(outcome.exchange.response.sent).toEqual({ received: true, ignored: 'customer_created' });
	});

	it('takes exactly the selected types, or all with "*"', async () => {
		const renewed = event('subscription_renewed', {});
		expect((await call(renewed, auth, { events: ['payment_succeeded'] })).result.workflowData).toBeUndefined();
		expect((await call(renewed, auth, { events: ['subscription_renewed'] })).result.workflowData).toHaveLength(1);
		const odd = event('card_expiry_reminder', {});
		expect((await call(odd, auth, { events: ['*'] })).result.workflowData).toHaveLength(1);
	});

	it('by default takes the issue\'s nine events', async () => {
		for (const type of ['payment_succeeded', 'payment_failed', 'invoice_generated', 'subscription_created', 'subscription_renewed', 'subscription_changed', 'subscription_cancelled', 'subscription_paused', 'credit_note_created']) {
			expect((await call(event(type, {}), auth)).result.workflowData).toHaveLength(1);
		}
	});

	it('answers 400 to a body that is not a Chargebee event, after auth', async () => {
		expectRejected(await call({ hello: 'world' }, auth), 400);
		expectRejected(await call({ hello: 'world' }, {}), 401);
	});

	it('reads the raw body when n8n did not parse it', async () => {
		const trigger = new ChargebeeBillingTrigger();
		const exchange = fakeHttpExchange({ headers: auth, body: {}, rawBody: JSON.stringify({ ...paymentSucceeded, occurred_at: Math.floor(Date.now() / 1000) }) });
		const context = createWebhookContext(
			{ nodeType: trigger, parameters: { mode: 'manual' }, credentials: { chargebeeWebhookAuthApi: PAIR }, credentialTypes: [new ChargebeeWebhookAuthApi()] },
			exchange,
		);
		expect((await trigger.webhook.call(context)).workflowData).toHaveLength(1);
	});
});

describe('webhook auth credential test', () => {
	const test = new ChargebeeBillingTrigger().methods.credentialTest.chargebeeWebhookAuthTest;
	const run = (data: IDataObject) => test.call({} as never, { id: '1', name: 'c', type: 'chargebeeWebhookAuthApi', data } as never);
	it('accepts a usable pair and explains what is wrong otherwise', async () => {
		expect((await run(PAIR)).status).toBe('OK');
		expect(await run({ user: 'a:b', password: PAIR.password })).toEqual({ status: 'Error', message: 'User must be set and must not contain ":"' });
		expect((await run({ user: 'a', password: 'short' })).message).toContain('too short');
	});
});
