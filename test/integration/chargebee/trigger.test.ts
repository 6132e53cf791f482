/**
 * The trigger's webhook lifecycle against ChargebeeSandbox in real n8n-core
 * HookContexts (checkExists/create/delete with the node's static data), and
 * its API-backed options in a WebhookContext. Deliveries go through the fake
 * HTTP exchange here; test/e2e covers real HTTP into a running n8n.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { ChargebeeBillingTrigger } from '../../../nodes/ChargebeeBilling/ChargebeeBillingTrigger.node';
import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { basicAuthDigest } from '../../../nodes/shared/crypto';
import { createHookContext, createWebhookContext, fakeHttpExchange } from '../../helpers/n8n-context';
import { ChargebeeSandbox } from '../../../dev/sandbox/chargebee';
import { chargebeeCredentials, credentialTypes, runNode } from './helpers';

let sandbox: ChargebeeSandbox;
const NODE_KEY = 'node:Chargebee Billing Trigger';

beforeAll(async () => {
	sandbox = await new ChargebeeSandbox({ customersHaveCard: true }).start();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	resetLimiters();
});

function hooks(parameters: INodeParameters, staticData: IDataObject, credentials: IDataObject = chargebeeCredentials(sandbox)) {
	const trigger = new ChargebeeBillingTrigger();
	const context = createHookContext({ nodeType: trigger, parameters, staticData, credentials: credentials as never, credentialTypes });
	const m = trigger.webhookMethods.default;
	return {
		url: context.getNodeWebhookUrl('default') as string,
		checkExists: () => m.checkExists.call(context),
		create: () => m.create.call(context),
		delete: () => m.delete.call(context),
	};
}

async function deliver(event: Record<string, unknown>, authorization: string | undefined, parameters: INodeParameters, staticData: IDataObject, credentials: IDataObject = chargebeeCredentials(sandbox)) {
	const trigger = new ChargebeeBillingTrigger();
	const exchange = fakeHttpExchange({ headers: authorization ? { authorization } : {}, body: event as IDataObject });
	const context = createWebhookContext({ nodeType: trigger, parameters, staticData, credentials: credentials as never, credentialTypes }, exchange);
	return { result: await trigger.webhook.call(context), response: exchange.response };
}

/** What the sandbox would send to an endpoint: its Basic-auth header. */
function endpointAuth(): string {
	const [endpoint] = [...sandbox.webhookEndpoints.values()];
	return `Basic ${Buffer.from(`${endpoint.basic_auth_username}:${endpoint.basic_auth_password}`).toString('base64')}`;
}

async function provision(leadId = 42) {
	await runNode(sandbox, { resource: 'customer', operation: 'create', customerId: `kommo-lead-${leadId}`, email: 'ana@example.com', kommoLeadId: String(leadId) });
	const [sub] = await runNode(sandbox, {
		resource: 'subscription',
		operation: 'create',
		customerId: `kommo-lead-${leadId}`,
		subscriptionId: `sub-${leadId}`,
		items: { item: [{ itemPriceId: 'pro-USD-monthly' }] },
		kommoLeadId: String(leadId),
	});
	return sub;
}

describe('automatic mode lifecycle', () => {
	it('registers an endpoint with a generated pair, recognises it, and deletes it on deactivation', async () => {
		const staticData: IDataObject = {};
		const params = { mode: 'automatic', events: ['payment_succeeded', 'subscription_cancelled'] };
		const h = hooks(params, staticData);
		expect(await h.checkExists()).toBe(false);
		expect(await h.create()).toBe(true);

		expect(sandbox.webhookEndpoints.size).toBe(1);
		const [endpoint] = [...sandbox.webhookEndpoints.values()];
		const stored = staticData[NODE_KEY] as IDataObject;
		expect(endpoint).toMatchObject({ url: h.url, api_version: 'v2', enabled_events: ['payment_succeeded', 'subscription_cancelled'] });
		expect(String(endpoint.basic_auth_password).length).toBeGreaterThanOrEqual(32);
		// only a digest of the generated pair is kept: static data is plain JSON in n8n's API and exports
		expect(Object.keys(stored).sort()).toEqual(['basicAuthDigest', 'registeredEvents', 'webhookEndpointId', 'webhookUrl']);
		expect(stored.basicAuthDigest).toBe(basicAuthDigest(String(endpoint.basic_auth_username), String(endpoint.basic_auth_password)));
		expect(JSON.stringify(staticData)).not.toContain(String(endpoint.basic_auth_password));
		expect(endpoint.name).toBe('n8n in-process test (wf-test)');
		expect(stored.webhookEndpointId).toBe(endpoint.id);
		expect(await h.checkExists()).toBe(true);

		// Chargebee's delivery (with the endpoint's pair) passes; the normalised block has the lead id.
		await provision();
		const paid = sandbox.eventsOfType('payment_succeeded')[0];
		const ok = await deliver(paid, endpointAuth(), params, staticData);
		expect((ok.result.workflowData?.[0][0].json.normalized as IDataObject)).toMatchObject({ eventId: paid.id, kommoLeadId: 42, subscriptionId: 'sub-42' });

		expect(await h.delete()).toBe(true);
		expect(sandbox.webhookEndpoints.size).toBe(0);
		expect(stored.webhookEndpointId).toBeUndefined();
		expect(stored.basicAuthDigest).toBeUndefined();
		// After deactivation the old pair opens nothing (no pair is stored: retry-later, no execution).
		const after = await deliver(paid, endpointAuthOf(endpoint), params, staticData);
		expect(after.response.statusCode).toBe(503);
		expect(after.result.workflowData).toBeUndefined();
		expect(await h.delete()).toBe(true);
	});

	it('changed events update the endpoint in place (same id and pair, so scheduled retries survive); a vanished one is re-created', async () => {
		const staticData: IDataObject = {};
		const first = hooks({ mode: 'automatic', events: ['payment_succeeded'] }, staticData);
		await first.create();
		const firstId = (staticData[NODE_KEY] as IDataObject).webhookEndpointId;
		const pair = { ...[...sandbox.webhookEndpoints.values()][0] };

		const changed = hooks({ mode: 'automatic', events: ['payment_succeeded', 'payment_failed'] }, staticData);
		expect(await changed.checkExists()).toBe(false);
		await changed.create();
		expect(sandbox.webhookEndpoints.size).toBe(1);
		const [endpoint] = [...sandbox.webhookEndpoints.values()];
		expect(endpoint.id).toBe(firstId);
		expect(endpoint.enabled_events).toEqual(['payment_succeeded', 'payment_failed']);
		expect([endpoint.basic_auth_username, endpoint.basic_auth_password]).toEqual([pair.basic_auth_username, pair.basic_auth_password]);
		expect(sandbox.requestsTo('POST', `/api/v2/webhook_endpoints/${String(firstId)}`)).toHaveLength(1);
		expect(sandbox.requestsTo('POST', `/api/v2/webhook_endpoints/${String(firstId)}/delete`)).toHaveLength(0);
		expect(await changed.checkExists()).toBe(true);

		sandbox.webhookEndpoints.clear(); // removed in the Chargebee console
		expect(await changed.checkExists()).toBe(false);
		expect((staticData[NODE_KEY] as IDataObject).webhookEndpointId).toBeUndefined();
		await changed.create();
		expect(sandbox.webhookEndpoints.size).toBe(1);
	});

	it('a site with 5 endpoints: activation fails naming the cap and the stale n8n endpoints', async () => {
		const post = (name: string, url: string) =>
			fetch(`${sandbox.url}/api/v2/webhook_endpoints`, {
				method: 'POST',
				headers: { authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ name, url }),
			});
		for (let i = 1; i <= 4; i++) expect((await post(`n8n Old flow (wf${i} test)`, `https://old.example/webhook-test/${i}`)).status).toBe(200);
		expect((await post('ERP', 'https://erp.example/hook')).status).toBe(200);
		// the sixth is refused by the sandbox, as by Chargebee
		expect((await post('sixth', 'https://x.example/hook')).status).toBe(400);
		const h = hooks({ mode: 'automatic', events: ['payment_succeeded'] }, {});
		const error = await h.create().then(
			() => undefined,
			(e: Error & { description?: string }) => e,
		);
		expect(error?.message).toBe('Chargebee allows at most 5 webhook endpoints per site and all 5 are in use');
		expect(error?.description).toContain('"n8n Old flow (wf1 test)"');
		expect(error?.description).toContain('"n8n Old flow (wf4 test)"');
		expect(error?.description).not.toContain('ERP');
	});

	it('takes over a leftover endpoint for the same URL instead of adding a second one; "*" registers for all events', async () => {
		const staticData: IDataObject = {};
		const h = hooks({ mode: 'automatic', events: ['*'] }, staticData);
		await fetch(`${sandbox.url}/api/v2/webhook_endpoints`, {
			method: 'POST',
			headers: { authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ name: 'old', url: h.url, basic_auth_username: 'old', basic_auth_password: 'old-password' }),
		});
		await h.create();
		expect(sandbox.webhookEndpoints.size).toBe(1);
		const [endpoint] = [...sandbox.webhookEndpoints.values()];
		expect(endpoint.name).not.toBe('old');
		expect(endpoint.enabled_events).toEqual([]);
	});

	it('fails activation with a clear message without the API credential', async () => {
		const h = hooks({ mode: 'automatic' }, {}, {});
		await expect(h.checkExists()).rejects.toThrow('Select a Chargebee Billing API credential: automatic mode (it registers the webhook endpoint) needs it');
	});

	it('surfaces a Chargebee refusal (read-only key) at activation', async () => {
		await sandbox.stop();
		sandbox = await new ChargebeeSandbox({ readOnlyApiKeys: ['test_ro_key_0001'], customersHaveCard: true }).start();
		const h = hooks({ mode: 'automatic' }, {}, chargebeeCredentials(sandbox, { apiKey: 'test_ro_key_0001' }));
		await expect(h.create()).rejects.toThrow('Chargebee 403 (api_authorization_failed)');
	});
});

function endpointAuthOf(endpoint: { basic_auth_username?: string; basic_auth_password?: string }) {
	return `Basic ${Buffer.from(`${endpoint.basic_auth_username}:${endpoint.basic_auth_password}`).toString('base64')}`;
}

describe('manual mode and API-backed options', () => {
	const pair = { user: 'cb-manual', password: 'manual-password-0123456789' };
	const auth = `Basic ${Buffer.from(`${pair.user}:${pair.password}`).toString('base64')}`;
	const creds = () => ({ ...chargebeeCredentials(sandbox), chargebeeWebhookAuthApi: pair });

	it('registers nothing in manual mode', async () => {
		const h = hooks({ mode: 'manual' }, {}, creds());
		expect(await h.checkExists()).toBe(true);
		expect(await h.create()).toBe(true);
		expect(await h.delete()).toBe(true);
		expect(sandbox.requests.filter((r) => r.path.startsWith('/api/v2/webhook_endpoints'))).toHaveLength(0);
	});

	it('manual mode with API options but no API credential fails activation clearly', async () => {
		const h = hooks({ mode: 'manual', options: { refetchEvent: true } }, {}, { chargebeeWebhookAuthApi: pair });
		await expect(h.checkExists()).rejects.toThrow('Verify by Re-Fetching the Event needs it');
	});

	it('re-fetch: uses Chargebee\'s copy, refuses an invented event, and asks for a retry when Chargebee is down', async () => {
		await provision();
		const real = sandbox.eventsOfType('payment_succeeded')[0];
		const params = { mode: 'manual', options: { refetchEvent: true } };
		const tampered = JSON.parse(JSON.stringify(real)) as IDataObject;
		((tampered.content as IDataObject).transaction as IDataObject).amount = 1;
		const ok = await deliver(tampered, auth, params, {}, creds());
		const json = ok.result.workflowData?.[0][0].json as IDataObject;
		expect((json.normalized as IDataObject).amount).toMatchObject({ minor: '3000' });
		expect(sandbox.requestsTo('GET', `/api/v2/events/${String(real.id)}`)).toHaveLength(1);

		const invented = await deliver({ ...real, id: 'ev_invented' }, auth, params, {}, creds());
		expect(invented.result.workflowData).toBeUndefined();
		expect(invented.response.statusCode).toBe(400);

		sandbox.faults.push({ path: /^\/api\/v2\/events\//, status: 500 });
		const started = Date.now();
		const down = await deliver(real, auth, params, {}, creds());
		expect(down.result.workflowData).toBeUndefined();
		expect(down.response.statusCode).toBe(503);
		// A short try only: Chargebee is waiting for the answer and will retry a 503 itself.
		expect(Date.now() - started).toBeLessThan(4_000);
		expect(sandbox.requestsTo('GET', `/api/v2/events/${String(real.id)}`)).toHaveLength(3);
		sandbox.faults = [];
	});

	it('looks up the customer for events without one, and adds an invoice PDF URL', async () => {
		await provision(7);
		const generated = await sandbox.simulateInvoiceGenerated('sub-7');
		const params = { mode: 'manual', options: { lookupCustomer: true, includeInvoicePdfUrl: true } };
		const { result } = await deliver(generated, auth, params, {}, creds());
		const normalized = result.workflowData?.[0][0].json.normalized as IDataObject;
		expect(normalized).toMatchObject({ category: 'invoice', kommoLeadId: 7, customerEmail: 'ana@example.com', customerId: 'kommo-lead-7' });
		expect(String(normalized.invoiceUrl)).toContain(`${sandbox.url}/downloads/invoices/`);

		const without = await deliver(generated, auth, { mode: 'manual' }, {}, creds());
		expect((without.result.workflowData?.[0][0].json.normalized as IDataObject).kommoLeadId).toBeNull();
	});

	it('every simulated Chargebee event normalises with the lead id stored at provisioning', async () => {
		await provision(9);
		const events = [
			await sandbox.simulatePaymentSucceeded('sub-9'),
			await sandbox.simulatePaymentFailed('sub-9', 'Insufficient funds'),
			await sandbox.simulateRenewal('sub-9', 'succeed'),
			await sandbox.simulateSubscriptionChanged('sub-9', [{ itemPriceId: 'enterprise-USD-monthly' }]),
			await sandbox.simulatePause('sub-9'),
			await sandbox.simulateResume('sub-9'),
			await sandbox.simulateCreditNote('sub-9', 500),
			await sandbox.simulateCancellation('sub-9', 'Not Paid'),
		];
		const out: IDataObject[] = [];
		for (const e of events) {
			const { result } = await deliver(e, auth, { mode: 'manual', events: ['*'], options: { lookupCustomer: true } }, {}, creds());
			out.push(result.workflowData?.[0][0].json.normalized as IDataObject);
		}
		expect(out.map((n) => [n.eventType, n.category, n.kommoLeadId])).toEqual([
			['payment_succeeded', 'payment_succeeded', 9],
			['payment_failed', 'payment_failed', 9],
			['subscription_renewed', 'renewal', 9],
			['subscription_changed', 'plan_changed', 9],
			['subscription_paused', 'paused', 9],
			['subscription_resumed', 'resumed', 9],
			['credit_note_created', 'credit_note', 9],
			['subscription_cancelled', 'cancelled', 9],
		]);
		expect(out[1].reason).toBe('Insufficient funds');
		expect(out[3].planId).toBe('enterprise-USD-monthly');
		expect(out[6].amount).toMatchObject({ decimal: '5.00', currency: 'USD' });
		expect(out[7]).toMatchObject({ reason: 'Not Paid', status: 'cancelled' });
	});
});
