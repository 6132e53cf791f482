/**
 * Zuora node, issue #18: invoices (Get Many, Get PDF), payments (Get Many), Account → Update,
 * Simplify, and the account / subscription locators, in-process against the Zuora sandbox
 * (which checks every request and answer against Zuora's OpenAPI spec).
 */
import { ZuoraOAuth2Api } from '../../../credentials/ZuoraOAuth2Api.credentials';
import { Zuora } from '../../../nodes/Zuora/Zuora.node';
import { executeNode } from '../../helpers/n8n-context';
import { resetZuoraProcessState, runZuora, runZuoraError, startZuora, zuoraCredentials } from '../../helpers/zuora';
import { ZuoraSandbox } from '../../../dev/sandbox/zuora';

let sandbox: ZuoraSandbox;
beforeAll(async () => {
	sandbox = await startZuora();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	resetZuoraProcessState();
});

const byList = (value: string) => ({ __rl: true, mode: 'list', value });
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

describe('Invoice → Get Many', () => {
	it('lists the invoices of an account given by number (resolved to its ID for Object Query)', async () => {
		const account = sandbox.seedAccount({ name: 'Invoiced Co' });
		const other = sandbox.seedAccount({ name: 'Other Co' });
		for (let i = 0; i < 3; i++) sandbox.seedInvoice(account, { amount: 10 + i });
		sandbox.seedInvoice(other);
		const out = await runZuora(sandbox, { resource: 'invoice', operation: 'getMany', accountKey: byId(account.accountNumber), returnAll: true });
		expect(out).toHaveLength(3);
		expect(out.every((i) => i.accountId === account.id)).toBe(true);
		const [query] = sandbox.requestsTo('GET', '/object-query/invoices');
		expect(query.query['filter[]']).toBe(`accountId.EQ:${account.id}`);
		expect(sandbox.invalidRequests).toEqual([]);
	});

	it('follows the cursor for Return All and stops at Limit; an ID skips the account look-up', async () => {
		const account = sandbox.seedAccount({ name: 'Many Invoices' });
		for (let i = 0; i < 105; i++) sandbox.seedInvoice(account, { amount: 1 });
		const all = await runZuora(sandbox, { resource: 'invoice', operation: 'getMany', accountKey: byId(account.id), returnAll: true });
		expect(all).toHaveLength(105);
		const pages = sandbox.requestsTo('GET', '/object-query/invoices');
		expect(pages).toHaveLength(2);
		expect(pages[0].query.pageSize).toBe('99');
		expect(pages[1].query.cursor).toBeDefined();
		expect(sandbox.requestsTo('GET', `/v1/accounts/${account.id}`)).toHaveLength(0);

		sandbox.resetLog();
		const some = await runZuora(sandbox, { resource: 'invoice', operation: 'getMany', accountKey: byId(account.id), returnAll: false, limit: 7 });
		expect(some).toHaveLength(7);
		expect(sandbox.requestsTo('GET', '/object-query/invoices')[0].query.pageSize).toBe('7');
	});

	it('filters by status and simplifies to at most 10 fields', async () => {
		const account = sandbox.seedAccount({ name: 'Draft Co' });
		sandbox.seedInvoice(account, { status: 'Draft' });
		sandbox.seedInvoice(account, { status: 'Posted', postedDate: '2026-01-02' });
		const [posted, ...rest] = await runZuora(sandbox, {
			resource: 'invoice',
			operation: 'getMany',
			accountKey: byList(account.accountNumber),
			returnAll: true,
			filters: { status: 'Posted' },
		});
		expect(rest).toHaveLength(0);
		expect(posted.status).toBe('Posted');
		expect(Object.keys(posted).length).toBeLessThanOrEqual(10);
		expect(Object.values(posted).some((v) => v !== null && typeof v === 'object')).toBe(false);
	});

	it('an unknown account is Zuora\'s not-found error', async () => {
		const error = await runZuoraError(sandbox, { resource: 'invoice', operation: 'getMany', accountKey: byId('A404'), returnAll: true });
		expect(error.message).toBe("Zuora 200 (50000040): Cannot find entity by key: 'A404'. [item 0]");
		expect(error.description).toContain('Zuora has no such object in this tenant');
	});
});

describe('Invoice → Get PDF', () => {
	it('downloads the newest PDF of a posted invoice into a binary property', async () => {
		const account = sandbox.seedAccount({ name: 'Pdf Co' });
		const invoice = sandbox.seedInvoice(account);
		const newest = sandbox.addInvoiceFile(invoice);
		const [item] = await executeNode({
			nodeType: new Zuora(),
			parameters: { resource: 'invoice', operation: 'getPdf', invoiceKey: String(invoice.invoiceNumber), binaryPropertyName: 'invoicePdf' },
			credentials: { zuoraOAuth2Api: zuoraCredentials(sandbox) },
			credentialTypes: [new ZuoraOAuth2Api()],
		}).then((out) => out[0]);
		expect(item.json).toMatchObject({ invoiceKey: invoice.invoiceNumber, fileId: newest, pdfFileUrl: `/v1/files/${newest}` });
		const binary = item.binary?.invoicePdf;
		expect(binary).toMatchObject({ mimeType: 'application/pdf', fileName: `${String(invoice.invoiceNumber)}.pdf` });
		const bytes = Buffer.from(binary?.data ?? '', 'base64');
		expect(bytes.equals(ZuoraSandbox.invoicePdf(String(invoice.invoiceNumber)))).toBe(true);
		const [download] = sandbox.requestsTo('GET', `/v1/files/${newest}`);
		expect(download.headers.authorization).toMatch(/^Bearer /);
		expect(download.headers['zuora-version']).toBeDefined();
	});

	it('without Download only names the file; a draft invoice (no PDF yet) is a clear error', async () => {
		const account = sandbox.seedAccount({ name: 'Pdf Co' });
		const invoice = sandbox.seedInvoice(account);
		const [meta] = await runZuora(sandbox, { resource: 'invoice', operation: 'getPdf', invoiceKey: String(invoice.id), download: false });
		expect(meta.pdfFileUrl).toMatch(/^\/v1\/files\/[0-9a-f]{32}$/);
		expect(sandbox.requestsTo('GET', /^\/v1\/files\//)).toHaveLength(0);

		const draft = sandbox.seedInvoice(account, { status: 'Draft' });
		const error = await runZuoraError(sandbox, { resource: 'invoice', operation: 'getPdf', invoiceKey: String(draft.invoiceNumber) });
		expect(error.message).toBe(`Invoice ${String(draft.invoiceNumber)} has no PDF file in Zuora [item 0]`);
		expect((error as { description?: string }).description).toContain('posted');
	});

	it('retries a 503 on the download; a file Zuora refuses is reported with Zuora\'s message', async () => {
		const account = sandbox.seedAccount({ name: 'Pdf Co' });
		const invoice = sandbox.seedInvoice(account);
		sandbox.faults.push({ method: 'GET', path: /^\/v1\/files\//, status: 503, times: 1 });
		const [ok] = await runZuora(sandbox, { resource: 'invoice', operation: 'getPdf', invoiceKey: String(invoice.id) });
		expect(ok.fileSize).toBeGreaterThan(0);
		expect(sandbox.requestsTo('GET', /^\/v1\/files\//)).toHaveLength(2);

		sandbox.faults.push({
			method: 'GET',
			path: /^\/v1\/files\//,
			status: 404,
			times: 1,
			body: { success: false, processId: 'ABC', reasons: [{ code: '50000040', message: 'Cannot find file' }] },
		});
		const error = await runZuoraError(sandbox, { resource: 'invoice', operation: 'getPdf', invoiceKey: String(invoice.id) });
		expect(error.message).toBe('Zuora 404 (50000040): Cannot find file [item 0]');
	});
});

describe('Payment → Get Many', () => {
	it('pages through GET /v1/payments (≤ 40 per page) for Return All, filtered by account and status', async () => {
		const account = sandbox.seedAccount({ name: 'Payer' });
		const other = sandbox.seedAccount({ name: 'Other payer' });
		for (let i = 0; i < 45; i++) sandbox.seedPayment(account, { amount: i + 1 });
		sandbox.seedPayment(account, { status: 'Error' });
		sandbox.seedPayment(other);
		const all = await runZuora(sandbox, {
			resource: 'payment',
			operation: 'getMany',
			accountKey: byId(account.accountNumber),
			returnAll: true,
			filters: { status: 'Processed' },
		});
		expect(all).toHaveLength(45);
		const pages = sandbox.requestsTo('GET', '/v1/payments');
		expect(pages.map((p) => [p.query.page, p.query.pageSize])).toEqual([
			['1', '40'],
			['2', '40'],
		]);
		expect(pages[0].query).toMatchObject({ accountId: account.id, status: 'Processed' });
		expect(Object.keys(all[0]).sort()).toEqual(
			['accountId', 'accountNumber', 'amount', 'currency', 'effectiveDate', 'gatewayResponse', 'id', 'number', 'status', 'type'].sort(),
		);

		const [failed] = await runZuora(sandbox, { resource: 'payment', operation: 'getMany', accountKey: byId(account.id), returnAll: false, limit: 5, filters: { status: 'Error' }, simplify: false });
		expect(failed).toMatchObject({ status: 'Error', money: { currency: 'USD' } });
	});
});

describe('Account → Update', () => {
	it('sends only the given fields with PUT and returns the account as Get does', async () => {
		const account = sandbox.seedAccount({ name: 'Old Name', crmId: '1' });
		const [updated] = await runZuora(sandbox, {
			resource: 'account',
			operation: 'update',
			accountKey: byList(account.accountNumber),
			updateFields: { name: 'New Name', crmId: '31337', billToContact: { workEmail: 'billing@new.example' }, customFields: '{"KommoPipeline__c": "Sales"}' },
		});
		expect(updated).toMatchObject({ accountNumber: account.accountNumber, name: 'New Name', crmId: '31337', updated: true });
		const [put] = sandbox.requestsTo('PUT', `/v1/accounts/${account.accountNumber}`);
		expect(put.body).toEqual({ name: 'New Name', crmId: '31337', billToContact: { workEmail: 'billing@new.example' }, KommoPipeline__c: 'Sales' });
		expect(sandbox.findAccount(account.accountNumber)?.billToContact.workEmail).toBe('billing@new.example');
		expect(sandbox.invalidRequests).toEqual([]);
	});

	it('refuses an empty update before calling Zuora, and carries Zuora\'s field error', async () => {
		const account = sandbox.seedAccount({ name: 'Acme' });
		const empty = await runZuoraError(sandbox, { resource: 'account', operation: 'update', accountKey: byId(account.accountNumber), updateFields: {} });
		expect(empty.message).toBe('Nothing to update [item 0]');
		expect(sandbox.requestsTo('PUT', /.*/)).toHaveLength(0);

		const refused = await runZuoraError(sandbox, { resource: 'account', operation: 'update', accountKey: byId(account.accountNumber), updateFields: { paymentTerm: 'Net 99' } });
		expect(refused.message).toBe("Zuora 200 (53100020): Invalid value for field 'paymentTerm': 'Net 99' is not a payment term of this tenant [field: paymentTerm] [item 0]");
		expect(refused.context.itemIndex).toBe(0);
	});
});

describe('Simplify and locators', () => {
	it('Account → Get: Simplify (default in version 1.1) gives the documented 10 flat fields; off gives the full answer', async () => {
		const account = sandbox.seedAccount({ name: 'Simple Co', crmId: '99' });
		const [simple] = await runZuora(sandbox, { resource: 'account', operation: 'get', accountKey: byId(account.accountNumber) });
		expect(simple).toEqual({
			id: account.id,
			accountNumber: account.accountNumber,
			name: 'Simple Co',
			crmId: '99',
			status: 'Active',
			currency: 'USD',
			balance: '0.00',
			billCycleDay: 1,
			paymentTerm: 'Due Upon Receipt',
			workEmail: 'ada@example.com',
		});
		const [full] = await runZuora(sandbox, { resource: 'account', operation: 'get', accountKey: byId(account.accountNumber), simplify: false });
		expect(full).toHaveProperty('billToContact.firstName', 'Ada');
	});

	it('version 1 (workflows saved before Simplify) keeps the full answer, and a plain string key still works', async () => {
		const account = sandbox.seedAccount({ name: 'Legacy Co' });
		const [out] = await executeNode({
			nodeType: new Zuora(),
			typeVersion: 1,
			parameters: { resource: 'account', operation: 'get', accountKey: `={{ "${account.accountNumber}" }}` },
			credentials: { zuoraOAuth2Api: zuoraCredentials(sandbox) },
			credentialTypes: [new ZuoraOAuth2Api()],
		});
		expect(out[0].json).toHaveProperty('billToContact.workEmail', 'ada@example.com');
		expect(out[0].json).toHaveProperty('money');
	});

	it('Subscription → Get accepts the locator (From list value) and simplifies', async () => {
		const account = sandbox.seedAccount({ name: 'Sub Co' });
		await runZuora(sandbox, {
			resource: 'subscription',
			operation: 'create',
			accountNumber: account.accountNumber,
			productRatePlanId: '8ad09be48db5aba7018db5plan00pro-m',
			contractEffectiveDate: '2026-01-01',
			termType: 'TERMED',
			initialTerm: 12,
			initialTermPeriodType: 'Month',
			autoRenew: true,
		});
		const number = sandbox.subscriptions[0].subscriptionNumber;
		const [sub] = await runZuora(sandbox, { resource: 'subscription', operation: 'get', subscriptionNumber: byList(number) });
		expect(sub).toMatchObject({ subscriptionNumber: number, status: 'Active', currency: 'USD' });
		expect(Object.keys(sub)).toHaveLength(10);
	});

	it('an empty locator is a clear error naming the field', async () => {
		const error = await runZuoraError(sandbox, { resource: 'account', operation: 'get', accountKey: byList('') });
		expect(error.message).toBe('Account Number or ID is empty [item 0]');
		expect(error.context.itemIndex).toBe(0);
	});
});

