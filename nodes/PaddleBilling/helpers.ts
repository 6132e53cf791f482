/**
 * Small pieces several Paddle operations share: the Kommo lead id in
 * `custom_data`, money blocks, JSON parameters, and the look-ups that make
 * creates safe to repeat (customer by email, transaction by lead id).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { fromMinor, type Money } from '../shared/money';
import type { RequestContext } from '../shared/http';
import { paddleData, paddleList } from './transport';

export const KOMMO_LEAD_KEY = 'kommo_lead_id';

/** `ctm_…` id named in a 409 customer_already_exists detail. */
export function customerIdFromConflict(detail: string | undefined): string | undefined {
	const match = /\b(ctm_[a-z\d]{26})\b/i.exec(detail ?? '');
	return match ? match[1].toLowerCase() : undefined;
}

/** A Kommo lead id from a parameter: empty → undefined, otherwise a positive integer or an error. */
export function parseLeadId(this: IExecuteFunctions, value: unknown, itemIndex: number): number | undefined {
	if (value === undefined || value === null || value === '' || value === 0) return undefined;
	const text = String(value).trim();
	if (!/^\d{1,15}$/.test(text) || Number(text) <= 0) {
		throw new NodeOperationError(
			this.getNode(),
			`Kommo Lead ID "${String(value)}" is not a positive whole number. Map the lead's numeric id (e.g. {{ $json.leadId }}) or leave the field empty.`,
			{ itemIndex },
		);
	}
	return Number(text);
}

/** The Kommo lead id stored on a Paddle entity (number or numeric string), else null. */
export function leadIdFromCustomData(customData: unknown): number | null {
	if (!customData || typeof customData !== 'object') return null;
	const raw = (customData as IDataObject)[KOMMO_LEAD_KEY];
	if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) return raw;
	if (typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim()) && Number(raw) > 0) return Number(raw);
	return null;
}

/** A JSON-object parameter (string or object); empty → {}. */
export function parseJsonObject(
	this: IExecuteFunctions,
	value: unknown,
	field: string,
	itemIndex: number,
): IDataObject {
	if (value === undefined || value === null || value === '') return {};
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw new NodeOperationError(
				this.getNode(),
				`"${field}" is not valid JSON: ${(error as Error).message}. Enter a JSON object such as {"plan": "pro"}.`,
				{ itemIndex },
			);
		}
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new NodeOperationError(this.getNode(), `"${field}" must be a JSON object such as {"plan": "pro"}.`, {
			itemIndex,
		});
	}
	return parsed as IDataObject;
}

/** custom_data with the Kommo lead id merged in (the lead id wins over a same-named key). */
export function buildCustomData(extra: IDataObject, leadId: number | undefined): IDataObject | undefined {
	const out: IDataObject = { ...extra };
	if (leadId !== undefined) out[KOMMO_LEAD_KEY] = leadId;
	return Object.keys(out).length > 0 ? out : undefined;
}

/** A money block, or null when the amount or currency is missing or unusable. */
export function money(amount: unknown, currency: unknown): Money | null {
	if (amount === undefined || amount === null || amount === '' || typeof currency !== 'string' || !currency) {
		return null;
	}
	try {
		return fromMinor(String(amount), currency);
	} catch {
		// fromMinor only throws CurrencyError: a non-integer amount or an unknown currency.
		return null;
	}
}

/** What a person pays for a transaction: grand total (after tax and discounts). */
export function transactionMoney(transaction: IDataObject): Money | null {
	const details = (transaction.details ?? {}) as IDataObject;
	const totals = (details.totals ?? {}) as IDataObject;
	return money(totals.grand_total ?? totals.total, totals.currency_code ?? transaction.currency_code);
}

/**
 * A subscription's recurring amount before tax and discounts: the sum of its
 * recurring items' unit prices × quantity (Paddle's subscription entity has
 * no totals of its own).
 */
export function subscriptionMoney(subscription: IDataObject): Money | null {
	const items = (subscription.items ?? []) as IDataObject[];
	const currency = subscription.currency_code as string | undefined;
	let sum = 0n;
	let any = false;
	for (const item of items) {
		if (item.recurring === false) continue;
		const price = (item.price ?? {}) as IDataObject;
		const unit = (price.unit_price ?? {}) as IDataObject;
		if (typeof unit.amount !== 'string' || !/^-?\d+$/.test(unit.amount)) return null;
		if (unit.currency_code && currency && unit.currency_code !== currency) return null;
		const quantity = Number(item.quantity ?? 1);
		if (!Number.isInteger(quantity)) return null;
		sum += BigInt(unit.amount) * BigInt(quantity);
		any = true;
	}
	return any ? money(sum.toString(), currency) : null;
}

export function priceMoney(price: IDataObject): Money | null {
	const unit = (price.unit_price ?? {}) as IDataObject;
	return money(unit.amount, unit.currency_code);
}

/** Exact, case-insensitive email match (Paddle's `email` filter matches exactly). */
export async function findCustomerByEmail(
	this: RequestContext,
	email: string,
	itemIndex?: number,
): Promise<IDataObject | undefined> {
	const customers = await paddleList.call(this, {
		method: 'GET',
		path: '/customers',
		qs: { email, per_page: 50 },
		itemIndex,
	});
	const wanted = email.trim().toLowerCase();
	return (customers as IDataObject[]).find((c) => String(c.email ?? '').toLowerCase() === wanted);
}

export async function getCustomer(this: RequestContext, id: string, itemIndex?: number): Promise<IDataObject> {
	return (await paddleData.call(this, { method: 'GET', path: `/customers/${encodeURIComponent(id)}`, itemIndex })) as IDataObject;
}

export async function getTransaction(this: RequestContext, id: string, itemIndex?: number): Promise<IDataObject> {
	return (await paddleData.call(this, {
		method: 'GET',
		path: `/transactions/${encodeURIComponent(id)}`,
		itemIndex,
	})) as IDataObject;
}

export async function getSubscription(this: RequestContext, id: string, itemIndex?: number): Promise<IDataObject> {
	return (await paddleData.call(this, {
		method: 'GET',
		path: `/subscriptions/${encodeURIComponent(id)}`,
		itemIndex,
	})) as IDataObject;
}

/**
 * A customer's transaction of this collection mode that was created for this
 * Kommo lead and not canceled: the one to reuse when "Won" fires again.
 * Paddle cannot filter on custom_data, so the customer's recent transactions
 * are read (newest first, bounded) and matched here.
 */
export async function findLeadTransaction(
	this: RequestContext,
	customerId: string,
	leadId: number,
	collectionMode: 'manual' | 'automatic',
	itemIndex?: number,
): Promise<IDataObject | undefined> {
	const transactions = (await paddleList.call(
		this,
		{
			method: 'GET',
			path: '/transactions',
			qs: {
				customer_id: customerId,
				collection_mode: collectionMode,
				status: 'draft,ready,billed,paid,completed,past_due',
				// Paddle ids sort by creation time: the default order (id[DESC]) is newest first.
				per_page: 30,
			},
			itemIndex,
		},
		200,
	)) as IDataObject[];
	return transactions.find((t) => leadIdFromCustomData(t.custom_data) === leadId);
}

export function requireString(
	this: IExecuteFunctions,
	value: unknown,
	field: string,
	itemIndex: number,
	hint: string,
): string {
	const text = typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
	if (!text) {
		throw new NodeOperationError(this.getNode(), `"${field}" is empty. ${hint}`, { itemIndex });
	}
	return text;
}

/**
 * The id a parameter holds: a plain string (workflows from before the resource locators, or an
 * expression), or a resource locator `{ mode, value }` (From List / By ID / By URL). A URL gives the
 * Paddle id it contains (dashboard links such as https://vendors.paddle.com/customers-v2/ctm_…).
 */
export function locatorValue(value: unknown, prefix: string): unknown {
	let raw = value;
	if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'value' in (raw as IDataObject)) {
		raw = (raw as IDataObject).value;
	}
	if (typeof raw === 'string' && /^https?:\/\//i.test(raw.trim())) {
		const match = new RegExp(`\\b(${prefix}_[a-z\\d]{26})\\b`).exec(raw);
		return match ? match[1] : raw;
	}
	return raw;
}

/** Checks the shape of a Paddle id (`ctm_`, `sub_`, …) so a wrong mapping fails with a clear message. */
export function requirePaddleId(
	this: IExecuteFunctions,
	value: unknown,
	prefix: string,
	field: string,
	itemIndex: number,
): string {
	const text = requireString.call(this, locatorValue(value, prefix), field, itemIndex, `Enter a Paddle id starting with "${prefix}_".`);
	if (!new RegExp(`^${prefix}_[a-z\\d]{26}$`).test(text)) {
		throw new NodeOperationError(
			this.getNode(),
			`"${field}" value "${text}" is not a Paddle ${prefix}_ id (expected "${prefix}_" followed by 26 lower-case letters or digits).`,
			{ itemIndex },
		);
	}
	return text;
}

export interface ItemInput {
	priceId: string;
	quantity: number;
}

/** Items from the node's fixedCollection, validated. */
export function readItems(this: IExecuteFunctions, itemIndex: number): ItemInput[] {
	const collection = this.getNodeParameter('items', itemIndex, {}) as IDataObject;
	const rows = ((collection.item ?? []) as IDataObject[]).filter((r) => r && (r.priceId || r.quantity));
	if (rows.length === 0) {
		throw new NodeOperationError(
			this.getNode(),
			'No items: add at least one price under "Items" (Price → List shows the price ids).',
			{ itemIndex },
		);
	}
	return rows.map((row, i) => {
		const priceId = requirePaddleId.call(this, row.priceId, 'pri', `Items[${i + 1}] Price`, itemIndex);
		const quantity = Number(row.quantity ?? 1);
		if (!Number.isInteger(quantity) || quantity < 1) {
			throw new NodeOperationError(
				this.getNode(),
				`Items[${i + 1}] Quantity "${String(row.quantity)}" must be a whole number of at least 1.`,
				{ itemIndex },
			);
		}
		return { priceId, quantity };
	});
}

export function itemsBody(items: ItemInput[]): IDataObject[] {
	return items.map((i) => ({ price_id: i.priceId, quantity: i.quantity }));
}
