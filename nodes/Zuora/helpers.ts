/** Small pure helpers shared by the Zuora operations. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { IANAZone } from 'luxon';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { readJsonObject } from '../shared/json';
import { fromMinor, type Money, toMinor } from '../shared/money';

export { forOperation } from '../shared/descriptions';

/**
 * A date as Zuora wants it (yyyy-mm-dd) from what workflows carry:
 * `2024-05-01`, an ISO date-time (its written date is kept, whatever the
 * offset), or Unix seconds / milliseconds such as Kommo's `closed_at` (UTC).
 */
/** Unix seconds (9–11 digits) or milliseconds (12–13 digits) as milliseconds; undefined for anything else. */
export function unixMillis(value: unknown): number | undefined {
	const raw = value === undefined || value === null ? '' : String(value).trim();
	if (!/^\d{9,13}$/.test(raw)) return undefined;
	return raw.length <= 11 ? Number(raw) * 1000 : Number(raw);
}

/**
 * The IANA time zone a date without an offset is read in: the operation's Time Zone parameter, or
 * the workflow's time zone when it is empty. An unknown name is a clear error.
 */
export function timeZoneOf(context: IExecuteFunctions, value: unknown, itemIndex?: number): string {
	const zone = text(value) || context.getTimezone();
	if (!IANAZone.isValidZone(zone)) {
		throw new NodeOperationError(context.getNode(), `Time Zone ${JSON.stringify(zone)} is not an IANA time zone`, {
			itemIndex,
			description: 'Use a name such as Europe/Berlin, America/New_York or UTC.',
		});
	}
	return zone;
}

export function toZuoraDate(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
	const text = String(value).trim();
	const ms = unixMillis(text);
	if (ms !== undefined) return new Date(ms).toISOString().slice(0, 10);
	const iso = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(text);
	if (iso) {
		const date = `${iso[1]}-${iso[2]}-${iso[3]}`;
		const parsed = new Date(`${date}T00:00:00Z`);
		// Date rolls 2025-02-30 over to March; a real date survives the round trip.
		return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date ? undefined : date;
	}
	return undefined;
}

export function requireDate(
	context: IExecuteFunctions,
	value: unknown,
	field: string,
	itemIndex: number,
): string {
	const date = toZuoraDate(value);
	if (!date) {
		throw new NodeOperationError(context.getNode(), `"${field}" is not a date: ${JSON.stringify(value ?? '')}`, {
			itemIndex,
			description: 'Use yyyy-mm-dd (2024-05-01), an ISO date-time, or Unix seconds such as Kommo\'s closed_at.',
		});
	}
	return date;
}

/** `{minor, decimal, currency, formatted}` for a Zuora decimal amount, or null when it cannot be exact. */
export function moneyBlock(amount: unknown, currency: unknown): Money | null {
	if (amount === undefined || amount === null || amount === '' || typeof currency !== 'string' || !currency) return null;
	try {
		const text = typeof amount === 'number' ? String(Math.round(amount * 1e6) / 1e6) : String(amount);
		return fromMinor(toMinor(text, currency), currency);
	} catch {
		// an unknown currency or an amount with more decimals than it allows: no exact money
		return null;
	}
}

/** A JSON parameter that may arrive as an object or as text. */
export function jsonParameter(
	context: IExecuteFunctions,
	value: unknown,
	field: string,
	itemIndex: number,
): IDataObject | undefined {
	const parsed = readJsonObject(value);
	if (parsed !== null) return parsed;
	throw new NodeOperationError(context.getNode(), `"${field}" must be a JSON object`, {
		itemIndex,
		description: `Got ${JSON.stringify(value).slice(0, 120)}. Example: {"KommoPipeline__c": "Sales"}`,
	});
}

/** Keeps n8n's node errors as they are; wraps anything else in a NodeOperationError. */
export function asNodeError(
	context: { getNode: IExecuteFunctions['getNode'] },
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

/** Zuora's error code of a NodeApiError made by nodes/shared/http.ts, if any. */
export function zuoraErrorCode(error: unknown): string | undefined {
	if (!(error instanceof NodeApiError)) return undefined;
	const match = /^Zuora \d+ \(([^)]+)\)/.exec(error.message);
	return match?.[1];
}

/** Zuora codes end in a two-digit category; 40 means "not found". */
export function isNotFound(error: unknown): boolean {
	const code = zuoraErrorCode(error);
	return code !== undefined && /^\d{8}$/.test(code) && code.endsWith('40');
}

/** A string parameter trimmed; '' when empty. */
export function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value).trim();
}

/** Escapes a value for a single-quoted ZOQL literal. */
export function zoqlLiteral(value: string): string {
	return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
