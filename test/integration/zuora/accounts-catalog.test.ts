/**
 * Zuora node, Account and Product Rate Plan operations, in-process against
 * the Zuora sandbox (real n8n-core execution context and HTTP helpers).
 */
import type { IDataObject } from 'n8n-workflow';

import {
	CLIENT_SECRET,
	NodeApiError,
	NodeOperationError,
	resetZuoraProcessState,
	runZuora,
	zuoraCredentials,
	runZuoraError,
	startZuora,
	zuoraLoadOptions,
} from '../../helpers/zuora';
import { DEFAULT_CATALOG, type ZuoraSandbox } from '../../../dev/sandbox/zuora';

let sandbox: ZuoraSandbox;
beforeAll(async () => {
	sandbox = await startZuora();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	resetZuoraProcessState();
});

const kommoContact = {
	id: 9001,
	name: 'Grace Brewster Hopper',
	custom_fields_values: [
		{ field_code: 'PHONE', values: [{ value: '+1 555 0100', enum_code: 'WORK' }] },
		{
			field_code: 'EMAIL',
			values: [
				{ value: 'grace@home.example', enum_code: 'PRIV' },
				{ value: 'grace@navy.example', enum_code: 'WORK' },
			],
		},
	],
};

const createParams = {
	resource: 'account',
	operation: 'create',
	name: 'Hopper Computing',
	currency: 'USD',
	crmId: '31337',
	billCycleDay: 15,
	paymentTerm: 'Net 30',
	kommoContact: JSON.stringify(kommoContact),
	billToContact: { country: 'US' },
};

describe('Account', () => {
	it('Create sends the Kommo contact as bill-to contact, crmId = lead id, and an Idempotency-Key', async () => {
		const [account] = await runZuora(sandbox, createParams);
		expect(account).toMatchObject({
			accountNumber: 'A00000001',
			name: 'Hopper Computing',
			crmId: '31337',
			currency: 'USD',
			created: true,
			money: { minor: '0', decimal: '0.00', currency: 'USD', formatted: '0.00 USD' },
		});
		const [post] = sandbox.requestsTo('POST', '/v1/accounts');
		expect(post.body).toMatchObject({
			name: 'Hopper Computing',
			currency: 'USD',
			billCycleDay: 15,
			paymentTerm: 'Net 30',
			autoPay: false,
			crmId: '31337',
			billToContact: {
				firstName: 'Grace Brewster',
				lastName: 'Hopper',
				workEmail: 'grace@navy.example',
				workPhone: '+1 555 0100',
				country: 'US',
			},
		});
		expect(post.headers['idempotency-key']).toMatch(/^n8n-kb-account-[0-9a-f]{40}$/);
		expect(post.headers.authorization).toMatch(/^Bearer [0-9a-f]+$/);
	});

	it('Create retried within one execution (answer lost) replays Zuora\'s answer: one account; a new execution gets a new key', async () => {
		sandbox.faults.push({ method: 'POST', path: '/v1/accounts', drop: true, afterEffect: true, times: 1 });
		const [a] = await runZuora(sandbox, createParams);
		expect(sandbox.accounts).toHaveLength(1);
		const keys = sandbox.requestsTo('POST', '/v1/accounts').map((r) => r.headers['idempotency-key']);
		expect(keys).toHaveLength(2);
		expect(keys[0]).toBe(keys[1]);
		expect(a.accountNumber).toBe(sandbox.accounts[0].accountNumber);
		// one logical attempt = one key: a re-run is another attempt (Find or Create is the re-run guard)
		await runZuora(sandbox, createParams);
		const next = sandbox.requestsTo('POST', '/v1/accounts').map((r) => r.headers['idempotency-key']);
		expect(next[2]).not.toBe(keys[0]);
	});

	it('Create: a Zuora validation error under HTTP 200 is an error naming code, message and field', async () => {
		const error = await runZuoraError(sandbox, { ...createParams, currency: 'SEK' });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			"Zuora 200 (53100020): Invalid value for field 'currency': SEK is not an active currency of this tenant [field: currency] [item 0]",
		);
		expect(error.description).toMatch(/processId [0-9A-F]{16}/);
		expect(sandbox.accounts).toHaveLength(0);
	});

	it('Create: missing last name stops before calling Zuora, naming the field', async () => {
		const error = await runZuoraError(sandbox, {
			...createParams,
			kommoContact: '',
			billToContact: { firstName: 'Ada' },
		});
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('The bill-to contact has no last name [item 0]');
		expect(sandbox.requestsTo('POST', '/v1/accounts')).toHaveLength(0);
	});

	it('Create: a malformed currency is refused with a specific message', async () => {
		const error = await runZuoraError(sandbox, { ...createParams, currency: 'dollars' });
		expect(error.message).toBe('Currency "DOLLARS" is not a three-letter code [item 0]');
	});

	it('Get returns the account by number, and a clear error when it does not exist', async () => {
		const seeded = sandbox.seedAccount({ name: 'Seeded', crmId: '7', currency: 'EUR' });
		const [account] = await runZuora(sandbox, { resource: 'account', operation: 'get', accountKey: seeded.accountNumber });
		expect(account).toMatchObject({ id: seeded.id, accountNumber: seeded.accountNumber, crmId: '7', currency: 'EUR' });

		const error = await runZuoraError(sandbox, { resource: 'account', operation: 'get', accountKey: 'A404' });
		expect(error.message).toBe("Zuora 200 (50000040): Cannot find entity by key: 'A404'. [item 0]");
	});

	it('Find by CRM ID reports found / not found, and escapes the value in ZOQL', async () => {
		sandbox.seedAccount({ name: 'Lead 42', crmId: '42' });
		const [hit] = await runZuora(sandbox, { resource: 'account', operation: 'findByCrmId', crmId: '42' });
		expect(hit).toMatchObject({ found: true, count: 1, crmId: '42', account: { CrmId: '42', AccountNumber: 'A00000001' } });

		const [miss] = await runZuora(sandbox, { resource: 'account', operation: 'findByCrmId', crmId: "42' or CrmId = '1" });
		expect(miss).toMatchObject({ found: false, count: 0, account: null });
		const last = sandbox.requestsTo('POST', '/v1/action/query').at(-1);
		expect((last?.body as IDataObject).queryString).toBe(
			"select Id, AccountNumber, Name, CrmId, Status, Currency from Account where CrmId = '42\\' or CrmId = \\'1'",
		);
	});

	it('Find by CRM ID: two look-ups never replay each other (fresh key per read)', async () => {
		await runZuora(sandbox, { resource: 'account', operation: 'findByCrmId', crmId: '42' });
		sandbox.seedAccount({ name: 'Lead 42', crmId: '42' });
		const [second] = await runZuora(sandbox, { resource: 'account', operation: 'findByCrmId', crmId: '42' });
		expect(second.found).toBe(true);
	});

	it('Find or Create creates once, then finds the same account', async () => {
		const params = { ...createParams, operation: 'findOrCreate' };
		const [first] = await runZuora(sandbox, params);
		const [second] = await runZuora(sandbox, { ...params, name: 'Renamed in Kommo meanwhile' });
		expect(first).toMatchObject({ created: true, crmId: '31337' });
		expect(second).toMatchObject({ created: false, accountNumber: first.accountNumber, name: 'Hopper Computing' });
		expect(sandbox.accounts).toHaveLength(1);
	});

	it('Find or Create with Return Full Account off: no GET after the create or the find, key facts only', async () => {
		const params = { ...createParams, operation: 'findOrCreate', additionalFields: { returnFullAccount: false } };
		const [first] = await runZuora(sandbox, params);
		expect(first).toEqual({ id: expect.any(String), accountNumber: 'A00000001', name: 'Hopper Computing', crmId: '31337', currency: 'USD', created: true });
		const [second] = await runZuora(sandbox, params);
		expect(second).toEqual({ ...first, status: 'Active', created: false });
		expect(sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/accounts/'))).toHaveLength(0);
		expect(sandbox.accounts).toHaveLength(1);
		// on (the default): the account is read back, as before
		const [full] = await runZuora(sandbox, { ...params, additionalFields: {} });
		expect(full).toMatchObject({ accountNumber: 'A00000001', created: false, basicInfo: expect.any(Object) });
	});

	it('Find or Create refuses to guess between two accounts with the same CRM ID', async () => {
		sandbox.seedAccount({ name: 'Twin A', crmId: '31337' });
		sandbox.seedAccount({ name: 'Twin B', crmId: '31337' });
		const error = await runZuoraError(sandbox, { ...createParams, operation: 'findOrCreate' });
		expect(error.message).toBe('2 Zuora accounts have CRM ID 31337 [item 0]');
		expect(error.description).toContain('A00000001, A00000002');
		expect(sandbox.requestsTo('POST', '/v1/accounts')).toHaveLength(0);
	});

	it('continueOnFail turns a failing item into an error item and carries on', async () => {
		sandbox.seedAccount({ name: 'Exists', crmId: '1' });
		const out = await runZuora(
			sandbox,
			{ resource: 'account', operation: 'get', accountKey: '={{ $json.key }}' },
			{ items: [{ key: 'A00000001' }, { key: 'A404' }], continueOnFail: true },
		);
		expect(out[0]).toMatchObject({ accountNumber: 'A00000001' });
		// the one Continue-On-Fail shape of the pack: the message and, as details, how to fix it
		expect(out[1]).toEqual({
			error: "Zuora 200 (50000040): Cannot find entity by key: 'A404'. [item 1]",
			details: expect.stringMatching(/^Zuora has no such object in this tenant\. .*processId/),
		});
		expect(JSON.stringify(out)).not.toContain(CLIENT_SECRET);
	});
});

describe('Product rate plan', () => {
	it('List returns active plans with recurring prices, money for a currency, following nextPage', async () => {
		// 45 more products: the catalog then spans two pages of 40.
		for (let i = 0; i < 45; i++) {
			sandbox.catalog.push({
				id: `prod-extra-${i}`,
				sku: `X-${i}`,
				name: `Extra ${i}`,
				productRatePlans: [
					{
						id: `plan-extra-${i}`,
						name: `Extra plan ${i}`,
						status: 'Active',
						productRatePlanCharges: [
							{ id: `c-${i}`, name: 'Fee', type: 'Recurring', model: 'FlatFee', billingPeriod: 'Month', pricing: [{ currency: 'GBP', price: 10 + i }] },
						],
					},
				],
			});
		}
		const all = await runZuora(sandbox, { resource: 'productRatePlan', operation: 'list' });
		const activeDefault = DEFAULT_CATALOG.flatMap((p) => p.productRatePlans).filter((p) => p.status === 'Active').length;
		expect(all).toHaveLength(activeDefault + 45);
		expect(sandbox.requestsTo('GET', '/v1/catalog/products')).toHaveLength(2);
		// the pinned Zuora-Version gives each product's plans as a URL, followed per product
		expect(sandbox.requestsTo('GET', /^\/v1\/products\/[^/]+\/product-rate-plans$/)).toHaveLength(DEFAULT_CATALOG.length + 45);

		const usd = await runZuora(sandbox, { resource: 'productRatePlan', operation: 'list', currency: 'usd' });
		expect(usd.map((p) => p.name)).toEqual(['Pro Monthly', 'Pro Annual', 'Enterprise Monthly', 'API Calls (pay as you go)']);
		expect(usd[0]).toMatchObject({
			id: '8ad09be48db5aba7018db5plan00pro-m',
			productName: 'Pro',
			recurringPrices: { USD: 49, EUR: 45, JPY: 7000 },
			money: { minor: '4900', decimal: '49.00', currency: 'USD', formatted: '49.00 USD' },
		});

		const withInactive = await runZuora(sandbox, { resource: 'productRatePlan', operation: 'list', includeInactive: true });
		expect(withInactive.some((p) => p.status === 'Expired')).toBe(true);
	}, 30_000);

	it("a 429 is retried after Zuora's RateLimit-Reset (no Retry-After header)", async () => {
		// Zuora's 429 answer carries RateLimit-Limit/-Remaining/-Reset (spec response headers;
		// developer.zuora.com rate-concurrency-limits), not necessarily Retry-After.
		const seeded = sandbox.seedAccount({ name: 'Busy Co' });
		const path = `/v1/accounts/${seeded.accountNumber}`;
		sandbox.faults.push({
			method: 'GET',
			path,
			status: 429,
			times: 1,
			body: { success: false, reasons: [{ code: 90000070, message: 'Too many requests' }] },
			headers: { 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': '2' },
		});
		const [got] = await runZuora(sandbox, { resource: 'account', operation: 'get', accountKey: seeded.accountNumber });
		expect(got.accountNumber).toBe(seeded.accountNumber);
		const [first, second] = sandbox.requestsTo('GET', path);
		expect(second.at - first.at).toBeGreaterThanOrEqual(1_900);
	}, 15_000);

	it('Payment → Get and Invoice → Get re-read what a callout names, with money; unknown ids are clear errors', async () => {
		const seeded = sandbox.seedAccount({ name: 'Callout Co', crmId: '77' });
		const payment = sandbox.seedPayment(seeded, { amount: 49.5, status: 'Error', gatewayResponse: 'Insufficient funds' });
		const invoice = sandbox.seedInvoice(seeded, { amount: 100, balance: 50.5 });
		const [p] = await runZuora(sandbox, { resource: 'payment', operation: 'get', paymentKey: String(payment.number), simplify: false });
		expect(p).toMatchObject({ id: payment.id, accountNumber: seeded.accountNumber, status: 'Error', money: { decimal: '49.50', currency: 'USD' } });
		expect(p).not.toHaveProperty('success');
		const [i] = await runZuora(sandbox, { resource: 'invoice', operation: 'get', invoiceKey: String(invoice.id), simplify: false });
		expect(i).toMatchObject({ invoiceNumber: invoice.invoiceNumber, money: { decimal: '100.00' }, balanceMoney: { decimal: '50.50' } });
		const error = await runZuoraError(sandbox, { resource: 'payment', operation: 'get', paymentKey: 'P-404' });
		expect(error.message).toBe("Zuora 200 (50000040): Cannot find entity by key: 'P-404'. [item 0]");
	});

	it('a multi-entity credential sends Zuora-Entity-Ids on every call', async () => {
		const seeded = sandbox.seedAccount({ name: 'Entity Co' });
		await runZuora(sandbox, { resource: 'account', operation: 'get', accountKey: seeded.accountNumber }, { credentials: zuoraCredentials(sandbox, { entityId: '8a8082c4-entity-0001' }) });
		const [get] = sandbox.requestsTo('GET', `/v1/accounts/${seeded.accountNumber}`);
		expect(get.headers['zuora-entity-ids']).toBe('8a8082c4-entity-0001');
	});

	it('pins Zuora-Version on every call, so a product with more than 300 rate plans is listed whole', async () => {
		// Without the header Zuora embeds at most 300 plans / 300 charges (Zuora reference GETProductType);
		// the sandbox cuts off the same way, so a missing header would lose plans here.
		sandbox.catalog = [
			{
				id: 'prod-big',
				sku: 'BIG',
				name: 'Big',
				productRatePlans: Array.from({ length: 320 }, (_, i) => ({
					id: `plan-big-${i}`,
					name: `Plan ${i}`,
					status: 'Active' as const,
					productRatePlanCharges: [{ id: `c-big-${i}`, name: 'Fee', type: 'Recurring' as const, model: 'FlatFee' as const, billingPeriod: 'Month' as const, pricing: [{ currency: 'USD', price: 1 }] }],
				})),
			},
		];
		const all = await runZuora(sandbox, { resource: 'productRatePlan', operation: 'list', returnAll: true });
		expect(all).toHaveLength(320);
		const limited = await runZuora(sandbox, { resource: 'productRatePlan', operation: 'list' });
		expect(limited).toHaveLength(50); // Return All off, Limit 50: the defaults of every list
		for (const request of sandbox.requests.filter((r) => r.path !== '/oauth/token')) {
			expect(request.headers['zuora-version']).toBe('2025-08-12');
		}
		// the old shape, as an integration without the header would get it
		const token = [...sandbox.tokens.keys()][0];
		const old = (await (await fetch(`${sandbox.url}/v1/catalog/products?pageSize=40`, { headers: { authorization: `Bearer ${token}` } })).json()) as { products: Array<{ productRatePlans: unknown[] }> };
		// the 2026 spec describes only the pinned shape (GETProductType.productRatePlans: a URL
		// string); the embedded array of old versions is outside it, and the referee says so
		expect(sandbox.takeResponseDeviations().map((d) => d.errors.join())).toEqual(['200 body /products/0/productRatePlans should be string {"type":"string"}']);
		expect(JSON.stringify(old)).toContain('sandbox_spec_violation');
		sandbox.specCheck = false;
		try {
			const embedded = (await (await fetch(`${sandbox.url}/v1/catalog/products?pageSize=40`, { headers: { authorization: `Bearer ${token}` } })).json()) as { products: Array<{ productRatePlans: unknown[] }> };
			expect(embedded.products[0].productRatePlans).toHaveLength(300);
		} finally {
			sandbox.specCheck = true;
		}
	}, 30_000);

	it('feeds the dropdowns: active plans named "Product – Plan" with prices', async () => {
		const options = await zuoraLoadOptions(sandbox, 'getProductRatePlans');
		expect(options.map((o) => o.name)).toEqual([
			'API Usage – API Calls (pay as you go)',
			'Enterprise – Enterprise Monthly',
			'Pro – Pro Annual',
			'Pro – Pro Monthly',
		]);
		expect(options.find((o) => o.value === '8ad09be48db5aba7018db5plan00pro-m')?.description).toBe(
			'Recurring: 49 USD, 45 EUR, 7000 JPY',
		);
	});
});
