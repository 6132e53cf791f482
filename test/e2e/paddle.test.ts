// Paddle Billing in a real n8n 2.40.7 with the packed package, against the Paddle sandbox:
// - automatic mode: publishing the workflow registers a notification destination in the sandbox;
//   a signed transaction.completed the sandbox delivers yields exactly one execution;
// - forged, replayed (older than the tolerance) and unsigned deliveries get 401 and start nothing;
// - manual mode: the secret comes from a Paddle Webhook Secret credential;
// - the Paddle Billing node provisions (customer → address → invoiced subscription) from a
//   webhook, and the subscription.created that follows reaches the trigger.
import path from 'node:path';

import { nodeOutput, startN8n, type N8nHandle } from '../../dev/n8n';
import { PaddleSandbox, SANDBOX_API_KEY } from '../../dev/sandbox/paddle';

const FIXTURES = path.join(__dirname, 'fixtures', 'paddle');
const AUTO = { id: 'e2ePaddleAuto001', hook: '7d2c0e51-1001-4a7e-8f00-00000000a001/webhook' };
const MANUAL = { id: 'e2ePaddleManual1', hook: '7d2c0e51-1002-4a7e-8f00-00000000b001/webhook' };
const PROVISION = { id: 'e2ePaddleProvis1', hook: 'e2e-paddle-provision' };

let sandbox: PaddleSandbox;
let n8n: N8nHandle;
let manualSecret: string;
let manualSettingId: string;

type Json = Record<string, unknown>;

async function triggerOutputs(workflowId: string, count: number): Promise<Json[]> {
	const executions = await n8n.api.waitForExecutions(workflowId, count);
	const details = await Promise.all(executions.map((e) => n8n.api.execution(e.id)));
	expect(details.map((d) => d.status)).toEqual(details.map(() => 'success'));
	return details.flatMap((d) => nodeOutput(d, 'Paddle Billing Trigger'));
}

/** No new execution shows up within a grace period (webhook executions start within ms). */
async function expectNoNewExecutions(workflowId: string, before: number): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, 2_000));
	expect(await n8n.api.executions({ workflowId })).toHaveLength(before);
}

/**
 * A customer with an address and a completed card checkout: transaction.completed. A one-time
 * price, so that no subscription.created follows and execution counts stay exact.
 */
function completeCheckout(leadId: number) {
	const customer = sandbox.createCustomer({ email: `e2e-${leadId}@example.com`, name: 'E2E Buyer', custom_data: { kommo_lead_id: leadId } });
	const address = sandbox.createAddressFor(customer.id as string, 'US');
	const transaction = sandbox.createTransaction({
		items: [{ price_id: sandbox.seed.setupFeeUsd, quantity: 1 }],
		customer_id: customer.id,
		address_id: address.id,
		custom_data: { kommo_lead_id: leadId },
	});
	return sandbox.completeTransaction(transaction.id as string);
}

beforeAll(async () => {
	sandbox = await new PaddleSandbox().start();
	sandbox.subscriptionDelayMs = 200;
	// Manual mode: the destination is made in "Paddle" beforehand; its secret goes into the credential.
	const manual = sandbox.createNotificationSetting({
		description: 'e2e manual destination',
		type: 'url',
		destination: 'http://127.0.0.1:9/not-yet-known',
		subscribed_events: ['transaction.completed'],
	});
	manualSecret = manual.endpoint_secret_key as string;
	n8n = await startN8n({
		name: 'paddle',
		workflows: [
			path.join(FIXTURES, 'trigger-automatic.workflow.json'),
			path.join(FIXTURES, 'trigger-manual.workflow.json'),
			path.join(FIXTURES, 'provision.workflow.json'),
		],
		credentials: [
			{
				id: 'e2ePaddleApi0001',
				name: 'Paddle sandbox API',
				type: 'paddleBillingApi',
				data: { apiKey: SANDBOX_API_KEY, environment: 'custom', baseUrl: sandbox.url },
			},
			{
				id: 'e2ePaddleHook001',
				name: 'Paddle webhook secrets',
				type: 'paddleWebhookApi',
				data: { secretKey: manualSecret, additionalSecretKeys: '' },
			},
		],
		waitForWebhooks: [AUTO.hook, MANUAL.hook],
	});
	manualSettingId = manual.id as string;
	// n8n stores a trigger's webhook (so the path answers) before it runs the node's create():
	// wait until the automatic-mode destination exists in "Paddle".
	const deadline = Date.now() + 60_000;
	while (![...sandbox.notificationSettings.values()].some((s) => s.destination === n8n.webhookUrl(AUTO.hook))) {
		if (Date.now() > deadline) throw new Error('the trigger did not register its notification destination within 60 s');
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	await n8n.api.waitForTriggerData(AUTO.id);
	process.stderr.write(`paddle e2e timings: ${JSON.stringify(n8n.timings)}\n`);
});

afterAll(async () => {
	await n8n?.stop();
	await sandbox?.settle();
	await sandbox?.stop();
});

describe('Paddle Billing Trigger in a real n8n', () => {
	it('registered its notification destination in Paddle on activation (automatic mode)', () => {
		const settings = [...sandbox.notificationSettings.values()].filter((s) => s.destination === n8n.webhookUrl(AUTO.hook));
		expect(settings).toHaveLength(1);
		expect((settings[0].subscribed_events as Json[]).map((e) => e.name).sort()).toEqual(['subscription.created', 'transaction.completed']);
		expect(settings[0].active).toBe(true);
	});

	it('a signed transaction.completed delivered by the sandbox yields one execution', async () => {
		const transaction = completeCheckout(5001);
		await sandbox.settle();
		const deliveries = sandbox.deliveriesOf('transaction.completed').filter((d) => d.destination === n8n.webhookUrl(AUTO.hook));
		expect(deliveries).toHaveLength(1);
		expect(deliveries[0].result?.status).toBe(200);

		const outputs = await triggerOutputs(AUTO.id, 1);
		expect(outputs).toHaveLength(1);
		const completed = outputs.filter((o) => (o.normalized as Json).eventType === 'transaction.completed');
		expect(completed).toHaveLength(1);
		expect(completed[0].normalized).toMatchObject({
			vendor: 'paddle',
			category: 'payment_succeeded',
			transactionId: transaction.id,
			// transaction custom_data is payer-settable (Paddle.js): a hint only (security review M4)
			kommoLeadId: null,
			kommoLeadIdHint: 5001,
			amount: { minor: '9900', decimal: '99.00', currency: 'USD' },
			dedupeKey: `paddle:${deliveries[0].eventId}`,
		});
		expect((completed[0].event as Json).event_id).toBe(deliveries[0].eventId);
	});

	it('forged, replayed (older than the tolerance) and unsigned deliveries get 401 and start nothing', async () => {
		const before = (await n8n.api.executions({ workflowId: AUTO.id })).length;
		const genuine = sandbox.deliveriesOf('transaction.completed').find((d) => d.destination === n8n.webhookUrl(AUTO.hook));
		expect(genuine).toBeDefined();
		const url = n8n.webhookUrl(AUTO.hook);
		const now = Math.floor(Date.now() / 1000);
		const secret = [...sandbox.notificationSettings.values()].find((s) => s.destination === url)?.endpoint_secret_key as string;

		const forged = await sandbox.post(url, genuine!.body, {
			'paddle-signature': PaddleSandbox.signatureHeader(['pdl_ntfset_01aaaaaaaaaaaaaaaaaaaaaaaa_forgedforgedforgedforgedforged00'], genuine!.body, now),
		});
		const tampered = await sandbox.post(url, genuine!.body.replace('"kommo_lead_id":5001', '"kommo_lead_id":6666'), {
			'paddle-signature': PaddleSandbox.signatureHeader([secret], genuine!.body, now),
		});
		// Older than the default tolerance (Paddle's 3-day retry window + 1 h).
		const replayed = await sandbox.post(url, genuine!.body, {
			'paddle-signature': PaddleSandbox.signatureHeader([secret], genuine!.body, now - 4 * 86400),
		});
		const unsigned = await sandbox.post(url, genuine!.body, {});
		const junk = await sandbox.post(url, genuine!.body, { 'paddle-signature': 'ts=soon;h1=trust-me' });
		expect([forged, tampered, replayed, unsigned, junk].map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
		expect(JSON.parse(replayed.body)).toMatchObject({ error: 'stale_timestamp' });
		expect(JSON.parse(unsigned.body)).toMatchObject({ error: 'missing_header' });
		expect(JSON.parse(forged.body)).toMatchObject({ error: 'signature_mismatch' });
		await expectNoNewExecutions(AUTO.id, before);
	});

	it('manual mode verifies with the secret from the Paddle Webhook Secret credential', async () => {
		// The user pastes the n8n URL into the destination made in Paddle beforehand.
		(sandbox.notificationSettings.get(manualSettingId) as Json).destination = n8n.webhookUrl(MANUAL.hook);
		completeCheckout(5002);
		await sandbox.settle();
		const delivery = sandbox.deliveriesOf('transaction.completed').find((d) => d.destination === n8n.webhookUrl(MANUAL.hook));
		expect(delivery?.result?.status).toBe(200);
		const outputs = await triggerOutputs(MANUAL.id, 1);
		expect(outputs.map((o) => (o.normalized as Json).kommoLeadIdHint)).toEqual([5002]); // transaction custom_data: a hint (security review M4)
		const before = (await n8n.api.executions({ workflowId: MANUAL.id })).length;
		const forged = await sandbox.post(n8n.webhookUrl(MANUAL.hook), delivery!.body, {
			'paddle-signature': PaddleSandbox.signatureHeader(['some-other-secret'], delivery!.body, Math.floor(Date.now() / 1000)),
		});
		expect(forged.status).toBe(401);
		await expectNoNewExecutions(MANUAL.id, before);
	});

	it('the Paddle Billing node provisions an invoiced subscription; subscription.created reaches the trigger', async () => {
		const before = (await n8n.api.executions({ workflowId: AUTO.id })).length;
		const response = await fetch(n8n.webhookUrl(PROVISION.hook), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'won@example.com', name: 'Won Lead', leadId: 7007, country: 'DE', priceId: sandbox.seed.monthlyUsd }),
		});
		expect(response.status).toBe(200);
		const invoice = (await response.json()) as Json;
		expect(invoice).toMatchObject({ status: 'billed', collection_mode: 'manual', custom_data: { kommo_lead_id: 7007 } });
		expect(invoice.subscription_id).toMatch(/^sub_/);
		expect(invoice.money).toEqual({ minor: '3000', decimal: '30.00', currency: 'USD', formatted: '30.00 USD' });

		await sandbox.settle();
		const executions = await n8n.api.waitForExecutions(AUTO.id, before + 1);
		const details = await Promise.all(executions.map((e) => n8n.api.execution(e.id)));
		const created = details
			.flatMap((d) => nodeOutput(d, 'Paddle Billing Trigger'))
			.filter((o) => (o.normalized as Json).eventType === 'subscription.created');
		expect(created).toHaveLength(1);
		expect(created[0].normalized).toMatchObject({ category: 'subscription_created', subscriptionId: invoice.subscription_id, kommoLeadId: null, kommoLeadIdHint: 7007 });

		// A second "Won" for the same lead provisions nothing new.
		const again = await fetch(n8n.webhookUrl(PROVISION.hook), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'won@example.com', name: 'Won Lead', leadId: 7007, country: 'DE', priceId: sandbox.seed.monthlyUsd }),
		});
		const second = (await again.json()) as Json;
		expect(second.id).toBe(invoice.id);
		expect(second.reusedExisting).toBe(true);
		expect(sandbox.subscriptions.size).toBe(1);
	});

	test("testing the credentials in n8n: the key must read prices with products; a restricted or unknown key is refused with the causes named", async () => {
		type TestResult = { status: string; message: string };
		const check = async (apiKey: string) =>
			await n8n.api.request<TestResult>('POST', '/rest/credentials/test', {
				credentials: { id: 'e2ePaddleApi0001', name: 'Paddle sandbox API', type: 'paddleBillingApi', data: { apiKey, environment: 'custom', baseUrl: sandbox.url } },
			});
		const calls = () => sandbox.requests.filter((r) => r.method === 'GET' && r.path === '/prices').length;
		const before = calls();
		expect(await check(SANDBOX_API_KEY)).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(calls()).toBe(before + 1);
		// a key restricted to price.read: Paddle answers 403 forbidden to include=product
		const priceOnly = sandbox.addRestrictedKey(['price.read']);
		const restricted = await check(priceOnly);
		expect(restricted.status).toBe('Error');
		expect(restricted.message).toContain('lacks price.read or product.read');
		expect(restricted.message).toContain('Paddle refused the key');
		expect(restricted.message).not.toContain(priceOnly);
		expect(await check(sandbox.addRestrictedKey(['price.read', 'product.read']))).toMatchObject({ status: 'OK' });
		const unknown = 'pdl_sdbx_apikey_01hunknownkey000000000000_' + 'x'.repeat(22) + '_abc';
		const refused = await check(unknown);
		expect(refused.status).toBe('Error');
		expect(refused.message).toContain('invalid or revoked');
		expect(refused.message).not.toContain(unknown);
	});
});
