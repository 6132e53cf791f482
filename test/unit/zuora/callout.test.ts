/**
 * Zuora Trigger: Basic (with the 401 challenge Zuora expects), HMAC and
 * URL-secret verification, event filtering and normalisation. The trigger's
 * webhook() runs in n8n-core's real WebhookContext; the last block drives it
 * with the sandbox's callout sender over real HTTP.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { categorize, normalizeCallout, toIso } from '../../../nodes/Zuora/trigger/normalize';
import { basicChallenge, verifyBasic, verifyHmac } from '../../../nodes/Zuora/trigger/verify';
import { compileTemplate, renderSigned } from '../../../nodes/Zuora/trigger/callout-template';
import { ZuoraTrigger } from '../../../nodes/Zuora/ZuoraTrigger.node';
import { ZuoraCalloutAuthApi } from '../../../credentials/ZuoraCalloutAuthApi.credentials';
import { createWebhookContext, type FakeHttpExchange, fakeHttpExchange } from '../../helpers/n8n-context';
import { ZuoraSandbox } from '../../../dev/sandbox/zuora';

const USER = 'zuora-callout';
const PASSWORD = 'correct horse battery staple';
const HMAC_SECRET = 'hmac-secret-0123456789abcdef';
const URL_SECRET = 'url-secret-0123456789abcdefghijkl';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

// A recent event time: callouts older than the Max Event Age (default 7 days) are refused.
const RECENT = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000).toISOString();
const paymentDeclined = {
	eventType: 'PaymentDeclined',
	objectId: '8ad0887e8f0e4b5a018f1c0d3e4f5a6b',
	eventTimestamp: RECENT,
	accountId: '8ad0aaaa',
	accountNumber: 'A00000042',
	crmId: '31337',
	paymentNumber: 'P-00000012',
	amount: '49.00',
	currency: 'USD',
	email: 'grace@navy.example',
	gatewayResponse: 'Insufficient funds',
	status: 'Error',
};

async function callTrigger(
	parameters: INodeParameters,
	init: { headers?: Record<string, string>; body?: unknown; rawBody?: string; query?: Record<string, string> },
): Promise<{ exchange: FakeHttpExchange; result: Awaited<ReturnType<ZuoraTrigger['webhook']>> }> {
	const rawBody = init.rawBody ?? JSON.stringify(init.body ?? {});
	const exchange = fakeHttpExchange({
		headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
		body: init.body ?? JSON.parse(rawBody),
		rawBody,
		query: init.query,
	});
	const trigger = new ZuoraTrigger();
	const context = createWebhookContext(
		{
			nodeType: trigger,
			parameters,
			credentials: {
				zuoraCalloutAuthApi: { user: USER, password: PASSWORD, hmacSecret: HMAC_SECRET, urlSecret: URL_SECRET },
			},
			credentialTypes: [new ZuoraCalloutAuthApi()],
		},
		exchange,
	);
	const result = await trigger.webhook.call(context);
	return { exchange, result };
}

function emitted(result: Awaited<ReturnType<ZuoraTrigger['webhook']>>): IDataObject[] {
	return (result.workflowData?.[0] ?? []).map((item) => item.json);
}

describe('Basic auth with the 401 challenge', () => {
	it('answers a call without credentials with 401 + WWW-Authenticate: Basic realm, and starts nothing', async () => {
		const { exchange, result } = await callTrigger({ authentication: 'basic', realm: 'Kommo Billing' }, { body: paymentDeclined });
		expect(result).toEqual({ noWebhookResponse: true });
		expect(exchange.response.statusCode).toBe(401);
		expect(exchange.response.headers['www-authenticate']).toBe('Basic realm="Kommo Billing", charset="UTF-8"');
	});

	it('refuses wrong credentials (401 with the challenge again) and accepts the right ones', async () => {
		const wrong = await callTrigger({ authentication: 'basic' }, { body: paymentDeclined, headers: { authorization: basic(USER, 'guess') } });
		expect(wrong.exchange.response.statusCode).toBe(401);
		expect(wrong.exchange.response.headers['www-authenticate']).toMatch(/^Basic realm="Zuora Callout"/);
		expect(wrong.result.workflowData).toBeUndefined();

		const right = await callTrigger({ authentication: 'basic' }, { body: paymentDeclined, headers: { authorization: basic(USER, PASSWORD) } });
		expect(right.exchange.response.sent).toBeUndefined();
		expect(emitted(right.result)).toHaveLength(1);
	});

	it('verifyBasic: missing vs invalid vs ok; never throws on odd input', () => {
		expect(verifyBasic(undefined, USER, PASSWORD)).toBe('missing');
		expect(verifyBasic('', USER, PASSWORD)).toBe('missing');
		expect(verifyBasic('Bearer abc', USER, PASSWORD)).toBe('invalid');
		expect(verifyBasic('Basic !!!', USER, PASSWORD)).toBe('invalid');
		expect(verifyBasic(basic(USER, `${PASSWORD}x`), USER, PASSWORD)).toBe('invalid');
		expect(verifyBasic(basic(`${USER}x`, PASSWORD), USER, PASSWORD)).toBe('invalid');
		expect(verifyBasic(basic(USER, PASSWORD), USER, PASSWORD)).toBe('ok');
		expect(basicChallenge('a"b\r\nc')).toBe('Basic realm="abc", charset="UTF-8"');
	});

	it('a credential without a password is a configuration error (500), never an open door', async () => {
		const exchange = fakeHttpExchange({ body: paymentDeclined, headers: { authorization: basic('', '') } });
		const trigger = new ZuoraTrigger();
		const context = createWebhookContext(
			{
				nodeType: trigger,
				parameters: { authentication: 'basic' },
				credentials: { zuoraCalloutAuthApi: { user: '', password: '' } },
				credentialTypes: [new ZuoraCalloutAuthApi()],
			},
			exchange,
		);
		const result = await trigger.webhook.call(context);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(exchange.response.statusCode).toBe(500);
	});
});

describe('HMAC', () => {
	const sign = (data: string, algorithm = 'sha256', encoding: 'hex' | 'base64' = 'base64') =>
		createHmac(algorithm, HMAC_SECRET).update(data).digest(encoding);

	it('accepts a signature over the raw body and rejects a forged one with 401 before any workflow', async () => {
		const raw = JSON.stringify(paymentDeclined);
		const params = { authentication: 'hmac', hmacHeader: 'X-Zuora-Signature' };
		const ok = await callTrigger(params, { rawBody: raw, headers: { 'x-zuora-signature': sign(raw) } });
		expect(emitted(ok.result)).toHaveLength(1);

		const forged = await callTrigger(params, { rawBody: raw, headers: { 'x-zuora-signature': sign(`${raw} `) } });
		expect(forged.result).toEqual({ noWebhookResponse: true });
		expect(forged.exchange.response.statusCode).toBe(401);

		const tampered = raw.replace('49.00', '0.01');
		const replayedSig = await callTrigger(params, { rawBody: tampered, headers: { 'x-zuora-signature': sign(raw) } });
		expect(replayedSig.exchange.response.statusCode).toBe(401);

		const missing = await callTrigger(params, { rawBody: raw });
		expect(missing.exchange.response.statusCode).toBe(401);
	});

	it('supports other algorithms, hex encoding, a prefix and a header name of choice', async () => {
		const raw = JSON.stringify(paymentDeclined);
		const { result } = await callTrigger(
			{ authentication: 'hmac', hmacAlgorithm: 'sha512', hmacEncoding: 'hex', hmacPrefix: 'sha512=', hmacHeader: 'Signature' },
			{ rawBody: raw, headers: { signature: `sha512=${sign(raw, 'sha512', 'hex').toUpperCase()}` } },
		);
		expect(emitted(result)).toHaveLength(1);
	});

	it('verifies a signature over a template of callout fields', async () => {
		const template = '{{accountId}}\\n{{eventTimestamp}}\\n{{ objectId }}';
		const data = `${paymentDeclined.accountId}\n${paymentDeclined.eventTimestamp}\n${paymentDeclined.objectId}`;
		const compiled = compileTemplate(template);
		if (!compiled.ok) throw new Error(compiled.problem);
		expect(renderSigned(compiled.template, paymentDeclined)).toMatchObject({ ok: true, data });
		const params = { authentication: 'hmac', hmacSignedData: 'template', hmacTemplate: template };
		// the body may be re-serialised by proxies: only the fields matter
		const pretty = JSON.stringify(paymentDeclined, null, 2);
		const ok = await callTrigger(params, { rawBody: pretty, headers: { 'x-zuora-signature': sign(data) } });
		expect(emitted(ok.result)).toHaveLength(1);
		const otherAccount = { ...paymentDeclined, accountId: '8ad0bbbb' };
		const forged = await callTrigger(params, { body: otherAccount, headers: { 'x-zuora-signature': sign(data) } });
		expect(forged.exchange.response.statusCode).toBe(401);
	});

	it('verifyHmac compares in constant time and copes with any length', () => {
		const check = { algorithm: 'sha256' as const, secret: HMAC_SECRET, encoding: 'base64' as const, data: 'x' };
		expect(verifyHmac({ ...check, headerValue: sign('x') })).toBe(true);
		expect(verifyHmac({ ...check, headerValue: 'short' })).toBe(false);
		expect(verifyHmac({ ...check, headerValue: 'x'.repeat(10_000) })).toBe(false);
		expect(verifyHmac({ ...check, headerValue: undefined })).toBe(false);
		expect(verifyHmac({ ...check, secret: '', headerValue: sign('x') })).toBe(false);
		expect(verifyHmac({ ...check, prefix: 'v1=', headerValue: sign('x') })).toBe(false);
	});
});

describe('None behind a secret URL', () => {
	it('needs the secret in the query string', async () => {
		const params = { authentication: 'urlSecret', queryParameter: 'key' };
		const ok = await callTrigger(params, { body: paymentDeclined, query: { key: URL_SECRET } });
		expect(emitted(ok.result)).toHaveLength(1);
		const wrong = await callTrigger(params, { body: paymentDeclined, query: { key: URL_SECRET.slice(0, -1) } });
		expect(wrong.exchange.response.statusCode).toBe(401);
		const none = await callTrigger(params, { body: paymentDeclined });
		expect(none.exchange.response.statusCode).toBe(401);
	});
});

describe('events and normalisation', () => {
	const authorized = { headers: { authorization: basic(USER, PASSWORD) } };

	it('emits { normalized, event } with the dedupe key from object id + event + timestamp and the lead id from crmId', async () => {
		const { result } = await callTrigger({ authentication: 'basic' }, { ...authorized, body: paymentDeclined });
		const [item] = emitted(result);
		expect(item.event).toEqual(paymentDeclined);
		expect(item.normalized).toEqual({
			vendor: 'zuora',
			// ':' inside a part is escaped, so the three parts can never shift into each other
			eventId: `8ad0887e8f0e4b5a018f1c0d3e4f5a6b:PaymentDeclined:${RECENT.replace(/:/g, '%3A')}`,
			eventType: 'PaymentDeclined',
			category: 'payment_failed',
			occurredAt: RECENT,
			dedupeKey: `zuora:8ad0887e8f0e4b5a018f1c0d3e4f5a6b:PaymentDeclined:${RECENT.replace(/:/g, '%3A')}`,
			customerId: 'A00000042',
			subscriptionId: null,
			invoiceId: null,
			transactionId: 'P-00000012',
			invoiceUrl: null,
			customerEmail: 'grace@navy.example',
			amount: { minor: '4900', decimal: '49.00', currency: 'USD', formatted: '49.00 USD' },
			planId: null,
			previousPlanId: null,
			status: 'Error',
			reason: 'Insufficient funds',
			kommoLeadId: 31337,
			ordering: { object: 'zuora:payment:P-00000012', version: RECENT, source: 'occurred_at' },
		});
	});

	it('the dedupe key ignores Zuora-Request-Id, which changes on every retry', async () => {
		const first = await callTrigger({ authentication: 'basic' }, { body: paymentDeclined, headers: { ...authorized.headers, 'zuora-request-id': 'r-1' } });
		const retry = await callTrigger({ authentication: 'basic' }, { body: paymentDeclined, headers: { ...authorized.headers, 'zuora-request-id': 'r-2' } });
		expect((emitted(first.result)[0].normalized as IDataObject).dedupeKey).toBe((emitted(retry.result)[0].normalized as IDataObject).dedupeKey);
	});

	it('filters by event names without knowing any: others are acknowledged (200) and start nothing', async () => {
		const params = { authentication: 'basic', eventField: 'notification', eventFilter: 'Invoice Posted, payment processed' };
		const body = { ...paymentDeclined, eventType: undefined, notification: 'Payment Processed' };
		const taken = await callTrigger(params, { ...authorized, body });
		expect(emitted(taken.result)).toHaveLength(1);
		expect((emitted(taken.result)[0].normalized as IDataObject).category).toBe('payment_succeeded');

		const skipped = await callTrigger(params, { ...authorized, body: { ...body, notification: 'Payment Declined' } });
		expect(skipped.result).toEqual({ noWebhookResponse: true });
		expect(skipped.exchange.response.statusCode).toBe(200);
	});

	it('field mapping and category overrides follow the merchant\'s callout template', async () => {
		const WHEN = Math.floor(Date.now() / 1000) - 120;
		const body = {
			Event: { Category: 'SubscriptionRenewalSoon' },
			Data: { Sub: { Number: 'A-S00000009', Id: 'sub-9' }, Account: { CrmId: 'not-a-lead' } },
			When: WHEN,
		};
		const { result } = await callTrigger(
			{
				authentication: 'basic',
				eventField: 'Event.Category',
				fieldMapping: { objectId: 'Data.Sub.Id', timestamp: 'When', subscriptionId: 'Data.Sub.Number', crmId: 'Data.Account.CrmId' },
				categoryOverrides: { override: [{ event: 'subscriptionrenewalsoon', category: 'other' }] },
			},
			{ ...authorized, body },
		);
		const normalized = emitted(result)[0].normalized as IDataObject;
		expect(normalized).toMatchObject({
			eventType: 'SubscriptionRenewalSoon',
			category: 'other',
			subscriptionId: 'A-S00000009',
			dedupeKey: `zuora:sub-9:SubscriptionRenewalSoon:${WHEN}`,
			occurredAt: new Date(WHEN * 1000).toISOString(),
			kommoLeadId: null,
			ordering: { object: 'zuora:subscription:A-S00000009', version: new Date(WHEN * 1000).toISOString(), source: 'occurred_at' },
		});
	});

	it('without id / event / timestamp the dedupe key is a hash of the body', () => {
		const a = normalizeCallout({ foo: 1 }, { hashSource: '{"foo":1}' });
		const b = normalizeCallout({ foo: 1 }, { hashSource: '{"foo":1}' });
		expect(a.dedupeKey).toMatch(/^zuora:body-[0-9a-f]{32}$/);
		expect(a.dedupeKey).toBe(b.dedupeKey);
	});

	it('guesses categories from free-form names', () => {
		expect(categorize('Payment Processed')).toBe('payment_succeeded');
		expect(categorize('PaymentDeclined')).toBe('payment_failed');
		expect(categorize('Credit Memo Posted')).toBe('credit_note');
		expect(categorize('Invoice Posted')).toBe('invoice');
		expect(categorize('Subscription Cancelled')).toBe('cancelled');
		expect(categorize('Order Action: Suspend')).toBe('paused');
		expect(categorize('Subscription Resumed')).toBe('resumed');
		expect(categorize('Upcoming Renewal')).toBe('renewal');
		expect(categorize('New Subscription Created')).toBe('subscription_created');
		expect(categorize('Amendment Processed')).toBe('plan_changed');
		expect(categorize('Account Created')).toBe('customer');
		expect(categorize('Bill Run Completion')).toBe('other');
		expect(categorize(null)).toBe('other');
		expect(toIso('2025-03-14 18:00:00')).toBe('2025-03-14T18:00:00.000Z');
		expect(toIso('soon')).toBeNull();
	});

	it('a body that is not a JSON object is refused with 400', async () => {
		const { exchange } = await callTrigger({ authentication: 'basic' }, { ...authorized, body: 'hello', rawBody: 'hello' });
		expect(exchange.response.statusCode).toBe(400);
	});
});

describe('the sandbox sends callouts the way Zuora does', () => {
	let server: Server;
	let url = '';
	let executions: IDataObject[][] = [];
	let parameters: INodeParameters = {};

	beforeAll(async () => {
		server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const rawBody = Buffer.concat(chunks).toString('utf8');
				const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
				void callTrigger(parameters, { headers, rawBody }).then(({ exchange, result }) => {
					if (result.workflowData) executions.push(emitted(result));
					const status = result.noWebhookResponse ? exchange.response.statusCode : 200;
					res.writeHead(status, exchange.response.headers);
					res.end(result.noWebhookResponse ? JSON.stringify(exchange.response.sent ?? '') : '{"ok":true}');
				});
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/callout`;
	});
	afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
	beforeEach(() => {
		executions = [];
	});

	it('Basic: first without credentials, 401 challenge, then with them: one execution', async () => {
		parameters = { authentication: 'basic' };
		const zuora = new ZuoraSandbox();
		const { attempts, final } = await zuora.sendCallout(url, paymentDeclined, { type: 'basic', user: USER, password: PASSWORD });
		expect(attempts.map((a) => a.status)).toEqual([401, 200]);
		expect(final.status).toBe(200);
		expect(executions).toHaveLength(1);
	});

	it('Basic with wrong credentials: 401 twice, no execution', async () => {
		parameters = { authentication: 'basic' };
		const { attempts } = await new ZuoraSandbox().sendCallout(url, paymentDeclined, { type: 'basic', user: USER, password: 'nope' });
		expect(attempts.map((a) => a.status)).toEqual([401, 401]);
		expect(executions).toHaveLength(0);
	});

	it('HMAC: signed callout runs, forged one gets 401 and no execution', async () => {
		parameters = { authentication: 'hmac' };
		const zuora = new ZuoraSandbox();
		const ok = await zuora.sendCallout(url, paymentDeclined, { type: 'hmac', secret: HMAC_SECRET });
		expect(ok.final.status).toBe(200);
		const forged = await zuora.sendCallout(url, paymentDeclined, { type: 'hmac', secret: 'attacker-guess' });
		expect(forged.final.status).toBe(401);
		expect(executions).toHaveLength(1);
	});
});
