/**
 * Small Chargebee-specific helpers shared by the action node and the trigger:
 * money blocks, dates, the Kommo lead id and its custom field.
 */
import type { IDataObject } from 'n8n-workflow';

import { readJsonObject } from '../shared/json';
import { fromMinor, type Money } from '../shared/money';

export const DEFAULT_KOMMO_FIELD = 'cf_kommo_lead_id';
export const KOMMO_META_KEY = 'kommo_lead_id';

/** The events most billing → CRM flows need; the trigger's default selection. */
export const DEFAULT_EVENTS = [
	'credit_note_created',
	'invoice_generated',
	'payment_failed',
	'payment_succeeded',
	'subscription_cancelled',
	'subscription_changed',
	'subscription_created',
	'subscription_paused',
	'subscription_renewed',
];

/** Thrown for bad node input; the node turns it into a NodeOperationError for the item. */
export class InputError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
	}
}

/** `{minor, decimal, currency, formatted}` for a Chargebee amount (minor units; zero-decimal currencies in major units). */
export function moneyOf(amount: unknown, currency: unknown): Money | null {
	if (amount === undefined || amount === null || amount === '') return null;
	if (typeof currency !== 'string' || currency === '') return null;
	return fromMinor(amount as string | number, currency);
}

/** Sum of the subscription's item amounts in its currency (what one term of the subscription costs before tax). */
export function subscriptionMoney(subscription: IDataObject): Money | null {
	const items = (subscription.subscription_items as IDataObject[] | undefined) ?? [];
	const currency = subscription.currency_code;
	if (items.length === 0 || typeof currency !== 'string') return null;
	let total = 0n;
	for (const item of items) {
		const amount =
			item.amount !== undefined
				? BigInt(String(item.amount))
				: BigInt(String(item.unit_price ?? 0)) * BigInt(String(item.quantity ?? 1));
		total += amount;
	}
	return fromMinor(total, currency);
}

/** A custom field name Chargebee accepts: `cf_` followed by letters, digits or underscores. */
export function checkCustomFieldName(name: string, parameter: string): string {
	const trimmed = String(name ?? '').trim();
	if (!/^cf_[A-Za-z0-9_]+$/.test(trimmed)) {
		throw new InputError(
			`${parameter} "${name}" is not a Chargebee custom field name`,
			'Custom field API names start with "cf_" (Settings → Configure Chargebee → Custom Fields shows them), for example cf_kommo_lead_id.',
		);
	}
	return trimmed;
}

/** A Kommo lead id given as a number or digits; undefined when empty. */
export function parseLeadId(value: unknown, parameter = 'Kommo Lead ID'): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(value).trim();
	if (!/^\d+$/.test(text) || Number(text) <= 0 || !Number.isSafeInteger(Number(text))) {
		throw new InputError(
			`${parameter} must be a positive whole number, got "${String(value)}"`,
			'Use the numeric id of the Kommo lead, e.g. {{ $json.leadId }}.',
		);
	}
	return Number(text);
}

/** The Kommo lead id stored on a customer (custom field) or a subscription (meta_data), or null. */
export function leadIdFrom(
	customer: IDataObject | undefined,
	subscription: IDataObject | undefined,
	field = DEFAULT_KOMMO_FIELD,
): number | null {
	const candidates: unknown[] = [customer?.[field]];
	let meta = subscription?.meta_data as unknown;
	if (typeof meta === 'string') {
		try {
			meta = JSON.parse(meta);
		} catch {
			meta = undefined;
		}
	}
	if (meta && typeof meta === 'object') candidates.push((meta as IDataObject)[KOMMO_META_KEY]);
	for (const value of candidates) {
		if (value === undefined || value === null || value === '') continue;
		const text = String(value).trim();
		if (/^\d+$/.test(text) && Number(text) > 0 && Number.isSafeInteger(Number(text))) return Number(text);
	}
	return null;
}

/** Unix seconds from an n8n date value (ISO string, Luxon DateTime, Date, epoch ms/s number). */
export function unixSeconds(value: unknown, parameter: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number') return value > 1e12 ? Math.floor(value / 1000) : Math.floor(value);
	const text =
		typeof value === 'object' && value !== null && 'toISO' in value
			? String((value as { toISO: () => string }).toISO())
			: value instanceof Date
				? value.toISOString()
				: String(value);
	const ms = Date.parse(text);
	if (Number.isNaN(ms)) {
		throw new InputError(`${parameter} "${text}" is not a date`, 'Use an ISO 8601 date such as 2025-01-31 or 2025-01-31T12:00:00Z.');
	}
	return Math.floor(ms / 1000);
}

export function isoFromUnix(value: unknown): string | null {
	if (value === undefined || value === null || value === '') return null;
	const n = Number(value);
	if (!Number.isFinite(n)) return null;
	return new Date(n * 1000).toISOString();
}

/** Parses a JSON parameter that may arrive as text or already as an object. */
export function jsonObject(value: unknown, parameter: string): IDataObject | undefined {
	const parsed = readJsonObject(value);
	if (parsed !== null) return parsed;
	throw new InputError(`${parameter} must be a JSON object`, 'For example {"source": "kommo"}.');
}
