/**
 * Every real Zuora callout body we have (test/fixtures/zuora-payloads, copied from
 * ../shared/payloads/zuora with their sources) goes through the Zuora Trigger in-process, as
 * Zuora would send it (Basic auth, the body's bytes as they are in the file; the API-Gateway
 * captures with their URL query string): each is accepted and normalised with the ids, amount,
 * currency and event type it carries, written out per file (issue 15 item 16). The sandbox's own
 * callouts have the same keys and value shapes as the corpus ones for the same event.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { ZuoraSandbox } from '../../../dev/sandbox/zuora';
import { basicHeader, callZuora, CREDS, items, normalizedOf, recent, sign } from '../../security/zuora-helpers';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'zuora-payloads');
const SHARED = path.join(__dirname, '..', '..', '..', '..', 'shared', 'payloads', 'zuora');
const read = (file: string) => readFileSync(path.join(DIR, file));

interface Expectation {
	/** normalized fields, every one written out (null = the body does not carry it) */
	normalized: IDataObject;
	/** the currency the body carries (the normalized event has it only inside `amount`) */
	currency: string | null;
}

// The Guardian bodies have no event name (one callout URL per notification) and no amount.
const PAYMENT_FAILURE: Expectation = {
	normalized: {
		eventType: null,
		category: 'other',
		transactionId: 'somePaymentId',
		customerId: 'accountId',
		subscriptionId: null,
		invoiceId: null,
		customerEmail: 'test.user123@guardian.co.uk',
		amount: null,
		kommoLeadId: null,
		occurredAt: null,
	},
	currency: 'GBP',
};

const BODIES: Array<{ file: string; contentType: string } & Expectation> = [
	{ file: 'guardian-support-service-lambdas__paymentFailure_validRequest.body.json', contentType: 'application/json', ...PAYMENT_FAILURE },
	{
		file: 'guardian-support-service-lambdas__paymentFailure_missingEmail.body.json',
		contentType: 'application/json',
		...PAYMENT_FAILURE,
		normalized: { ...PAYMENT_FAILURE.normalized, customerEmail: null },
	},
	{
		file: 'guardian__autoCancel_json_callout.test.json',
		contentType: 'application/json',
		normalized: {
			eventType: null,
			category: 'other',
			transactionId: null,
			customerId: 'someAccountId',
			subscriptionId: null,
			invoiceId: 'someInvoiceId',
			customerEmail: 'someEmail@domain.com',
			amount: null,
			kommoLeadId: null,
		},
		currency: 'gbp', // as the template rendered it: lower case
	},
	{
		// legacy notification callout: XML parameters, accepted
		file: 'guardian__autoCancel_legacy_callout.xml',
		contentType: 'application/xml',
		normalized: { eventType: null, category: 'other', customerId: 'acc123', transactionId: null, invoiceId: null, customerEmail: null, amount: null },
		currency: null,
	},
];

describe('real Zuora callout bodies through the trigger', () => {
	it('the fixtures hold every file of ../shared/payloads/zuora (when it is there), each covered below', () => {
		const covered = new Set([
			...BODIES.map((b) => b.file),
			...APIGW.map((a) => a.file),
			'zuora-docs__callout-template-request-body.TEMPLATE.json',
			'SOURCES.md',
		]);
		expect(readdirSync(DIR).filter((f) => !covered.has(f))).toEqual([]);
		if (existsSync(SHARED)) {
			for (const file of readdirSync(SHARED)) expect(readFileSync(path.join(SHARED, file))).toEqual(read(file));
		}
	});

	it.each(BODIES)('$file is accepted and normalised', async ({ file, contentType, normalized, currency }) => {
		const raw = read(file);
		const { result, exchange } = await callZuora({ authentication: 'basic' }, { headers: { authorization: basicHeader, 'content-type': contentType }, rawBody: raw });
		expect(exchange.response.statusCode).toBe(200);
		expect(items(result)).toHaveLength(1);
		const n = normalizedOf(result);
		expect(n).toMatchObject({ vendor: 'zuora', ...normalized });
		expect(items(result)[0].event).toMatchObject(currency === null ? {} : { currency });
		if (currency === null) expect((items(result)[0].event as IDataObject).currency).toBeUndefined();
		expect(String(n.dedupeKey)).toMatch(/^zuora:body-[0-9a-f]{32}$/);
	});

	it('the legacy XML callout keeps its parameters as strings; a malformed one is refused with a clear 400, never a crash', async () => {
		const { result } = await callZuora({ authentication: 'basic' }, { headers: { authorization: basicHeader, 'content-type': 'application/xml' }, rawBody: read('guardian__autoCancel_legacy_callout.xml') });
		expect(items(result)[0].event).toEqual({ AccountId: 'acc123', AutoPay: 'true' });
		const broken = await callZuora({ authentication: 'basic' }, { headers: { authorization: basicHeader, 'content-type': 'application/xml' }, rawBody: '<callout><parameter name="AccountId">acc123</callout' });
		expect(broken.exchange.response.statusCode).toBe(400);
		expect(JSON.stringify(broken.exchange.response.sent)).toContain('neither JSON nor a Zuora XML callout');
		expect(broken.result.workflowData).toBeUndefined();
	});

	it('two different real bodies never share a dedupe key; the same bytes always give the same one', async () => {
		const keys = await Promise.all(
			BODIES.map(async ({ file }) => normalizedOf((await callZuora({ authentication: 'basic' }, { headers: { authorization: basicHeader }, rawBody: read(file) })).result).dedupeKey),
		);
		expect(new Set(keys).size).toBe(BODIES.length);
		const again = normalizedOf((await callZuora({ authentication: 'basic' }, { headers: { authorization: basicHeader }, rawBody: read(BODIES[0].file) })).result).dedupeKey;
		expect(again).toBe(keys[0]);
	});
});

// The API-Gateway captures: Zuora posted the body to a URL with `?apiClientId=…&apiToken=…`, the
// receiver's own URL secret. Replayed as they arrived; the token re-made under the test secret.
const APIGW = [
	{ file: 'guardian-support-service-lambdas__paymentFailure_validRequest.apigw-event.json', expected: PAYMENT_FAILURE },
	{
		file: 'guardian-support-service-lambdas__paymentFailure_missingEmail.apigw-event.json',
		expected: { ...PAYMENT_FAILURE, normalized: { ...PAYMENT_FAILURE.normalized, customerEmail: null } },
	},
];

describe('real Zuora callouts with their URL query string (API-Gateway captures)', () => {
	it.each(APIGW)('$file is accepted with its URL secret and normalised; the secret stays out of the event', async ({ file, expected }) => {
		const event = JSON.parse(read(file).toString('utf8')) as { httpMethod: string; headers: Record<string, string>; queryStringParameters: Record<string, string>; body: string };
		expect(event.httpMethod).toBe('POST');
		expect(Object.keys(event.queryStringParameters)).toEqual(['apiClientId', 'apiToken']);
		const query = { ...event.queryStringParameters, apiToken: CREDS.urlSecret };
		const { result, exchange } = await callZuora(
			{ authentication: 'urlSecret', queryParameter: 'apiToken' },
			{ headers: { 'content-type': event.headers['Content-Type'] }, rawBody: Buffer.from(event.body, 'utf8'), query },
		);
		expect(exchange.response.statusCode).toBe(200);
		const [item] = items(result);
		expect(item.normalized).toMatchObject({ vendor: 'zuora', ...expected.normalized });
		expect(item.event).toMatchObject({ currency: expected.currency, apiClientId: 'validApiClientId' });
		expect(item.event).not.toHaveProperty('apiToken');
		// the captured token itself is refused (it is not this trigger's secret)
		const wrong = await callZuora(
			{ authentication: 'urlSecret', queryParameter: 'apiToken' },
			{ headers: { 'content-type': 'application/json' }, rawBody: Buffer.from(event.body, 'utf8'), query: event.queryStringParameters },
		);
		expect(wrong.exchange.response.statusCode).toBe(401);
	});

	// A callout URL that carries the receiver's own token while the trigger authenticates another
	// way (Basic, HMAC): the token is a credential, not event data, and must not reach the
	// execution data in any mode (before, only URL-secret mode dropped its own parameter).
	it.each(APIGW)('$file under Basic auth and HMAC (raw body): the URL token stays out of the event and of unverified', async ({ file }) => {
		const event = JSON.parse(read(file).toString('utf8')) as { queryStringParameters: Record<string, string>; body: string };
		const query = { ...event.queryStringParameters, SessionSecret: 's3', dbPassword: 'p4', api_key: 'k5' };
		const basic = await callZuora({ authentication: 'basic' }, { headers: { authorization: basicHeader, 'content-type': 'application/json' }, rawBody: Buffer.from(event.body, 'utf8'), query });
		expect(basic.exchange.response.statusCode).toBe(200);
		const [item] = items(basic.result);
		const output = JSON.stringify(basic.result);
		for (const secret of ['validApiToken', 's3', 'p4', 'k5']) expect(output).not.toContain(secret);
		expect(item.event).toMatchObject({ apiClientId: 'validApiClientId' });
		expect(item.event).not.toHaveProperty('apiToken');

		// HMAC mode needs a signed event time (the Guardian body has none: its template sent no timestamp)
		const raw = Buffer.from(JSON.stringify({ ...(JSON.parse(event.body) as IDataObject), eventTimestamp: recent() }), 'utf8');
		const hmac = await callZuora({ authentication: 'hmac', hmacSignedData: 'rawBody' }, { headers: { 'x-zuora-signature': sign(raw), 'content-type': 'application/json' }, rawBody: raw, query });
		expect(hmac.exchange.response.statusCode).toBe(200);
		const hmacOutput = JSON.stringify(hmac.result);
		for (const secret of ['validApiToken', 's3', 'p4', 'k5']) expect(hmacOutput).not.toContain(secret);
		expect(items(hmac.result)[0].unverified).toEqual({ apiClientId: 'validApiClientId' });
	});
});

// ---------------------------------------------------------------- the sandbox's own callouts

/** Zuora's docs template (payloads/zuora/zuora-docs__callout-template-request-body.TEMPLATE.json). */
const DOCS_TEMPLATE = JSON.parse(read('zuora-docs__callout-template-request-body.TEMPLATE.json').toString('utf8')) as Record<string, string>;

/**
 * Guardian's payment-failure body as a template: its keys, each filled from the merge field that
 * plausibly renders it (Guardian's own template is not public; the keys and value shapes are).
 */
const GUARDIAN_PAYMENT_FAILURE_TEMPLATE = {
	paymentId: '{{DataSource.Payment.Id}}',
	accountId: '{{DataSource.Account.Id}}',
	email: '{{DataSource.BillToContact.WorkEmail}}',
	failureNumber: '{{DataSource.Payment.FailureNumber}}',
	firstName: '{{DataSource.BillToContact.FirstName}}',
	lastName: '{{DataSource.BillToContact.LastName}}',
	paymentMethodType: '{{DataSource.PaymentMethod.Type}}',
	creditCardType: '{{DataSource.PaymentMethod.CreditCardType}}',
	creditCardExpirationMonth: '{{DataSource.PaymentMethod.CreditCardExpirationMonth}}',
	creditCardExpirationYear: '{{DataSource.PaymentMethod.CreditCardExpirationYear}}',
	currency: '{{DataSource.Account.Currency}}',
	tenantId: '{{Tenant.Id}}',
	sfContactId: '{{DataSource.Account.CrmId}}',
};

/** The shape of a callout value: all are strings; what kind of text. */
function shape(value: unknown): string {
	if (typeof value !== 'string') return typeof value;
	if (value === '') return 'empty';
	if (/^\d+$/.test(value)) return 'digits';
	if (/^[^@\s]+@[^@\s]+$/.test(value)) return 'email';
	if (/^[A-Za-z]{3}$/.test(value)) return 'currency-code';
	return 'text';
}

const shapes = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).map(([k, v]) => [k, shape(v)]));

describe("the sandbox's callouts look like Zuora's for the same event", () => {
	const sandbox = new ZuoraSandbox();
	const account = sandbox.seedAccount({ name: 'Guardian Reader', crmId: '1000000', currency: 'GBP', billToContact: { firstName: 'Test', lastName: 'User', workEmail: 'test.user123@guardian.co.uk' } as never });

	it('the docs template rendered by the sandbox: the same keys, string values of the same shapes', () => {
		const rendered = ZuoraSandbox.renderCallout(DOCS_TEMPLATE, sandbox.mergeFields(account));
		expect(Object.keys(rendered)).toEqual(Object.keys(DOCS_TEMPLATE));
		expect(rendered).toEqual({ AccountAccountNumber: account.accountNumber, AccountId: account.id });
		expect(Object.values(rendered).every((v) => typeof v === 'string' && v !== '')).toBe(true);
	});

	it("a payment-failure callout from the sandbox has Guardian's keys and value shapes (strings, numbers as digits)", () => {
		const payment = sandbox.seedPayment(account, { status: 'Error', gatewayResponse: 'Insufficient funds' });
		const fields = {
			...sandbox.mergeFields(account, { payment }),
			'DataSource.Payment.FailureNumber': 1,
			'DataSource.PaymentMethod.Type': 'CreditCard',
			'DataSource.PaymentMethod.CreditCardType': 'Visa',
			'DataSource.PaymentMethod.CreditCardExpirationMonth': 12,
			'DataSource.PaymentMethod.CreditCardExpirationYear': 2030,
			'Tenant.Id': 'sandboxTenantId',
		};
		const ours = ZuoraSandbox.renderCallout(GUARDIAN_PAYMENT_FAILURE_TEMPLATE, fields);
		const theirs = JSON.parse(read('guardian-support-service-lambdas__paymentFailure_validRequest.body.json').toString('utf8')) as Record<string, unknown>;
		expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
		expect(shapes(ours)).toEqual(shapes(theirs));
	});

	it('the sandbox refuses to send a callout value that is not a string (Zuora renders every merge field as text)', async () => {
		await expect(sandbox.sendCallout('http://127.0.0.1:9/', { paymentId: 'P-1', failureNumber: 1 }, { type: 'none' })).rejects.toThrow(
			'Zuora callout values are strings; not: failureNumber=1',
		);
	});

	it('the rendered docs template goes through the trigger: its AccountId is the customer', async () => {
		const body = JSON.stringify(ZuoraSandbox.renderCallout(DOCS_TEMPLATE, sandbox.mergeFields(account)));
		const { result, exchange } = await callZuora({ authentication: 'basic' }, { headers: { authorization: basicHeader }, rawBody: body });
		expect(exchange.response.statusCode).toBe(200);
		expect(normalizedOf(result)).toMatchObject({ vendor: 'zuora', eventType: null, category: 'other', customerId: account.id, amount: null });
		expect(items(result)[0].event).toEqual({ AccountAccountNumber: account.accountNumber, AccountId: account.id });
	});
});
