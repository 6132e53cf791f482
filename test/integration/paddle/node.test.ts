/**
 * Every Paddle Billing operation, run in a real n8n-core ExecuteContext
 * against the Paddle sandbox.
 */
import type { IDataObject } from 'n8n-workflow';

import { executeNode } from '../../helpers/n8n-context';
import { PaddleSandbox, SANDBOX_API_KEY } from '../../../dev/sandbox/paddle';
import { items, runner, useSandbox } from './helpers';

jest.setTimeout(30_000);

let sandbox: PaddleSandbox;
const node = runner(() => sandbox);

useSandbox({ subscriptionDelayMs: 30, started: (s) => (sandbox = s) });

function customerWithAddress(name: string | null = 'Ada Lovelace') {
	const customer = sandbox.addCustomer({ email: `ada+${Math.random().toString(36).slice(2)}@example.com`, name });
	const address = sandbox.createAddressFor(customer.id as string, 'GB');
	return { customerId: customer.id as string, addressId: address.id as string };
}

describe('Customer', () => {
	it('creates a customer with the Kommo lead id in custom_data', async () => {
		const out = await node.one({
			resource: 'customer',
			operation: 'create',
			email: 'ada@example.com',
			name: 'Ada Lovelace',
			kommoLeadId: '4242',
			customData: '{"source": "kommo"}',
		});
		expect(out.id).toMatch(/^ctm_[a-z\d]{26}$/);
		expect(out.custom_data).toEqual({ source: 'kommo', kommo_lead_id: 4242 });
		const [post] = sandbox.requestsTo('POST', '/customers');
		expect(post.body).toEqual({ email: 'ada@example.com', name: 'Ada Lovelace', custom_data: { source: 'kommo', kommo_lead_id: 4242 } });
		expect(post.headers.authorization).toBe(`Bearer ${SANDBOX_API_KEY}`);
	});

	it('reports a duplicate email as Paddle does (409 customer_already_exists) and continues on fail', async () => {
		const existing = sandbox.addCustomer({ email: 'dup@example.com', name: 'Dup' });
		const params = { resource: 'customer', operation: 'create', email: 'DUP@example.com' };
		const error = await node.error(params);
		expect(error.message).toContain('Paddle 409 (customer_already_exists)');
		expect(error.message).toContain(existing.id as string);
		const [item] = await node.run(params, { continueOnFail: true });
		expect(item.error).toContain('customer_already_exists');
	});

	it('recovers a create whose response was lost by looking the email up (no second POST)', async () => {
		sandbox.faults.push({ method: 'POST', path: '/customers', drop: true, afterEffect: true, times: 1 });
		const out = await node.one({ resource: 'customer', operation: 'create', email: 'lost@example.com' });
		expect(out.email).toBe('lost@example.com');
		expect(sandbox.requestsTo('POST', '/customers')).toHaveLength(1);
		expect(sandbox.customers.size).toBe(1);
	});

	it('rejects an invalid email before calling Paddle', async () => {
		const error = await node.error({ resource: 'customer', operation: 'create', email: 'not-an-email' });
		expect(error.message).toContain('Email "not-an-email" is not a valid email address');
		expect(sandbox.requests).toHaveLength(0);
	});

	it('gets a customer, and names the missing id in a 404', async () => {
		const customer = sandbox.addCustomer({ email: 'get@example.com' });
		expect((await node.one({ resource: 'customer', operation: 'get', customerId: customer.id as string })).email).toBe('get@example.com');
		const missing = 'ctm_01aaaaaaaaaaaaaaaaaaaaaaaa';
		const error = await node.error({ resource: 'customer', operation: 'get', customerId: missing });
		expect(error.message).toBe(`Paddle 404 (not_found): Entity ${missing} not found [item 0]`);
		const bad = await node.error({ resource: 'customer', operation: 'get', customerId: '42' });
		expect(bad.message).toContain('is not a Paddle ctm_ id');
	});

	it('updates a customer, merging custom_data instead of replacing it', async () => {
		const customer = sandbox.addCustomer({ email: 'upd@example.com', custom_data: { crm: 'kommo', plan: 'basic' } });
		const out = await node.one({
			resource: 'customer',
			operation: 'update',
			customerId: customer.id as string,
			updateFields: { name: 'New Name', kommoLeadId: '77', customData: '{"plan": "pro"}' },
		});
		expect(out.name).toBe('New Name');
		expect(out.custom_data).toEqual({ crm: 'kommo', plan: 'pro', kommo_lead_id: 77 });
		const error = await node.error({ resource: 'customer', operation: 'update', customerId: customer.id as string, updateFields: {} });
		expect(error.message).toContain('Nothing to update');
	});

	it('finds a customer by exact email (case-insensitive) and outputs nothing when there is none', async () => {
		const customer = sandbox.addCustomer({ email: 'Find.Me@example.com' });
		sandbox.addCustomer({ email: 'find.me.not@example.com' });
		const found = await node.run({ resource: 'customer', operation: 'findByEmail', email: 'find.me@example.com' });
		expect(found.map((c) => c.id)).toEqual([customer.id]);
		expect(await node.run({ resource: 'customer', operation: 'findByEmail', email: 'nobody@example.com' })).toEqual([]);
	});

	describe('Find or Create', () => {
		const params = (email: string) => ({
			resource: 'customer',
			operation: 'findOrCreate',
			email,
			name: 'Grace Hopper',
			kommoLeadId: '9001',
		});

		it('creates the customer when the email is new', async () => {
			const out = await node.one(params('grace@example.com'));
			expect(out.custom_data).toEqual({ kommo_lead_id: 9001 });
			expect(sandbox.requestsTo('POST', '/customers')).toHaveLength(1);
		});

		it('looks up and creates side by side: a new email costs one round trip (the look-up finds nothing, the POST creates)', async () => {
			sandbox.latencyMs = 150;
			const out = await node.one(params('side@example.com'));
			sandbox.latencyMs = 0;
			const [get] = sandbox.requestsTo('GET', '/customers');
			const [post] = sandbox.requestsTo('POST', '/customers');
			expect(post.status).toBe(201);
			expect(out.id).toBe((sandbox.customers.values().next().value as { id: string }).id);
			// both left before either was answered (one after the other, they would be ≥ 150 ms apart)
			expect(Math.abs(post.at - get.at)).toBeLessThan(100);
		});

		it('returns the existing customer for a known email: the POST is refused (409 customer_already_exists) and the look-up is the answer, unchanged', async () => {
			const existing = sandbox.addCustomer({ email: 'grace@example.com', name: 'Grace' });
			const out = await node.one(params('grace@example.com'));
			expect(out.id).toBe(existing.id);
			expect(out.name).toBe('Grace');
			const posts = sandbox.requestsTo('POST', '/customers');
			expect(posts.map((p) => p.status)).toEqual([409]);
			expect(sandbox.requestsTo('GET', `/customers/${existing.id as string}`)).toHaveLength(0);
			expect(sandbox.customers.size).toBe(1);
		});

		it('resolves a 409 on a duplicate email to the existing customer (archived, so not listed)', async () => {
			const archived = sandbox.addCustomer({ email: 'grace@example.com', name: 'Grace', status: 'archived' });
			const out = await node.one(params('grace@example.com'));
			expect(out.id).toBe(archived.id);
			const posts = sandbox.requestsTo('POST', '/customers');
			expect(posts).toHaveLength(1);
			expect(posts[0].status).toBe(409);
			expect(sandbox.requestsTo('GET', `/customers/${archived.id as string}`)).toHaveLength(1);
		});

		it('a POST whose answer is lost (500 after it landed) is not re-posted: the email is looked up again after it', async () => {
			sandbox.faults.push({ method: 'POST', path: '/customers', status: 500, afterEffect: true, times: 1 });
			const out = await node.one(params('lost@example.com'));
			expect(out.email).toBe('lost@example.com');
			expect(sandbox.customers.size).toBe(1);
			expect(sandbox.requestsTo('POST', '/customers')).toHaveLength(1);
			expect(sandbox.requestsTo('GET', '/customers')).toHaveLength(2);
		});

		it('resolves a 409 from a concurrent creation (lookup raced) to that customer', async () => {
			const other = sandbox.addCustomer({ email: 'race@example.com', name: 'Racer' });
			sandbox.faults.push({
				method: 'GET',
				path: '/customers',
				status: 200,
				body: { data: [], meta: { request_id: 'x', pagination: { per_page: 50, next: `${sandbox.url}/customers`, has_more: false } } },
				times: 1,
			});
			const out = await node.one(params('race@example.com'));
			expect(out.id).toBe(other.id);
			expect(sandbox.customers.size).toBe(1);
		});
	});
});

describe('Address and Business', () => {
	it('creates an address for a customer, reusing an identical one on a repeated run', async () => {
		const customer = sandbox.addCustomer({ email: 'addr@example.com' });
		const params = {
			resource: 'address',
			operation: 'create',
			customerId: customer.id as string,
			countryCode: 'de',
			additionalFields: { city: 'Berlin', postal_code: '10115', first_line: 'Invalidenstr. 1' },
		};
		const first = await node.one(params);
		expect(first).toMatchObject({ country_code: 'DE', city: 'Berlin', customer_id: customer.id });
		const second = await node.one(params);
		expect(second.id).toBe(first.id);
		expect(sandbox.requestsTo('POST', `/customers/${customer.id as string}/addresses`)).toHaveLength(1);
		const error = await node.error({ ...params, countryCode: 'Germany' });
		expect(error.message).toContain('Country Code "GERMANY" is not a two-letter ISO country code');
	});

	it('creates a business for B2B invoices, reusing an identical one', async () => {
		const customer = sandbox.addCustomer({ email: 'biz@example.com' });
		const params = {
			resource: 'business',
			operation: 'create',
			customerId: customer.id as string,
			businessName: 'Analytical Engines Ltd',
			additionalFields: { tax_identifier: 'GB123456789', contactEmails: 'ap@example.com, cfo@example.com' },
		};
		const first = await node.one(params);
		expect(first).toMatchObject({
			name: 'Analytical Engines Ltd',
			tax_identifier: 'GB123456789',
			contacts: [{ email: 'ap@example.com' }, { email: 'cfo@example.com' }],
		});
		expect((await node.one(params)).id).toBe(first.id);
		expect(sandbox.businesses.size).toBe(1);
	});
});

describe('Price', () => {
	it('lists prices with a money block, filters and limits', async () => {
		const all = await node.run({ resource: 'price', operation: 'list', returnAll: true, simplify: false });
		expect(all).toHaveLength(5);
		const jpy = all.find((p) => p.id === sandbox.seed.monthlyJpy) as IDataObject;
		expect(jpy.money).toEqual({ minor: '3000', decimal: '3000', currency: 'JPY', formatted: '3000 JPY' });
		const usd = all.find((p) => p.id === sandbox.seed.monthlyUsd) as IDataObject;
		expect(usd.money).toEqual({ minor: '3000', decimal: '30.00', currency: 'USD', formatted: '30.00 USD' });
		const oneTime = await node.run({ resource: 'price', operation: 'list', returnAll: true, filters: { recurring: 'false' } });
		expect(oneTime.map((p) => p.id)).toEqual([sandbox.seed.setupFeeUsd]);
		expect(await node.run({ resource: 'price', operation: 'list', returnAll: false, limit: 2 })).toHaveLength(2);
	});

	it('follows Paddle cursor pagination', async () => {
		for (let i = 0; i < 230; i++) {
			sandbox.addPrice({ productId: sandbox.seed.productId, description: `Bulk ${i}`, amount: '100', currency: 'USD', interval: 'month' });
		}
		const all = await node.run({ resource: 'price', operation: 'list', returnAll: true });
		expect(all).toHaveLength(235);
		expect(new Set(all.map((p) => p.id)).size).toBe(235);
		expect(sandbox.requestsTo('GET', '/prices').length).toBe(2);
	});

	it('feeds the price dropdown', async () => {
		const options = await node.loadOptions('getPrices');
		expect(options).toHaveLength(5);
		expect(options).toContainEqual({
			name: 'Kommo Pro — Monthly (30.00 USD / 1 month)',
			value: sandbox.seed.monthlyUsd,
			description: sandbox.seed.monthlyUsd,
		});
		expect(options.find((o) => o.value === sandbox.seed.setupFeeUsd)?.name).toContain('one-time');
	});
});

describe('Subscription → Create by Invoice', () => {
	const params = (ids: { customerId: string; addressId: string }, extra: IDataObject = {}) => ({
		resource: 'subscription',
		operation: 'createByInvoice',
		...ids,
		items: items([sandbox.seed.monthlyUsd, 2], [sandbox.seed.setupFeeUsd, 1]),
		paymentTermsInterval: 'day',
		paymentTermsFrequency: 30,
		kommoLeadId: '555',
		waitSeconds: 5,
		additionalFields: { purchaseOrderNumber: 'PO-7' },
		...extra,
	});

	it('bills a manual transaction and returns it with the subscription Paddle creates', async () => {
		const ids = customerWithAddress();
		const out = await node.one(params(ids));
		expect(out.status).toBe('billed');
		expect(out.collection_mode).toBe('manual');
		expect(out.subscription_id).toMatch(/^sub_/);
		expect((out.subscription as IDataObject).id).toBe(out.subscription_id);
		expect((out.subscription as IDataObject).custom_data).toEqual({ kommo_lead_id: 555 });
		expect((out.subscription as IDataObject).money).toEqual({ minor: '6000', decimal: '60.00', currency: 'USD', formatted: '60.00 USD' });
		expect(out.money).toEqual({ minor: '15900', decimal: '159.00', currency: 'USD', formatted: '159.00 USD' });
		expect(out.reusedExisting).toBe(false);
		const [post] = sandbox.requestsTo('POST', '/transactions');
		expect(post.body).toMatchObject({
			collection_mode: 'manual',
			customer_id: ids.customerId,
			address_id: ids.addressId,
			billing_details: { payment_terms: { interval: 'day', frequency: 30 }, enable_checkout: false, purchase_order_number: 'PO-7' },
			custom_data: { kommo_lead_id: 555 },
			items: [
				{ price_id: sandbox.seed.monthlyUsd, quantity: 2 },
				{ price_id: sandbox.seed.setupFeeUsd, quantity: 1 },
			],
		});
		const patches = sandbox.requestsTo('PATCH', `/transactions/${out.id as string}`);
		expect(patches.map((p) => p.body)).toEqual([{ status: 'billed' }]);
		expect(sandbox.events.map((e) => e.event_type)).toContain('subscription.created');
	});

	it('does not invoice twice for the same Kommo lead (a repeated "Won")', async () => {
		const ids = customerWithAddress();
		const first = await node.one(params(ids));
		const second = await node.one(params(ids));
		expect(second.id).toBe(first.id);
		expect(second.subscription_id).toBe(first.subscription_id);
		expect(second.reusedExisting).toBe(true);
		expect(sandbox.requestsTo('POST', '/transactions')).toHaveLength(1);
		expect(sandbox.subscriptions.size).toBe(1);
	});

	it('recovers from a lost POST response by finding the lead\'s transaction (one invoice)', async () => {
		const ids = customerWithAddress();
		sandbox.faults.push({ method: 'POST', path: '/transactions', drop: true, afterEffect: true, times: 1 });
		const out = await node.one(params(ids));
		expect(out.status).toBe('billed');
		expect(sandbox.requestsTo('POST', '/transactions')).toHaveLength(1);
		expect(sandbox.transactions.size).toBe(1);
	});

	it('continues when the "billed" PATCH landed but its answer was lost', async () => {
		const ids = customerWithAddress();
		sandbox.faults.push({ method: 'PATCH', path: /^\/transactions\//, drop: true, afterEffect: true, times: 1 });
		const out = await node.one(params(ids));
		expect(out.status).toBe('billed');
		expect(out.subscription_id).toMatch(/^sub_/);
		expect(sandbox.subscriptions.size).toBe(1);
	});

	it('returns at once with Wait = 0 (subscription_id still null, the webhook brings it)', async () => {
		sandbox.subscriptionDelayMs = 300;
		const ids = customerWithAddress();
		const out = await node.one(params(ids, { waitSeconds: 0 }));
		expect(out.status).toBe('billed');
		expect(out.subscription_id).toBeNull();
		expect(out.subscription).toBeNull();
		await sandbox.settle();
		expect(sandbox.subscriptions.size).toBe(1);
	});

	it('waits for a subscription that Paddle creates a little later (bounded poll)', async () => {
		sandbox.subscriptionDelayMs = 1200;
		const ids = customerWithAddress();
		const out = await node.one(params(ids));
		expect(out.subscription_id).toMatch(/^sub_/);
		expect(sandbox.requestsTo('GET', `/transactions/${out.id as string}`).length).toBeGreaterThanOrEqual(2);
	});

	it('polls soon at first, then less often (0.15, 0.25, 0.5 s, then every second)', async () => {
		sandbox.subscriptionDelayMs = 1200;
		const ids = customerWithAddress();
		const out = await node.one(params(ids));
		const [patch] = sandbox.requestsTo('PATCH', `/transactions/${out.id as string}`);
		const polls = sandbox.requestsTo('GET', `/transactions/${out.id as string}`).map((r) => r.at - patch.at);
		// the first poll comes well before the old fixed 0.5 s; the pauses then grow
		expect(polls[0]).toBeLessThan(450);
		expect(polls[1] - polls[0]).toBeGreaterThanOrEqual(240);
		expect(polls[2] - polls[1]).toBeGreaterThanOrEqual(490);
	});

	it('explains that an invoice needs the customer name', async () => {
		const ids = customerWithAddress(null);
		const error = await node.error(params(ids));
		expect(error.message).toContain('transaction_customer_not_suitable_for_collection_mode');
		expect(error.description).toContain('has no name');
	});

	it('rejects items without a price and a wrong address id before calling Paddle', async () => {
		const ids = customerWithAddress();
		const noItems = await node.error(params(ids, { items: { item: [] } }));
		expect(noItems.message).toContain('No items');
		const badAddress = await node.error(params({ ...ids, addressId: 'ctm_01aaaaaaaaaaaaaaaaaaaaaaaa' }));
		expect(badAddress.message).toContain('"Address ID" value "ctm_01aaaaaaaaaaaaaaaaaaaaaaaa" is not a Paddle add_ id');
		expect(sandbox.requestsTo('POST', '/transactions')).toHaveLength(0);
	});
});

describe('Subscription → Create Checkout Link', () => {
	it('returns checkout.url of an automatic transaction with the lead id in custom_data', async () => {
		const ids = customerWithAddress();
		const params = {
			resource: 'subscription',
			operation: 'createCheckoutLink',
			customerId: ids.customerId,
			items: items([sandbox.seed.monthlyEur, 1]),
			kommoLeadId: '808',
			additionalFields: { addressId: ids.addressId, checkoutUrl: 'https://shop.example.com/pay' },
		};
		const out = await node.one(params);
		expect(out.collection_mode).toBe('automatic');
		expect(out.checkoutUrl).toBe(`https://shop.example.com/pay?_ptxn=${out.id as string}`);
		expect(out.custom_data).toEqual({ kommo_lead_id: 808 });
		expect(out.money).toEqual({ minor: '2900', decimal: '29.00', currency: 'EUR', formatted: '29.00 EUR' });
		const again = await node.one(params);
		expect(again.id).toBe(out.id);
		expect(again.reusedExisting).toBe(true);
		expect(sandbox.requestsTo('POST', '/transactions')).toHaveLength(1);
	});

	it('works without a customer (the buyer enters details at checkout)', async () => {
		const out = await node.one({
			resource: 'subscription',
			operation: 'createCheckoutLink',
			items: items([sandbox.seed.monthlyUsd, 1]),
		});
		expect(out.status).toBe('draft');
		expect(out.checkoutUrl).toBe(`https://pay.example.test/checkout?_ptxn=${out.id as string}`);
	});

	it("passes Paddle's error through when no default payment link is set", async () => {
		sandbox.checkoutBaseUrl = null;
		const error = await node.error({ resource: 'subscription', operation: 'createCheckoutLink', items: items([sandbox.seed.monthlyUsd, 1]) });
		expect(error.message).toContain('Paddle 400 (transaction_default_checkout_url_not_set)');
		expect(error.description).toContain('https://developer.paddle.com/errors/transactions/transaction_default_checkout_url_not_set');
	});
});

describe('Subscription lifecycle', () => {
	async function subscription(): Promise<string> {
		const ids = customerWithAddress();
		const out = await node.one({
			resource: 'subscription',
			operation: 'createByInvoice',
			...ids,
			items: items([sandbox.seed.monthlyUsd, 1]),
			kommoLeadId: '1',
			waitSeconds: 5,
		});
		return out.subscription_id as string;
	}

	it('gets a subscription with its recurring money', async () => {
		const id = await subscription();
		const out = await node.one({ resource: 'subscription', operation: 'get', subscriptionId: id, simplify: false });
		expect(out).toMatchObject({ id, status: 'active', money: { minor: '3000', currency: 'USD' } });
	});

	it('node version 1 (workflows saved before Simplify) keeps the whole subscription; 1.1 simplifies it by default', async () => {
		const id = await subscription();
		const v1 = await node.one({ resource: 'subscription', operation: 'get', subscriptionId: id }, { typeVersion: 1 });
		expect(v1).toMatchObject({ id, status: 'active', money: { minor: '3000', currency: 'USD' } });
		expect(Object.keys(v1).length).toBeGreaterThan(10);
		const v11 = await node.one({ resource: 'subscription', operation: 'get', subscriptionId: id }, { typeVersion: 1.1 });
		expect(v11).toMatchObject({ id, status: 'active' });
		expect(Object.keys(v11).length).toBeLessThanOrEqual(10);
	});

	it('cancels at the next billing period, then refuses a second scheduled change', async () => {
		const id = await subscription();
		const out = await node.one({ resource: 'subscription', operation: 'cancel', subscriptionId: id, effectiveFrom: 'next_billing_period' });
		expect(out.status).toBe('active');
		expect(out.scheduled_change).toMatchObject({ action: 'cancel' });
		expect(sandbox.requestsTo('POST', `/subscriptions/${id}/cancel`)[0].body).toEqual({ effective_from: 'next_billing_period' });
		const error = await node.error({ resource: 'subscription', operation: 'pause', subscriptionId: id, effectiveFrom: 'immediately' });
		expect(error.message).toContain('subscription_locked_pending_changes');
	});

	it('cancels immediately, and a canceled subscription cannot change', async () => {
		const id = await subscription();
		const out = await node.one({ resource: 'subscription', operation: 'cancel', subscriptionId: id, effectiveFrom: 'immediately' });
		expect(out.status).toBe('canceled');
		expect(sandbox.events.map((e) => e.event_type)).toContain('subscription.canceled');
		const error = await node.error({ resource: 'subscription', operation: 'cancel', subscriptionId: id, effectiveFrom: 'immediately' });
		expect(error.message).toContain('Paddle 400 (subscription_update_when_canceled)');
	});

	it('recovers a cancel whose answer was lost (reads the subscription instead of failing)', async () => {
		const id = await subscription();
		sandbox.faults.push({ method: 'POST', path: `/subscriptions/${id}/cancel`, drop: true, afterEffect: true, times: 1 });
		const out = await node.one({ resource: 'subscription', operation: 'cancel', subscriptionId: id, effectiveFrom: 'immediately' });
		expect(out.status).toBe('canceled');
		expect(sandbox.requestsTo('POST', `/subscriptions/${id}/cancel`)).toHaveLength(1);
	});

	it('pauses immediately and resumes', async () => {
		const id = await subscription();
		const paused = await node.one({ resource: 'subscription', operation: 'pause', subscriptionId: id, effectiveFrom: 'immediately' });
		expect(paused.status).toBe('paused');
		const resumed = await node.one({ resource: 'subscription', operation: 'resume', subscriptionId: id });
		expect(resumed.status).toBe('active');
		expect(sandbox.requestsTo('POST', `/subscriptions/${id}/resume`)[0].body).toEqual({
			effective_from: 'immediately',
			on_resume: 'start_new_billing_period',
		});
		expect(sandbox.events.map((e) => e.event_type)).toEqual(expect.arrayContaining(['subscription.paused', 'subscription.resumed']));
	});

	it('schedules a pause with a resume date and lifts it with Resume', async () => {
		const id = await subscription();
		const paused = await node.one({
			resource: 'subscription',
			operation: 'pause',
			subscriptionId: id,
			effectiveFrom: 'next_billing_period',
			resumeAt: '2031-01-01T00:00:00Z',
		});
		expect(paused.scheduled_change).toMatchObject({ action: 'pause', resume_at: '2031-01-01T00:00:00.000Z' });
		const resumed = await node.one({ resource: 'subscription', operation: 'resume', subscriptionId: id });
		expect(resumed.scheduled_change).toBeNull();
		const error = await node.error({ resource: 'subscription', operation: 'resume', subscriptionId: id });
		expect(error.message).toContain('subscription_must_be_paused');
	});

	it('changes items with a proration mode, replacing or keeping other items', async () => {
		const id = await subscription();
		const replaced = await node.one({
			resource: 'subscription',
			operation: 'changeItems',
			subscriptionId: id,
			items: items([sandbox.seed.yearlyUsd, 3]),
			prorationBillingMode: 'prorated_next_billing_period',
		});
		expect((replaced.items as IDataObject[]).map((i) => [(i.price as IDataObject).id, i.quantity])).toEqual([[sandbox.seed.yearlyUsd, 3]]);
		expect(replaced.money).toMatchObject({ minor: '90000', decimal: '900.00' });
		const [patch] = sandbox.requestsTo('PATCH', `/subscriptions/${id}`);
		expect(patch.body).toEqual({
			items: [{ price_id: sandbox.seed.yearlyUsd, quantity: 3 }],
			proration_billing_mode: 'prorated_next_billing_period',
			on_payment_failure: 'prevent_change',
		});
		const kept = await node.one({
			resource: 'subscription',
			operation: 'changeItems',
			subscriptionId: id,
			items: items([sandbox.addPrice({ productId: sandbox.seed.productId, description: 'Seats', amount: '500', currency: 'USD', interval: 'year' }).id as string, 2]),
			prorationBillingMode: 'do_not_bill',
			keepOtherItems: true,
		});
		expect((kept.items as IDataObject[]).map((i) => i.quantity)).toEqual([3, 2]);
	});
});

describe('errors and secrets', () => {
	it('names the failed item as [item N] (n8n item index) in the thrown error and in its Continue On Fail item', async () => {
		const customer = sandbox.addCustomer({ email: 'first@example.com' });
		const missing = 'ctm_01aaaaaaaaaaaaaaaaaaaaaaaa';
		const message = `Paddle 404 (not_found): Entity ${missing} not found [item 1]`;
		const params = { resource: 'customer', operation: 'get', customerId: '={{ $json.customerId }}' };
		const inputs = { items: [{ json: { customerId: customer.id as string } }, { json: { customerId: missing } }] };
		const error = (await node.error(params, inputs)) as Error & { context?: IDataObject };
		expect(error.message).toBe(message);
		expect(error.context?.itemIndex).toBe(1);
		const [out] = await executeNode(node.options(params, { ...inputs, continueOnFail: true }));
		expect(out[0].json.email).toBe('first@example.com');
		expect(out[1].json.error).toBe(message);
		expect(out[1].error?.message).toBe(message);
		expect((out[1].error as { context?: IDataObject } | undefined)?.context?.itemIndex).toBe(1);
		expect(out[1].pairedItem).toEqual({ item: 1 });
	});
	it("never shows the API key, even in Paddle's invalid_token answer", async () => {
		const secretKey = 'pdl_live_apikey_01hsecretsecretsecretsecret_TopSecretValue1234567890';
		const error = await node.error(
			{ resource: 'customer', operation: 'get', customerId: 'ctm_01aaaaaaaaaaaaaaaaaaaaaaaa' },
			{ credentials: { paddleBillingApi: { apiKey: secretKey, environment: 'custom', baseUrl: sandbox.url } } },
		);
		expect(error.message).toBe('Paddle 403 (invalid_token): Invalid or revoked API key. [item 0]');
		expect(JSON.stringify({ ...error, message: error.message, description: error.description })).not.toContain(secretKey);
	});

	it('asks for a base URL when the environment is Custom without one', async () => {
		const error = await node.error(
			{ resource: 'customer', operation: 'get', customerId: 'ctm_01aaaaaaaaaaaaaaaaaaaaaaaa' },
			{ credentials: { paddleBillingApi: { apiKey: SANDBOX_API_KEY, environment: 'custom', baseUrl: '' } } },
		);
		expect(error.message).toContain('"Base URL Override" is empty');
	});

	it('handles several input items in order, pairing each output with its input', async () => {
		const out = await node.run(
			{ resource: 'customer', operation: 'findOrCreate', email: '={{ $json.email }}' },
			{ items: [{ json: { email: 'one@example.com' } }, { json: { email: 'two@example.com' } }, { json: { email: 'one@example.com' } }] },
		);
		expect(out.map((c) => c.email)).toEqual(['one@example.com', 'two@example.com', 'one@example.com']);
		expect(out[0].id).toBe(out[2].id);
	});
});
