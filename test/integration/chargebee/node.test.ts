/**
 * Every operation of the Chargebee Billing node against ChargebeeSandbox,
 * inside real n8n-core execution contexts (parameters, defaults,
 * credentials' `authenticate`, n8n's HTTP helper).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { ChargebeeSandbox } from '../../../dev/sandbox/chargebee';
import { itemPriceOptions, runNode, runNodeError } from './helpers';

let sandbox: ChargebeeSandbox;

beforeAll(async () => {
	// the site also defines cf_kommo_deal_id (the "configurable custom field" test); Chargebee
	// refuses cf_ keys the site does not define
	sandbox = await new ChargebeeSandbox({ customersHaveCard: true, customFields: { customer: ['cf_kommo_lead_id', 'cf_kommo_deal_id'] } }).start();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	resetLimiters();
});

const customer = (parameters: IDataObject) => runNode(sandbox, { resource: 'customer', ...parameters });
const subscription = (parameters: IDataObject) => runNode(sandbox, { resource: 'subscription', ...parameters });
const items = (...list: IDataObject[]) => ({ item: list }) as unknown as INodeParameters;

async function seedCustomer(id = 'kommo-lead-42', email = 'ana@example.com', extra: IDataObject = {}) {
	const [created] = await customer({ operation: 'create', customerId: id, email, kommoLeadId: '42', ...extra });
	return created;
}

describe('Customer', () => {
	it('Create: deterministic id, Kommo lead id in the custom field, company and phone', async () => {
		const [out] = await customer({
			operation: 'create',
			customerId: 'kommo-lead-42',
			email: 'ana@example.com',
			kommoLeadId: '42',
			additionalFields: { company: 'Lima Ltda', phone: '+55 11 5555 0000', firstName: 'Ana', metaData: '{"source":"kommo"}' },
		});
		expect(out).toMatchObject({
			id: 'kommo-lead-42',
			email: 'ana@example.com',
			cf_kommo_lead_id: '42',
			company: 'Lima Ltda',
			phone: '+55 11 5555 0000',
			first_name: 'Ana',
			meta_data: { source: 'kommo' },
			outcome: 'created',
		});
		const [post] = sandbox.requestsTo('POST', '/api/v2/customers');
		expect(post.headers['content-type']).toContain('application/x-www-form-urlencoded');
		expect(post.headers['chargebee-idempotency-key']).toMatch(/^n8n-customer-create-[0-9a-f]{48}$/);
		expect(post.headers.authorization).toBe(`Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`);
	});

	it('Create: the same input again replays instead of failing or duplicating', async () => {
		const params = { operation: 'create', email: 'no-id@example.com', additionalFields: { company: 'X' } };
		const [first] = await customer(params);
		const [second] = await customer(params);
		expect(second.id).toBe(first.id);
		expect(second.outcome).toBe('replayed');
		expect(sandbox.customers.size).toBe(1);
	});

	it('Create: a configurable custom field holds the lead id; bad input is named clearly', async () => {
		const [out] = await customer({ operation: 'create', customerId: 'c-deal', kommoLeadId: 7, kommoLeadIdField: 'cf_kommo_deal_id' });
		expect(out.cf_kommo_deal_id).toBe('7');
		expect(out.cf_kommo_lead_id).toBeUndefined();

		const badLead = await runNodeError(sandbox, { resource: 'customer', operation: 'create', kommoLeadId: 'abc' });
		expect(badLead).toBeInstanceOf(NodeOperationError);
		expect(badLead.message).toBe('Kommo Lead ID must be a positive whole number, got "abc" [item 0]');

		const badField = await runNodeError(sandbox, { resource: 'customer', operation: 'create', kommoLeadId: '1', kommoLeadIdField: 'lead' });
		expect(badField.message).toContain('Kommo Lead ID Field "lead" is not a Chargebee custom field name');

		const badId = await runNodeError(sandbox, { resource: 'customer', operation: 'create', customerId: 'has space' });
		expect(badId.message).toContain('Customer ID "has space" is not a valid Chargebee id');
	});

	it("Create: an existing id with different data is Chargebee's duplicate_entry, named with the field", async () => {
		await seedCustomer();
		const error = await runNodeError(sandbox, { resource: 'customer', operation: 'create', customerId: 'kommo-lead-42', email: 'other@example.com' });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('Chargebee 400 (duplicate_entry)');
		expect(error.message).toContain('[field: id]');
		expect(error.description).toContain('Find-or-create');
	});

	it('Get, and a missing customer as an error or (continue on fail) an error item', async () => {
		await seedCustomer();
		const [got] = await customer({ operation: 'get', customerId: 'kommo-lead-42', simplify: false });
		expect(got).toMatchObject({ id: 'kommo-lead-42', cf_kommo_lead_id: '42' });

		const error = await runNodeError(sandbox, { resource: 'customer', operation: 'get', customerId: 'nobody' });
		expect(error.message).toContain('Chargebee 404 (resource_not_found)');

		const out = await runNode(sandbox, { resource: 'customer', operation: 'get', customerId: 'nobody' }, { continueOnFail: true });
		expect(out).toHaveLength(1);
		expect(String(out[0].error)).toContain('404');
		expect(JSON.stringify(out)).not.toContain(sandbox.apiKey);
	});

	it('Find by email: every match, newest first; no match gives no items', async () => {
		await customer({ operation: 'create', customerId: 'old', email: 'twin@example.com' });
		sandbox.advanceClock(5_000);
		await customer({ operation: 'create', customerId: 'new', email: 'twin@example.com' });
		const found = await customer({ operation: 'findByEmail', email: 'twin@example.com', returnAll: true });
		expect(found.map((c) => c.id)).toEqual(['new', 'old']);
		expect(sandbox.requestsTo('GET', '/api/v2/customers')[0].query['email[is]']).toBe('twin@example.com');
		expect(await customer({ operation: 'findByEmail', email: 'none@example.com' })).toEqual([]);
		const limited = await customer({ operation: 'findByEmail', email: 'twin@example.com', returnAll: false, limit: 1 });
		expect(limited.map((c) => c.id)).toEqual(['new']);
	});

	it('Find by email: an address typed with capitals also finds the customer stored in lower case (email[is] is exact)', async () => {
		await customer({ operation: 'create', customerId: 'stored-lower', email: 'ana.lima@example.com' });
		sandbox.advanceClock(5_000);
		await customer({ operation: 'create', customerId: 'stored-as-typed', email: 'Ana.Lima@Example.com' });
		const found = await customer({ operation: 'findByEmail', email: 'Ana.Lima@Example.com', returnAll: true });
		expect(found.map((c) => c.id)).toEqual(['stored-as-typed', 'stored-lower']);
		const queried = sandbox.requestsTo('GET', '/api/v2/customers').map((r) => r.query['email[is]']);
		expect(queried.sort()).toEqual(['Ana.Lima@Example.com', 'ana.lima@example.com']);
		const limited = await customer({ operation: 'findByEmail', email: 'ANA.LIMA@EXAMPLE.COM', returnAll: false, limit: 1 });
		expect(limited.map((c) => c.id)).toEqual(['stored-lower']);
	});

	it('Find-or-create: a capitalised email finds the existing lower-case customer instead of creating a second one', async () => {
		await customer({ operation: 'create', customerId: 'existing', email: 'bo@example.com' });
		const [out] = await customer({ operation: 'findOrCreate', email: 'Bo@Example.com' });
		expect(out).toMatchObject({ id: 'existing', outcome: 'found_by_email' });
		expect(sandbox.customers.size).toBe(1);
	});

	it('Update: changes fields and the lead id; nothing to update is an error', async () => {
		await seedCustomer();
		const [out] = await customer({
			operation: 'update',
			customerId: 'kommo-lead-42',
			kommoLeadId: '99',
			updateFields: { company: 'New Co', email: 'new@example.com' },
		});
		expect(out).toMatchObject({ company: 'New Co', email: 'new@example.com', cf_kommo_lead_id: '99' });
		const nothing = await runNodeError(sandbox, { resource: 'customer', operation: 'update', customerId: 'kommo-lead-42' });
		expect(nothing.message).toBe('Nothing to update [item 0]');
	});

	it('Find-or-create: the look-ups by id and by email run side by side (one round trip for a new customer)', async () => {
		sandbox.latencyMs = 400;
		try {
			const [created] = await customer({ operation: 'findOrCreate', customerId: 'kommo-lead-77', email: 'seventy-seven@example.com' });
			expect(created.outcome).toBe('created');
			// the second look-up reached the sandbox before the first could have been answered
			const lookups = sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/v2/customers'));
			expect(lookups).toHaveLength(2);
			expect(Math.abs(lookups[0].at - lookups[1].at)).toBeLessThan(400);
		} finally {
			sandbox.latencyMs = 0;
		}
	});

	it('Find-or-create: by id, then by email, else create; stores the lead id on a found customer only if empty', async () => {
		// Created
		const [created] = await customer({ operation: 'findOrCreate', customerId: 'kommo-lead-5', email: 'five@example.com', kommoLeadId: '5' });
		expect(created).toMatchObject({ id: 'kommo-lead-5', outcome: 'created', cf_kommo_lead_id: '5' });
		// Found by id (and the lead id is left as it is)
		const [byId] = await customer({ operation: 'findOrCreate', customerId: 'kommo-lead-5', email: 'x@example.com', kommoLeadId: '6' });
		expect(byId).toMatchObject({ id: 'kommo-lead-5', outcome: 'found_by_id', cf_kommo_lead_id: '5' });
		// Found by email: a customer created elsewhere, without the field → the lead id is stored
		sandbox.addCustomer({ id: 'manual-1', email: 'manual@example.com' });
		const [byEmail] = await customer({ operation: 'findOrCreate', customerId: 'kommo-lead-8', email: 'manual@example.com', kommoLeadId: '8' });
		expect(byEmail).toMatchObject({ id: 'manual-1', outcome: 'found_by_email', cf_kommo_lead_id: '8' });
		expect(sandbox.customers.has('kommo-lead-8')).toBe(false);
		// Always overwrite
		const [overwritten] = await customer({
			operation: 'findOrCreate',
			customerId: 'kommo-lead-5',
			kommoLeadId: '6',
			options: { storeLeadId: 'always' },
		});
		expect(overwritten.cf_kommo_lead_id).toBe('6');
	});

	it('Find-or-create: several customers with the email stop with the ids, unless told which to use', async () => {
		sandbox.addCustomer({ id: 'dup-a', email: 'dup@example.com', created_at: 1000 });
		sandbox.addCustomer({ id: 'dup-b', email: 'dup@example.com', created_at: 2000 });
		const error = await runNodeError(sandbox, { resource: 'customer', operation: 'findOrCreate', email: 'dup@example.com' });
		expect(error.message).toBe('2 Chargebee customers have the email dup@example.com: dup-b, dup-a [item 0]');
		const [oldest] = await customer({ operation: 'findOrCreate', email: 'dup@example.com', options: { multipleMatches: 'oldest' } });
		expect(oldest.id).toBe('dup-a');
		const [newest] = await customer({ operation: 'findOrCreate', email: 'dup@example.com', options: { multipleMatches: 'newest' } });
		expect(newest.id).toBe('dup-b');
		const neither = await runNodeError(sandbox, { resource: 'customer', operation: 'findOrCreate' });
		expect(neither.message).toBe('Give a Customer ID, an Email or both [item 0]');
	});
});

describe('Subscription', () => {
	beforeEach(async () => {
		await seedCustomer();
	});

	it('Create: items with quantity, decimal unit price override, billing cycles; lead id in meta_data; money in output', async () => {
		const [out] = await subscription({
			operation: 'create',
			customerId: 'kommo-lead-42',
			items: items(
				{ itemPriceId: 'pro-USD-monthly', quantity: 2, unitPrice: '25.50', billingCycles: 12 },
				{ itemPriceId: 'seats-USD-monthly', quantity: 3 },
			),
			kommoLeadId: '42',
		});
		expect(out).toMatchObject({
			customer_id: 'kommo-lead-42',
			status: 'active',
			currency_code: 'USD',
			meta_data: { kommo_lead_id: 42 },
			outcome: 'created',
			money: { minor: '6600', decimal: '66.00', currency: 'USD', formatted: '66.00 USD' },
		});
		expect(out.subscription_items).toEqual([
			expect.objectContaining({ item_price_id: 'pro-USD-monthly', quantity: 2, unit_price: 2550, amount: 5100, billing_cycles: 12 }),
			expect.objectContaining({ item_price_id: 'seats-USD-monthly', quantity: 3, amount: 1500 }),
		]);
		expect(out.invoice).toMatchObject({ total: 6600, status: 'paid', money: { decimal: '66.00', currency: 'USD' } });
		const post = sandbox.requestsTo('POST', '/api/v2/customers/kommo-lead-42/subscription_for_items')[0];
		const wire = new URLSearchParams(post.rawBody.toString('utf8'));
		expect(wire.get('subscription_items[item_price_id][1]')).toBe('seats-USD-monthly');
		expect(wire.get('subscription_items[unit_price][0]')).toBe('2550');
		expect(JSON.parse(wire.get('meta_data') as string)).toEqual({ kommo_lead_id: 42 });
		expect(post.headers['chargebee-idempotency-key']).toMatch(/^n8n-subscription-create-[0-9a-f]{48}$/);
	});

	it('Create retried with the same input creates exactly one subscription', async () => {
		const params = {
			operation: 'create',
			customerId: 'kommo-lead-42',
			items: items({ itemPriceId: 'pro-USD-monthly' }),
			kommoLeadId: '42',
		};
		// The first answer is lost after Chargebee created the subscription: the node retries with the same key.
		sandbox.faults.push({ path: '/api/v2/customers/kommo-lead-42/subscription_for_items', afterEffect: true, drop: true, times: 1 });
		const [first] = await subscription(params);
		// The whole run is repeated (a retried "Won"): same derived key → Chargebee replays.
		const [second] = await subscription(params);
		expect(sandbox.subscriptions.size).toBe(1);
		expect(second.id).toBe(first.id);
		expect(second.outcome).toBe('replayed');
		const keys = sandbox.requestsTo('POST', '/api/v2/customers/kommo-lead-42/subscription_for_items').map((r) => r.headers['chargebee-idempotency-key']);
		expect(keys).toHaveLength(3);
		expect(new Set(keys).size).toBe(1);
		expect(sandbox.eventsOfType('subscription_created')).toHaveLength(1);
		// A different deal is a different key and a second subscription.
		await subscription({ ...params, items: items({ itemPriceId: 'pro-USD-monthly', quantity: 2 }) });
		expect(sandbox.subscriptions.size).toBe(2);
	});

	it('Create with a deterministic Subscription ID stays single after the 30-minute key window', async () => {
		const params = { operation: 'create', customerId: 'kommo-lead-42', subscriptionId: 'kommo-lead-42-sub', items: items({ itemPriceId: 'pro-USD-monthly' }) };
		await subscription(params);
		sandbox.advanceClock(31 * 60 * 1000);
		const [again] = await subscription(params);
		expect(again).toMatchObject({ id: 'kommo-lead-42-sub', outcome: 'already_exists' });
		expect(sandbox.subscriptions.size).toBe(1);

		await seedCustomer('other', 'other@example.com');
		const clash = await runNodeError(sandbox, { resource: 'subscription', ...params, customerId: 'other' });
		expect(clash.message).toContain('already exists for another customer (kommo-lead-42)');

		const strict = await runNodeError(sandbox, { resource: 'subscription', ...params, additionalFields: { ifExists: 'error' } });
		expect(strict.message).toContain('duplicate_entry');
	});

	it('Create: future start date, zero-decimal currency, and clear errors for bad items', async () => {
		const start = new Date(Date.now() + 10 * 24 * 3600 * 1000).toISOString();
		await seedCustomer('jp', 'jp@example.com');
		const [future] = await subscription({
			operation: 'create',
			customerId: 'jp',
			startDate: start,
			items: items({ itemPriceId: 'basic-JPY-monthly', unitPrice: '2500' }),
		});
		expect(future).toMatchObject({ status: 'future', start_date: Math.floor(Date.parse(start) / 1000), currency_code: 'JPY' });
		expect(future.money).toEqual({ minor: '2500', decimal: '2500', currency: 'JPY', formatted: '2500 JPY' });
		expect(future.invoice).toBeUndefined();

		const fraction = await runNodeError(sandbox, {
			resource: 'subscription',
			operation: 'create',
			customerId: 'jp',
			items: items({ itemPriceId: 'basic-JPY-monthly', unitPrice: '25.50' }),
		});
		expect(fraction.message).toContain('Items → item 1: unit price override');
		expect(fraction.message).toContain('more decimals than JPY allows (0)');

		const unknown = await runNodeError(sandbox, {
			resource: 'subscription',
			operation: 'create',
			customerId: 'jp',
			items: items({ itemPriceId: 'pro-USD-monhtly' }),
		});
		expect(unknown.message).toContain('Chargebee 404 (resource_not_found)');
		expect(unknown.message).toContain('[field: subscription_items[item_price_id][0]]');

		const none = await runNodeError(sandbox, { resource: 'subscription', operation: 'create', customerId: 'jp', items: {} });
		expect(none.message).toBe('Add at least one item price under "Items" [item 0]');
	});

	it('Get and List for customer (with a status filter)', async () => {
		await subscription({ operation: 'create', customerId: 'kommo-lead-42', subscriptionId: 's-a', items: items({ itemPriceId: 'pro-USD-monthly' }) });
		await subscription({ operation: 'create', customerId: 'kommo-lead-42', subscriptionId: 's-b', items: items({ itemPriceId: 'pro-USD-yearly' }) });
		await subscription({ operation: 'cancel', subscriptionId: 's-b', when: 'immediately' });
		const [got] = await subscription({ operation: 'get', subscriptionId: 's-a', simplify: false });
		expect(got).toMatchObject({ id: 's-a', money: { decimal: '30.00', currency: 'USD' } });
		const all = await subscription({ operation: 'listForCustomer', customerId: 'kommo-lead-42', returnAll: true });
		expect(all.map((s) => s.id).sort()).toEqual(['s-a', 's-b']);
		const active = await subscription({ operation: 'listForCustomer', customerId: 'kommo-lead-42', status: ['active'], returnAll: true });
		expect(active.map((s) => s.id)).toEqual(['s-a']);
		expect(active[0]).toEqual({
			id: 's-a',
			customer_id: 'kommo-lead-42',
			status: 'active',
			plan_item_price_id: 'pro-USD-monthly',
			currency_code: 'USD',
			amount: '30.00 USD',
			current_term_end: expect.any(Number),
			next_billing_at: expect.any(Number),
		});
		const [raw] = await subscription({ operation: 'listForCustomer', customerId: 'kommo-lead-42', status: ['active'], returnAll: true, simplify: false });
		expect(raw.money).toMatchObject({ decimal: '30.00' });
	});

	it('Cancel: at end of term, or immediately with a reason code and prorated credit', async () => {
		await subscription({ operation: 'create', customerId: 'kommo-lead-42', subscriptionId: 's-1', items: items({ itemPriceId: 'pro-USD-monthly' }) });
		await subscription({ operation: 'create', customerId: 'kommo-lead-42', subscriptionId: 's-2', items: items({ itemPriceId: 'pro-USD-monthly' }) });
		const [later] = await subscription({ operation: 'cancel', subscriptionId: 's-1', when: 'endOfTerm', cancelReasonCode: 'Too expensive' });
		expect(later).toMatchObject({ status: 'non_renewing', cancel_reason_code: 'Too expensive' });
		const [now] = await subscription({
			operation: 'cancel',
			subscriptionId: 's-2',
			when: 'immediately',
			cancelReasonCode: 'Not Paid',
			options: { creditOption: 'prorate' },
		});
		expect(now).toMatchObject({ status: 'cancelled', cancel_reason_code: 'Not Paid' });
		expect((now.credit_notes as IDataObject[])[0]).toMatchObject({ reference_invoice_id: expect.any(String), money: { currency: 'USD' } });
		const wire = new URLSearchParams(sandbox.requestsTo('POST', '/api/v2/subscriptions/s-2/cancel_for_items')[0].rawBody.toString('utf8'));
		expect(wire.get('end_of_term')).toBe('false');
		expect(wire.get('credit_option_for_current_term_charges')).toBe('prorate');
		const again = await runNodeError(sandbox, { resource: 'subscription', operation: 'cancel', subscriptionId: 's-2', when: 'immediately' });
		expect(again.message).toContain('invalid_state_for_request');
	});

	it('Change items: a new plan replaces the old one, quantities update, or the list is replaced', async () => {
		await subscription({
			operation: 'create',
			customerId: 'kommo-lead-42',
			subscriptionId: 's-1',
			items: items({ itemPriceId: 'pro-USD-monthly' }, { itemPriceId: 'seats-USD-monthly', quantity: 2 }),
		});
		const [upgraded] = await subscription({
			operation: 'changeItems',
			subscriptionId: 's-1',
			items: items({ itemPriceId: 'enterprise-USD-monthly' }, { itemPriceId: 'seats-USD-monthly', quantity: 5 }),
		});
		expect((upgraded.subscription_items as IDataObject[]).map((i) => [i.item_price_id, i.quantity])).toEqual([
			['enterprise-USD-monthly', 1],
			['seats-USD-monthly', 5],
		]);
		expect(upgraded.money).toMatchObject({ decimal: '525.00' });
		expect(sandbox.eventsOfType('subscription_changed')).toHaveLength(1);

		const [replaced] = await subscription({
			operation: 'changeItems',
			subscriptionId: 's-1',
			items: items({ itemPriceId: 'pro-USD-monthly' }),
			replaceItemsList: true,
		});
		expect((replaced.subscription_items as IDataObject[]).map((i) => i.item_price_id)).toEqual(['pro-USD-monthly']);

		const [scheduled] = await subscription({
			operation: 'changeItems',
			subscriptionId: 's-1',
			items: items({ itemPriceId: 'enterprise-USD-monthly' }),
			when: 'endOfTerm',
		});
		expect(scheduled).toMatchObject({ has_scheduled_changes: true });
		expect((scheduled.subscription_items as IDataObject[])[0].item_price_id).toBe('pro-USD-monthly');
	});
});

describe('Invoice and Item price', () => {
	it('Invoice Get with money; Get PDF download URL that can be fetched', async () => {
		await seedCustomer();
		const [sub] = await subscription({ operation: 'create', customerId: 'kommo-lead-42', items: items({ itemPriceId: 'pro-EUR-monthly' }) });
		const invoiceId = String((sub.invoice as IDataObject).id);
		const [invoice] = await runNode(sandbox, { resource: 'invoice', operation: 'get', invoiceId, simplify: false });
		expect(invoice).toMatchObject({ id: invoiceId, money: { minor: '2800', decimal: '28.00', currency: 'EUR' }, amountDue: { decimal: '0.00' } });
		const [pdf] = await runNode(sandbox, { resource: 'invoice', operation: 'getPdfUrl', invoiceId, dispositionType: 'inline' });
		expect(pdf).toMatchObject({ invoiceId, mimeType: 'application/pdf', validTillIso: expect.any(String) });
		const file = await fetch(String(pdf.downloadUrl));
		expect(file.status).toBe(200);
		const missing = await runNodeError(sandbox, { resource: 'invoice', operation: 'get', invoiceId: '999999' });
		expect(missing.message).toContain('404');
	});

	it('Item price List: filters, money, and paging past 100 with Return All', async () => {
		const plans = await runNode(sandbox, { resource: 'itemPrice', operation: 'list', returnAll: true, filters: { itemType: 'plan', status: 'active' }, simplify: false });
		expect(plans.map((p) => p.id)).toEqual(['pro-USD-monthly', 'pro-USD-yearly', 'pro-EUR-monthly', 'basic-JPY-monthly', 'enterprise-USD-monthly']);
		expect(plans[3].money).toEqual({ minor: '3000', decimal: '3000', currency: 'JPY', formatted: '3000 JPY' });
		const eur = await runNode(sandbox, { resource: 'itemPrice', operation: 'list', returnAll: true, filters: { currencyCode: 'eur' } });
		expect(eur.map((p) => p.id)).toEqual(['pro-EUR-monthly']);

		for (let n = 0; n < 130; n++) sandbox.addItemPrice({ id: `bulk-${n}`, price: 100 + n, currency_code: 'USD' });
		sandbox.resetLog();
		const all = await runNode(sandbox, { resource: 'itemPrice', operation: 'list', returnAll: true });
		expect(all).toHaveLength(138);
		expect(sandbox.requestsTo('GET', '/api/v2/item_prices').map((r) => r.query.limit)).toEqual(['100', '100']);
		const some = await runNode(sandbox, { resource: 'itemPrice', operation: 'list', returnAll: false, limit: 7 });
		expect(some).toHaveLength(7);
	});

	it('feeds the item price dropdown with active prices, labelled with price and period', async () => {
		const options = await itemPriceOptions(sandbox);
		const values = options.map((o) => o.value);
		expect(values).toContain('pro-USD-monthly');
		expect(values).not.toContain('legacy-USD-monthly');
		expect(options.find((o) => o.value === 'pro-USD-monthly')).toEqual({
			name: 'Pro USD Monthly (plan)',
			value: 'pro-USD-monthly',
			description: 'pro-USD-monthly · 30.00 USD / 1 month',
		});
	});
});

describe('credentials, limits and secrets', () => {
	it('a wrong key is a 401 with a hint, and the key never appears in the error', async () => {
		const error = await runNodeError(sandbox, { resource: 'customer', operation: 'get', customerId: 'x' }, { apiKey: 'test_wrong_SECRETKEY_123' });
		expect(error.message).toContain('Chargebee 401 (api_authentication_failed)');
		expect(error.description).toContain('Check the API key and the site');
		expect(JSON.stringify({ m: error.message, d: error.description, e: (error as unknown as { errorResponse: unknown }).errorResponse })).not.toContain(
			'test_wrong_SECRETKEY_123',
		);
	});

	it('a read-only key cannot create: 403 with what to do', async () => {
		await sandbox.stop();
		sandbox = await new ChargebeeSandbox({ readOnlyApiKeys: ['test_readonly_0001'], customersHaveCard: true }).start();
		const error = await runNodeError(sandbox, { resource: 'customer', operation: 'create', email: 'a@b.co' }, { apiKey: 'test_readonly_0001' });
		expect(error.message).toContain('Chargebee 403 (api_authorization_failed)');
		expect(error.description).toContain('full-access key');
		await expect(runNode(sandbox, { resource: 'itemPrice', operation: 'list' }, { credentials: { apiKey: 'test_readonly_0001' } })).resolves.toHaveLength(8);
	});

	it('retries after a 429 (Retry-After) and succeeds; a POST with its key is retried after a 503', async () => {
		sandbox.faults.push({ path: '/api/v2/item_prices', status: 429, headers: { 'retry-after': '1' }, body: { message: 'limit', api_error_code: 'api_request_limit_exceeded' }, times: 1 });
		const started = Date.now();
		await runNode(sandbox, { resource: 'itemPrice', operation: 'list' });
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(sandbox.requestsTo('GET', '/api/v2/item_prices')).toHaveLength(2);

		sandbox.faults.push({ path: '/api/v2/customers', method: 'POST', status: 503, times: 1 });
		const [out] = await customer({ operation: 'create', customerId: 'after-503' });
		expect(out.id).toBe('after-503');
		expect(sandbox.requestsTo('POST', '/api/v2/customers')).toHaveLength(2);
	});

	it("the sandbox's per-minute limit answers 429 that the client waits out", async () => {
		sandbox.requestsPerMinute = 3;
		sandbox.advanceClock(-58_000); // the window's first requests will age out after ~2 s of real time
		await runNode(sandbox, { resource: 'itemPrice', operation: 'list' });
		await runNode(sandbox, { resource: 'itemPrice', operation: 'list' });
		await runNode(sandbox, { resource: 'itemPrice', operation: 'list' });
		sandbox.advanceClock(58_000);
		const out = await runNode(sandbox, { resource: 'itemPrice', operation: 'list' });
		expect(out).toHaveLength(8);
		expect(sandbox.stats.rateLimited).toBeGreaterThanOrEqual(1);
		sandbox.requestsPerMinute = 150;
	}, 20_000);

	it('the Base URL override accepts a trailing /api/v2, and a bad site is named', async () => {
		const out = await runNode(sandbox, { resource: 'itemPrice', operation: 'list' }, { credentials: { baseUrl: `${sandbox.url}/api/v2/` } });
		expect(out).toHaveLength(8);
		const error = await runNodeError(sandbox, { resource: 'itemPrice', operation: 'list' }, { baseUrl: '', customHost: false, site: 'acme test' });
		expect(error.message).toContain('Chargebee credential: "acme test" is not a site name');
	});
});
