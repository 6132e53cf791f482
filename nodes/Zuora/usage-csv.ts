/**
 * Zuora's usage upload file: one CSV (the UI import template's columns),
 * at most 4 MB, sent as multipart/form-data. Pure functions: row validation,
 * CSV text, splitting into files, the multipart body and reading the
 * per-line failures out of Zuora's import status message.
 */
import { createHash } from 'crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';

import { toZuoraDate, unixMillis } from './helpers';

/** Columns of Zuora's usage import template (non-Active-Rating tenants). */
export const USAGE_COLUMNS = [
	'ACCOUNT_ID',
	'UOM',
	'QTY',
	'STARTDATE',
	'ENDDATE',
	'SUBSCRIPTION_ID',
	'CHARGE_ID',
	'DESCRIPTION',
] as const;

export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Room for the multipart envelope around the CSV. */
const ENVELOPE_BYTES = 1024;

export type UsageDateFormat = 'MM/DD/YYYY' | 'YYYY-MM-DD';

export interface UsageInput {
	accountNumber: unknown;
	uom: unknown;
	quantity: unknown;
	startDate: unknown;
	endDate?: unknown;
	subscriptionNumber?: unknown;
	chargeNumber?: unknown;
	description?: unknown;
}

export interface UsageRow {
	accountNumber: string;
	uom: string;
	quantity: string;
	startDate: string;
	endDate?: string;
	subscriptionNumber?: string;
	chargeNumber?: string;
	description?: string;
}

export interface RowProblem {
	/** Index of the input item (0-based). */
	itemIndex: number;
	/** Which input field. */
	field: string;
	value: unknown;
	message: string;
}

const optionalText = z
	.unknown()
	.transform((v) => (v === undefined || v === null ? '' : String(v).trim()))
	.transform((v) => (v === '' ? undefined : v));

const requiredText = (label: string) =>
	z
		.unknown()
		.transform((v) => (v === undefined || v === null ? '' : String(v).trim()))
		.refine((v) => v !== '', { message: `${label} is empty` });

/**
 * The CSV's dates are calendar days (STARTDATE/ENDDATE in the import template). A written date or
 * date-time keeps its written day (toZuoraDate); Unix seconds/milliseconds are instants, so their
 * day is the one in `zone` (the tenant's time zone), not always UTC's.
 */
export function toUsageDate(value: unknown, zone: string): string | undefined {
	const ms = unixMillis(value);
	if (ms !== undefined) {
		const moment = DateTime.fromMillis(ms, { zone });
		return moment.isValid ? (moment.toISODate() ?? undefined) : undefined;
	}
	return toZuoraDate(value);
}

const dateField = (label: string, required: boolean, zone: string) =>
	z.unknown().transform((v, ctx) => {
		if (v === undefined || v === null || v === '') {
			if (required) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${label} is empty` });
			return undefined;
		}
		const date = toUsageDate(v, zone);
		if (!date) {
			ctx.addIssue({
				code: z.ZodIssueCode.custom,
				message: `${label} ${JSON.stringify(v)} is not a date (use yyyy-mm-dd, an ISO date-time or Unix seconds)`,
			});
		}
		return date;
	});

const usageSchema = (zone: string) => z.object({
	accountNumber: requiredText('Account number'),
	uom: requiredText('Unit of measure'),
	quantity: z.unknown().transform((v, ctx) => {
		const textValue = v === undefined || v === null ? '' : String(v).trim();
		if (textValue === '' || !/^-?\d+(\.\d+)?$/.test(textValue)) {
			ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Quantity ${JSON.stringify(v ?? '')} is not a number` });
		}
		return textValue;
	}),
	startDate: dateField('Start date', true, zone),
	endDate: dateField('End date', false, zone),
	subscriptionNumber: optionalText,
	chargeNumber: optionalText,
	description: optionalText,
});

/** Checks every row; returns the clean rows or every problem found (all rows, all fields). `zone` dates Unix times. */
export function validateUsageRows(inputs: UsageInput[], zone = 'UTC'): { rows: UsageRow[]; problems: RowProblem[] } {
	const rows: UsageRow[] = [];
	const problems: RowProblem[] = [];
	const schema = usageSchema(zone);
	inputs.forEach((input, itemIndex) => {
		const result = schema.safeParse(input);
		if (!result.success) {
			for (const issue of result.error.issues) {
				const field = String(issue.path[0] ?? '');
				problems.push({ itemIndex, field, value: (input as unknown as Record<string, unknown>)[field], message: issue.message });
			}
			return;
		}
		const row = result.data as UsageRow;
		if (row.endDate && row.startDate && row.endDate < row.startDate) {
			problems.push({ itemIndex, field: 'endDate', value: input.endDate, message: `End date ${row.endDate} is before start date ${row.startDate}` });
			return;
		}
		rows.push(row);
	});
	return { rows, problems };
}

function formatDate(isoDate: string | undefined, format: UsageDateFormat): string {
	if (!isoDate) return '';
	if (format === 'YYYY-MM-DD') return isoDate;
	const [y, m, d] = isoDate.split('-');
	return `${m}/${d}/${y}`;
}

function csvField(value: string | undefined): string {
	const v = value ?? '';
	return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(row: UsageRow, format: UsageDateFormat): string {
	return [
		row.accountNumber,
		row.uom,
		row.quantity,
		formatDate(row.startDate, format),
		formatDate(row.endDate, format),
		row.subscriptionNumber,
		row.chargeNumber,
		row.description,
	]
		.map(csvField)
		.join(',');
}

export interface UsageFile {
	csv: string;
	/** Input item index of each data row, in file order (line 2 = first). */
	itemIndexes: number[];
}

/** Splits rows into CSV files that each stay under Zuora's 4 MB limit. */
export function buildUsageFiles(
	rows: Array<{ row: UsageRow; itemIndex: number }>,
	format: UsageDateFormat,
	maxBytes = MAX_FILE_BYTES - ENVELOPE_BYTES,
): UsageFile[] {
	const header = `${USAGE_COLUMNS.join(',')}\r\n`;
	const files: UsageFile[] = [];
	let lines: string[] = [];
	let indexes: number[] = [];
	let size = Buffer.byteLength(header);
	const flush = () => {
		if (lines.length === 0) return;
		files.push({ csv: header + lines.join(''), itemIndexes: indexes });
		lines = [];
		indexes = [];
		size = Buffer.byteLength(header);
	};
	for (const { row, itemIndex } of rows) {
		const line = `${csvLine(row, format)}\r\n`;
		const bytes = Buffer.byteLength(line);
		if (Buffer.byteLength(header) + bytes > maxBytes) {
			throw new Error(`Usage row of item ${itemIndex} alone is larger than the ${maxBytes} bytes a file may hold`);
		}
		if (size + bytes > maxBytes) flush();
		lines.push(line);
		indexes.push(itemIndex);
		size += bytes;
	}
	flush();
	return files;
}

/**
 * multipart/form-data with one `file` part. The boundary is derived from the
 * content, so the same file always gives the same bytes (a retry with the
 * same Idempotency-Key then carries the same body).
 */
export function multipartFile(fileName: string, content: string): { body: Buffer; contentType: string } {
	const boundary = `----n8nZuoraUsage${createHash('sha256').update(content).digest('hex').slice(0, 24)}`;
	const head =
		`--${boundary}\r\n` +
		`Content-Disposition: form-data; name="file"; filename="${fileName.replace(/"/g, '')}"\r\n` +
		'Content-Type: text/csv\r\n\r\n';
	const body = Buffer.concat([Buffer.from(head), Buffer.from(content, 'utf8'), Buffer.from(`\r\n--${boundary}--\r\n`)]);
	return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** "Line 3: …" / "Row 3 - …" entries of Zuora's import status message. */
export function lineErrors(message: string): Array<{ line: number; message: string }> {
	const out: Array<{ line: number; message: string }> = [];
	for (const part of message.split(/\r?\n|;\s*(?=(?:line|row)\s+\d)/i)) {
		const match = /^\s*(?:line|row)\s*#?\s*(\d+)\s*[:\-–]\s*(.+)$/i.exec(part);
		if (match) out.push({ line: Number(match[1]), message: match[2].trim() });
	}
	return out;
}
