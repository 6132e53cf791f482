/**
 * Regression tests for the Paddle findings of the security review (../shared/reviews/security.md:
 * L1, L2, M2 for Paddle; proofs in security-poc/paddle-attacks.test.ts), through n8n-core's real
 * WebhookContext. Each asserts the fixed behaviour; on the reviewed code (8c7c12e) the L1, L2 and
 * M2 cases fail.
 */
import type { IDataObject, INodeParameters, IWebhookResponseData } from 'n8n-workflow';

import { resetEndpointSecrets, ROTATION_GRACE_MS } from '../../nodes/PaddleBilling/trigger/endpoint-secret';
import { PaddleBillingTrigger } from '../../nodes/PaddleBilling/PaddleBillingTrigger.node';
import { buildSignatureHeader, computeSignature, DEFAULT_TOLERANCE_SECONDS } from '../../nodes/PaddleBilling/trigger/verify';
import { resetLimiters } from '../../nodes/shared/rate-limiter';
import { createHookContext, createWebhookContext, fakeHttpExchange } from '../helpers/n8n-context';
import { apiCredentials, credentialTypes } from '../integration/paddle/helpers';
import { PaddleSandbox } from '../../dev/sandbox/paddle';

jest.setTimeout(60_000);
const K1 = 'pdl_ntfset_01aaaaaaaaaaaaaaaaaaaaaaaa_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const K2 = 'pdl_ntfset_01bbbbbbbbbbbbbbbbbbbbbbbb_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const NODE = 'node:Paddle Billing Trigger';
const trigger = new PaddleBillingTrigger();
let sandbox: PaddleSandbox;
beforeAll(async () => {
	sandbox = await new PaddleSandbox().start();
});
afterAll(async () => {
	await sandbox.stop();
});
beforeEach(() => {
	sandbox.reset();
	resetLimiters();
});
afterEach(() => jest.restoreAllMocks());

const body = JSON.stringify({ event_id: 'evt_1', event_type: 'transaction.completed', occurred_at: '2026-01-01T00:00:00Z', data: { id: 'txn_1', origin: 'web' } });
const now = () => Math.floor(Date.now() / 1000);

function context(params: INodeParameters, headers: Record<string, unknown>, raw: string | null, staticData: IDataObject, webhookCreds: IDataObject) {
	const exchange = fakeHttpExchange({ headers: { 'content-type': 'application/json' }, rawBody: raw ?? '', body: {} });
	Object.assign(exchange.request.headers, headers);
	if (raw === null) delete (exchange.request as { rawBody?: Buffer }).rawBody;
	const ctx = createWebhookContext(
		{ nodeType: trigger, parameters: params, staticData, credentials: { paddleWebhookApi: webhookCreds as never, paddleBillingApi: apiCredentials(sandbox) as never }, credentialTypes },
		exchange,
	);
	return { ctx, exchange };
}

async function deliver(params: INodeParameters, headers: Record<string, unknown>, raw: string | null = body, staticData: IDataObject = {}, webhookCreds: IDataObject = { secretKey: K1, additionalSecretKeys: K2 }) {
	const { ctx, exchange } = context(params, headers, raw, staticData, webhookCreds);
	const result: IWebhookResponseData = await trigger.webhook.call(ctx);
	return { result, status: exchange.response.statusCode, sent: exchange.response.sent as IDataObject };
}
const manual = { mode: 'manual', responseMode: 'onReceived', events: ['*'] };
const automatic = { mode: 'automatic', responseMode: 'onReceived', events: ['*'] };

describe('manual mode', () => {
	it('a valid signature (2nd secret, 2nd h1) is accepted', async () => {
		const h = `ts=${now()};h1=${'0'.repeat(64)};h1=${computeSignature(K2, now(), body)}`;
		expect((await deliver(manual, { 'paddle-signature': h })).result.workflowData).toBeDefined();
	});

	it('an exact replay inside the tolerance passes the trigger (by design: the event-id dedupe stops it; docs/security.md)', async () => {
		const h = buildSignatureHeader([K1], body, now());
		expect((await deliver(manual, { 'paddle-signature': h })).result.workflowData).toBeDefined();
		expect((await deliver(manual, { 'paddle-signature': h })).result.workflowData).toBeDefined();
	});

	it.each([
		['no header', {}],
		['empty header', { 'paddle-signature': '' }],
		['two headers (array)', { 'paddle-signature': [buildSignatureHeader([K1], body, now()), buildSignatureHeader([K1], body, now())] }],
		['forged h1', { 'paddle-signature': `ts=${now()};h1=${'a'.repeat(64)}` }],
		['ts older than the retry window', { 'paddle-signature': buildSignatureHeader([K1], body, now() - DEFAULT_TOLERANCE_SECONDS - 60) }],
		['ts 10 minutes in the future', { 'paddle-signature': buildSignatureHeader([K1], body, now() + 600) }],
		['h1 over a re-serialised body', { 'paddle-signature': buildSignatureHeader([K1], JSON.stringify(JSON.parse(body), null, 1), now()) }],
		['two ts', { 'paddle-signature': `ts=${now()};ts=${now()};h1=${computeSignature(K1, now(), body)}` }],
	])('%s -> 401, nothing runs', async (_l, headers) => {
		const r = await deliver(manual, headers as Record<string, unknown>);
		expect(r.status).toBe(401);
		expect(r.result.workflowData).toBeUndefined();
	});

	it('missing raw body -> 401', async () => {
		const r = await deliver(manual, { 'paddle-signature': buildSignatureHeader([K1], body, now()) }, null);
		expect(r.status).toBe(401);
		expect(r.result.workflowData).toBeUndefined();
	});

	it.each([
		['empty', ''],
		['whitespace only', '   '],
	])('an %s secret never verifies (HMAC under an empty key is not accepted)', async (_l, secret) => {
		const r = await deliver(manual, { 'paddle-signature': buildSignatureHeader([secret], body, now()) }, body, {}, { secretKey: secret, additionalSecretKeys: '' });
		expect(r.status).toBe(401);
		expect(r.sent).toMatchObject({ error: 'no_secret_configured' });
	});

	it('L2: a huge tolerance is capped at 7 days: a year-old signature is refused', async () => {
		const h = buildSignatureHeader([K1], body, now() - 365 * 86400);
		const r = await deliver({ ...manual, toleranceSeconds: 10 ** 9 }, { 'paddle-signature': h });
		expect(r.status).toBe(401);
		expect(r.result.workflowData).toBeUndefined();
	});

	it.each([
		['NaN', Number.NaN],
		['text', 'soon'],
		['zero', 0],
	])('L2: a tolerance that is not a number (%s) fails closed (500 so Paddle retries), never open', async (_l, tolerance) => {
		const h = buildSignatureHeader([K1], body, now() - 365 * 86400);
		const r = await deliver({ ...manual, toleranceSeconds: tolerance as number }, { 'paddle-signature': h });
		expect(r.status).toBe(500);
		expect(r.sent).toMatchObject({ error: 'invalid_tolerance' });
		expect(r.result.workflowData).toBeUndefined();
	});

	it('a signed body with a __proto__ key pollutes nothing', async () => {
		const evil = '{"event_id":"evt_2","event_type":"transaction.completed","__proto__":{"polluted":1},"data":{"custom_data":{"kommo_lead_id":"12"}}}';
		const r = await deliver(manual, { 'paddle-signature': buildSignatureHeader([K1], evil, now()) }, evil);
		expect(({} as IDataObject).polluted).toBeUndefined();
		expect(r.result.workflowData).toBeDefined();
	});

	it.each(['null', '[1]', '"x"', '{"event_type":1}', '{bad'])('signed JSON that is not a Paddle event (%s) -> 400, nothing runs', async (b) => {
		const r = await deliver(manual, { 'paddle-signature': buildSignatureHeader([K1], b, now()) }, b);
		expect(r.status).toBe(400);
		expect(r.result.workflowData).toBeUndefined();
	});
});

describe('automatic mode', () => {
	it('L1: unsigned and malformed requests are refused before any Paddle API call, and nothing throws', async () => {
		const staticData: IDataObject = { [NODE]: { notificationSettingId: 'ntfset_01unknown00000000000000000' } };
		for (const headers of [{}, { 'paddle-signature': 'ts=soon;h1=trust-me' }, { 'paddle-signature': buildSignatureHeader([K1], body, now() - 30 * 86400) }]) {
			for (let i = 0; i < 3; i++) {
				const r = await deliver(automatic, headers, body, JSON.parse(JSON.stringify(staticData)));
				expect(r.status).toBe(401);
				expect(r.result.workflowData).toBeUndefined();
			}
		}
		expect(sandbox.requestsTo('GET', /notification-settings/)).toHaveLength(0);
	});

	it('L1: a well-formed but forged request whose key must be looked up costs at most one API call a minute and answers 503, not an error', async () => {
		const staticData: IDataObject = { [NODE]: { notificationSettingId: 'ntfset_01unknown00000000000000000' } };
		for (let i = 0; i < 5; i++) {
			const r = await deliver(automatic, { 'paddle-signature': buildSignatureHeader([K1], body, now()) }, body, JSON.parse(JSON.stringify(staticData)));
			expect(r.status).toBe(503);
			expect(r.result.workflowData).toBeUndefined();
		}
		expect(sandbox.requestsTo('GET', /notification-settings/)).toHaveLength(1);
	});

	async function activated() {
		const staticData: IDataObject = {};
		const hook = createHookContext({ nodeType: trigger, parameters: automatic, staticData, credentials: { paddleBillingApi: apiCredentials(sandbox) as never }, credentialTypes });
		await trigger.webhookMethods.default.create.call(hook);
		const settingId = (staticData[NODE] as IDataObject).notificationSettingId as string;
		return { staticData, settingId, key: String(sandbox.notificationSettings.get(settingId)?.endpoint_secret_key) };
	}

	it('M2: the endpoint secret is not in workflow static data (public API, exports), yet deliveries verify', async () => {
		const { staticData, key } = await activated();
		expect(JSON.stringify(staticData)).not.toContain(key);
		const r = await deliver(automatic, { 'paddle-signature': buildSignatureHeader([key], body, now()) }, body, staticData);
		expect(r.result.workflowData).toBeDefined();
	});

	it('M2: read access to static data is not enough to forge: a key planted there is never used', async () => {
		const { staticData } = await activated();
		(staticData[NODE] as IDataObject).endpointSecretKey = K1;
		const r = await deliver(automatic, { 'paddle-signature': buildSignatureHeader([K1], body, now()) }, body, staticData);
		expect(r.status).toBe(401);
		expect(r.result.workflowData).toBeUndefined();
	});

	it('M2: another process (empty memory) reads the key from Paddle once, then verifies from memory', async () => {
		const { staticData, settingId, key } = await activated();
		resetEndpointSecrets(); // a restart, or another queue-mode process
		for (let i = 0; i < 3; i++) {
			const r = await deliver(automatic, { 'paddle-signature': buildSignatureHeader([key], body, now()) }, body, staticData);
			expect(r.result.workflowData).toBeDefined();
		}
		expect(sandbox.requestsTo('GET', `/notification-settings/${settingId}`)).toHaveLength(1);
	});

	it('L2: after a rotation in Paddle the old key is accepted only for a bounded grace period', async () => {
		const { staticData, settingId, key: oldKey } = await activated();
		const { secret: newKey } = sandbox.rotateSecret(settingId, false);
		// A genuine delivery under the new key makes the trigger learn it.
		expect((await deliver(automatic, { 'paddle-signature': buildSignatureHeader([newKey], body, now()) }, body, staticData)).result.workflowData).toBeDefined();
		// In flight from before the rotation: still accepted inside the grace period.
		expect((await deliver(automatic, { 'paddle-signature': buildSignatureHeader([oldKey], body, now()) }, body, staticData)).result.workflowData).toBeDefined();
		// After it: refused, however often it is tried.
		const later = Date.now() + ROTATION_GRACE_MS + 60_000;
		jest.spyOn(Date, 'now').mockReturnValue(later);
		const old = await deliver(automatic, { 'paddle-signature': buildSignatureHeader([oldKey], body, Math.floor(later / 1000)) }, body, staticData);
		expect(old.status).toBe(401);
		expect(old.result.workflowData).toBeUndefined();
		expect((await deliver(automatic, { 'paddle-signature': buildSignatureHeader([newKey], body, Math.floor(later / 1000)) }, body, staticData)).result.workflowData).toBeDefined();
	});
});
