/**
 * The Chargebee sandbox's spec check cannot pass silently (issue 14 item 12):
 *  - a request the official SDK's Zod schema refuses (node_modules/chargebee/cjs/schema/customer.schema.js,
 *    CreateCustomerBodySchema: net_term_days is an integer, email an address ≤ 70 characters) is
 *    answered 400 param_wrong_value and recorded; an unknown parameter and a path that is no
 *    Chargebee operation (cjs/resources/api_endpoints.js) are recorded;
 *  - an answer or a webhook that breaks the SDK's resource types (types/resources/Customer.d.ts:
 *    auto_collection 'on' | 'off', net_term_days required; Transaction.d.ts: amount a number) is recorded;
 *  - stop() throws listing what was recorded, so every suite that starts a sandbox fails on one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ChargebeeSandbox } from '../../../dev/sandbox/chargebee';
import { checkRequest } from '../../../dev/sandbox/chargebee/spec-check';
import { checkResponse, checkWebhookEvent } from '../../../dev/sandbox/chargebee/type-check';

let sandbox: ChargebeeSandbox;
let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
	receiver = createServer((_req, res) => res.writeHead(200).end('ok'));
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
	sandbox = await new ChargebeeSandbox({ customersHaveCard: true }).start();
});
afterAll(async () => {
	await sandbox.stop();
	await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(() => {
	sandbox.reset();
	expect(sandbox.takeDeviations()).toEqual([]);
});

async function call(method: 'GET' | 'POST', path: string, form?: Record<string, string>) {
	const response = await fetch(`${sandbox.url}/api/v2${path}`, {
		method,
		headers: {
			authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`,
			...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
		},
		body: form ? new URLSearchParams(form).toString() : undefined,
	});
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('requests', () => {
	it('a value the SDK schema refuses is answered 400 param_wrong_value naming it, and recorded', async () => {
		const refused = await call('POST', '/customers', { id: 'c-1', net_term_days: 'thirty' });
		expect(refused.status).toBe(400);
		expect(refused.body).toMatchObject({ type: 'invalid_request', api_error_code: 'param_wrong_value', param: 'net_term_days' });
		expect(sandbox.customers.has('c-1')).toBe(false);
		expect(sandbox.takeDeviations()).toEqual([
			{ kind: 'request', where: 'POST /api/v2/customers (customer.create)', problems: ['net_term_days: Invalid input: expected number, received string'] },
		]);

		const long = await call('POST', '/customers', { email: `${'a'.repeat(70)}@example.com` });
		expect(long.body).toMatchObject({ param: 'email' });
		expect(sandbox.takeDeviations()).toHaveLength(1);
	});

	it('an unknown parameter and a path that is no Chargebee operation are recorded', async () => {
		const ok = await call('POST', '/customers', { id: 'c-2', colour: 'red', 'billing_address[planet]': 'Mars', cf_kommo_lead_id: '1' });
		expect(ok.status).toBe(200);
		expect((await call('GET', '/no_such_things')).status).toBe(404);
		expect(sandbox.takeDeviations()).toEqual([
			{
				kind: 'request',
				where: 'POST /api/v2/customers (customer.create)',
				problems: ['colour: not a parameter of customer.create'],
			},
			// the SDK's request schema leaves billing_address free-form, but Customer.BillingAddress has no planet
			{ kind: 'response', where: 'POST /api/v2/customers (Customer.CreateResponse)', problems: ['customer.billing_address.planet: not in the type'] },
			{ kind: 'request', where: 'GET /api/v2/no_such_things', problems: ['not a Chargebee API operation (SDK api_endpoints.js)'] },
		]);
	});

	it('list filters in the wire shape pass: email[is], status[in] as a JSON array, sort_by, limit', () => {
		expect(checkRequest('GET', '/customers', [['email[is]', 'a@b.co'], ['sort_by[desc]', 'created_at'], ['limit', '100']])).toMatchObject({ invalid: [], unknown: [] });
		expect(checkRequest('GET', '/subscriptions', [['status[in]', '["active","paused"]'], ['customer_id[is]', 'c']])).toMatchObject({ invalid: [], unknown: [] });
		expect(checkRequest('GET', '/subscriptions', [['status[in]', '["active","sleeping"]']]).invalid).toEqual([
			{ param: 'status[in][1]', message: expect.stringContaining('Invalid option') },
		]);
		expect(checkRequest('GET', '/customers', [['limit', '101']]).invalid).toEqual([{ param: 'limit', message: expect.stringContaining('100') }]);
	});
});

describe('answers and webhooks', () => {
	it('an answer that breaks the resource type is recorded (wrong enum value, required field missing)', async () => {
		sandbox.addCustomer({ id: 'c-3' });
		const stored = sandbox.customers.get('c-3') as Record<string, unknown>;
		stored.auto_collection = 'sometimes';
		delete stored.net_term_days;
		expect((await call('GET', '/customers/c-3')).status).toBe(200);
		expect(sandbox.takeDeviations()).toEqual([
			{
				kind: 'response',
				where: 'GET /api/v2/customers/c-3 (Customer.RetrieveResponse)',
				problems: ['customer.auto_collection: "sometimes" is not one of "on" | "off"', 'customer.net_term_days: required, missing'],
			},
		]);
	});

	it('checkResponse and checkWebhookEvent name mistyped, missing and undeclared fields', () => {
		expect(checkResponse('webhookEndpoint', 'retrieve', { webhook_endpoint: { id: 'w', name: 'n', url: 'u', disabled: 'no', api_version: 'v2', secret: 'x' } }).problems).toEqual([
			'webhook_endpoint.disabled: expected boolean, got string "no"',
			'webhook_endpoint.primary_url: required, missing',
			'webhook_endpoint.secret: not in the type',
		]);
		expect(checkWebhookEvent({ id: 'ev', occurred_at: 1, source: 'api', object: 'event', api_version: 'v2', event_type: 'payment_succeeded', webhook_status: 'scheduled', content: { transaction: { id: 't' }, coupon: {} } })).toEqual([
			'content.transaction.payment_method: required, missing',
			'content.transaction.gateway: required, missing',
			'content.transaction.type: required, missing',
			'content.transaction.currency_code: required, missing',
			'content.transaction.deleted: required, missing',
			'content.coupon: not in the content of payment_succeeded',
		]);
		expect(checkWebhookEvent({ id: 'ev', occurred_at: 1, source: 'api', webhook_status: 'scheduled', event_type: 'subscription_canceled', content: {} })).toEqual([
			expect.stringMatching(/^event_type: "subscription_canceled" is not one of "coupon_created" \| .* \(\d+ more\)$/),
			'event_type: subscription_canceled is not a webhook event type of the SDK',
		]);
	});

	it('a webhook that breaks the event types is recorded when it is sent', async () => {
		expect((await call('POST', '/webhook_endpoints', { name: 'spec', url: receiverUrl })).status).toBe(200);
		await sandbox.simulateEvent('payment_succeeded', { transaction: { id: 'txn-1', amount: '1000', currency_code: 'USD' } });
		const [deviation, ...more] = sandbox.takeDeviations();
		expect(more).toEqual([]);
		expect(deviation).toMatchObject({ kind: 'webhook', problems: ['content.transaction.amount: expected number, got string "1000"'] });
		expect(deviation.where).toMatch(/^webhook payment_succeeded ev_/);
	});

	it('hand-made content in the e2e shape is completed into valid resources (no deviation)', async () => {
		await call('POST', '/webhook_endpoints', { name: 'spec', url: receiverUrl });
		await sandbox.simulateEvent('customer_changed', { customer: { id: 'cust-probe', object: 'customer' } });
		await sandbox.simulateEvent('payment_succeeded', {
			customer: { id: 'cust-stranger', email: 'nobody@nowhere.test', object: 'customer' },
			transaction: { id: 'txn_stranger', amount: 1000, currency_code: 'USD', status: 'success', customer_id: 'cust-stranger', object: 'transaction' },
		});
		await sandbox.simulateEvent('invoice_generated', { invoice: { id: 'inv-1', customer_id: 'c', subscription_id: 's', total: 4200, currency_code: 'USD', status: 'payment_due', object: 'invoice' } });
		expect(sandbox.deliveries).toHaveLength(3);
		expect(sandbox.takeDeviations()).toEqual([]);
	});
});

describe("the sandbox's own traffic", () => {
	it('every event it can send, and every list and retrieve of its resources, conforms to the SDK types', async () => {
		await call('POST', '/webhook_endpoints', { name: 'spec', url: receiverUrl });
		{
			// invoice customer (auto collection off) and a card checkout
			expect((await call('POST', '/customers', { id: 'inv', email: 'inv@example.com', auto_collection: 'off', cf_kommo_lead_id: '1' })).status).toBe(200);
			const sub = { 'subscription_items[item_price_id][0]': 'pro-USD-monthly', 'subscription_items[quantity][0]': '2', 'subscription_items[item_price_id][1]': 'seats-USD-monthly', 'subscription_items[quantity][1]': '3' };
			expect((await call('POST', '/customers/inv/subscription_for_items', { id: 'sub-inv', ...sub, meta_data: '{"kommo_lead_id":1}' })).status).toBe(200);
			expect((await call('POST', '/customers/inv/subscription_for_items', { id: 'sub-trial', ...sub, trial_end: String(Math.floor(Date.now() / 1000) + 86_400) })).status).toBe(200);
			expect((await call('POST', '/customers/inv/subscription_for_items', { id: 'sub-future', ...sub, start_date: String(Math.floor(Date.now() / 1000) + 86_400) })).status).toBe(200);
			await call('POST', '/customers', { id: 'buyer', email: 'buyer@example.com' });
			const checkout = await call('POST', '/hosted_pages/checkout_new_for_items', {
				'customer[id]': 'buyer',
				'subscription[id]': 'sub-card',
				'subscription_items[item_price_id][0]': 'pro-USD-monthly',
				pass_thru_content: '{"kommo_lead_id":2}',
			});
			expect(checkout.status).toBe(200);
			const pageId = (checkout.body.hosted_page as { id: string }).id;
			await sandbox.simulateCheckoutCompleted(pageId);
			expect((await call('GET', `/hosted_pages/${pageId}`)).status).toBe(200);

			await sandbox.simulateInvoiceGenerated('sub-inv');
			await sandbox.simulatePaymentSucceeded('sub-inv');
			await sandbox.simulatePaymentFailed('sub-card', 'Insufficient funds');
			await sandbox.simulateRenewal('sub-card');
			await sandbox.simulateSubscriptionChanged('sub-card', [{ itemPriceId: 'pro-USD-yearly' }]);
			await call('POST', '/subscriptions/sub-card/update_for_items', { 'subscription_items[item_price_id][0]': 'seats-USD-monthly', 'subscription_items[quantity][0]': '5', change_option: 'end_of_term' });
			await sandbox.simulateRenewal('sub-card');
			await sandbox.simulatePause('sub-inv');
			await sandbox.simulateResume('sub-inv');
			await sandbox.simulateCreditNote('sub-card', 500);
			await call('POST', '/subscriptions/sub-trial/cancel_for_items', { end_of_term: 'true', cancel_reason_code: 'Too expensive' });
			await sandbox.simulateCancellation('sub-card', 'Not Paid', 'prorate');
			await sandbox.settle();

			for (const path of ['/customers', '/subscriptions', '/customers/inv/subscriptions', '/item_prices', '/invoices', '/events?limit=100', '/webhook_endpoints', '/customers/inv', '/subscriptions/sub-card', '/invoices/1', '/item_prices/pro-USD-monthly']) {
				expect((await call('GET', path)).status).toBe(200);
			}
			expect((await call('POST', '/invoices/1/pdf', { disposition_type: 'inline' })).status).toBe(200);
			const types = new Set(sandbox.deliveries.map((d) => d.eventType));
			expect([...types].sort()).toEqual(
				expect.arrayContaining(['customer_created', 'invoice_generated', 'payment_failed', 'payment_source_added', 'payment_succeeded', 'subscription_cancelled', 'subscription_changed', 'subscription_created', 'subscription_paused', 'subscription_renewed', 'subscription_resumed', 'credit_note_created', 'subscription_cancellation_scheduled', 'subscription_changes_scheduled']),
			);
			expect(sandbox.takeDeviations()).toEqual([]);
		}
	});
});

describe('stop()', () => {
	it('throws listing the deviations, so a suite that starts a sandbox fails on one', async () => {
		const other = await new ChargebeeSandbox().start();
		await fetch(`${other.url}/api/v2/customers`, {
			method: 'POST',
			headers: { authorization: `Basic ${Buffer.from(`${other.apiKey}:`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'net_term_days=x',
		});
		await expect(other.stop()).rejects.toThrow(/1 deviation\(s\)[\s\S]*POST \/api\/v2\/customers \(customer\.create\):\n\s+net_term_days: /);
	});

	it('with specCheck off nothing is checked or recorded (only for tests that send bad input on purpose)', async () => {
		const lax = await new ChargebeeSandbox({ specCheck: false }).start();
		const response = await fetch(`${lax.url}/api/v2/customers`, {
			method: 'POST',
			headers: { authorization: `Basic ${Buffer.from(`${lax.apiKey}:`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'id=lax&colour=red',
		});
		expect(response.status).toBe(200);
		expect(lax.deviations).toEqual([]);
		await expect(lax.stop()).resolves.toBeUndefined();
	});
});
