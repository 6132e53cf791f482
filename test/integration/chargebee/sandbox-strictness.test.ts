/**
 * ChargebeeSandbox is as strict as Chargebee where our nodes could otherwise pass by luck
 * (issue 14 item 8):
 *  - `cf_*` keys: Chargebee knows only the custom fields created on the site
 *    (apidocs.chargebee.com/docs/api/advanced-features "Custom fields"); a parameter it cannot
 *    take is an invalid_request naming the key (`cf_push_licenses : not in allowed values`,
 *    chargebee/chargebee-php issue #6);
 *  - idempotency: "any requests with the same idempotency key and parameters will be considered
 *    as a replay of the original request" (apidocs.chargebee.com/docs/api/v1/idempotency): the
 *    same key with other parameters is not a replay and is refused;
 *  - `email[is]` is an exact match; case folding is not documented, so it is not assumed.
 */
import { ChargebeeSandbox, DEFAULT_CUSTOM_FIELDS } from '../../../dev/sandbox/chargebee';

let sandbox: ChargebeeSandbox;

beforeAll(async () => {
	sandbox = await new ChargebeeSandbox().start();
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

async function call(method: 'GET' | 'POST', path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
	const response = await fetch(`${sandbox.url}/api/v2${path}`, {
		method,
		headers: {
			authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`,
			...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
			...headers,
		},
		body: form ? new URLSearchParams(form).toString() : undefined,
	});
	return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe('custom fields the site does not define', () => {
	it('the default site defines what the shipped workflow and the node send by default', () => {
		expect(DEFAULT_CUSTOM_FIELDS.customer).toEqual(['cf_kommo_lead_id']);
	});

	it('a defined customer field is kept; an undefined one is refused with an invalid_request naming it', async () => {
		const ok = await call('POST', '/customers', { id: 'c-1', cf_kommo_lead_id: '42' });
		expect(ok.status).toBe(200);
		expect((ok.body.customer as Record<string, unknown>).cf_kommo_lead_id).toBe('42');

		const refused = await call('POST', '/customers', { id: 'c-2', cf_not_on_site: 'x' });
		expect(refused.status).toBe(400);
		expect(refused.body).toMatchObject({ type: 'invalid_request', api_error_code: 'param_wrong_value', param: 'cf_not_on_site', http_status_code: 400 });
		expect(String(refused.body.message)).toMatch(/^cf_not_on_site : /);
		expect(sandbox.customers.has('c-2')).toBe(false);

		const update = await call('POST', '/customers/c-1', { cf_not_on_site: 'x' });
		expect(update.status).toBe(400);
		expect(update.body.param).toBe('cf_not_on_site');
	});

	it('subscriptions know no custom field unless the site defines one', async () => {
		const strict = await new ChargebeeSandbox({ customersHaveCard: true, customFields: { subscription: ['cf_deal'] } }).start();
		try {
			strict.addCustomer({ id: 'c-1' });
			const form = (extra: Record<string, string>) =>
				new URLSearchParams({ 'subscription_items[item_price_id][0]': 'pro-USD-monthly', ...extra }).toString();
			const post = async (extra: Record<string, string>) =>
				await fetch(`${strict.url}/api/v2/customers/c-1/subscription_for_items`, {
					method: 'POST',
					headers: { authorization: `Basic ${Buffer.from(`${strict.apiKey}:`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
					body: form(extra),
				});
			expect((await post({ id: 's-1', cf_deal: '7' })).status).toBe(200);
			expect(strict.subscriptions.get('s-1')?.cf_deal).toBe('7');
			const refused = await post({ id: 's-2', cf_kommo_lead_id: '7' });
			expect(refused.status).toBe(400);
			expect(((await refused.json()) as Record<string, unknown>).param).toBe('cf_kommo_lead_id');
			expect(strict.subscriptions.has('s-2')).toBe(false);
		} finally {
			await strict.stop();
		}
	});

	it('seeding a customer with an undefined field is a test mistake, named at once', () => {
		expect(() => sandbox.addCustomer({ id: 'x', cf_typo: '1' })).toThrow(/cf_typo is not a customer custom field/);
	});
});

describe('idempotency keys', () => {
	it('the same key and the same parameters (in any order) replay the stored answer', async () => {
		const key = { 'chargebee-idempotency-key': 'k-1' };
		const first = await call('POST', '/customers', { id: 'c-1', email: 'a@example.com' }, key);
		const again = await call('POST', '/customers', { email: 'a@example.com', id: 'c-1' }, key);
		expect(again.status).toBe(200);
		expect(again.headers.get('chargebee-idempotency-replayed')).toBe('true');
		expect(again.body).toEqual(first.body);
		expect(sandbox.eventsOfType('customer_created')).toHaveLength(1);
	});

	it('the same key with different parameters is refused, and nothing is created', async () => {
		const key = { 'chargebee-idempotency-key': 'k-2' };
		await call('POST', '/customers', { id: 'c-1', email: 'a@example.com' }, key);
		const other = await call('POST', '/customers', { id: 'c-2', email: 'b@example.com' }, key);
		expect(other.status).toBe(400);
		expect(other.headers.get('chargebee-idempotency-replayed')).toBeNull();
		expect(other.body).toMatchObject({ type: 'invalid_request', param: 'chargebee-idempotency-key', http_status_code: 400 });
		expect(sandbox.customers.has('c-2')).toBe(false);

		// another path with the same key and body is not the same request either
		const elsewhere = await call('POST', '/customers/c-1', { email: 'a@example.com' }, key);
		expect(elsewhere.status).toBe(400);

		// after the 30-minute window the key is free again
		sandbox.advanceClock(31 * 60 * 1000);
		expect((await call('POST', '/customers', { id: 'c-2', email: 'b@example.com' }, key)).status).toBe(200);
	});
});

describe('email filter', () => {
	it('email[is] matches exactly, case included', async () => {
		sandbox.addCustomer({ id: 'lower', email: 'ana@example.com' });
		sandbox.addCustomer({ id: 'mixed', email: 'Ana@Example.com' });
		const ids = async (email: string) =>
			((await call('GET', `/customers?${new URLSearchParams({ 'email[is]': email })}`)).body.list as Array<{ customer: { id: string } }>).map((e) => e.customer.id);
		expect(await ids('ana@example.com')).toEqual(['lower']);
		expect(await ids('Ana@Example.com')).toEqual(['mixed']);
		expect(await ids('ANA@EXAMPLE.COM')).toEqual([]);
	});
});

describe('issue #18 endpoints: the documented preconditions, with Chargebee error bodies', () => {
	async function withInvoice(autoCollection: 'on' | 'off') {
		sandbox.addCustomer({ id: 'c-18', auto_collection: autoCollection, primary_payment_source_id: 'pm_1', card_status: 'valid' });
		const created = await call('POST', '/customers/c-18/subscription_for_items', { id: 's-18', 'subscription_items[item_price_id][0]': 'pro-USD-monthly' });
		expect(created.status).toBe(200);
		return String((created.body.invoice as Record<string, unknown>).id);
	}

	it('pause: pause_option outside the SDK enum is a param_wrong_value; pausing a paused subscription an invalid_state_for_request', async () => {
		await withInvoice('on');
		const bad = await call('POST', '/subscriptions/s-18/pause', { pause_option: 'tomorrow' });
		expect(bad.status).toBe(400);
		expect(bad.body).toMatchObject({ api_error_code: 'param_wrong_value', param: 'pause_option' });
		expect(sandbox.takeDeviations()).toHaveLength(1);
		expect((await call('POST', '/subscriptions/s-18/pause', { pause_option: 'immediately' })).status).toBe(200);
		const twice = await call('POST', '/subscriptions/s-18/pause', { pause_option: 'immediately' });
		expect(twice.body).toMatchObject({ api_error_code: 'invalid_state_for_request', error_code: 'invalid_state_for_pause' });
		const noDate = await call('POST', '/subscriptions/s-18/resume', { resume_option: 'specific_date' });
		expect(noDate.body).toMatchObject({ param: 'resume_date' });
	});

	it('record_payment needs a payment method and an open invoice; credit notes need an invoice unless refundable for a customer', async () => {
		const invoiceId = await withInvoice('off');
		const noMethod = await call('POST', `/invoices/${invoiceId}/record_payment`, { comment: 'x' });
		expect(noMethod.body).toMatchObject({ api_error_code: 'param_wrong_value', param: 'transaction[payment_method]' });
		const adjustment = await call('POST', '/credit_notes', { type: 'adjustment', total: '100' });
		expect(adjustment.body).toMatchObject({ param: 'reference_invoice_id' });
		const standalone = await call('POST', '/credit_notes', { type: 'refundable', total: '100', customer_id: 'c-18' });
		expect(standalone.status).toBe(200);
		expect(standalone.body.credit_note).toMatchObject({ customer_id: 'c-18', type: 'refundable', total: 100 });
		expect((await call('POST', `/invoices/${invoiceId}/record_payment`, { 'transaction[payment_method]': 'cash' })).status).toBe(200);
		const paid = await call('POST', `/invoices/${invoiceId}/record_payment`, { 'transaction[payment_method]': 'cash' });
		expect(paid.body).toMatchObject({ api_error_code: 'invalid_state_for_request' });
	});

	it('portal sessions and payment-method pages need an existing customer[id]', async () => {
		expect((await call('POST', '/portal_sessions', { redirect_url: 'https://example.com' })).body).toMatchObject({ param: 'customer[id]' });
		const missing = await call('POST', '/hosted_pages/manage_payment_sources', { 'customer[id]': 'nobody' });
		expect(missing.status).toBe(404);
		expect(missing.body).toMatchObject({ api_error_code: 'resource_not_found', param: 'customer[id]' });
	});
});
