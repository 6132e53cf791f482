/**
 * The issue #18 operations of the Chargebee Billing node against ChargebeeSandbox (which checks
 * every request and answer against the official chargebee package's schemas and types):
 * pause / resume / reactivate, credit notes, offline payments, invoices of a customer, events
 * since a time, portal and payment-method pages, Custom API Request, the resource locators' list
 * searches and URL mode, and Simplify.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ChargebeeBilling } from '../../../nodes/ChargebeeBilling/ChargebeeBilling.node';
import { SIMPLE_FIELDS } from '../../../nodes/ChargebeeBilling/simplify';
import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { createLoadOptionsContext } from '../../helpers/n8n-context';
import { ChargebeeSandbox } from '../../../dev/sandbox/chargebee';
import { chargebeeCredentials, credentialTypes, runNode, runNodeError } from './helpers';

let sandbox: ChargebeeSandbox;

beforeAll(async () => {
	sandbox = await new ChargebeeSandbox({ customersHaveCard: true }).start();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	resetLimiters();
});

const run = (parameters: IDataObject) => runNode(sandbox, parameters as INodeParameters);
const items = (...list: IDataObject[]) => ({ item: list }) as unknown as INodeParameters;
const rl = (mode: string, value: string) => ({ __rl: true, mode, value });

async function seed(customerId = 'kommo-lead-42', extra: IDataObject = {}) {
	await run({ resource: 'customer', operation: 'create', customerId, email: `${customerId}@example.com`, additionalFields: { firstName: 'Ana', ...extra } });
}

async function subscribe(subscriptionId: string, customerId = 'kommo-lead-42', price = 'pro-USD-monthly') {
	const [out] = await run({ resource: 'subscription', operation: 'create', customerId, subscriptionId, items: items({ itemPriceId: price }) });
	return out;
}

describe('Subscription: pause, resume, reactivate', () => {
	it('Pause now, then resume now: status, dates and events as Chargebee reports them', async () => {
		await seed();
		await subscribe('s-1');
		const [paused] = await run({ resource: 'subscription', operation: 'pause', subscriptionId: 's-1', pauseOption: 'immediately' });
		expect(paused).toMatchObject({ id: 's-1', status: 'paused', pause_date: expect.any(Number) });
		expect(sandbox.requestsTo('POST', '/api/v2/subscriptions/s-1/pause')[0].body).toEqual({ pause_option: 'immediately' });
		expect(sandbox.eventsOfType('subscription_paused')).toHaveLength(1);

		const [resumed] = await run({ resource: 'subscription', operation: 'resume', subscriptionId: rl('id', 's-1') });
		expect(resumed).toMatchObject({ id: 's-1', status: 'active' });
		expect(resumed.pause_date).toBeUndefined();
		expect(sandbox.eventsOfType('subscription_resumed')).toHaveLength(1);
	});

	it('Pause on a date with a resume date; resume on a date; a second pause is refused with Chargebee\'s message', async () => {
		await seed();
		await subscribe('s-2');
		const pauseAt = new Date(Date.now() + 5 * 86400_000).toISOString();
		const resumeAt = new Date(Date.now() + 20 * 86400_000).toISOString();
		const [scheduled] = await run({ resource: 'subscription', operation: 'pause', subscriptionId: 's-2', pauseOption: 'specific_date', pauseDate: pauseAt, resumeDate: resumeAt });
		expect(scheduled).toMatchObject({ status: 'active', pause_date: Math.floor(Date.parse(pauseAt) / 1000), resume_date: Math.floor(Date.parse(resumeAt) / 1000) });
		expect(sandbox.eventsOfType('subscription_pause_scheduled')).toHaveLength(1);

		const notPaused = await runNodeError(sandbox, { resource: 'subscription', operation: 'resume', subscriptionId: 's-2' });
		expect(notPaused).toBeInstanceOf(NodeApiError);
		expect(notPaused.message).toContain('invalid_state_for_request');
		expect(notPaused.message).toMatch(/\[item 0\]$/);

		await run({ resource: 'subscription', operation: 'pause', subscriptionId: 's-2', pauseOption: 'immediately' });
		const [later] = await run({ resource: 'subscription', operation: 'resume', subscriptionId: 's-2', resumeOption: 'specific_date', resumeDate: resumeAt });
		expect(later).toMatchObject({ status: 'paused', resume_date: Math.floor(Date.parse(resumeAt) / 1000) });
		const again = await runNodeError(sandbox, { resource: 'subscription', operation: 'pause', subscriptionId: 's-2', pauseOption: 'immediately' });
		expect(again.message).toContain('only active or non_renewing subscriptions can be paused');
	});

	it('Reactivate a cancelled subscription: a new term is invoiced and charged; a card-less customer gets payment_method_not_present', async () => {
		await seed();
		await subscribe('s-3');
		await run({ resource: 'subscription', operation: 'cancel', subscriptionId: 's-3', when: 'immediately' });
		const [back] = await run({ resource: 'subscription', operation: 'reactivate', subscriptionId: 's-3' });
		expect(back).toMatchObject({ id: 's-3', status: 'active', invoice: { status: 'paid', money: { decimal: '30.00' } } });
		expect(sandbox.eventsOfType('subscription_reactivated')).toHaveLength(1);

		const active = await runNodeError(sandbox, { resource: 'subscription', operation: 'reactivate', subscriptionId: 's-3' });
		expect(active.message).toContain('only cancelled subscriptions can be reactivated');

		sandbox.addCustomer({ id: 'no-card', auto_collection: 'on' });
		const customer = sandbox.customers.get('no-card') as IDataObject;
		delete customer.primary_payment_source_id;
		customer.card_status = 'no_card';
		delete customer.payment_method;
		sandbox.subscriptions.set('s-4', { ...(sandbox.subscriptions.get('s-3') as IDataObject), id: 's-4', customer_id: 'no-card', status: 'cancelled' });
		const refused = await runNodeError(sandbox, { resource: 'subscription', operation: 'reactivate', subscriptionId: 's-4' });
		expect(refused.message).toContain('payment_method_not_present');
		const [trial] = await run({ resource: 'subscription', operation: 'reactivate', subscriptionId: 's-4', options: { trialEnd: new Date(Date.now() + 7 * 86400_000).toISOString() } });
		expect(trial.status).toBe('in_trial');
	});
});

describe('Invoices: list for a customer, record an offline payment', () => {
	async function unpaidInvoice() {
		await seed('b2b', { autoCollection: 'off' });
		const sub = await subscribe('s-b2b', 'b2b');
		return String((sub.invoice as IDataObject).id);
	}

	it('List for Customer: newest first, status filter, simplified by default', async () => {
		const invoiceId = await unpaidInvoice();
		const [listed] = await run({ resource: 'invoice', operation: 'listForCustomer', customerId: 'b2b', status: ['payment_due'], returnAll: true });
		expect(listed).toMatchObject({ id: invoiceId, customer_id: 'b2b', status: 'payment_due', amount: '30.00 USD', amount_due: 3000 });
		expect(Object.keys(listed).length).toBeLessThanOrEqual(10);
		const query = sandbox.requestsTo('GET', '/api/v2/invoices')[0].query;
		expect(query).toMatchObject({ 'customer_id[is]': 'b2b', 'status[in]': '["payment_due"]', 'sort_by[desc]': 'date' });
		expect(await run({ resource: 'invoice', operation: 'listForCustomer', customerId: 'b2b', status: ['paid'] })).toEqual([]);
	});

	it('Record Payment: part, then the rest marks it paid; payment_succeeded with gateway not_applicable; too much is refused naming the field', async () => {
		const invoiceId = await unpaidInvoice();
		const [part] = await run({ resource: 'invoice', operation: 'recordPayment', invoiceId, paymentMethod: 'bank_transfer', amount: '10.00', additionalFields: { referenceNumber: 'KOMMO-42' } });
		expect(part).toMatchObject({ status: 'payment_due', amount_due: 2000, transaction: { amount: 1000, payment_method: 'bank_transfer', gateway: 'not_applicable', reference_number: 'KOMMO-42' } });
		const tooMuch = await runNodeError(sandbox, { resource: 'invoice', operation: 'recordPayment', invoiceId, amount: '99.00' });
		expect(tooMuch.message).toContain('[field: transaction[amount]]');
		const [rest] = await run({ resource: 'invoice', operation: 'recordPayment', invoiceId, paymentMethod: 'check' });
		expect(rest).toMatchObject({ status: 'paid', amount_due: 0, amountDue: { decimal: '0.00' } });
		const payments = sandbox.eventsOfType('payment_succeeded').map((e) => (e.content as IDataObject).transaction as IDataObject);
		expect(payments.map((t) => [t.gateway, t.amount])).toEqual([['not_applicable', 1000], ['not_applicable', 2000]]);
		const paid = await runNodeError(sandbox, { resource: 'invoice', operation: 'recordPayment', invoiceId });
		expect(paid.message).toContain('invalid_state_for_request');
	});
});

describe('Credit notes', () => {
	it('Create refundable for a paid invoice and an adjustment for an unpaid one; List and Get them', async () => {
		await seed();
		const paid = String(((await subscribe('s-cn')).invoice as IDataObject).id);
		const [refund] = await run({ resource: 'creditNote', operation: 'create', invoiceId: paid, type: 'refundable', amount: '5.00', reasonCode: 'Product Unsatisfactory' });
		expect(refund).toMatchObject({ type: 'refundable', status: 'refund_due', total: 500, reference_invoice_id: paid, money: { decimal: '5.00' } });
		const tooMuch = await runNodeError(sandbox, { resource: 'creditNote', operation: 'create', invoiceId: paid, type: 'refundable', amount: '30.00' });
		expect(tooMuch.message).toContain('[field: total]');

		await seed('b2b', { autoCollection: 'off' });
		const unpaid = String(((await subscribe('s-b2b', 'b2b')).invoice as IDataObject).id);
		const [adjust] = await run({ resource: 'creditNote', operation: 'create', invoiceId: unpaid, type: 'adjustment', amount: '30.00' });
		expect(adjust).toMatchObject({ type: 'adjustment', status: 'adjusted', total: 3000 });
		expect(sandbox.invoices.get(unpaid)).toMatchObject({ status: 'paid', amount_due: 0, amount_adjusted: 3000 });

		const mine = await run({ resource: 'creditNote', operation: 'list', returnAll: true, filters: { customerId: rl('list', 'kommo-lead-42') } });
		expect(mine).toEqual([{ id: refund.id, customer_id: 'kommo-lead-42', reference_invoice_id: paid, type: 'refundable', status: 'refund_due', currency_code: 'USD', total: 500, amount_available: 500, create_reason_code: 'Product Unsatisfactory', date: expect.any(Number) }]);
		const all = await run({ resource: 'creditNote', operation: 'list', returnAll: true });
		expect(all).toHaveLength(2);
		const [got] = await run({ resource: 'creditNote', operation: 'get', creditNoteId: String(adjust.id), simplify: false });
		expect(got).toMatchObject({ id: adjust.id, object: 'credit_note', money: { decimal: '30.00' } });
		expect(sandbox.eventsOfType('credit_note_created')).toHaveLength(2);
	});
});

describe('Events since a point in time', () => {
	it('List Since: only later events, of the chosen types, oldest first', async () => {
		await seed();
		sandbox.advanceClock(10_000);
		const since = new Date(sandbox.nowMs()).toISOString();
		sandbox.advanceClock(2_000);
		await subscribe('s-ev');
		sandbox.advanceClock(2_000);
		await run({ resource: 'subscription', operation: 'pause', subscriptionId: 's-ev', pauseOption: 'immediately' });
		const events = await run({ resource: 'event', operation: 'list', occurredAfter: since, eventTypes: ['subscription_created', 'subscription_paused'], returnAll: true });
		expect(events.map((e) => e.event_type)).toEqual(['subscription_created', 'subscription_paused']);
		expect(events[0]).toMatchObject({ subscription_id: 's-ev', customer_id: 'kommo-lead-42', id: expect.stringMatching(/^ev_/) });
		const query = sandbox.requestsTo('GET', '/api/v2/events')[0].query;
		expect(query).toMatchObject({ 'occurred_at[after]': String(Math.floor(Date.parse(since) / 1000)), 'sort_by[asc]': 'occurred_at' });
		const everything = await run({ resource: 'event', operation: 'list', occurredAfter: since, returnAll: true, simplify: false });
		expect(everything.map((e) => e.event_type)).toContain('invoice_generated');
		expect(everything.every((e) => Number(e.occurred_at) > Math.floor(Date.parse(since) / 1000))).toBe(true);
	});
});

describe('Portal and payment method pages', () => {
	it('Create Portal Session and Create Payment Method Page give one-time links for the customer', async () => {
		await seed();
		const [portal] = await run({ resource: 'customer', operation: 'createPortalSession', customerId: rl('url', 'https://acme-test.chargebee.com/d/customers/kommo-lead-42'), redirectUrl: 'https://example.com/account' });
		expect(portal).toMatchObject({ customer_id: 'kommo-lead-42', status: 'created', portalUrl: expect.stringContaining('/portal/access/'), expiresAt: expect.any(String) });
		expect(sandbox.requestsTo('POST', '/api/v2/portal_sessions')[0].body).toEqual({ customer: { id: 'kommo-lead-42' }, redirect_url: 'https://example.com/account' });

		const [page] = await run({ resource: 'customer', operation: 'createPaymentMethodPage', customerId: 'kommo-lead-42' });
		expect(page).toMatchObject({ type: 'manage_payment_sources', state: 'created', pageUrl: expect.stringContaining('/pages/v4/') });
		const done = await sandbox.simulatePaymentMethodPageCompleted(String(page.id));
		expect(done.state).toBe('succeeded');

		const missing = await runNodeError(sandbox, { resource: 'customer', operation: 'createPortalSession', customerId: 'nobody' });
		expect(missing.message).toContain('404');
		const badUrl = await runNodeError(sandbox, { resource: 'customer', operation: 'createPortalSession', customerId: rl('url', 'https://acme-test.chargebee.com/d/invoices/1') });
		expect(badUrl).toBeInstanceOf(NodeOperationError);
		expect(badUrl.message).toBe('Customer URL "https://acme-test.chargebee.com/d/invoices/1" is not a Chargebee customer page [item 0]');
	});
});

describe('Custom API Request', () => {
	it('GET and POST any path with the credential; the answer as Chargebee sends it', async () => {
		await seed();
		const [got] = await run({ resource: 'customApi', operation: 'request', method: 'GET', path: '/customers', query: '{"limit": 5, "id[is]": "kommo-lead-42"}' });
		expect((got.list as IDataObject[]).map((e) => (e.customer as IDataObject).id)).toEqual(['kommo-lead-42']);
		const [changed] = await run({ resource: 'customApi', operation: 'request', method: 'POST', path: 'customers/kommo-lead-42', body: { first_name: 'Bea', meta_data: { from: 'n8n' } } });
		expect(changed.customer).toMatchObject({ first_name: 'Bea', meta_data: { from: 'n8n' } });
		const post = sandbox.requestsTo('POST', '/api/v2/customers/kommo-lead-42')[0];
		expect(post.headers['chargebee-idempotency-key']).toMatch(/^n8n-custom-/);
		const [full] = await run({ resource: 'customApi', operation: 'request', method: 'GET', path: `${sandbox.url}/api/v2/customers/kommo-lead-42` });
		expect(full.customer).toMatchObject({ id: 'kommo-lead-42' });
	});

	it('refuses other hosts and odd paths before sending anything; Chargebee errors keep their field', async () => {
		const before = sandbox.requests.length;
		const other = await runNodeError(sandbox, { resource: 'customApi', operation: 'request', method: 'GET', path: 'https://evil.example.com/api/v2/customers' });
		expect(other).toBeInstanceOf(NodeOperationError);
		expect(other.message).toBe('Path "https://evil.example.com/api/v2/customers" points outside this Chargebee site [item 0]');
		const dots = await runNodeError(sandbox, { resource: 'customApi', operation: 'request', method: 'GET', path: '/customers/../../admin' });
		expect(dots.message).toContain('is not a plain API path');
		expect(sandbox.requests.length).toBe(before);
		const api = await runNodeError(sandbox, { resource: 'customApi', operation: 'request', method: 'POST', path: '/customers', body: { email: 'not-an-email' } });
		expect(api).toBeInstanceOf(NodeApiError);
		expect(api.message).toContain('[field: email]');
		// sent on purpose: the sandbox recorded it as a request the SDK's schema refuses
		expect(sandbox.takeDeviations().map((d) => d.problems)).toEqual([['email: Invalid email address']]);
	});
});

describe('Resource locators and Simplify', () => {
	const search = async (method: string, filter?: string) => {
		const nodeType = new ChargebeeBilling();
		const context = createLoadOptionsContext({ nodeType, parameters: { resource: 'subscription', operation: 'get' }, credentials: chargebeeCredentials(sandbox), credentialTypes });
		const fn = nodeType.methods.listSearch[method as keyof typeof nodeType.methods.listSearch];
		return await fn.call(context, filter);
	};

	it('From list: customers, subscriptions and item prices load from Chargebee, with search and app URLs', async () => {
		await seed('kommo-lead-42', { company: 'Lima Ltda' });
		await seed('other-7');
		await subscribe('s-list');
		const customers = await search('searchCustomers');
		expect(customers.results.map((r) => r.value).sort()).toEqual(['kommo-lead-42', 'other-7']);
		expect(customers.results.find((r) => r.value === 'kommo-lead-42')?.url).toBe(`${sandbox.url}/d/customers/kommo-lead-42`);
		expect((await search('searchCustomers', 'Lima')).results.map((r) => r.value)).toEqual(['kommo-lead-42']);
		expect((await search('searchCustomers', 'other-7@')).results.map((r) => r.value)).toEqual(['other-7']);
		const subscriptions = await search('searchSubscriptions', 'kommo-lead');
		expect(subscriptions.results).toEqual([{ name: 's-list · pro-USD-monthly · active (customer kommo-lead-42)', value: 's-list', url: `${sandbox.url}/d/subscriptions/s-list` }]);
		const prices = await search('searchItemPrices', 'Pro');
		expect(prices.results.map((r) => r.value)).toEqual(['pro-USD-monthly', 'pro-USD-yearly', 'pro-EUR-monthly']);
		expect((await search('searchItemPrices')).results).toHaveLength(7);
	});

	it('By URL and By ID modes, plain strings from older workflows, and an item price locator in Items', async () => {
		await seed();
		await run({ resource: 'subscription', operation: 'create', customerId: rl('list', 'kommo-lead-42'), subscriptionId: 's-rl', items: items({ itemPriceId: rl('list', 'pro-EUR-monthly') }) });
		const [byUrl] = await run({ resource: 'subscription', operation: 'get', subscriptionId: rl('url', 'https://acme-test.chargebee.com/d/subscriptions/s-rl') });
		expect(byUrl).toMatchObject({ id: 's-rl', plan_item_price_id: 'pro-EUR-monthly', currency_code: 'EUR' });
		const [price] = await run({ resource: 'itemPrice', operation: 'get', itemPriceId: rl('id', 'pro-EUR-monthly') });
		expect(price).toMatchObject({ id: 'pro-EUR-monthly', price: 2800, currency_code: 'EUR' });
	});

	it('Simplify (default on) keeps at most 10 documented fields; off returns the whole record', async () => {
		await seed();
		const [simple] = await run({ resource: 'customer', operation: 'get', customerId: 'kommo-lead-42' });
		expect(Object.keys(simple).length).toBeLessThanOrEqual(10);
		expect(Object.keys(simple).every((k) => SIMPLE_FIELDS.customer.includes(k))).toBe(true);
		expect(simple).toMatchObject({ id: 'kommo-lead-42', email: 'kommo-lead-42@example.com', first_name: 'Ana' });
		const [raw] = await run({ resource: 'customer', operation: 'get', customerId: 'kommo-lead-42', simplify: false });
		expect(Object.keys(raw).length).toBeGreaterThan(10);
		for (const fields of Object.values(SIMPLE_FIELDS)) expect(fields.length).toBeLessThanOrEqual(10);
	});

	it('node version 1 (workflows saved before Simplify) keeps the full record of the operations it had; new operations simplify there too', async () => {
		await seed();
		const v1 = (parameters: IDataObject) => runNode(sandbox, parameters as INodeParameters, { typeVersion: 1 });
		const [customer] = await v1({ resource: 'customer', operation: 'get', customerId: 'kommo-lead-42' });
		expect(Object.keys(customer).length).toBeGreaterThan(10);
		const [found] = await v1({ resource: 'customer', operation: 'findByEmail', email: 'kommo-lead-42@example.com' });
		expect(Object.keys(found).length).toBeGreaterThan(10);
		// an operation added with Simplify shows the switch in every version, on by default
		const [price] = await v1({ resource: 'itemPrice', operation: 'get', itemPriceId: rl('id', 'pro-EUR-monthly') });
		expect(Object.keys(price).length).toBeLessThanOrEqual(10);
		// and 1.1 (the version new nodes get) simplifies the old operations
		const [simple] = await runNode(sandbox, { resource: 'customer', operation: 'get', customerId: 'kommo-lead-42' }, { typeVersion: 1.1 });
		expect(Object.keys(simple).length).toBeLessThanOrEqual(10);
	});
});
