/**
 * Contract checks for the Paddle sandbox and our signature code:
 *  1. the official @paddle/paddle-node-sdk, pointed at the sandbox, creates
 *     and lists customers and creates transactions (and reads our errors);
 *  2. the SDK's webhook verification accepts what we (and the sandbox) sign,
 *     and our verifier accepts what the SDK's own HMAC code signs;
 *  3. requests our node sends and responses / events the sandbox returns
 *     validate against Paddle's OpenAPI spec.
 */
import { ApiError, Environment, EventName, Paddle } from '@paddle/paddle-node-sdk';
import type { IDataObject } from 'n8n-workflow';

import { buildSignatureHeader, verifyPaddleSignature } from '../../../nodes/PaddleBilling/trigger/verify';
import { PaddleSandbox, SANDBOX_API_KEY } from '../../../dev/sandbox/paddle';
import { items, runner, useSandbox } from './helpers';
import { PaddleSpec } from './openapi';

jest.setTimeout(60_000);

// The SDK's own HMAC implementation (not exported; loaded by file path).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { NodeCrypto } = require(
	require.resolve('@paddle/paddle-node-sdk').replace(/index\.cjs\.node\.js$/, 'internal/providers/crypto/node-crypto.js'),
) as { NodeCrypto: new () => { computeHmac(payload: string, secret: string): Promise<string> } };

let sandbox: PaddleSandbox;
let paddle: Paddle;
let spec: PaddleSpec;
const node = runner(() => sandbox);

useSandbox({ subscriptionDelayMs: 0, started: (s) => (sandbox = s) });
beforeAll(() => {
	// `environment` takes a base URL as well as "sandbox" / "production".
	paddle = new Paddle(SANDBOX_API_KEY, { environment: sandbox.url as Environment });
	spec = new PaddleSpec();
});

describe('the official Node SDK against the sandbox', () => {
	it('creates a customer (custom_data kept as sent) and lists it by email', async () => {
		const created = await paddle.customers.create({ email: 'sdk@example.com', name: 'SDK User', customData: { kommo_lead_id: 12 } });
		expect(created.id).toMatch(/^ctm_[a-z\d]{26}$/);
		expect(created.customData).toEqual({ kommo_lead_id: 12 });
		expect(created.status).toBe('active');
		expect(sandbox.requestsTo('POST', '/customers')[0].headers.authorization).toBe(`bearer ${SANDBOX_API_KEY}`);

		sandbox.addCustomer({ email: 'other@example.com' });
		const page = await paddle.customers.list({ email: ['sdk@example.com'] }).next();
		expect(page.map((c) => c.id)).toEqual([created.id]);
		const everyone: string[] = [];
		for await (const customer of paddle.customers.list({ perPage: 1 })) everyone.push(customer.email);
		expect(everyone.sort()).toEqual(['other@example.com', 'sdk@example.com']);
	});

	it("surfaces the sandbox's 409 as the SDK's ApiError with Paddle's code and the existing id", async () => {
		const existing = sandbox.addCustomer({ email: 'taken@example.com' });
		const error = await paddle.customers.create({ email: 'taken@example.com' }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ApiError);
		expect((error as ApiError).code).toBe('customer_already_exists');
		expect((error as ApiError).detail).toBe(`customer email conflicts with customer of id ${existing.id as string}`);
		expect((error as ApiError).type).toBe('request_error');
	});

	it('creates a manual (invoice) and an automatic (checkout) transaction', async () => {
		const customer = await paddle.customers.create({ email: 'buyer@example.com', name: 'Buyer' });
		const address = await paddle.addresses.create(customer.id, { countryCode: 'DE', postalCode: '10115' });
		const invoice = await paddle.transactions.create({
			items: [{ priceId: sandbox.seed.monthlyUsd, quantity: 2 }],
			customerId: customer.id,
			addressId: address.id,
			collectionMode: 'manual',
			billingDetails: { paymentTerms: { interval: 'day', frequency: 14 }, enableCheckout: false },
			customData: { kommo_lead_id: 77 },
		});
		expect(invoice.status).toBe('ready');
		expect(invoice.collectionMode).toBe('manual');
		expect(invoice.customData).toEqual({ kommo_lead_id: 77 });
		expect(invoice.details?.totals?.grandTotal).toBe('6000');
		expect(invoice.items[0].price?.id).toBe(sandbox.seed.monthlyUsd);
		const checkout = await paddle.transactions.create({ items: [{ priceId: sandbox.seed.monthlyUsd, quantity: 1 }] });
		expect(checkout.checkout?.url).toBe(`https://pay.example.test/checkout?_ptxn=${checkout.id}`);
		const billed = await paddle.transactions.update(invoice.id, { status: 'billed' });
		expect(billed.status).toBe('billed');
		await sandbox.settle();
		const again = await paddle.transactions.get(invoice.id);
		expect(again.subscriptionId).toMatch(/^sub_/);
		const subscription = await paddle.subscriptions.get(again.subscriptionId as string);
		expect(subscription.customData).toEqual({ kommo_lead_id: 77 });
		expect(subscription.collectionMode).toBe('manual');
	});
});

describe('signatures: the SDK and us agree in both directions', () => {
	const SECRET = 'pdl_ntfset_01hv8x2af22vrrz7k67g06x1kq_AbCdEfGhIjKlMnOpQrStUvWxYz012345';

	async function completedDelivery() {
		const setting = sandbox.createNotificationSetting({
			description: 'contract',
			type: 'url',
			destination: 'http://127.0.0.1:9/never',
			subscribed_events: ['transaction.completed', 'subscription.created'],
		});
		const customer = sandbox.createCustomer({ email: 'sig@example.com', name: 'Sig', custom_data: { kommo_lead_id: 5 } });
		const address = sandbox.createAddressFor(customer.id as string, 'US');
		const transaction = sandbox.createTransaction({
			items: [{ price_id: sandbox.seed.monthlyUsd, quantity: 1 }],
			customer_id: customer.id,
			address_id: address.id,
			custom_data: { kommo_lead_id: 5 },
		});
		sandbox.completeTransaction(transaction.id as string);
		await sandbox.settle();
		return { setting, delivery: sandbox.deliveriesOf('transaction.completed')[0] };
	}

	it('the SDK unmarshals a delivery the sandbox signed (and parses the event into its entity)', async () => {
		const { setting, delivery } = await completedDelivery();
		const event = await paddle.webhooks.unmarshal(delivery.body, setting.endpoint_secret_key as string, delivery.signature);
		expect(event.eventType).toBe(EventName.TransactionCompleted);
		expect(event.eventId).toBe(JSON.parse(delivery.body).event_id);
		expect((event.data as { customData: unknown }).customData).toEqual({ kommo_lead_id: 5 });
		await expect(paddle.webhooks.unmarshal(delivery.body, SECRET, delivery.signature)).rejects.toThrow('signature verification failed');
	});

	it('the SDK accepts what our signer produces, and rejects what ours rejects', async () => {
		const body = JSON.stringify({ event_id: 'evt_01hv8x2acma2gz7he8kg2s0hna', event_type: 'customer.updated', occurred_at: new Date().toISOString(), notification_id: 'ntf_01hv8x2af22vrrz7k67g06x1kq', data: { id: 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4', email: 'a@b.co' } });
		const now = Math.floor(Date.now() / 1000);
		const ours = buildSignatureHeader([SECRET], body, now);
		expect(await paddle.webhooks.isSignatureValid(body, SECRET, ours)).toBe(true);
		expect(verifyPaddleSignature({ rawBody: body, header: ours, secrets: [SECRET] }).valid).toBe(true);
		const stale = buildSignatureHeader([SECRET], body, now - 30);
		expect(await paddle.webhooks.isSignatureValid(body, SECRET, stale)).toBe(false);
		// The SDK's 5 s window, configured (our default is wider: Paddle may retry with the first ts).
		expect(verifyPaddleSignature({ rawBody: body, header: stale, secrets: [SECRET], toleranceSeconds: 5 }).valid).toBe(false);
		expect(await paddle.webhooks.isSignatureValid(`${body} `, SECRET, ours)).toBe(false);
		expect(verifyPaddleSignature({ rawBody: `${body} `, header: ours, secrets: [SECRET] }).valid).toBe(false);
	});

	it('our verifier accepts signatures computed by the SDK\'s own HMAC code', async () => {
		const { delivery } = await completedDelivery();
		const ts = Math.floor(Date.now() / 1000);
		const h1 = await new NodeCrypto().computeHmac(`${ts}:${delivery.body}`, SECRET);
		const header = `ts=${ts};h1=${h1}`;
		expect(await paddle.webhooks.isSignatureValid(delivery.body, SECRET, header)).toBe(true);
		expect(verifyPaddleSignature({ rawBody: Buffer.from(delivery.body), header, secrets: [SECRET] }).valid).toBe(true);
		expect(verifyPaddleSignature({ rawBody: Buffer.from(delivery.body), header, secrets: ['pdl_ntfset_other'] }).valid).toBe(false);
	});

	it('where we deliberately differ: several h1 (SDK keeps only the last) and future timestamps', async () => {
		const body = '{"event_type":"transaction.paid"}';
		const now = Math.floor(Date.now() / 1000);
		const good = buildSignatureHeader([SECRET], body, now).split(';')[1];
		const matchingFirst = `ts=${now};${good};h1=${'0'.repeat(64)}`;
		expect(await paddle.webhooks.isSignatureValid(body, SECRET, matchingFirst)).toBe(false);
		expect(verifyPaddleSignature({ rawBody: body, header: matchingFirst, secrets: [SECRET] }).valid).toBe(true);
		const future = buildSignatureHeader([SECRET], body, now + 3600);
		expect(await paddle.webhooks.isSignatureValid(body, SECRET, future)).toBe(true);
		expect(verifyPaddleSignature({ rawBody: body, header: future, secrets: [SECRET], toleranceSeconds: 60 })).toMatchObject({ valid: false, reason: 'future_timestamp' });
	});
});

describe('shapes match the OpenAPI spec', () => {
	const schema = PaddleSpec.schema;

	function expectValid(pointer: string, data: unknown) {
		expect({ pointer, errors: spec.errors(pointer, data) }).toEqual({ pointer, errors: [] });
	}

	it('the validator is not vacuous: wrong shapes fail', () => {
		expect(spec.errors(schema('customer'), { id: 'cus_123', email: 'x@example.com' })).not.toEqual([]);
		expect(spec.errors(schema('transaction-create'), { collection_mode: 'manual' })).not.toEqual([]);
		expect(spec.errors(schema('subscription-update'), { proration_billing_mode: 'sometimes' })).not.toEqual([]);
		expect(spec.errors(schema('error'), { error: { type: 'oops', code: 'x', detail: 'y' } })).not.toEqual([]);
	});

	it("the node's requests", async () => {
		const customer = await node.one({ resource: 'customer', operation: 'findOrCreate', email: 'spec@example.com', name: 'Spec', kommoLeadId: '3' });
		await node.one({ resource: 'customer', operation: 'update', customerId: customer.id as string, updateFields: { locale: 'de', kommoLeadId: '4' } });
		const address = await node.one({ resource: 'address', operation: 'create', customerId: customer.id as string, countryCode: 'US', additionalFields: { postal_code: '10001', region: 'NY' } });
		await node.one({ resource: 'business', operation: 'create', customerId: customer.id as string, businessName: 'Spec Inc', additionalFields: { contactEmails: 'ap@example.com', tax_identifier: 'US1' } });
		const invoice = await node.one({
			resource: 'subscription',
			operation: 'createByInvoice',
			customerId: customer.id as string,
			addressId: address.id as string,
			items: items([sandbox.seed.monthlyUsd, 1]),
			kommoLeadId: '3',
			additionalFields: { purchaseOrderNumber: 'PO-1', additionalInformation: 'Thanks', enableCheckout: true },
		});
		await node.one({ resource: 'subscription', operation: 'createCheckoutLink', customerId: customer.id as string, items: items([sandbox.seed.yearlyUsd, 1]), kommoLeadId: '3' });
		const sub = invoice.subscription_id as string;
		await node.one({ resource: 'subscription', operation: 'changeItems', subscriptionId: sub, items: items([sandbox.seed.yearlyUsd, 2]), prorationBillingMode: 'full_next_billing_period' });
		await node.one({ resource: 'subscription', operation: 'pause', subscriptionId: sub, effectiveFrom: 'immediately', resumeAt: '2031-01-01T00:00:00Z' });
		await node.one({ resource: 'subscription', operation: 'resume', subscriptionId: sub });
		await node.one({ resource: 'subscription', operation: 'cancel', subscriptionId: sub, effectiveFrom: 'next_billing_period' });

		const checks: Array<[string, string, string]> = [
			['POST', '/customers', PaddleSpec.request('/customers', 'post')],
			['PATCH', '/customers/', PaddleSpec.request('/customers/{customer_id}', 'patch')],
			['POST', '/addresses', PaddleSpec.request('/customers/{customer_id}/addresses', 'post')],
			['POST', '/businesses', PaddleSpec.request('/customers/{customer_id}/businesses', 'post')],
			['POST', '/transactions', PaddleSpec.request('/transactions', 'post')],
			['PATCH', '/transactions/', PaddleSpec.request('/transactions/{transaction_id}', 'patch')],
			['PATCH', '/subscriptions/', PaddleSpec.request('/subscriptions/{subscription_id}', 'patch')],
			['POST', '/pause', PaddleSpec.request('/subscriptions/{subscription_id}/pause', 'post')],
			['POST', '/resume', PaddleSpec.request('/subscriptions/{subscription_id}/resume', 'post')],
			['POST', '/cancel', PaddleSpec.request('/subscriptions/{subscription_id}/cancel', 'post')],
		];
		for (const [method, fragment, pointer] of checks) {
			const sent = sandbox.requests.filter((r) => r.method === method && r.path.includes(fragment) && (fragment !== '/customers' || r.path === '/customers'));
			expect({ fragment, count: sent.length > 0 }).toEqual({ fragment, count: true });
			for (const request of sent) expectValid(pointer, request.body);
		}
	});

	it("the sandbox's responses and error envelope", async () => {
		const customer = await paddle.customers.create({ email: 'r@example.com', name: 'R' });
		const raw = async (method: string, path: string, body?: unknown) => {
			const response = await fetch(`${sandbox.url}${path}`, {
				method,
				headers: { authorization: `Bearer ${SANDBOX_API_KEY}`, 'content-type': 'application/json' },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			return { status: response.status, body: response.status === 204 ? null : ((await response.json()) as IDataObject) };
		};
		expectValid(PaddleSpec.response('/customers/{customer_id}', 'get', '200'), (await raw('GET', `/customers/${customer.id}`)).body);
		expectValid(PaddleSpec.response('/customers', 'get', '200'), (await raw('GET', '/customers')).body);
		const address = await raw('POST', `/customers/${customer.id}/addresses`, { country_code: 'FR', city: 'Paris' });
		expectValid(PaddleSpec.response('/customers/{customer_id}/addresses', 'post', '201'), address.body);
		const business = await raw('POST', `/customers/${customer.id}/businesses`, { name: 'R SARL', contacts: [{ name: 'AP', email: 'ap@r.fr' }] });
		expectValid(PaddleSpec.response('/customers/{customer_id}/businesses', 'post', '201'), business.body);
		expectValid(PaddleSpec.response('/prices', 'get', '200'), (await raw('GET', '/prices?include=product')).body);
		const txn = await raw('POST', '/transactions', {
			items: [{ price_id: sandbox.seed.monthlyUsd, quantity: 1 }, { price_id: sandbox.seed.setupFeeUsd, quantity: 1 }],
			customer_id: customer.id,
			address_id: (address.body?.data as IDataObject).id,
			business_id: (business.body?.data as IDataObject).id,
			collection_mode: 'manual',
			billing_details: { payment_terms: { interval: 'month', frequency: 1 } },
		});
		expect(txn.status).toBe(201);
		expectValid(PaddleSpec.response('/transactions', 'post', '201'), txn.body);
		const id = (txn.body?.data as IDataObject).id as string;
		expectValid(PaddleSpec.response('/transactions/{transaction_id}', 'patch', '200'), (await raw('PATCH', `/transactions/${id}`, { status: 'billed' })).body);
		await sandbox.settle();
		expectValid(PaddleSpec.response('/transactions', 'get', '200'), (await raw('GET', `/transactions?customer_id=${customer.id}`)).body);
		const subId = sandbox.transactions.get(id)?.subscription_id as string;
		expectValid(PaddleSpec.response('/subscriptions/{subscription_id}', 'get', '200'), (await raw('GET', `/subscriptions/${subId}`)).body);
		expectValid(PaddleSpec.response('/subscriptions/{subscription_id}/pause', 'post', '200'), (await raw('POST', `/subscriptions/${subId}/pause`, { effective_from: 'next_billing_period' })).body);
		const setting = await raw('POST', '/notification-settings', { description: 'd', type: 'url', destination: 'http://127.0.0.1:9/x', subscribed_events: ['transaction.completed'] });
		expectValid(PaddleSpec.response('/notification-settings', 'post', '201'), setting.body);
		expect((setting.body?.data as IDataObject).endpoint_secret_key).toMatch(/^pdl_ntfset_[a-zA-Z0-9]{26}_[a-zA-Z0-9]{32}$/);
		expectValid(PaddleSpec.response('/notification-settings', 'get', '200'), (await raw('GET', '/notification-settings')).body);

		sandbox.tolerateInvalidRequests = true; // `items: []` below is invalid on purpose
		const errors = [
			await raw('POST', '/customers', { email: 'r@example.com' }),
			await raw('GET', '/customers/ctm_01aaaaaaaaaaaaaaaaaaaaaaaa'),
			await raw('POST', '/transactions', { items: [] }),
			await raw('PATCH', `/subscriptions/${subId}`, { items: [{ price_id: sandbox.seed.yearlyUsd, quantity: 1 }] }),
		];
		expect(errors.map((e) => e.status)).toEqual([409, 404, 400, 400]);
		for (const e of errors) expectValid(schema('error'), e.body);
		expect((errors[3].body?.error as IDataObject).code).toBe('subscription_items_update_missing_proration_billing_mode');
		const unauthenticated = await fetch(`${sandbox.url}/customers`);
		expect(unauthenticated.status).toBe(403);
		expectValid(schema('error'), await unauthenticated.json());
	});

	it('every event the sandbox emits matches its event schema', async () => {
		sandbox.createNotificationSetting({ description: 'all', type: 'url', destination: 'http://127.0.0.1:9/all', subscribed_events: ['customer.created'] });
		const customer = sandbox.createCustomer({ email: 'ev@example.com', name: 'Ev', custom_data: { kommo_lead_id: 1 } });
		const address = sandbox.createAddressFor(customer.id as string, 'US');
		const manual = sandbox.createTransaction({
			items: [{ price_id: sandbox.seed.monthlyUsd, quantity: 1 }],
			customer_id: customer.id,
			address_id: address.id,
			collection_mode: 'manual',
			billing_details: { payment_terms: { interval: 'day', frequency: 7 } },
			status: 'billed',
		});
		await sandbox.settle();
		const card = sandbox.createTransaction({ items: [{ price_id: sandbox.seed.yearlyUsd, quantity: 1 }], customer_id: customer.id, address_id: address.id });
		sandbox.failPayment(card.id as string);
		sandbox.completeTransaction(card.id as string);
		sandbox.markPastDue(manual.id as string);
		const subId = sandbox.transactions.get(card.id as string)?.subscription_id as string;
		sandbox.pauseSubscription(subId, { effective_from: 'immediately' });
		sandbox.resumeSubscription(subId, {});
		sandbox.cancelSubscription(subId, { effective_from: 'immediately' });
		sandbox.updateCustomer(customer.id as string, { name: 'Eve' });
		await sandbox.settle();

		const types = new Set(sandbox.events.map((e) => e.event_type));
		for (const t of ['transaction.completed', 'transaction.paid', 'transaction.payment_failed', 'transaction.past_due', 'transaction.billed', 'subscription.created', 'subscription.paused', 'subscription.resumed', 'subscription.canceled', 'subscription.past_due', 'customer.updated']) {
			expect(types).toContain(t);
		}
		for (const event of sandbox.events) {
			const wire = JSON.parse(sandbox.notificationBody(event, 'ntf_01hv8x2af22vrrz7k67g06x1kq'));
			const name = spec.doc.components.schemas[event.event_type] ? event.event_type : 'event';
			expectValid(schema(name), wire);
		}
	});
});
