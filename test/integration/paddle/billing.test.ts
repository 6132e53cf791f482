/**
 * Issue #18 operations of the Paddle Billing node against the sandbox (which checks every request
 * and answer against Paddle's OpenAPI spec): transactions, adjustments, discounts, subscription
 * previews and one-time charges, Custom API Request, the resource locators' lists, Simplify.
 */
import type { IDataObject } from 'n8n-workflow';

import { items, listSearch, runner, useSandbox } from './helpers';

jest.setTimeout(30_000);

const sandbox = useSandbox();
const node = runner(sandbox);

function customerWithAddress(name: string | null = 'Ada Lovelace') {
	const customer = sandbox().addCustomer({ email: `ada+${Math.random().toString(36).slice(2)}@example.com`, name });
	const address = sandbox().createAddressFor(customer.id as string, 'GB');
	return { customerId: customer.id as string, addressId: address.id as string };
}

/** A billed invoice (manual) and, once settled, its subscription. */
async function invoicedSubscription() {
	const { customerId, addressId } = customerWithAddress();
	const txn = sandbox().createTransaction({
		items: [{ price_id: sandbox().seed.monthlyUsd, quantity: 1 }],
		customer_id: customerId,
		address_id: addressId,
		collection_mode: 'manual',
		billing_details: { payment_terms: { interval: 'day', frequency: 14 } },
		status: 'billed',
	});
	await sandbox().settle();
	return { customerId, addressId, transactionId: txn.id as string, subscriptionId: String(sandbox().transactions.get(txn.id as string)?.subscription_id) };
}

/** A card transaction the customer paid (completed). */
function completedCardTransaction() {
	const { customerId, addressId } = customerWithAddress();
	const txn = sandbox().createTransaction({ items: [{ price_id: sandbox().seed.setupFeeUsd, quantity: 2 }], customer_id: customerId, address_id: addressId });
	sandbox().completeTransaction(txn.id as string);
	return { customerId, transactionId: txn.id as string };
}

describe('Transaction', () => {
	it('creates a card transaction, gets it simplified (at most 10 fields) or whole, and lists it for the customer', async () => {
		const { customerId, addressId } = customerWithAddress();
		const created = await node.one({
			resource: 'transaction',
			operation: 'create',
			customerId: { __rl: true, mode: 'id', value: customerId },
			items: items([sandbox().seed.monthlyUsd, 2]),
			collectionMode: 'automatic',
			kommoLeadId: '77',
			additionalFields: { addressId },
		});
		expect(created.id).toMatch(/^txn_/);
		expect((created.checkout as IDataObject).url).toContain('_ptxn=');
		expect((created.money as IDataObject).formatted).toBe('60.00 USD');

		const simple = await node.one({ resource: 'transaction', operation: 'get', transactionId: created.id as string });
		expect(Object.keys(simple).length).toBeLessThanOrEqual(10);
		expect(simple).toMatchObject({ id: created.id, status: 'ready', customer_id: customerId, grand_total: '60.00', currency_code: 'USD' });
		const whole = await node.one({ resource: 'transaction', operation: 'get', transactionId: created.id as string, simplify: false });
		expect(whole.details).toBeDefined();

		const listed = await node.run({ resource: 'transaction', operation: 'getAll', returnAll: true, filters: { customerId, status: ['ready'] } });
		expect(listed.map((t) => t.id)).toEqual([created.id]);
		expect(sandbox().requestsTo('GET', '/transactions')[0].query).toMatchObject({ customer_id: customerId, status: 'ready', per_page: '30' });
	});

	it('previews totals without creating a transaction', async () => {
		const before = sandbox().transactions.size;
		const preview = await node.one({
			resource: 'transaction',
			operation: 'preview',
			items: items([sandbox().seed.monthlyUsd, 1], [sandbox().seed.setupFeeUsd, 1]),
			additionalFields: { countryCode: 'de', postalCode: '10115' },
		});
		expect((preview.money as IDataObject).formatted).toBe('129.00 USD');
		expect(preview.id).toBeUndefined();
		expect(sandbox().transactions.size).toBe(before);
		expect(sandbox().requestsTo('POST', '/transactions/preview')[0].body).toMatchObject({ address: { country_code: 'DE', postal_code: '10115' } });
	});

	it('returns the invoice PDF link of a billed invoice, and explains why a card transaction has none yet', async () => {
		const { transactionId } = await invoicedSubscription();
		const pdf = await node.one({ resource: 'transaction', operation: 'getInvoicePdf', transactionId, disposition: 'inline' });
		expect(pdf).toMatchObject({ transaction_id: transactionId, expires_in_seconds: 3600 });
		expect(String(pdf.url)).toMatch(/^https:\/\/.*\.pdf/);

		const { customerId, addressId } = customerWithAddress();
		const open = sandbox().createTransaction({ items: [{ price_id: sandbox().seed.monthlyUsd, quantity: 1 }], customer_id: customerId, address_id: addressId });
		const error = await node.error({ resource: 'transaction', operation: 'getInvoicePdf', transactionId: open.id as string });
		expect(error.message).toContain('Paddle 400');
		expect(error.description).toContain('for card transactions once completed');
	});
});

describe('Adjustment', () => {
	it('refunds a completed transaction in full (pending approval) and lists it by transaction', async () => {
		const { transactionId } = completedCardTransaction();
		const refund = await node.one({ resource: 'adjustment', operation: 'create', adjustmentAction: 'refund', transactionId, reason: 'duplicate order', type: 'full' });
		expect(refund).toMatchObject({ action: 'refund', type: 'full', status: 'pending_approval', transaction_id: transactionId });
		const listed = await node.run({ resource: 'adjustment', operation: 'getAll', returnAll: true, filters: { transactionId } });
		expect(listed).toHaveLength(1);
		expect(listed[0]).toMatchObject({ id: refund.id, total: '198.00', currency_code: 'USD' });
		expect(Object.keys(listed[0]).length).toBeLessThanOrEqual(10);
	});

	it('credits part of a line item of an unpaid invoice', async () => {
		const { transactionId } = await invoicedSubscription();
		const itemId = String(((sandbox().transactions.get(transactionId)?.details as IDataObject).line_items as IDataObject[])[0].id);
		const credit = await node.one({
			resource: 'adjustment',
			operation: 'create',
			adjustmentAction: 'credit',
			transactionId,
			reason: 'goodwill',
			type: 'partial',
			items: { item: [{ itemId, amount: '500' }] },
		});
		expect(credit).toMatchObject({ action: 'credit', status: 'approved' });
		expect((credit.items as IDataObject[])[0]).toMatchObject({ item_id: itemId, type: 'partial', amount: '500' });
	});

	it("carries Paddle's refusal: no credit for a card transaction", async () => {
		const { transactionId } = completedCardTransaction();
		const error = await node.error({ resource: 'adjustment', operation: 'create', adjustmentAction: 'credit', transactionId, reason: 'x', type: 'full' });
		expect(error.message).toContain('adjustment_invalid_credit_action');
	});
});

describe('Discount', () => {
	it('creates a percentage discount with a code and finds it by code', async () => {
		const created = await node.one({
			resource: 'discount',
			operation: 'create',
			description: 'Welcome',
			type: 'percentage',
			amount: '10',
			additionalFields: { code: 'WELCOME10', recur: true, maximumRecurringIntervals: 3 },
		});
		expect(created).toMatchObject({ code: 'WELCOME10', type: 'percentage', amount: '10', recur: true, maximum_recurring_intervals: 3 });
		const [found] = await node.run({ resource: 'discount', operation: 'getAll', filters: { code: 'welcome10' }, limit: 5 });
		expect(found).toMatchObject({ id: created.id, code: 'WELCOME10', amount: '10' });
	});

	it('refuses a flat discount without a currency before calling Paddle', async () => {
		const error = await node.error({ resource: 'discount', operation: 'create', description: 'x', type: 'flat', amount: '500' });
		expect(error.message).toContain('Currency Code is required');
		expect(sandbox().requestsTo('POST', '/discounts')).toHaveLength(0);
	});
});

describe('Subscription previews and one-time charges', () => {
	it('previews an item change without applying it', async () => {
		const { subscriptionId } = await invoicedSubscription();
		const preview = await node.one({
			resource: 'subscription',
			operation: 'previewChangeItems',
			subscriptionId: { __rl: true, mode: 'url', value: `https://sandbox-vendors.paddle.com/subscriptions-v2/${subscriptionId}` },
			items: items([sandbox().seed.monthlyUsd, 3]),
			prorationBillingMode: 'full_immediately',
		});
		expect((preview.immediate_charge as IDataObject).formatted).toBe('90.00 USD');
		expect((preview.next_charge as IDataObject).formatted).toBe('90.00 USD');
		expect(((sandbox().subscriptions.get(subscriptionId)?.items as IDataObject[])[0]).quantity).toBe(1);
	});

	it('previews and charges a one-time item now, which Paddle bills as its own transaction', async () => {
		const { subscriptionId } = await invoicedSubscription();
		const params = { resource: 'subscription', subscriptionId, items: items([sandbox().seed.setupFeeUsd, 1]), effectiveFrom: 'immediately' };
		const preview = await node.one({ ...params, operation: 'previewCharge' });
		expect((preview.immediate_charge as IDataObject).formatted).toBe('99.00 USD');
		const charged = await node.one({ ...params, operation: 'charge' });
		expect(charged.id).toBe(subscriptionId);
		const txns = await node.run({ resource: 'transaction', operation: 'getAll', returnAll: true, filters: { subscriptionId } });
		expect(txns.map((t) => t.origin)).toContain('subscription_charge');
	});

	it('refuses a recurring price as a one-time charge (Paddle: billing_cycle must be null)', async () => {
		const { subscriptionId } = await invoicedSubscription();
		const error = await node.error({ resource: 'subscription', operation: 'charge', subscriptionId, items: items([sandbox().seed.yearlyUsd, 1]), effectiveFrom: 'immediately' });
		expect(error.message).toContain('invalid_field');
		expect(error.description).toContain('items[0].price_id');
	});
});

describe('Custom API Request', () => {
	it('calls a path with the credential and returns data and meta', async () => {
		const out = await node.one({ resource: 'customApiRequest', operation: 'request', method: 'GET', path: '/products', query: { parameter: [{ name: 'status', value: 'active' }] } });
		expect(((out.data as IDataObject[])[0]).id).toBe(sandbox().seed.productId);
		expect((out.meta as IDataObject).pagination).toBeDefined();
		expect(sandbox().requestsTo('GET', '/products')[0].query).toEqual({ status: 'active' });
	});

	it('accepts an absolute URL on the credential host and refuses any other host without sending the key', async () => {
		const same = await node.one({ resource: 'customApiRequest', operation: 'request', method: 'GET', path: `${sandbox().url}/prices/${sandbox().seed.monthlyUsd}` });
		expect((same.data as IDataObject).id).toBe(sandbox().seed.monthlyUsd);
		const before = sandbox().requests.length;
		const error = await node.error({ resource: 'customApiRequest', operation: 'request', method: 'GET', path: 'https://evil.example/steal' });
		expect(error.message).toContain("not to this credential's Paddle API");
		expect(sandbox().requests.length).toBe(before);
	});

	it("maps Paddle's error like every operation", async () => {
		const error = await node.error({ resource: 'customApiRequest', operation: 'request', method: 'POST', path: '/discounts', body: '{"description":"x","type":"percentage","amount":"500"}' });
		expect(error.message).toContain('Paddle 400');
	});
});

describe('Resource locators', () => {
	it('lists customers (search), subscriptions and prices from the sandbox', async () => {
		const { customerId, subscriptionId } = await invoicedSubscription();
		const customers = await listSearch(sandbox(), 'searchCustomers', 'ada');
		expect(customers.results.map((r) => r.value)).toContain(customerId);
		expect(customers.results[0].url).toBe(`https://sandbox-vendors.paddle.com/customers-v2/${customers.results[0].value}`);

		const subscriptions = await listSearch(sandbox(), 'searchSubscriptions', customerId);
		expect(subscriptions.results.map((r) => r.value)).toEqual([subscriptionId]);
		expect(sandbox().requestsTo('GET', '/subscriptions').at(-1)?.query).toMatchObject({ customer_id: customerId });

		const prices = await listSearch(sandbox(), 'searchPrices', 'yearly');
		expect(prices.results.map((r) => r.value)).toEqual([sandbox().seed.yearlyUsd]);
	});

	it('pages with the after cursor', async () => {
		for (let i = 0; i < 51; i++) sandbox().addCustomer({ email: `c${i}@example.com`, name: `C ${i}` });
		const first = await listSearch(sandbox(), 'searchCustomers');
		expect(first.results).toHaveLength(50);
		const second = await listSearch(sandbox(), 'searchCustomers', undefined, first.paginationToken);
		expect(second.results).toHaveLength(1);
		expect(second.paginationToken).toBeUndefined();
	});

	it('reads list, ID and URL locator values, and plain strings of older workflows', async () => {
		const { customerId } = customerWithAddress();
		for (const value of [
			{ __rl: true, mode: 'list', value: customerId },
			{ __rl: true, mode: 'url', value: `https://vendors.paddle.com/customers-v2/${customerId}` },
			customerId,
		]) {
			expect((await node.one({ resource: 'customer', operation: 'get', customerId: value as never })).id).toBe(customerId);
		}
		const price = await node.one({ resource: 'price', operation: 'get', priceId: { __rl: true, mode: 'list', value: sandbox().seed.monthlyUsd } });
		expect(price).toMatchObject({ id: sandbox().seed.monthlyUsd, product_name: 'Kommo Pro', amount: '30.00', billing_interval: 'month' });
	});
});

describe('Key permissions', () => {
	it('names the missing permission of a new operation', async () => {
		const key = sandbox().addRestrictedKey(['transaction.read']);
		const error = await node.error(
			{ resource: 'discount', operation: 'getAll' },
			{ credentials: { paddleBillingApi: { apiKey: key, environment: 'custom', baseUrl: sandbox().url } as never } },
		);
		expect(error.description).toContain('discount.read');
	});
});
