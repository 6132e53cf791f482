/**
 * Contract check: the official `chargebee` SDK (v3, dev dependency) talks to
 * ChargebeeSandbox exactly as it would to a real site. If the sandbox drifted
 * from Chargebee's wire format (paths, form encoding, response wrapping,
 * error bodies, idempotency headers, webhook delivery), the SDK would fail here.
 *
 * The SDK builds `{protocol}://{site}{hostSuffix}:{port}/api/v2/...`; site
 * "127.0.0" + hostSuffix ".1" makes that the loopback address.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import Chargebee, { basicAuthValidator, WebhookAuthenticationError } from 'chargebee';

import { ChargebeeSandbox } from '../../../dev/sandbox/chargebee';

let sandbox: ChargebeeSandbox;
let chargebee: Chargebee;

function sdk(apiKey = sandbox.apiKey): Chargebee {
	return new Chargebee({
		site: '127.0.0',
		hostSuffix: '.1',
		protocol: 'http',
		port: sandbox.port,
		apiKey,
		timeout: 10_000,
		sdkTelemetryEnabled: false,
	} as ConstructorParameters<typeof Chargebee>[0]);
}

/** The SDK rejects with the parsed Chargebee error body (plus http_status_code and headers). */
async function sdkError(promise: Promise<unknown>): Promise<Record<string, unknown>> {
	try {
		await promise;
	} catch (error) {
		return error as Record<string, unknown>;
	}
	throw new Error('expected the SDK call to fail');
}

beforeAll(async () => {
	sandbox = await new ChargebeeSandbox({ customersHaveCard: true }).start();
	chargebee = sdk();
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('customer create/retrieve/list through the official SDK', () => {
	it('creates a customer with a chosen id, cf_ field, meta_data and billing address', async () => {
		const result = await chargebee.customer.create({
			id: 'kommo-lead-42',
			first_name: 'Ana',
			last_name: 'Lima',
			email: 'ana@example.com',
			company: 'Lima Ltda',
			phone: '+55 11 5555 0000',
			cf_kommo_lead_id: '42',
			meta_data: { source: 'kommo', lead: 42 },
			billing_address: { first_name: 'Ana', country: 'BR' },
		} as never);
		const customer = result.customer as unknown as Record<string, unknown>;
		expect(customer).toMatchObject({
			id: 'kommo-lead-42',
			email: 'ana@example.com',
			company: 'Lima Ltda',
			cf_kommo_lead_id: '42',
			meta_data: { source: 'kommo', lead: 42 },
			billing_address: { first_name: 'Ana', country: 'BR' },
			object: 'customer',
			auto_collection: 'on',
		});
		expect(typeof customer.created_at).toBe('number');

		// What went over the wire: the SDK's form encoding, Basic auth with the key and an empty password.
		const [post] = sandbox.requestsTo('POST', '/api/v2/customers');
		expect(post.headers['content-type']).toContain('application/x-www-form-urlencoded');
		expect(post.headers.authorization).toBe(`Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`);
		const wire = new URLSearchParams(post.rawBody.toString('utf8'));
		expect(wire.get('cf_kommo_lead_id')).toBe('42');
		expect(JSON.parse(wire.get('meta_data') as string)).toEqual({ source: 'kommo', lead: 42 });
		expect(wire.get('billing_address[country]')).toBe('BR');

		const retrieved = await chargebee.customer.retrieve('kommo-lead-42');
		expect(retrieved.customer.id).toBe('kommo-lead-42');

		const listed = await chargebee.customer.list({ email: { is: 'ana@example.com' } } as never);
		expect(listed.list.map((e) => e.customer.id)).toEqual(['kommo-lead-42']);
		const none = await chargebee.customer.list({ email: { is: 'nobody@example.com' } } as never);
		expect(none.list).toEqual([]);
	});

	it('answers a duplicate id, a missing customer and a bad email with Chargebee error bodies', async () => {
		await chargebee.customer.create({ id: 'dup-1' });
		const dup = await sdkError(chargebee.customer.create({ id: 'dup-1' }));
		expect(dup).toMatchObject({ http_status_code: 400, api_error_code: 'duplicate_entry', param: 'id', type: 'invalid_request' });
		expect(String(dup.message)).toContain('dup-1');

		const missing = await sdkError(chargebee.customer.retrieve('nope'));
		expect(missing).toMatchObject({ http_status_code: 404, api_error_code: 'resource_not_found' });

		const email = await sdkError(chargebee.customer.create({ email: 'not-an-email' }));
		expect(email).toMatchObject({ http_status_code: 400, api_error_code: 'param_wrong_value', param: 'email' });
		// sent on purpose: the spec check recorded it (stop() would fail on it otherwise)
		expect(sandbox.takeDeviations()).toEqual([expect.objectContaining({ kind: 'request', where: 'POST /api/v2/customers (customer.create)', problems: ['email: Invalid email address'] })]);
	});

	it('rejects a wrong API key with 401 and a read-only key on writes with 403', async () => {
		const bad = await sdkError(sdk('wrong-key').customer.list());
		expect(bad).toMatchObject({ http_status_code: 401, api_error_code: 'api_authentication_failed' });

		await sandbox.stop();
		sandbox = await new ChargebeeSandbox({ readOnlyApiKeys: ['test_readonly_key_0001'], customersHaveCard: true }).start();
		chargebee = sdk();
		const readOnly = sdk('test_readonly_key_0001');
		await expect(readOnly.customer.list()).resolves.toHaveProperty('list');
		const denied = await sdkError(readOnly.customer.create({ id: 'x' }));
		expect(denied).toMatchObject({ http_status_code: 403, api_error_code: 'api_authorization_failed' });
	});
});

describe('subscription create_with_items / retrieve through the official SDK', () => {
	beforeEach(async () => {
		await chargebee.customer.create({ id: 'kommo-lead-7', email: 'buyer@example.com', cf_kommo_lead_id: '7' } as never);
	});

	it('creates a subscription for items, invoices and charges it, and retrieves it', async () => {
		const result = await chargebee.subscription.createWithItems('kommo-lead-7', {
			id: 'kommo-lead-7-sub',
			subscription_items: [
				{ item_price_id: 'pro-USD-monthly', quantity: 2, unit_price: 2500, billing_cycles: 12 },
				{ item_price_id: 'seats-USD-monthly', quantity: 3 },
			],
			meta_data: { kommo_lead_id: 7 },
		});
		const sub = result.subscription;
		expect(sub).toMatchObject({
			id: 'kommo-lead-7-sub',
			customer_id: 'kommo-lead-7',
			status: 'active',
			currency_code: 'USD',
			billing_period: 1,
			billing_period_unit: 'month',
			meta_data: { kommo_lead_id: 7 },
		});
		expect(sub.subscription_items).toEqual([
			expect.objectContaining({ item_price_id: 'pro-USD-monthly', item_type: 'plan', quantity: 2, unit_price: 2500, amount: 5000, billing_cycles: 12 }),
			expect.objectContaining({ item_price_id: 'seats-USD-monthly', item_type: 'addon', quantity: 3, unit_price: 500, amount: 1500 }),
		]);
		expect(result.customer.id).toBe('kommo-lead-7');
		expect(result.invoice).toMatchObject({ subscription_id: 'kommo-lead-7-sub', total: 6500, currency_code: 'USD', status: 'paid' });

		const wire = new URLSearchParams(sandbox.requestsTo('POST', '/api/v2/customers/kommo-lead-7/subscription_for_items')[0].rawBody.toString('utf8'));
		expect(wire.get('subscription_items[item_price_id][0]')).toBe('pro-USD-monthly');
		expect(wire.get('subscription_items[quantity][1]')).toBe('3');
		expect(wire.get('subscription_items[billing_cycles][0]')).toBe('12');

		const retrieved = await chargebee.subscription.retrieve('kommo-lead-7-sub');
		expect(retrieved.subscription.id).toBe('kommo-lead-7-sub');
		expect(retrieved.customer.id).toBe('kommo-lead-7');

		// What real Chargebee emits for this, in order.
		expect(sandbox.events.map((e) => e.event_type)).toEqual([
			'customer_created',
			'subscription_created',
			'invoice_generated',
			'payment_succeeded',
		]);
		const listed = await chargebee.event.list({ event_type: { is: 'payment_succeeded' } } as never);
		expect(listed.list).toHaveLength(1);
		const event = await chargebee.event.retrieve(listed.list[0].event.id);
		expect(event.event.content).toHaveProperty('transaction.amount', 6500);
	});

	it('replays a request with the same chargebee-idempotency-key instead of creating twice', async () => {
		const input = { subscription_items: [{ item_price_id: 'pro-USD-monthly' }] };
		const key = { 'chargebee-idempotency-key': 'won-lead-7' };
		const first = await chargebee.subscription.createWithItems('kommo-lead-7', input, key);
		const second = await chargebee.subscription.createWithItems('kommo-lead-7', input, key);
		expect(first.isIdempotencyReplayed).toBe(false);
		expect(String(second.isIdempotencyReplayed)).toBe('true');
		expect(second.subscription.id).toBe(first.subscription.id);
		expect(sandbox.subscriptions.size).toBe(1);

		// Kept 30 minutes, then the key is forgotten.
		sandbox.advanceClock(31 * 60 * 1000);
		const third = await chargebee.subscription.createWithItems('kommo-lead-7', input, key);
		expect(third.isIdempotencyReplayed).toBe(false);
		expect(sandbox.subscriptions.size).toBe(2);
	});

	it('rejects an unknown item price and a subscription without a plan', async () => {
		const unknown = await sdkError(
			chargebee.subscription.createWithItems('kommo-lead-7', { subscription_items: [{ item_price_id: 'nope' }] }),
		);
		expect(unknown).toMatchObject({ http_status_code: 404, api_error_code: 'resource_not_found', param: 'subscription_items[item_price_id][0]' });
		const noPlan = await sdkError(
			chargebee.subscription.createWithItems('kommo-lead-7', { subscription_items: [{ item_price_id: 'seats-USD-monthly' }] }),
		);
		expect(noPlan).toMatchObject({ http_status_code: 400, api_error_code: 'param_wrong_value' });
	});

	it('cancels for items and changes items', async () => {
		await chargebee.subscription.createWithItems('kommo-lead-7', { id: 's1', subscription_items: [{ item_price_id: 'pro-USD-monthly' }] });
		const changed = await chargebee.subscription.updateForItems('s1', {
			subscription_items: [{ item_price_id: 'enterprise-USD-monthly', quantity: 1 }],
		});
		expect(changed.subscription.subscription_items?.[0]).toMatchObject({ item_price_id: 'enterprise-USD-monthly', item_type: 'plan' });
		const cancelled = await chargebee.subscription.cancelForItems('s1', { end_of_term: false, cancel_reason_code: 'Too expensive' });
		expect(cancelled.subscription).toMatchObject({ status: 'cancelled', cancel_reason_code: 'Too expensive' });
		const again = await sdkError(chargebee.subscription.cancelForItems('s1', {}));
		expect(again).toMatchObject({ http_status_code: 400, api_error_code: 'invalid_state_for_request' });
	});
});

describe('item prices, invoices and limits through the official SDK', () => {
	it('pages item prices with limit/next_offset and filters', async () => {
		const first = await chargebee.itemPrice.list({ limit: 2, item_type: { is: 'plan' } } as never);
		expect(first.list).toHaveLength(2);
		expect(first.next_offset).toBeDefined();
		const second = await chargebee.itemPrice.list({ limit: 100, offset: first.next_offset, item_type: { is: 'plan' } } as never);
		const ids = [...first.list, ...second.list].map((e) => e.item_price.id);
		expect(ids).toContain('basic-JPY-monthly');
		expect(ids).not.toContain('seats-USD-monthly');
		expect(second.next_offset).toBeUndefined();
	});

	it('returns a short-lived PDF download URL for an invoice', async () => {
		await chargebee.customer.create({ id: 'c1' });
		const created = await chargebee.subscription.createWithItems('c1', { subscription_items: [{ item_price_id: 'pro-USD-monthly' }] });
		const pdf = await chargebee.invoice.pdf(created.invoice!.id, { disposition_type: 'inline' });
		expect(pdf.download).toMatchObject({ mime_type: 'application/pdf' });
		expect(pdf.download.valid_till).toBeGreaterThan(Date.now() / 1000);
		const file = await fetch(pdf.download.download_url);
		expect(file.status).toBe(200);
		expect(file.headers.get('content-type')).toBe('application/pdf');
	});

	it('answers 429 with Retry-After once the per-minute limit is used up', async () => {
		sandbox.requestsPerMinute = 2;
		await chargebee.itemPrice.list();
		await chargebee.itemPrice.list();
		const limited = await sdkError(chargebee.itemPrice.list());
		expect(limited).toMatchObject({ http_status_code: 429, api_error_code: 'api_request_limit_exceeded' });
		expect(Number((limited.headers as Record<string, string>)['retry-after'])).toBeGreaterThan(0);
		sandbox.requestsPerMinute = 150;
	});
});

describe('webhook endpoints through the official SDK, delivery checked by the SDK webhook handler', () => {
	let receiver: Server;
	let receiverUrl: string;
	const received: Array<{ type: string; id: string }> = [];
	const rejected: string[] = [];

	beforeAll(async () => {
		const handler = chargebee.webhooks.createHandler({
			requestValidator: basicAuthValidator((u, p) => u === 'cb-user' && p === 'cb-pass-123'),
		});
		type Res = ServerResponse;
		const done = (res: Res | undefined, status: number) => {
			if (res && !res.headersSent) res.writeHead(status).end();
		};
		// No listener for specific types: every event reaches 'unhandled_event'.
		handler.on('unhandled_event', ({ event, response }) => {
			received.push({ type: String(event.event_type), id: event.id });
			done(response as Res, 200);
		});
		handler.on('error', (error, { response }) => {
			rejected.push(error instanceof WebhookAuthenticationError ? 'auth' : String(error));
			done(response as Res, 401);
		});
		receiver = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const body = Buffer.concat(chunks).toString('utf8');
				void handler.handle({ body, headers: req.headers as Record<string, string>, response: res });
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
		receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/chargebee`;
	});
	afterAll(async () => new Promise<void>((resolve) => receiver.close(() => resolve())));

	it('creates, lists, retrieves and deletes an endpoint; the Basic-auth pair is write-only', async () => {
		const created = await chargebee.webhookEndpoint.create({
			name: 'n8n contract',
			url: receiverUrl,
			api_version: 'v2',
			basic_auth_username: 'cb-user',
			basic_auth_password: 'cb-pass-123',
			enabled_events: ['payment_succeeded', 'subscription_cancelled'],
		});
		const endpoint = created.webhook_endpoint;
		expect(endpoint).toMatchObject({ name: 'n8n contract', url: receiverUrl, api_version: 'v2', disabled: false });
		expect(endpoint.enabled_events).toEqual(['payment_succeeded', 'subscription_cancelled']);
		expect(JSON.stringify(endpoint)).not.toContain('cb-pass-123');
		const wire = new URLSearchParams(sandbox.requestsTo('POST', '/api/v2/webhook_endpoints')[0].rawBody.toString('utf8'));
		expect(wire.get('enabled_events[1]')).toBe('subscription_cancelled');

		expect((await chargebee.webhookEndpoint.list()).list.map((e) => e.webhook_endpoint.id)).toEqual([endpoint.id]);
		expect((await chargebee.webhookEndpoint.retrieve(endpoint.id)).webhook_endpoint.url).toBe(receiverUrl);

		// Deliveries with the endpoint's pair pass the SDK's own Basic-auth validator, and only enabled events go out.
		await chargebee.customer.create({ id: 'c9' });
		await chargebee.subscription.createWithItems('c9', { id: 's9', subscription_items: [{ item_price_id: 'pro-USD-monthly' }] });
		await sandbox.settle();
		expect(received.map((r) => r.type)).toEqual(['payment_succeeded']);
		await sandbox.simulateCancellation('s9');
		expect(received.map((r) => r.type)).toEqual(['payment_succeeded', 'subscription_cancelled']);
		expect(rejected).toEqual([]);

		// A changed password: the SDK handler refuses, the sandbox records the failure.
		await chargebee.webhookEndpoint.update(endpoint.id, { basic_auth_username: 'cb-user', basic_auth_password: 'other' });
		await chargebee.customer.create({ id: 'c10' });
		await chargebee.subscription.createWithItems('c10', { id: 's10', subscription_items: [{ item_price_id: 'pro-USD-monthly' }] });
		await sandbox.settle();
		expect(rejected).toEqual(['auth']);
		expect(sandbox.deliveries[sandbox.deliveries.length - 1]).toMatchObject({ status: 401, eventType: 'payment_succeeded' });

		const deleted = await chargebee.webhookEndpoint.delete(endpoint.id);
		expect(deleted.webhook_endpoint.id).toBe(endpoint.id);
		expect((await chargebee.webhookEndpoint.list()).list).toEqual([]);
		const gone = await sdkError(chargebee.webhookEndpoint.retrieve(endpoint.id));
		expect(gone).toMatchObject({ http_status_code: 404, api_error_code: 'resource_not_found' });
	});

	it('rejects an unknown event type in enabled_events', async () => {
		const error = await sdkError(
			chargebee.webhookEndpoint.create({ name: 'x', url: receiverUrl, enabled_events: ['no_such_event' as never] }),
		);
		expect(error).toMatchObject({ http_status_code: 400, param: 'enabled_events[0]' });
		// sent on purpose: the SDK's request schema refused the event name, and the check recorded it
		const [deviation, ...more] = sandbox.takeDeviations();
		expect(more).toEqual([]);
		expect(deviation).toMatchObject({ kind: 'request', where: 'POST /api/v2/webhook_endpoints (webhookEndpoint.create)' });
		expect(deviation.problems[0]).toMatch(/^enabled_events\[0\]: Invalid option/);
	});
});

describe('issue #18 endpoints through the official SDK', () => {
	async function customerWithSubscription(autoCollection: 'on' | 'off' = 'on') {
		await chargebee.customer.create({ id: 'c-18', email: 'c18@example.com', auto_collection: autoCollection } as never);
		const created = await chargebee.subscription.createWithItems('c-18', { id: 's-18', subscription_items: [{ item_price_id: 'pro-USD-monthly' }] } as never);
		return created as unknown as Record<string, Record<string, unknown>>;
	}

	it('pause, resume, cancel and reactivate a subscription', async () => {
		await customerWithSubscription();
		const paused = await chargebee.subscription.pause('s-18', { pause_option: 'immediately' } as never);
		expect(paused.subscription).toMatchObject({ id: 's-18', status: 'paused' });
		const resumed = await chargebee.subscription.resume('s-18', { resume_option: 'immediately' } as never);
		expect(resumed.subscription.status).toBe('active');
		await chargebee.subscription.cancelForItems('s-18', { end_of_term: false } as never);
		const back = await chargebee.subscription.reactivate('s-18', { invoice_immediately: true } as never);
		expect(back.subscription.status).toBe('active');
		expect(back.invoice).toMatchObject({ status: 'paid' });
		const error = await sdkError(chargebee.subscription.resume('s-18', { resume_option: 'immediately' } as never));
		expect(error).toMatchObject({ api_error_code: 'invalid_state_for_request', http_status_code: 400 });
	});

	it('record an offline payment, list a customer\'s invoices, create / list / retrieve credit notes', async () => {
		const created = await customerWithSubscription('off');
		const invoiceId = String(created.invoice.id);
		const listed = await chargebee.invoice.list({ customer_id: { is: 'c-18' }, 'sort_by[desc]': 'date' } as never);
		expect(listed.list.map((e) => e.invoice.id)).toEqual([invoiceId]);
		const paid = await chargebee.invoice.recordPayment(invoiceId, { transaction: { payment_method: 'bank_transfer', amount: 3000, reference_number: 'R-1' } } as never);
		expect(paid.invoice.status).toBe('paid');
		expect(paid.transaction).toMatchObject({ gateway: 'not_applicable', payment_method: 'bank_transfer', amount: 3000 });
		const note = await chargebee.creditNote.create({ reference_invoice_id: invoiceId, type: 'refundable', total: 1000, create_reason_code: 'Goodwill' } as never);
		expect(note.credit_note).toMatchObject({ type: 'refundable', status: 'refund_due', total: 1000 });
		const notes = await chargebee.creditNote.list({ customer_id: { is: 'c-18' } } as never);
		expect(notes.list.map((e) => e.credit_note.id)).toEqual([note.credit_note.id]);
		const again = await chargebee.creditNote.retrieve(note.credit_note.id);
		expect(again.credit_note.reference_invoice_id).toBe(invoiceId);
	});

	it('portal session, payment-method page and events since a time', async () => {
		await customerWithSubscription();
		const portal = await chargebee.portalSession.create({ customer: { id: 'c-18' }, redirect_url: 'https://example.com/out' } as never);
		expect(portal.portal_session).toMatchObject({ customer_id: 'c-18', status: 'created' });
		const page = await chargebee.hostedPage.managePaymentSources({ customer: { id: 'c-18' } } as never);
		expect(page.hosted_page).toMatchObject({ type: 'manage_payment_sources', state: 'created' });
		const events = await chargebee.event.list({ occurred_at: { after: String(sandbox.now() - 60) }, event_type: { in: ['subscription_created', 'customer_created'] }, 'sort_by[asc]': 'occurred_at' } as never);
		expect(events.list.map((e) => e.event.event_type)).toEqual(['customer_created', 'subscription_created']);
	});
});
