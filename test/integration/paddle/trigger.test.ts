/**
 * Paddle Billing Trigger in real n8n-core HookContext / WebhookContext:
 * registering the destination in the sandbox, and verifying deliveries the
 * sandbox signed for it.
 */
import type { IDataObject, INodeParameters, IWebhookResponseData } from 'n8n-workflow';

import { resetEndpointSecrets } from '../../../nodes/PaddleBilling/trigger/endpoint-secret';
import { PaddleBillingTrigger } from '../../../nodes/PaddleBilling/PaddleBillingTrigger.node';
import { DEFAULT_TOLERANCE_SECONDS, MAX_TOLERANCE_SECONDS } from '../../../nodes/PaddleBilling/trigger/verify';
import {
	createHookContext,
	createWebhookContext,
	fakeHttpExchange,
	type FakeHttpExchange,
	type NodeRunOptions,
} from '../../helpers/n8n-context';
import { PaddleSandbox, type DeliveryRecord } from '../../../dev/sandbox/paddle';
import { apiCredentials, credentialTypes, useSandbox } from './helpers';

jest.setTimeout(30_000);

let sandbox: PaddleSandbox;
useSandbox({ subscriptionDelayMs: 0, started: (s) => (sandbox = s) });
beforeEach(() => {
	resetEndpointSecrets();
});

const trigger = new PaddleBillingTrigger();

function options(parameters: INodeParameters, staticData: IDataObject, extra: Partial<NodeRunOptions> = {}): NodeRunOptions {
	return {
		nodeType: trigger,
		parameters,
		staticData,
		credentials: { paddleBillingApi: apiCredentials(sandbox) as never },
		credentialTypes,
		...extra,
	};
}

async function hook(method: 'checkExists' | 'create' | 'delete', parameters: INodeParameters, staticData: IDataObject) {
	const context = createHookContext(options(parameters, staticData));
	return await trigger.webhookMethods.default[method].call(context);
}

async function receive(
	parameters: INodeParameters,
	staticData: IDataObject,
	delivery: { body: string; headers: Record<string, string> },
	extra: Partial<NodeRunOptions> = {},
): Promise<{ result: IWebhookResponseData; exchange: FakeHttpExchange }> {
	const exchange = fakeHttpExchange({ headers: delivery.headers, rawBody: delivery.body, body: JSON.parse(delivery.body) });
	const context = createWebhookContext(options(parameters, staticData, extra), exchange);
	const result = await trigger.webhook.call(context);
	return { result, exchange };
}

/** n8n keeps a node's static data under `node:<node name>` in the workflow's static data. */
function nodeData(staticData: IDataObject): IDataObject {
	return (staticData['node:Paddle Billing Trigger'] ?? {}) as IDataObject;
}

const asDelivery = (d: DeliveryRecord) => ({ body: d.body, headers: { 'paddle-signature': d.signature, 'content-type': 'application/json' } });

/** A billed invoice with its subscription, for events with realistic data. */
async function provision(leadId = 31337) {
	const customer = sandbox.createCustomer({ email: `c${Math.random().toString(36).slice(2)}@example.com`, name: 'Eve', custom_data: { kommo_lead_id: leadId } });
	const address = sandbox.createAddressFor(customer.id as string, 'US');
	const transaction = sandbox.createTransaction({
		items: [{ price_id: sandbox.seed.monthlyUsd, quantity: 1 }],
		customer_id: customer.id,
		address_id: address.id,
		collection_mode: 'manual',
		billing_details: { payment_terms: { interval: 'day', frequency: 14 } },
		custom_data: { kommo_lead_id: leadId },
		status: 'billed',
	});
	await sandbox.settle();
	return { customer, transaction };
}

describe('automatic mode: the destination lives and dies with the workflow', () => {
	const params = { mode: 'automatic', events: ['transaction.completed', 'subscription.created'] };

	it('creates a notification setting for the webhook URL and keeps its secret out of static data', async () => {
		const staticData: IDataObject = {};
		expect(await hook('checkExists', params, staticData)).toBe(false);
		expect(await hook('create', params, staticData)).toBe(true);
		const setting = sandbox.notificationSettings.get(nodeData(staticData).notificationSettingId as string) as IDataObject;
		expect(setting).toBeDefined();
		// Static data is plain JSON (public API, exports): the key must not be in it (security review M2).
		expect(nodeData(staticData).endpointSecretKey).toBeUndefined();
		expect(JSON.stringify(staticData)).not.toContain(String(setting.endpoint_secret_key));
		expect(setting.destination).toMatch(/^http:\/\/127\.0\.0\.1\/webhook\//);
		expect(setting.destination).toBe(nodeData(staticData).destination);
		expect((setting.subscribed_events as IDataObject[]).map((e) => e.name).sort()).toEqual(['subscription.created', 'transaction.completed']);
		const [post] = sandbox.requestsTo('POST', '/notification-settings');
		expect(post.body).toMatchObject({ type: 'url', api_version: 1, traffic_source: 'platform' });
		expect(await hook('checkExists', params, staticData)).toBe(true);
		expect(sandbox.requestsTo('PATCH', /notification-settings/)).toHaveLength(0);
	});

	it('updates the subscribed events when the node changed, instead of adding a destination', async () => {
		const staticData: IDataObject = {};
		await hook('create', params, staticData);
		const changed = { mode: 'automatic', events: ['transaction.payment_failed'] };
		expect(await hook('checkExists', changed, staticData)).toBe(true);
		const setting = sandbox.notificationSettings.get(nodeData(staticData).notificationSettingId as string) as IDataObject;
		expect((setting.subscribed_events as IDataObject[]).map((e) => e.name)).toEqual(['transaction.payment_failed']);
		expect(sandbox.notificationSettings.size).toBe(1);
	});

	it('adopts its own destination when static data was lost, and recreates one deleted in Paddle', async () => {
		const staticData: IDataObject = {};
		await hook('create', params, staticData);
		const id = nodeData(staticData).notificationSettingId;
		const lost: IDataObject = {};
		expect(await hook('checkExists', params, lost)).toBe(true);
		expect(nodeData(lost).notificationSettingId).toBe(id);
		expect(nodeData(lost).endpointSecretKey).toBeUndefined();
		sandbox.notificationSettings.clear();
		expect(await hook('checkExists', params, staticData)).toBe(false);
		expect(nodeData(staticData).notificationSettingId).toBeUndefined();
	});

	it('deletes the destination on deactivation (and does not mind if it is already gone)', async () => {
		const staticData: IDataObject = {};
		await hook('create', params, staticData);
		expect(await hook('delete', params, staticData)).toBe(true);
		expect(sandbox.notificationSettings.size).toBe(0);
		expect(nodeData(staticData)).toEqual({});
		await hook('create', params, staticData);
		sandbox.notificationSettings.clear();
		expect(await hook('delete', params, staticData)).toBe(true);
		expect(nodeData(staticData)).toEqual({});
	});

	it('accepts a delivery the sandbox signed with the destination secret, and emits {normalized, event}', async () => {
		const staticData: IDataObject = {};
		await hook('create', { mode: 'automatic', events: ['*'] }, staticData);
		const { transaction } = await provision(4242);
		sandbox.completeTransaction(transaction.id as string);
		await sandbox.settle();
		const delivery = sandbox.deliveriesOf('transaction.completed')[0];
		expect(delivery.signature).toMatch(/^ts=\d+;h1=[0-9a-f]{64}$/);
		const { result } = await receive({ mode: 'automatic', events: ['*'] }, staticData, asDelivery(delivery));
		expect(result.noWebhookResponse).toBeUndefined();
		const [[item]] = result.workflowData as Array<Array<{ json: IDataObject }>>;
		const event = JSON.parse(delivery.body);
		expect(item.json.event).toEqual(event);
		expect(item.json.normalized).toEqual({
			vendor: 'paddle',
			eventId: event.event_id,
			eventType: 'transaction.completed',
			category: 'payment_succeeded',
			occurredAt: new Date(event.occurred_at).toISOString(),
			dedupeKey: `paddle:${event.event_id as string}`,
			customerId: transaction.customer_id,
			subscriptionId: transaction.subscription_id,
			invoiceId: transaction.invoice_number,
			transactionId: transaction.id,
			invoiceUrl: null,
			customerEmail: null,
			amount: { minor: '3000', decimal: '30.00', currency: 'USD', formatted: '30.00 USD' },
			planId: sandbox.seed.monthlyUsd,
			previousPlanId: null,
			status: 'completed',
			reason: null,
			// Transaction custom_data can be set by the payer (Paddle.js): a hint, never the lead itself.
			kommoLeadId: null,
			kommoLeadIdHint: 4242,
			ordering: { object: `paddle:transaction:${transaction.id as string}`, version: event.occurred_at, source: 'occurred_at' },
		});
	});
});

describe('automatic mode: a key rotated in Paddle', () => {
	it('asks Paddle to retry (503), not an error, while activation has not stored the destination yet', async () => {
		const staticData: IDataObject = {};
		await hook('create', { mode: 'automatic', events: ['*'] }, staticData);
		const { transaction } = await provision(4343);
		sandbox.completeTransaction(transaction.id as string);
		await sandbox.settle();
		const delivery = sandbox.deliveriesOf('transaction.completed').at(-1)!;
		// What a webhook sees before n8n has persisted the static data create() wrote.
		const { result, exchange } = await receive({ mode: 'automatic', events: ['*'] }, {}, asDelivery(delivery));
		expect(exchange.response.statusCode).toBe(503);
		expect(result).toEqual({ noWebhookResponse: true });
	});

	it('looks the key up again after a mismatch, adopts it, and does so at most once a minute', async () => {
		const params = { mode: 'automatic', events: ['*'] };
		const staticData: IDataObject = {};
		await hook('create', params, staticData);
		const settingId = nodeData(staticData).notificationSettingId as string;
		const { secret } = sandbox.rotateSecret(settingId, false);
		await provision(1);
		const created = sandbox.deliveriesOf('subscription.created')[0];
		expect(created.signature.match(/h1=/g)).toHaveLength(1);
		const gets = () => sandbox.requestsTo('GET', `/notification-settings/${settingId}`).length;

		const first = await receive(params, staticData, asDelivery(created));
		expect(first.result.workflowData).toHaveLength(1);
		expect(JSON.stringify(staticData)).not.toContain(secret);
		expect(gets()).toBe(1);

		// A key left in static data by an earlier version is never read: the process remembers Paddle's.
		const reloaded = { 'node:Paddle Billing Trigger': { ...nodeData(staticData), endpointSecretKey: 'pdl_ntfset_the_old_one' } };
		expect((await receive(params, reloaded, asDelivery(created))).result.workflowData).toHaveLength(1);
		expect(gets()).toBe(1);

		// Forged calls do not make the node ask Paddle each time.
		sandbox.rotateSecret(settingId, false);
		for (let i = 0; i < 3; i++) {
			const forged = PaddleSandbox.signatureHeader(['pdl_ntfset_forged'], created.body, Math.floor(Date.now() / 1000));
			const outcome = await receive(params, staticData, { body: created.body, headers: { 'paddle-signature': forged } });
			expect(outcome.exchange.response.statusCode).toBe(401);
		}
		expect(gets()).toBe(1);
	});
});

describe('rejections: 401 and no workflow run', () => {
	const params = { mode: 'automatic', events: ['*'] };

	async function signedDelivery() {
		const staticData: IDataObject = {};
		await hook('create', params, staticData);
		const { transaction } = await provision();
		sandbox.completeTransaction(transaction.id as string);
		await sandbox.settle();
		return { staticData, delivery: sandbox.deliveriesOf('transaction.completed')[0] };
	}

	function expectRejected(outcome: { result: IWebhookResponseData; exchange: FakeHttpExchange }, reason: string) {
		expect(outcome.result).toEqual({ noWebhookResponse: true });
		expect(outcome.exchange.response.statusCode).toBe(401);
		expect(outcome.exchange.response.sent).toMatchObject({ error: reason });
	}

	it('rejects a forged signature (another secret)', async () => {
		const { staticData, delivery } = await signedDelivery();
		const ts = Math.floor(Date.now() / 1000);
		const forged = PaddleSandbox.signatureHeader(['pdl_ntfset_01aaaaaaaaaaaaaaaaaaaaaaaa_forgedforgedforgedforgedforged00'], delivery.body, ts);
		expectRejected(await receive(params, staticData, { body: delivery.body, headers: { 'paddle-signature': forged } }), 'signature_mismatch');
	});

	it('rejects a tampered body under a genuine signature', async () => {
		const { staticData, delivery } = await signedDelivery();
		const tampered = delivery.body.replace('"completed"', '"canceled"');
		expect(tampered).not.toBe(delivery.body);
		expectRejected(await receive(params, staticData, { body: tampered, headers: { 'paddle-signature': delivery.signature } }), 'signature_mismatch');
	});

	it('rejects a replay older than the tolerance', async () => {
		const { staticData, delivery } = await signedDelivery();
		const secret = String(sandbox.notificationSettings.get(nodeData(staticData).notificationSettingId as string)?.endpoint_secret_key);
		const old = PaddleSandbox.signatureHeader([secret], delivery.body, Math.floor(Date.now() / 1000) - DEFAULT_TOLERANCE_SECONDS - 60);
		expectRejected(await receive(params, staticData, { body: delivery.body, headers: { 'paddle-signature': old } }), 'stale_timestamp');
		// …unless the user widened the tolerance (up to the 7-day cap).
		const wide = await receive({ ...params, toleranceSeconds: MAX_TOLERANCE_SECONDS }, staticData, { body: delivery.body, headers: { 'paddle-signature': old } });
		expect(wide.result.workflowData).toHaveLength(1);
	});

	it('rejects an unsigned call and a junk header', async () => {
		const { staticData, delivery } = await signedDelivery();
		expectRejected(await receive(params, staticData, { body: delivery.body, headers: {} }), 'missing_header');
		expectRejected(await receive(params, staticData, { body: delivery.body, headers: { 'paddle-signature': 'ts=now;h1=trust-me' } }), 'malformed_header');
	});

	it('acknowledges a verified event the node does not listen to, without running the workflow', async () => {
		const { staticData, delivery } = await signedDelivery();
		const { result, exchange } = await receive({ mode: 'automatic', events: ['subscription.canceled'] }, staticData, asDelivery(delivery));
		expect(result.workflowData).toBeUndefined();
		expect(result.webhookResponse).toEqual({ received: true, ignored: 'transaction.completed' });
		expect(exchange.response.statusCode).toBe(200);
	});
});

describe('manual mode: secrets from the credential', () => {
	async function destination() {
		const setting = sandbox.createNotificationSetting({
			description: 'manual',
			type: 'url',
			destination: 'http://127.0.0.1:9/paddle',
			subscribed_events: ['subscription.created', 'subscription.canceled', 'transaction.payment_failed'],
		});
		return setting;
	}

	it('verifies with the credential secret and keeps accepting both keys during a rotation', async () => {
		const setting = await destination();
		const oldSecret = setting.endpoint_secret_key as string;
		await provision(7);
		const created = sandbox.deliveriesOf('subscription.created')[0];
		const credentials = (secretKey: string, additionalSecretKeys = '') => ({
			credentials: { paddleWebhookApi: { secretKey, additionalSecretKeys } },
		});
		const params = { mode: 'manual', events: ['subscription.created', 'subscription.canceled'] };

		const accepted = await receive(params, {}, asDelivery(created), credentials(oldSecret));
		const [[item]] = accepted.result.workflowData as Array<Array<{ json: IDataObject }>>;
		expect(item.json.normalized).toMatchObject({ category: 'subscription_created', kommoLeadId: null, kommoLeadIdHint: 7, subscriptionId: expect.stringMatching(/^sub_/) });

		// Paddle rotates: deliveries now carry an h1 for the new and one for the old key.
		const { secret: newSecret } = sandbox.rotateSecret(setting.id as string);
		const subscriptionId = [...sandbox.subscriptions.keys()][0];
		sandbox.cancelSubscription(subscriptionId, { effective_from: 'immediately' });
		await sandbox.settle();
		const canceled = sandbox.deliveriesOf('subscription.canceled')[0];
		expect(canceled.signature.match(/h1=/g)).toHaveLength(2);
		expect((await receive(params, {}, asDelivery(canceled), credentials(oldSecret))).result.workflowData).toHaveLength(1);
		expect((await receive(params, {}, asDelivery(canceled), credentials(newSecret))).result.workflowData).toHaveLength(1);

		// After the overlap only the new key signs: a credential with both keys still works, the old one alone does not.
		sandbox.expirePreviousSecrets(setting.id as string);
		const redelivered = await sandbox.redeliver(canceled.notificationId);
		expect(redelivered.signature.match(/h1=/g)).toHaveLength(1);
		expect((await receive(params, {}, asDelivery(redelivered), credentials(newSecret, oldSecret))).result.workflowData).toHaveLength(1);
		const oldOnly = await receive(params, {}, asDelivery(redelivered), credentials(oldSecret));
		expect(oldOnly.exchange.response.statusCode).toBe(401);
	});

	it('normalises a failed payment with its decline reason and amount', async () => {
		const setting = await destination();
		const { transaction } = await provision(99);
		sandbox.failPayment(transaction.id as string, 'not_enough_balance');
		await sandbox.settle();
		const failed = sandbox.deliveriesOf('transaction.payment_failed')[0];
		const { result } = await receive({ mode: 'manual', events: ['transaction.payment_failed'] }, {}, asDelivery(failed), {
			credentials: { paddleWebhookApi: { secretKey: setting.endpoint_secret_key as string } },
		});
		const [[item]] = result.workflowData as Array<Array<{ json: IDataObject }>>;
		expect(item.json.normalized).toMatchObject({
			category: 'payment_failed',
			reason: 'not_enough_balance',
			amount: { minor: '3000', currency: 'USD' },
			kommoLeadId: null,
			kommoLeadIdHint: 99,
		});
	});

	it('checks the credential format through the node (testedBy)', async () => {
		const test = trigger.methods.credentialTest.paddleWebhookSecretTest;
		const good = (await destination()).endpoint_secret_key as string;
		const call = (data: IDataObject) => test.call({} as never, { id: '1', name: 'x', type: 'paddleWebhookApi', data } as never);
		expect(await call({ secretKey: good })).toMatchObject({ status: 'OK' });
		expect(await call({ secretKey: good, additionalSecretKeys: 'whsec_not_paddle' })).toMatchObject({ status: 'Error' });
		expect(await call({ secretKey: '' })).toMatchObject({ status: 'Error' });
	});
});
