/**
 * Zuora node, Usage operations, in-process against the Zuora sandbox:
 * one record, and the CSV batch (multipart upload, asynchronous import
 * polled to its end, per-row reports when rows or files fail).
 */
import type { IDataObject } from 'n8n-workflow';

import {
	NodeApiError,
	NodeOperationError,
	resetZuoraProcessState,
	runZuora,
	runZuoraError,
	startZuora,
} from '../../helpers/zuora';
import { type MultipartPart, parseCsv, type ZuoraAccount, type ZuoraSandbox } from '../../../dev/sandbox/zuora';

let sandbox: ZuoraSandbox;
let account: ZuoraAccount;
beforeAll(async () => {
	sandbox = await startZuora();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	resetZuoraProcessState();
	account = sandbox.seedAccount({ name: 'Metered Inc', crmId: '77', currency: 'USD' });
});

describe('Usage → Add Record', () => {
	const params = () => ({
		resource: 'usage',
		operation: 'addRecord',
		accountNumber: account.accountNumber,
		uom: 'API Call',
		quantity: 1250,
		startDateTime: '2025-02-01',
		additionalFields: { description: 'February API calls', recordId: 'evt-1' },
	});

	it('posts one usage record (CRUD API) with an Idempotency-Key; a retry stores it once', async () => {
		const [out] = await runZuora(sandbox, params());
		// the workflow's time zone (n8n's default here: America/New_York) when none is set
		expect(out).toMatchObject({ success: true, AccountNumber: account.accountNumber, Quantity: 1250, StartDateTime: expect.stringMatching(/^2025-02-01T00:00:00(?:Z|[+-]\d{2}:\d{2})$/) });
		expect(out.id).toBe(sandbox.usage[0].Id);
		await runZuora(sandbox, params()); // a later execution with the same Record ID
		expect(sandbox.usage).toHaveLength(1);
		const keys = sandbox.requestsTo('POST', '/v1/object/usage').map((r) => r.headers['idempotency-key']);
		expect(keys[0]).toMatch(/^n8n-kb-usage-/);
		expect(keys[1]).toBe(keys[0]);
		// another Record ID is another usage event
		await runZuora(sandbox, { ...params(), additionalFields: { recordId: 'evt-2' } });
		expect(sandbox.usage).toHaveLength(2);
	});

	it('sends Start/End Date-Time with the offset of the Time Zone (spec ProxyCreateUsage: format date-time)', async () => {
		const [out] = await runZuora(sandbox, {
			...params(),
			startDateTime: '2025-02-01',
			timeZone: 'Europe/Berlin',
			additionalFields: { endDateTime: '2025-02-28 23:59:59', recordId: 'evt-tz' },
		});
		expect(out).toMatchObject({ StartDateTime: '2025-02-01T00:00:00+01:00', EndDateTime: '2025-02-28T23:59:59+01:00' });
		const [sent] = sandbox.requestsTo('POST', '/v1/object/usage');
		expect(sent.body).toMatchObject({ StartDateTime: '2025-02-01T00:00:00+01:00', EndDateTime: '2025-02-28T23:59:59+01:00' });
		expect(sandbox.usage[0].StartDateTime).toBe('2025-02-01T00:00:00+01:00');
		const bad = await runZuoraError(sandbox, { ...params(), timeZone: 'Berlin' });
		expect(bad.message).toBe('Time Zone "Berlin" is not an IANA time zone [item 0]');
	});

	it('the sandbox refuses a usage date-time without an offset, as the spec does (format date-time), also with the referee off', async () => {
		const token = await (async () => {
			await runZuora(sandbox, params());
			return [...sandbox.tokens.keys()][0];
		})();
		const send = async (StartDateTime: string) =>
			(await (
				await fetch(`${sandbox.url}/v1/object/usage`, {
					method: 'POST',
					headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
					body: JSON.stringify({ AccountNumber: account.accountNumber, UOM: 'API Call', Quantity: 1, StartDateTime }),
				})
			).json()) as { Success?: boolean; success?: boolean; errors?: unknown[]; Errors?: unknown[] };
		expect((await send('2025-02-01T00:00:00')).errors).toHaveLength(1); // referee: 400 ProxyBadRequestResponse
		sandbox.specCheck = false;
		try {
			expect(await send('2025-02-01T00:00:00')).toMatchObject({ Success: false, Errors: [{ Code: 'INVALID_VALUE' }] });
			expect(await send('02/01/2025')).toMatchObject({ Success: false });
			expect(await send('2025-02-01T00:00:00+01:00')).toMatchObject({ Success: true });
		} finally {
			sandbox.specCheck = true;
		}
		sandbox.invalidRequests.length = 0;
	});

	it('Zuora\'s CRUD error {Success:false, Errors} under HTTP 200 is an error', async () => {
		const error = await runZuoraError(sandbox, { ...params(), uom: 'Parsec' });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe("Zuora 200 (INVALID_VALUE): The unit of measure 'Parsec' is not defined in this tenant [item 0]");
		expect(sandbox.usage).toHaveLength(0);
	});
});

describe('Usage → Upload Batch', () => {
	const batchParams = (options: IDataObject = {}) => ({
		resource: 'usage',
		operation: 'uploadBatch',
		accountNumber: '={{ $json.account }}',
		uom: '={{ $json.uom }}',
		quantity: '={{ $json.qty }}',
		startDate: '={{ $json.day }}',
		columns: { description: '={{ $json.note }}' },
		options: { pollIntervalSeconds: 0.05, ...options },
	});

	const rows = () => [
		{ account: account.accountNumber, uom: 'API Call', qty: 100, day: '2025-02-01', note: 'batch, part 1' },
		{ account: account.accountNumber, uom: 'API Call', qty: '250.5', day: '2025-02-02T23:00:00Z', note: 'quote "2"' },
		{ account: account.accountNumber, uom: 'API Call', qty: 7, day: 1738540800, note: '' },
	];

	it("dates Unix times in the Time Zone option, else in the workflow's time zone; an unknown zone is a clear error", async () => {
		const day = async (options: IDataObject) => {
			await runZuora(sandbox, batchParams(options), { items: [rows()[2]] });
			const upload = sandbox.requestsTo('POST', '/v1/usage').at(-1);
			const file = (upload?.body as MultipartPart[]).find((p) => p.name === 'file');
			return parseCsv(file?.data.toString('utf8') ?? '')[1][3];
		};
		expect(await day({ timeZone: 'Asia/Tokyo' })).toBe('02/03/2025');
		expect(await day({})).toBe('02/02/2025'); // the workflow's zone: n8n's default America/New_York
		const error = await runZuoraError(sandbox, batchParams({ timeZone: 'Mars/Olympus' }), { items: rows() });
		expect(error.message).toBe('Time Zone "Mars/Olympus" is not an IANA time zone');
	});

	it('uploads one CSV (multipart, Zuora template columns), polls the import to Completed, reports the file', async () => {
		// 1738540800 = 2025-02-03T00:00:00Z: the 3rd in UTC, still the 2nd in the workflow's default zone (New York)
		const [report] = await runZuora(sandbox, batchParams({ timeZone: 'UTC' }), { items: rows() });
		expect(report).toMatchObject({ status: 'Completed', rowCount: 3, importedCount: 3, message: '3 records imported', errors: [] });
		expect(report.fileName).toMatch(/^n8n-usage-[0-9a-f]{12}\.csv$/);
		expect(sandbox.usage.map((u) => u.Quantity)).toEqual([100, 250.5, 7]);

		const [upload] = sandbox.requestsTo('POST', '/v1/usage');
		expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(upload.headers['idempotency-key']).toMatch(/^n8n-kb-usage-file-/);
		const file = (upload.body as MultipartPart[]).find((p) => p.name === 'file');
		expect(file?.filename).toBe(report.fileName);
		expect(parseCsv(file?.data.toString('utf8') ?? '')).toEqual([
			['ACCOUNT_ID', 'UOM', 'QTY', 'STARTDATE', 'ENDDATE', 'SUBSCRIPTION_ID', 'CHARGE_ID', 'DESCRIPTION'],
			[account.accountNumber, 'API Call', '100', '02/01/2025', '', '', '', 'batch, part 1'],
			[account.accountNumber, 'API Call', '250.5', '02/02/2025', '', '', '', 'quote "2"'],
			[account.accountNumber, 'API Call', '7', '02/03/2025', '', '', '', ''],
		]);
		// Pending → Processing → Completed
		expect(sandbox.requestsTo('GET', /^\/v1\/usage\/[^/]+\/status$/)).toHaveLength(3);
	});

	it('a batch that fails validation reports every bad row and field, and uploads nothing', async () => {
		const items = [
			...rows(),
			{ account: '', uom: 'API Call', qty: 5, day: '2025-02-04', note: '' },
			{ account: account.accountNumber, uom: 'API Call', qty: 'lots', day: 'yesterday', note: '' },
		];
		const error = await runZuoraError(sandbox, batchParams(), { items });
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Usage batch not uploaded: 2 of 5 usage rows are invalid; nothing was uploaded');
		expect(error.description).toBe(
			[
				'Item 4: Account number is empty',
				'Item 5: Quantity "lots" is not a number',
				'Item 5: Start date "yesterday" is not a date (use yyyy-mm-dd, an ISO date-time or Unix seconds)',
			].join('\n'),
		);
		expect(sandbox.requestsTo('POST', '/v1/usage')).toHaveLength(0);

		const [report] = await runZuora(sandbox, batchParams({ onFailure: 'report' }), { items });
		expect(report).toMatchObject({ status: 'NotUploaded', rowCount: 5, invalidRowCount: 2 });
		expect(report.errors).toEqual([
			{ itemIndex: 3, row: 4, field: 'accountNumber', value: '', message: 'Account number is empty' },
			{ itemIndex: 4, row: 5, field: 'quantity', value: 'lots', message: 'Quantity "lots" is not a number' },
			{
				itemIndex: 4,
				row: 5,
				field: 'startDate',
				value: 'yesterday',
				message: 'Start date "yesterday" is not a date (use yyyy-mm-dd, an ISO date-time or Unix seconds)',
			},
		]);
	});

	it('a file Zuora fails (unknown account) is reported per row, mapped back to the input items', async () => {
		const items = [...rows(), { account: 'A404', uom: 'API Call', qty: 1, day: '2025-02-05', note: '' }];
		items[1].uom = 'Parsec';
		const error = await runZuoraError(sandbox, batchParams(), { items });
		expect(error.message).toMatch(/^Zuora did not import usage file n8n-usage-[0-9a-f]{12}\.csv: Failed \(2 line errors; the whole file was rejected\)$/);
		expect(error.description).toBe(
			[
				"Item 2 (CSV line 3): UOM 'Parsec' is not defined in this tenant",
				"Item 4 (CSV line 5): ACCOUNT_ID 'A404' does not exist",
			].join('\n'),
		);
		expect(sandbox.usage).toHaveLength(0);

		const [report] = await runZuora(sandbox, batchParams({ onFailure: 'report' }), { items });
		expect(report).toMatchObject({ status: 'Failed', importedCount: 0, rowCount: 4 });
		expect(report.errors).toEqual([
			{ line: 3, itemIndex: 1, row: 2, message: "UOM 'Parsec' is not defined in this tenant" },
			{ line: 5, itemIndex: 3, row: 4, message: "ACCOUNT_ID 'A404' does not exist" },
		]);
	});

	it('continueOnFail returns the error with the report instead of stopping', async () => {
		const items = [{ account: account.accountNumber, uom: 'API Call', qty: 'x', day: '2025-02-01', note: '' }];
		const out = await runZuora(sandbox, batchParams(), { items, continueOnFail: true });
		expect(out).toHaveLength(1);
		expect(out[0].error).toBe('Usage batch not uploaded: 1 of 1 usage rows are invalid; nothing was uploaded');
		expect((out[0].report as IDataObject).errors).toHaveLength(1);
	});

	it('gives up polling after Max Wait and says the import continues in Zuora', async () => {
		sandbox.importPollsUntilDone = 1000;
		const [report] = await runZuora(sandbox, batchParams({ onFailure: 'report', maxWaitSeconds: 1, pollIntervalSeconds: 0.2 }), {
			items: rows(),
		});
		expect(report.status).toBe('Processing (still running)');
		expect(report.message).toContain('it continues in Zuora');
		expect(report.importedCount).toBeNull();
	});
});
