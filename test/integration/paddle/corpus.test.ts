/**
 * Every Paddle notification body of the payload corpus (test/fixtures/paddle, a copy of
 * ../shared/payloads/paddle; origins in SOURCES.md there) goes through the Paddle Billing Trigger
 * in-process, in n8n-core's real WebhookContext (issue 15 item 16):
 *  - each is accepted when signed under the test secret: the file's bytes as they are (the
 *    `.wire.body` files are Paddle's signed bytes, byte-exact; the SDK's entity fixtures hold only
 *    `data` and are wrapped as SOURCES.md says);
 *  - each is normalised with the ids, amount, currency, event type and category written out below
 *    per file, read from the file by hand (not from our code);
 *  - the SDKs' published vectors are checked as published: header, secret, body and the time they
 *    were signed, through our verifier and through the trigger.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject, IWebhookResponseData } from 'n8n-workflow';

import { PaddleBillingTrigger } from '../../../nodes/PaddleBilling/PaddleBillingTrigger.node';
import { buildSignatureHeader, verifyPaddleSignature } from '../../../nodes/PaddleBilling/trigger/verify';
import { createWebhookContext, fakeHttpExchange } from '../../helpers/n8n-context';
import { credentialTypes } from './helpers';

const FIXTURES = path.join(__dirname, '../../fixtures/paddle');
const SECRET = 'pdl_ntfset_01hv8x2af22vrrz7k67g06x1kq_CorpusTestSecretCorpusTestSecret';
const trigger = new PaddleBillingTrigger();

/** The envelope SOURCES.md prescribes for the SDK's `data`-only entity fixtures. */
const WRAP = { event_id: 'evt_01hv8x2axb33yr5y238zfwcn5p', occurred_at: '2024-04-12T10:18:50.155553Z', notification_id: 'ntf_01hv8x2af22vrrz7k67g06x1kq' };

function bodyOf(file: string): Buffer {
	const raw = readFileSync(path.join(FIXTURES, file));
	const entity = /entity-data-only__(.+)\.json$/.exec(file);
	if (!entity) return raw;
	return Buffer.from(`{"data":${raw.toString('utf8').trim()},"event_id":"${WRAP.event_id}","event_type":"${entity[1]}","occurred_at":"${WRAP.occurred_at}","notification_id":"${WRAP.notification_id}"}`);
}

async function deliver(raw: Buffer, header: string, secrets: string[] = [SECRET]): Promise<{ result: IWebhookResponseData; status: number | undefined }> {
	const exchange = fakeHttpExchange({ headers: { 'content-type': 'application/json', 'paddle-signature': header }, rawBody: raw, body: {} });
	const context = createWebhookContext(
		{
			nodeType: trigger,
			parameters: { mode: 'manual', responseMode: 'onReceived', events: ['*'] },
			staticData: {},
			credentials: { paddleWebhookApi: { secretKey: secrets[0], additionalSecretKeys: secrets.slice(1).join(',') } as never },
			credentialTypes,
		},
		exchange,
	);
	const result = await trigger.webhook.call(context);
	return { result, status: exchange.response.statusCode };
}

interface Expected {
	eventId: string;
	eventType: string;
	category: string;
	customerId: string | null;
	subscriptionId: string | null;
	transactionId: string | null;
	invoiceId?: string | null;
	/** minor units and currency of the grand total (transactions only). */
	amount: [string, string] | null;
	planId: string | null;
	status: string | null;
	reason?: string | null;
	customerEmail?: string | null;
	occurredAt?: string;
}

// Ids shared by Paddle's spec examples and the Python SDK's entity fixtures (same objects).
const SUB = 'sub_01hv8x29kz0t586xy6zn1a62ny';
const CTM = 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4';
const TXN = 'txn_01hv8wptq8987qeep44cyrewp9';
const RENEWAL_TXN = 'txn_01hv8xbtmb6zc7c264ycteehth';
const PRICE = 'pri_01gsz8x8sawmvhz1pv30nge1ke';

const subscription = (eventType: string, eventId: string, category: string, status: string, extra: Partial<Expected> = {}): Expected => ({
	eventId,
	eventType,
	category,
	customerId: CTM,
	subscriptionId: SUB,
	transactionId: null,
	amount: null,
	planId: PRICE,
	status,
	...extra,
});
const transaction = (eventType: string, eventId: string, category: string, status: string, extra: Partial<Expected> = {}): Expected => ({
	eventId,
	eventType,
	category,
	customerId: CTM,
	subscriptionId: null,
	transactionId: TXN,
	amount: ['65215', 'USD'],
	planId: PRICE,
	status,
	...extra,
});
const customerCreated = (eventId: string, id: string, email: string, occurredAt: string): Expected => ({
	eventId,
	eventType: 'customer.created',
	category: 'customer',
	customerId: id,
	subscriptionId: null,
	transactionId: null,
	amount: null,
	planId: null,
	status: 'active',
	customerEmail: email,
	occurredAt,
});

const W = WRAP.event_id;
const EXPECTED: Record<string, Expected> = {
	'real-capture__monsterwriter_subscription.updated_2025-03-26.wire.body': {
		...subscription('subscription.updated', 'evt_01jq99rk84410detjk7twbvsve', 'other', 'active'),
		customerId: 'ctm_01jq4sr7x7tkb7k8gyhe2g224j',
		subscriptionId: 'sub_01jq68bfdbptwfsmffgkts2vmp',
		planId: 'pri_01jnk9wfg57x3j5199xa1eng7d',
		reason: 'scheduled_cancel',
		occurredAt: '2025-03-26T13:20:13.572Z',
	},
	'sdk-go__webhook_verifier_test.price.created.json': {
		eventId: 'evt_01hsdn97563968dy0szkmgjwh3',
		eventType: 'price.created',
		category: 'other',
		customerId: null,
		subscriptionId: null,
		transactionId: null,
		amount: null,
		planId: null,
		status: 'active',
		occurredAt: '2024-03-20T10:07:35.590Z',
	},
	'sdk-python__entity-data-only__subscription.activated.json': subscription('subscription.activated', W, 'other', 'active'),
	'sdk-python__entity-data-only__subscription.canceled.json': subscription('subscription.canceled', W, 'cancelled', 'canceled'),
	'sdk-python__entity-data-only__subscription.created.json': subscription('subscription.created', W, 'subscription_created', 'active', { transactionId: TXN }),
	'sdk-python__entity-data-only__subscription.past_due.json': subscription('subscription.past_due', W, 'payment_failed', 'past_due'),
	'sdk-python__entity-data-only__subscription.paused.json': subscription('subscription.paused', W, 'paused', 'paused'),
	'sdk-python__entity-data-only__subscription.resumed.json': subscription('subscription.resumed', W, 'resumed', 'active'),
	'sdk-python__entity-data-only__subscription.updated.json': subscription('subscription.updated', W, 'plan_changed', 'active', { reason: 'items_changed' }),
	// a completed web checkout: an earlier declined attempt stays in payments[], no failure reason
	'sdk-python__entity-data-only__transaction.completed.json': transaction('transaction.completed', W, 'payment_succeeded', 'completed', { subscriptionId: SUB, invoiceId: '325-10566', reason: null }),
	'sdk-python__entity-data-only__transaction.paid.json': transaction('transaction.paid', W, 'other', 'paid'),
	'sdk-python__entity-data-only__transaction.past_due.json': transaction('transaction.past_due', W, 'payment_failed', 'past_due', {
		transactionId: RENEWAL_TXN,
		subscriptionId: SUB,
		amount: ['43549', 'USD'],
		reason: 'authentication_failed',
	}),
	'sdk-python__entity-data-only__transaction.payment_failed.json': transaction('transaction.payment_failed', W, 'payment_failed', 'ready', { reason: 'declined' }),
	'sdk-python__examples_webhook_payload.customer.created.json': customerCreated('evt_01hs0tqfme2xwb2hvwv87p8y3w', 'ctm_01hs0tqf76sxmp7ba5e4mw1sc8', 'blackhole+verification2@paddle.com', '2024-03-15T10:32:38.286Z'),
	'sdk-python__examples_webhook_payload.customer.created.wire.body': customerCreated('evt_01hs0tqfme2xwb2hvwv87p8y3w', 'ctm_01hs0tqf76sxmp7ba5e4mw1sc8', 'blackhole+verification2@paddle.com', '2024-03-15T10:32:38.286Z'),
	'sdk-python__tests_Unit_Notification__special_chars_payload.json': customerCreated('evt_01hs0t94tjvtv62azjmkbeysz7', 'ctm_01hs0t94g83hs5jdw282ztqa4z', 'blackhole+verification1@paddle.com', '2024-03-15T10:24:48.466Z'),
	'sdk-python__tests_Unit_Notification__special_chars_payload.wire.body': customerCreated('evt_01hs0t94tjvtv62azjmkbeysz7', 'ctm_01hs0t94g83hs5jdw282ztqa4z', 'blackhole+verification1@paddle.com', '2024-03-15T10:24:48.466Z'),
	'sdk-python__tests_Unit_Notification__standard_payload.json': customerCreated('evt_01hs0tqfme2xwb2hvwv87p8y3w', 'ctm_01hs0tqf76sxmp7ba5e4mw1sc8', 'blackhole+verification2@paddle.com', '2024-03-15T10:32:38.286Z'),
	'sdk-python__tests_Unit_Notification__standard_payload.wire.body': customerCreated('evt_01hs0tqfme2xwb2hvwv87p8y3w', 'ctm_01hs0tqf76sxmp7ba5e4mw1sc8', 'blackhole+verification2@paddle.com', '2024-03-15T10:32:38.286Z'),
	'spec-example__subscription.activated.json': subscription('subscription.activated', 'evt_01hv8x2adt2hy58b2w89p4py4d', 'other', 'active', { occurredAt: '2024-04-12T10:18:49.658Z' }),
	'spec-example__subscription.canceled.json': subscription('subscription.canceled', 'evt_01hv90vbenb5d4spnjbbcfh3nk', 'cancelled', 'canceled', { occurredAt: '2024-04-12T11:24:55.637Z' }),
	'spec-example__subscription.created.json': subscription('subscription.created', 'evt_01hv8x2acma2gz7he8kg2s0hna', 'subscription_created', 'active', { transactionId: TXN, occurredAt: '2024-04-12T10:18:49.621Z' }),
	'spec-example__subscription.past_due.json': subscription('subscription.past_due', 'evt_01hv8xby85a4vxfhgx493xvhjd', 'payment_failed', 'past_due', { occurredAt: '2024-05-12T10:19:26.014Z' }),
	'spec-example__subscription.paused.json': subscription('subscription.paused', 'evt_01hv95bn2k322d8y74ks0ppgmk', 'paused', 'paused', { occurredAt: '2024-04-12T12:43:44.083Z' }),
	'spec-example__subscription.resumed.json': subscription('subscription.resumed', 'evt_01hv95drrfx0yapgmnv0x59kk7', 'resumed', 'active', { occurredAt: '2024-04-12T12:44:53.391Z' }),
	'spec-example__subscription.updated.json': subscription('subscription.updated', 'evt_01hv8ytwcg91n07pa4jmvsdcst', 'plan_changed', 'active', { reason: 'items_changed', occurredAt: '2024-04-12T10:49:43.056Z' }),
	'spec-example__transaction.completed.json': transaction('transaction.completed', 'evt_01hv8x2axb33yr5y238zfwcn5p', 'payment_succeeded', 'completed', { subscriptionId: SUB, invoiceId: '325-10566', reason: null, occurredAt: '2024-04-12T10:18:50.155Z' }),
	'spec-example__transaction.paid.json': transaction('transaction.paid', 'evt_01hv8x29mtm3f42a00bp5v8va9', 'other', 'paid', { occurredAt: '2024-04-12T10:18:48.858Z' }),
	'spec-example__transaction.past_due.json': transaction('transaction.past_due', 'evt_01hv8xbx1sxvjqpp24m7j3xthf', 'payment_failed', 'past_due', {
		transactionId: RENEWAL_TXN,
		subscriptionId: SUB,
		amount: ['43549', 'USD'],
		reason: 'authentication_failed',
		occurredAt: '2024-04-12T10:24:03.642Z',
	}),
	'spec-example__transaction.payment_failed.json': transaction('transaction.payment_failed', 'evt_01hv8wx4vr9w6zsv6xss0b8az9', 'payment_failed', 'ready', { reason: 'declined', occurredAt: '2024-04-12T10:16:00.120Z' }),
};

const files = readdirSync(FIXTURES).filter((f) => f !== 'SOURCES.md');

it('every corpus file has its expectations written out (30 Paddle bodies)', () => {
	expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
	expect(files).toHaveLength(30);
});

describe.each(files.map((f) => [f]))('%s', (file) => {
	it('is accepted when signed under the test secret (its bytes as they are) and normalised as expected', async () => {
		const raw = bodyOf(file);
		const { result, status } = await deliver(raw, buildSignatureHeader([SECRET], raw, Math.floor(Date.now() / 1000)));
		expect(status === undefined || (status >= 200 && status < 300)).toBe(true);
		expect(result.workflowData).toHaveLength(1);
		const [[item]] = result.workflowData as Array<Array<{ json: IDataObject }>>;
		const want = EXPECTED[file];
		const normalized = item.json.normalized as IDataObject;
		expect(normalized).toMatchObject({
			vendor: 'paddle',
			eventId: want.eventId,
			eventType: want.eventType,
			category: want.category,
			dedupeKey: `paddle:${want.eventId}`,
			customerId: want.customerId,
			subscriptionId: want.subscriptionId,
			transactionId: want.transactionId,
			planId: want.planId,
			status: want.status,
		});
		if (want.amount) expect(normalized.amount).toMatchObject({ minor: want.amount[0], currency: want.amount[1] });
		else expect(normalized.amount).toBeNull();
		if (want.invoiceId !== undefined) expect(normalized.invoiceId).toBe(want.invoiceId);
		if (want.reason !== undefined) expect(normalized.reason).toBe(want.reason);
		if (want.customerEmail !== undefined) expect(normalized.customerEmail).toBe(want.customerEmail);
		expect(normalized.occurredAt).toBe(new Date(want.occurredAt ?? WRAP.occurred_at).toISOString());
		// the event is passed on as Paddle sent it
		expect((item.json.event as IDataObject).event_id).toBe(want.eventId);
	});

	it('is refused when one byte differs from what was signed', async () => {
		const raw = bodyOf(file);
		const header = buildSignatureHeader([SECRET], raw, Math.floor(Date.now() / 1000));
		const tampered = Buffer.from(raw);
		const at = tampered.indexOf('"data"') + 2;
		tampered[at] = tampered[at] === 0x61 ? 0x62 : 0x61;
		const { result, status } = await deliver(tampered, header);
		expect(status).toBe(401);
		expect(result.workflowData).toBeUndefined();
	});
});

/**
 * The SDKs' published vectors (headers, secrets and bodies exactly as the SDK repos publish them;
 * ../shared/payloads/SOURCES.md § Paddle A), verified at the time they were signed.
 */
describe("the SDKs' published signature vectors, as published", () => {
	const PYTHON_SECRET = 'pdl_ntfset_01hs0t3tw21j988db1pam5xg8m_GrOWLNef+vmtjJYq4mSnHNzvc8uWoJ1I';
	const vectors: Array<[string, string, string, string]> = [
		// PaddleHQ/paddle-python-sdk tests/Unit/Notification/test_Verifier.py (and paddle-php-sdk VerifierTest.php)
		['python/php: standard payload', 'sdk-python__tests_Unit_Notification__standard_payload.wire.body', 'ts=1710498758;h1=558bf93944dbeb4790c7a8af6cb2ea435c8ca9c8396aafc1a4e37424ac132744', PYTHON_SECRET],
		['python/php: special characters (\\u-escaped on the wire)', 'sdk-python__tests_Unit_Notification__special_chars_payload.wire.body', 'ts=1710498288;h1=38219b3ba1578184e625c29d201a27cd25bd69e2ec9c3ab87dcb90d87ff73a41', PYTHON_SECRET],
		// paddle-python-sdk examples/webhook_verification.py with examples/_fixtures/webhook_payload.json
		['python: the example webhook', 'sdk-python__examples_webhook_payload.customer.created.wire.body', 'ts=1710498758;h1=558bf93944dbeb4790c7a8af6cb2ea435c8ca9c8396aafc1a4e37424ac132744', PYTHON_SECRET],
		// PaddleHQ/paddle-go-sdk webhook_verifier_test.go
		['go: price.created', 'sdk-go__webhook_verifier_test.price.created.json', 'ts=1710929255;h1=6c05ef8fa83c44d751be6d259ec955ce5638e2c54095bf128e408e2fce1589c8', 'pdl_ntfset_01hsdn8d43dt7mezr1ef2jtbaw_hKkRiCGyyRhbFwIUuqiTBgI7gnWoV0Gr'],
	];

	afterEach(() => jest.useRealTimers());

	it.each(vectors)('%s: our verifier and the trigger accept it at its signing time', async (_label, file, header, secret) => {
		const raw = readFileSync(path.join(FIXTURES, file));
		const ts = Number(/ts=(\d+)/.exec(header)![1]);
		expect(verifyPaddleSignature({ rawBody: raw, header, secrets: [secret], now: ts * 1000, toleranceSeconds: 5 }).valid).toBe(true);
		// the same bytes with the repo file's trailing newline are not what Paddle signed
		expect(verifyPaddleSignature({ rawBody: Buffer.concat([raw, Buffer.from('\n')]), header, secrets: [secret], now: ts * 1000 }).valid).toBe(false);
		jest.useFakeTimers({ now: ts * 1000 + 2_000, doNotFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] });
		const { result } = await deliver(raw, header, [secret]);
		expect(result.workflowData).toHaveLength(1);
		const [[item]] = result.workflowData as Array<Array<{ json: IDataObject }>>;
		expect((item.json.normalized as IDataObject).eventId).toBe(EXPECTED[file].eventId);
		jest.useRealTimers();
		// and a week later the trigger's largest tolerance has passed
		expect(verifyPaddleSignature({ rawBody: raw, header, secrets: [secret], now: (ts + 8 * 86400) * 1000 }).valid).toBe(false);
	});

	it('php/python: "hello-world" under three secrets, only the third matches, next to a dummy h1', () => {
		const header = 'ts=1696195954;h1=dummy;h1=d96299976a6eb066f484d7fde011ac56fc32b38fc9940bc419d6e537fdc6ef02';
		const secrets = [
			'pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_TjIG2BXbm83HPXqNfziwe506sBEdqL/4',
			'pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_vB/yIOnTOCWIvpBadM5jzBZPHc7OmdSo',
			'pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_WvRO0eL4Bj9rgYYIBZY6wZhG4EHy9jzh',
		];
		const now = 1696195954 * 1000;
		expect(verifyPaddleSignature({ rawBody: 'hello-world', header, secrets, now }).valid).toBe(true);
		expect(verifyPaddleSignature({ rawBody: 'hello-world', header, secrets: secrets.slice(0, 2), now }).valid).toBe(false);
		expect(verifyPaddleSignature({ rawBody: 'hello-world', header, secrets: [secrets[2]], now }).valid).toBe(true);
	});
});
