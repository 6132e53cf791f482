import { moneyBlock, toZuoraDate, zoqlLiteral } from '../../../nodes/Zuora/helpers';
import { toDateTime } from '../../../nodes/Zuora/resources/usage/addRecord';
import { buildUsageFiles, csvLine, lineErrors, multipartFile, validateUsageRows } from '../../../nodes/Zuora/usage-csv';
import { parseCsv, parseMultipart } from '../../../dev/sandbox/zuora';

const row = { accountNumber: 'A1', uom: 'API Call', quantity: '5', startDate: '2025-02-01' };

describe('usage CSV', () => {
	it('quotes fields that need it and writes the tenant date format', () => {
		const line = csvLine({ ...row, description: 'a, "b"\nc', endDate: '2025-02-28' }, 'MM/DD/YYYY');
		expect(line).toBe('A1,API Call,5,02/01/2025,02/28/2025,,,"a, ""b""\nc"');
		expect(parseCsv(`${line}\r\n`)).toEqual([['A1', 'API Call', '5', '02/01/2025', '02/28/2025', '', '', 'a, "b"\nc']]);
		expect(csvLine(row, 'YYYY-MM-DD')).toBe('A1,API Call,5,2025-02-01,,,,');
	});

	it('splits rows into files under the size limit, keeping the item of every line', () => {
		const rows = Array.from({ length: 10 }, (_, i) => ({ row: { ...row, description: 'x'.repeat(50) }, itemIndex: i }));
		const files = buildUsageFiles(rows, 'MM/DD/YYYY', 300);
		expect(files.length).toBeGreaterThan(1);
		expect(files.flatMap((f) => f.itemIndexes)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		for (const f of files) {
			expect(Buffer.byteLength(f.csv)).toBeLessThanOrEqual(300);
			expect(f.csv.startsWith('ACCOUNT_ID,UOM,QTY,STARTDATE,ENDDATE,SUBSCRIPTION_ID,CHARGE_ID,DESCRIPTION\r\n')).toBe(true);
			expect(parseCsv(f.csv)).toHaveLength(f.itemIndexes.length + 1);
		}
		expect(() => buildUsageFiles([{ row: { ...row, description: 'y'.repeat(400) }, itemIndex: 3 }], 'MM/DD/YYYY', 300)).toThrow(
			'Usage row of item 3 alone is larger than the 300 bytes a file may hold',
		);
	});

	it('builds the same multipart bytes for the same file (retries carry the same body)', () => {
		const a = multipartFile('u.csv', 'ACCOUNT_ID\r\nA1\r\n');
		const b = multipartFile('u.csv', 'ACCOUNT_ID\r\nA1\r\n');
		expect(a.body.equals(b.body)).toBe(true);
		expect(multipartFile('u.csv', 'other').contentType).not.toBe(a.contentType);
		const [part] = parseMultipart(a.contentType, a.body);
		expect(part).toMatchObject({ name: 'file', filename: 'u.csv', contentType: 'text/csv' });
		expect(part.data.toString()).toBe('ACCOUNT_ID\r\nA1\r\n');
	});

	it('validates every row and every field, with the item index', () => {
		const { rows, problems } = validateUsageRows([
			row,
			{ ...row, quantity: '1e3' },
			{ ...row, startDate: '2025-02-10', endDate: '2025-02-01' },
			{ accountNumber: null, uom: ' ', quantity: undefined, startDate: '' },
		]);
		expect(rows).toHaveLength(1);
		expect(problems.map((p) => `${p.itemIndex}:${p.field}`)).toEqual([
			'1:quantity',
			'2:endDate',
			'3:accountNumber',
			'3:uom',
			'3:quantity',
			'3:startDate',
		]);
	});

	it("dates a Unix time in the given time zone (the tenant's day), and keeps a written date's day", () => {
		// 1741975200 = 2025-03-14T18:00:00Z: already the 15th in Tokyo, still the 14th in UTC and Los Angeles
		const dated = (zone?: string) =>
			validateUsageRows([{ ...row, startDate: 1741975200, endDate: '2025-03-16T01:30:00+03:00' }], zone).rows[0];
		expect(dated()).toMatchObject({ startDate: '2025-03-14', endDate: '2025-03-16' });
		expect(dated('Asia/Tokyo')).toMatchObject({ startDate: '2025-03-15', endDate: '2025-03-16' });
		expect(dated('America/Los_Angeles')).toMatchObject({ startDate: '2025-03-14', endDate: '2025-03-16' });
	});

	it('reads per-line failures out of an import status message', () => {
		expect(lineErrors("Import failed.\nLine 3: ACCOUNT_ID 'X' does not exist\nRow 7 - QTY bad; Line 9: UOM unknown")).toEqual([
			{ line: 3, message: "ACCOUNT_ID 'X' does not exist" },
			{ line: 7, message: 'QTY bad' },
			{ line: 9, message: 'UOM unknown' },
		]);
		expect(lineErrors('Something else went wrong')).toEqual([]);
	});
});

describe('dates, money and ZOQL literals', () => {
	it('reads Kommo-ish dates into yyyy-mm-dd', () => {
		expect(toZuoraDate('2025-03-14')).toBe('2025-03-14');
		expect(toZuoraDate('2025-03-14T23:30:00+03:00')).toBe('2025-03-14');
		expect(toZuoraDate(1741975200)).toBe('2025-03-14');
		expect(toZuoraDate('1741975200000')).toBe('2025-03-14');
		expect(toZuoraDate('14.03.2025')).toBeUndefined();
		expect(toZuoraDate('2025-02-30')).toBeUndefined();
		expect(toZuoraDate('')).toBeUndefined();
	});

	it('usage date-times carry a UTC offset (spec ProxyCreateUsage.StartDateTime: format date-time, RFC 3339), read in the Time Zone', () => {
		const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/;
		expect(toDateTime('2025-03-14')).toBe('2025-03-14T00:00:00Z');
		expect(toDateTime('2025-03-14', 'Europe/Berlin')).toBe('2025-03-14T00:00:00+01:00');
		expect(toDateTime('2025-07-14 10:00:00', 'Europe/Berlin')).toBe('2025-07-14T10:00:00+02:00');
		expect(toDateTime('2025-03-14T10:00', 'America/New_York')).toBe('2025-03-14T10:00:00-04:00');
		// an instant keeps its moment and its own offset
		expect(toDateTime('2025-03-14T23:30:00+03:00', 'America/New_York')).toBe('2025-03-14T23:30:00+03:00');
		expect(toDateTime('2025-03-14T10:00:00.123Z', 'Europe/Berlin')).toBe('2025-03-14T10:00:00Z');
		// Unix seconds and milliseconds: the moment, shown in the zone
		expect(toDateTime(1741975200)).toBe('2025-03-14T18:00:00Z');
		expect(toDateTime('1741975200000', 'Asia/Tokyo')).toBe('2025-03-15T03:00:00+09:00');
		expect(toDateTime('2025-02-30')).toBeUndefined();
		expect(toDateTime('2025-03-14', 'Mars/Olympus')).toBeUndefined();
		for (const v of [toDateTime('2025-03-14', 'Pacific/Chatham'), toDateTime(1741975200, 'Asia/Kolkata')]) {
			expect(v).toMatch(rfc3339);
			expect((v as string).length).toBeLessThanOrEqual(29); // Zuora reference: max 29 characters
		}
	});

	it('money blocks are exact or null', () => {
		expect(moneyBlock(40.833333, 'USD')).toBeNull(); // more decimals than USD has
		expect(moneyBlock('40.83', 'USD')).toEqual({ minor: '4083', decimal: '40.83', currency: 'USD', formatted: '40.83 USD' });
		expect(moneyBlock(7000, 'JPY')).toEqual({ minor: '7000', decimal: '7000', currency: 'JPY', formatted: '7000 JPY' });
		expect(moneyBlock(5, undefined)).toBeNull();
		expect(moneyBlock(5, 'XYZ')).toBeNull();
	});

	it('escapes ZOQL literals', () => {
		expect(zoqlLiteral("O'Brien \\ co")).toBe("'O\\'Brien \\\\ co'");
	});
});
