/**
 * Zuora's Object Query API (`GET /object-query/{objects}`) as the sandbox answers it.
 *
 * Sources:
 *  - spec operations queryAccounts / querySubscriptions / queryInvoices: `pageSize` 1–99
 *    (default 10), `cursor`, `filter[]`, `fields[]`, `expand[]`, `sort[]`; 200 answers
 *    `{nextPage?, data: [...]}`; 4XX/500 answer CommonOQErrorResponse
 *    `{reasons: [{code: integer, message}], requestId: uuid}` (no `success` field);
 *  - developer.zuora.com "Object Query - Expand, filter, fields, and sort": a filter is
 *    `field.OP:value` with OP one of EQ, NE, LT, GT, SW, IN ([a,b]), GE, LE; several filters
 *    are ANDed; field names are case-insensitive; EQ, NE and IN match case-insensitively,
 *    SW (strings only) too; `<field>.EQ:null` matches a null field; "you can only filter on
 *    fields listed in the filter[] parameter section of each API operation"; a cursor comes
 *    back as `nextPage` and is sent back as `cursor`; no `nextPage` on the last page.
 *
 * As strict as Zuora where unsure: a filter on a field this sandbox does not list as
 * filterable, or a malformed filter, is a 400.
 */
import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;

export interface ObjectQueryAnswer {
	status: number;
	body: Json;
}

const OPERATORS = ['EQ', 'NE', 'LT', 'GT', 'SW', 'IN', 'GE', 'LE'] as const;
type Operator = (typeof OPERATORS)[number];

function oqError(status: number, code: number, message: string): ObjectQueryAnswer {
	// spec CommonOQErrorResponse: reasons[].code is an integer, requestId a 36-character uuid
	return { status, body: { reasons: [{ code, message }], requestId: randomUUID() } };
}

function list(value: string | string[] | undefined): string[] {
	if (value === undefined) return [];
	return Array.isArray(value) ? value : [value];
}

function valueOf(record: Json, field: string): unknown {
	const key = Object.keys(record).find((k) => k.toLowerCase() === field);
	return key === undefined ? undefined : record[key];
}

function matches(actual: unknown, op: Operator, expected: string): boolean {
	if (expected.toLowerCase() === 'null' && (op === 'EQ' || op === 'NE')) {
		const isNull = actual === undefined || actual === null;
		return op === 'EQ' ? isNull : !isNull;
	}
	if (actual === undefined || actual === null) return false;
	const a = String(actual).toLowerCase();
	const e = expected.toLowerCase();
	switch (op) {
		case 'EQ':
			return a === e;
		case 'NE':
			return a !== e;
		case 'SW':
			return a.startsWith(e);
		case 'IN':
			return e
				.replace(/^\[|\]$/g, '')
				.split(',')
				.map((v) => v.trim())
				.includes(a);
		default: {
			const n = Number(actual);
			const m = Number(expected);
			const numeric = typeof actual === 'number' && Number.isFinite(m);
			const left = numeric ? n : String(actual);
			const right = numeric ? m : expected;
			if (op === 'LT') return left < right;
			if (op === 'LE') return left <= right;
			if (op === 'GT') return left > right;
			return left >= right;
		}
	}
}

/**
 * Answers an object query over `records` (already in the spec's Expanded* shape).
 * `filterable` lists the lower-case field names this object accepts in `filter[]`.
 */
export function answerObjectQuery(
	query: Record<string, string | string[]>,
	records: Json[],
	filterable: string[],
): ObjectQueryAnswer {
	const conditions: Array<{ field: string; op: Operator; value: string }> = [];
	for (const raw of list(query['filter[]'])) {
		const match = /^([A-Za-z_][\w.]*)\.([A-Za-z]{2}):(.*)$/s.exec(raw);
		if (!match) return oqError(400, 60000020, `Invalid filter '${raw}': use field.OPERATOR:value, e.g. currency.EQ:CAD`);
		const field = match[1].toLowerCase();
		const op = match[2].toUpperCase() as Operator;
		if (!OPERATORS.includes(op)) return oqError(400, 60000020, `Invalid filter operator '${match[2]}' in '${raw}'`);
		if (!filterable.includes(field)) return oqError(400, 60000020, `Field '${match[1]}' is not filterable`);
		conditions.push({ field, op, value: match[3] });
	}
	const pageSize = Number(list(query.pageSize)[0] ?? 10);
	let offset = 0;
	const cursor = list(query.cursor)[0];
	if (cursor !== undefined) {
		const decoded = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
		if (!decoded) return oqError(400, 60000020, `Invalid cursor '${cursor}'`);
		offset = Number(decoded[1]);
	}
	const found = records.filter((r) => conditions.every((c) => matches(valueOf(r, c.field), c.op, c.value)));
	const data = found.slice(offset, offset + pageSize);
	const body: Json = { data };
	if (offset + pageSize < found.length) body.nextPage = Buffer.from(`offset:${offset + pageSize}`).toString('base64');
	return { status: 200, body };
}
