/**
 * Every real Zuora callout body we have (test/fixtures/zuora-payloads, copied from
 * ../shared/payloads/zuora with their sources) goes through the Zuora Trigger in-process, as
 * Zuora would send it (Basic auth, the body's bytes as they are in the file): each is accepted
 * and normalised with the ids and currency it carries (issue 15 item 16).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { basicHeader, callZuora, items, normalizedOf } from '../../security/zuora-helpers';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'zuora-payloads');
const read = (file: string) => readFileSync(path.join(DIR, file));

const CASES: Array<{ file: string; contentType: string; expected: IDataObject }> = [
	{
		file: 'guardian-support-service-lambdas__paymentFailure_validRequest.body.json',
		contentType: 'application/json',
		expected: { transactionId: 'somePaymentId', customerId: 'accountId', customerEmail: 'test.user123@guardian.co.uk', kommoLeadId: null, amount: null },
	},
	{
		file: 'guardian-support-service-lambdas__paymentFailure_missingEmail.body.json',
		contentType: 'application/json',
		expected: { transactionId: 'somePaymentId', customerId: 'accountId', customerEmail: null },
	},
	{
		file: 'guardian__autoCancel_json_callout.test.json',
		contentType: 'application/json',
		expected: { invoiceId: 'someInvoiceId', customerId: 'someAccountId', customerEmail: 'someEmail@domain.com' },
	},
	{
		file: 'guardian__autoCancel_legacy_callout.xml',
		contentType: 'application/xml',
		expected: { customerId: 'acc123' },
	},
];

describe('real Zuora callout bodies through the trigger', () => {
	it.each(CASES)('$file is accepted and normalised', async ({ file, contentType, expected }) => {
		const raw = read(file);
		const { result, exchange } = await callZuora({ authentication: 'basic' }, { headers: { authorization: basicHeader, 'content-type': contentType }, rawBody: raw });
		expect(exchange.response.statusCode).toBe(200);
		expect(items(result)).toHaveLength(1);
		const n = normalizedOf(result);
		expect(n).toMatchObject({ vendor: 'zuora', category: 'other', ...expected });
		expect(String(n.dedupeKey)).toMatch(/^zuora:body-[0-9a-f]{32}$/);
	});

	it('two different real bodies never share a dedupe key; the same bytes always give the same one', async () => {
		const keys = await Promise.all(
			CASES.map(async ({ file }) => normalizedOf((await callZuora({ authentication: 'basic' }, { headers: { authorization: basicHeader }, rawBody: read(file) })).result).dedupeKey),
		);
		expect(new Set(keys).size).toBe(CASES.length);
		const again = normalizedOf((await callZuora({ authentication: 'basic' }, { headers: { authorization: basicHeader }, rawBody: read(CASES[0].file) })).result).dedupeKey;
		expect(again).toBe(keys[0]);
	});
});
