/**
 * Chargebee in a real n8n 2.40.7 with the packed package (one n8n for the file):
 *  - automatic mode registers a webhook endpoint in ChargebeeSandbox when n8n activates the
 *    workflow, and removes it when the workflow is deactivated;
 *  - a provisioning workflow (Webhook → Customer find-or-create → Subscription create) runs the
 *    action node; a repeated "Won" makes no second subscription;
 *  - the payment_succeeded that Chargebee sends for it (with the endpoint's Basic auth) starts
 *    exactly one execution whose output carries the normalised block;
 *  - missing or wrong Basic auth → 401 + WWW-Authenticate and no execution; an event type
 *    outside the filter → 200 and no execution; the same for manual mode;
 *  - an n8n restart keeps the registration (static data), no second endpoint.
 */
import path from 'node:path';

import { startN8n, type CredentialJson, type N8nHandle, nodeOutput } from '../../dev/n8n';
import { ChargebeeSandbox } from '../../dev/sandbox/chargebee';

const FIXTURES = path.join(__dirname, 'fixtures', 'chargebee');
const AUTO_HOOK = 'cb0a0000-0000-4000-8000-00000000a001/webhook';
const MANUAL_HOOK = 'cb0b0000-0000-4000-8000-00000000b001/webhook';
const PAIR = { user: 'cb-manual-e2e', password: 'manual-e2e-password-0123456789' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await pause(100);
	}
}

let sandbox: ChargebeeSandbox;
let n8n: N8nHandle;
let autoId: string;
let manualId: string;

beforeAll(async () => {
	sandbox = await new ChargebeeSandbox({ customersHaveCard: true }).start();
	const credentials: CredentialJson[] = [
		{
			id: 'e2eCbApiCred0001',
			name: 'Chargebee sandbox',
			type: 'chargebeeBillingApi',
			data: { site: sandbox.site, apiKey: sandbox.apiKey, customHost: true, baseUrl: sandbox.url, requestsPerMinute: 0 },
		},
		{ id: 'e2eCbHookCred001', name: 'Chargebee webhook pair', type: 'chargebeeWebhookAuthApi', data: PAIR },
	];
	n8n = await startN8n({
		name: 'chargebee',
		credentials,
		workflows: [
			path.join(FIXTURES, 'trigger-automatic.workflow.json'),
			path.join(FIXTURES, 'trigger-manual.workflow.json'),
			path.join(FIXTURES, 'provision.workflow.json'),
		],
		waitForWebhooks: [AUTO_HOOK, MANUAL_HOOK],
	});
	process.stderr.write(`chargebee e2e timings: ${JSON.stringify(n8n.timings)}\n`);
	autoId = n8n.workflowIds['E2E Chargebee automatic trigger'];
	manualId = n8n.workflowIds['E2E Chargebee manual trigger'];
});

afterAll(async () => {
	await n8n?.stop();
	await sandbox?.stop();
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body),
	});
	return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('Chargebee Billing in a real n8n', () => {
	test('automatic mode registered an endpoint in Chargebee with a generated Basic-auth pair', async () => {
		// n8n serves the path first and runs the trigger's create() right after, so wait for its effect.
		await until(() => sandbox.webhookEndpoints.size > 0, 'the endpoint to be registered');
		const endpoints = [...sandbox.webhookEndpoints.values()];
		expect(endpoints).toHaveLength(1);
		expect(endpoints[0]).toMatchObject({
			url: n8n.webhookUrl(AUTO_HOOK),
			api_version: 'v2',
			disabled: false,
			enabled_events: ['payment_succeeded', 'subscription_cancelled'],
		});
		expect(endpoints[0].basic_auth_username).toMatch(/^n8n-/);
		expect(String(endpoints[0].basic_auth_password).length).toBeGreaterThanOrEqual(32);
		expect(endpoints[0].name).toBe('n8n E2E Chargebee automatic trig (e2eCbAutoTrig01)');
	});

	test('a Won provisions customer + subscription; Chargebee\'s payment_succeeded starts one execution with the normalised block', async () => {
		const won = { leadId: 4242, email: 'buyer@example.com', company: 'Buyer Ltda', itemPriceId: 'pro-USD-monthly' };
		const first = await post(n8n.webhookUrl('e2e-chargebee-won'), won);
		expect(first.status).toBe(200);
		expect(JSON.parse(first.text)).toMatchObject({
			customerId: 'kommo-lead-4242',
			outcome: 'created',
			money: { minor: '3000', decimal: '30.00', currency: 'USD', formatted: '30.00 USD' },
		});
		expect(sandbox.customers.get('kommo-lead-4242')).toMatchObject({ cf_kommo_lead_id: '4242', company: 'Buyer Ltda' });
		const subscriptionId = JSON.parse(first.text).subscriptionId as string;

		// Chargebee sends payment_succeeded to the registered endpoint (subscription_created and
		// invoice_generated are not enabled there, so Chargebee does not send them).
		await sandbox.settle();
		const sent = sandbox.deliveries.filter((d) => d.url === n8n.webhookUrl(AUTO_HOOK));
		expect(sent.map((d) => [d.eventType, d.status])).toEqual([['payment_succeeded', 200]]);

		const [execution] = await n8n.api.waitForExecutions(autoId, 1);
		expect(execution.status).toBe('success');
		const detail = await n8n.api.execution(execution.id);
		const [item] = nodeOutput(detail, 'Chargebee Billing Trigger');
		const payment = sandbox.eventsOfType('payment_succeeded')[0];
		expect(item.event).toEqual(expect.objectContaining({ id: payment.id, event_type: 'payment_succeeded' }));
		expect(item.normalized).toEqual({
			vendor: 'chargebee',
			eventId: payment.id,
			eventType: 'payment_succeeded',
			category: 'payment_succeeded',
			occurredAt: new Date(Number(payment.occurred_at) * 1000).toISOString(),
			dedupeKey: `chargebee:${String(payment.id)}`,
			customerId: 'kommo-lead-4242',
			subscriptionId,
			invoiceId: expect.any(String),
			transactionId: expect.stringMatching(/^txn_/),
			invoiceUrl: null,
			customerEmail: 'buyer@example.com',
			amount: { minor: '3000', decimal: '30.00', currency: 'USD', formatted: '30.00 USD' },
			planId: 'pro-USD-monthly',
			previousPlanId: null,
			ordering: {
				object: `chargebee:subscription:${String(subscriptionId)}`,
				version: String(((payment.content as Record<string, Record<string, unknown>>).subscription).resource_version),
				source: 'resource_version',
			},
			status: 'success',
			reason: null,
			kommoLeadId: 4242,
		});

		// The same Won again (a retried Kommo webhook): no second subscription, no second payment.
		const again = await post(n8n.webhookUrl('e2e-chargebee-won'), won);
		expect(JSON.parse(again.text)).toMatchObject({ subscriptionId, outcome: 'replayed' });
		expect(sandbox.subscriptions.size).toBe(1);
		await sandbox.settle();
		await pause(1500);
		expect(await n8n.api.executions({ workflowId: autoId })).toHaveLength(1);
	});

	test('missing or wrong Basic auth gets 401 with WWW-Authenticate and starts nothing', async () => {
		const before = (await n8n.api.executions({ workflowId: autoId })).length;
		const payment = sandbox.eventsOfType('payment_succeeded')[0];
		const [endpoint] = [...sandbox.webhookEndpoints.values()];
		const attempts: Array<Record<string, string>> = [
			{},
			{ authorization: basic(String(endpoint.basic_auth_username), 'wrong-password') },
			{ authorization: basic('someone-else', String(endpoint.basic_auth_password)) },
			{ authorization: basic(PAIR.user, PAIR.password) }, // the manual workflow's pair
		];
		for (const headers of attempts) {
			const response = await post(n8n.webhookUrl(AUTO_HOOK), payment, headers);
			expect(response.status).toBe(401);
			expect(response.headers.get('www-authenticate')).toBe('Basic realm="Chargebee Billing Trigger", charset="UTF-8"');
		}
		await pause(1500);
		expect(await n8n.api.executions({ workflowId: autoId })).toHaveLength(before);
	});

	test('an event type outside the filter is acknowledged and starts nothing', async () => {
		const before = (await n8n.api.executions({ workflowId: autoId })).length;
		const created = sandbox.eventsOfType('subscription_created')[0];
		// Force delivery to the endpoint although it is not enabled there (as if the filter in n8n changed).
		const [record] = await sandbox.deliverEvent(created, [...sandbox.webhookEndpoints.values()]);
		expect(record.status).toBe(200);
		expect(JSON.parse(record.body)).toEqual({ received: true, ignored: 'subscription_created' });
		await pause(1500);
		expect(await n8n.api.executions({ workflowId: autoId })).toHaveLength(before);
	});

	test('manual mode: the credential\'s pair starts one execution; anything else is refused', async () => {
		const payment = sandbox.eventsOfType('payment_succeeded')[0];
		expect((await post(n8n.webhookUrl(MANUAL_HOOK), payment)).status).toBe(401);
		expect((await post(n8n.webhookUrl(MANUAL_HOOK), payment, { authorization: basic(PAIR.user, 'nope') })).status).toBe(401);
		const other = sandbox.eventsOfType('invoice_generated')[0];
		const ignored = await post(n8n.webhookUrl(MANUAL_HOOK), other, { authorization: basic(PAIR.user, PAIR.password) });
		expect(ignored.status).toBe(200);
		const ok = await post(n8n.webhookUrl(MANUAL_HOOK), payment, { authorization: basic(PAIR.user, PAIR.password) });
		expect(ok.status).toBe(200);
		const [execution] = await n8n.api.waitForExecutions(manualId, 1);
		const [item] = nodeOutput(await n8n.api.execution(execution.id), 'Chargebee Billing Trigger');
		expect(item.normalized).toMatchObject({ eventId: payment.id, kommoLeadId: 4242, category: 'payment_succeeded' });
		await pause(1000);
		expect(await n8n.api.executions({ workflowId: manualId })).toHaveLength(1);
		// Manual mode registers nothing in Chargebee.
		expect([...sandbox.webhookEndpoints.values()].map((e) => e.url)).toEqual([n8n.webhookUrl(AUTO_HOOK)]);
	});

	test('after an n8n restart the same endpoint and pair are still in use (kept in static data)', async () => {
		const [before] = [...sandbox.webhookEndpoints.values()];
		const creates = sandbox.requestsTo('POST', '/api/v2/webhook_endpoints').length;
		await n8n.restart();
		await pause(3000); // activation hooks run right after the paths answer
		expect([...sandbox.webhookEndpoints.values()].map((e) => e.id)).toEqual([before.id]);
		expect(sandbox.requestsTo('POST', '/api/v2/webhook_endpoints')).toHaveLength(creates);
		const executions = (await n8n.api.executions({ workflowId: autoId })).length;
		const subscriptionId = [...sandbox.subscriptions.keys()][0];
		await sandbox.simulatePaymentSucceeded(subscriptionId);
		expect(sandbox.deliveries[sandbox.deliveries.length - 1]).toMatchObject({ eventType: 'payment_succeeded', status: 200 });
		await n8n.api.waitForExecutions(autoId, executions + 1);
	});

	test('deactivating the workflow removes the endpoint from Chargebee', async () => {
		const workflow = await n8n.api.request<{ active: boolean }>('POST', `/rest/workflows/${autoId}/deactivate`, {});
		expect(workflow.active).toBe(false);
		// n8n removes the workflow's webhooks (and runs the trigger's delete()) as part of deactivating.
		await until(() => sandbox.webhookEndpoints.size === 0, 'the endpoint to be deleted');
		expect(sandbox.requestsTo('POST', /^\/api\/v2\/webhook_endpoints\/[^/]+\/delete$/)).toHaveLength(1);
		const payment = sandbox.eventsOfType('payment_succeeded')[0];
		const response = await post(n8n.webhookUrl(AUTO_HOOK), payment);
		expect(response.status).toBe(404);
	});
});
