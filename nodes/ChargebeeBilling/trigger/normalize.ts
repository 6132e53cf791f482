/**
 * Chargebee event → the cross-vendor `normalized` block every billing trigger
 * emits (see the team conventions): ids, category, ISO time, amount with
 * currency, plan, status, reason and the Kommo lead id stored at provisioning.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { z } from 'zod';

import type { BillingCategory, BillingEventOrdering, NormalizedBillingEvent as SharedNormalizedEvent } from '../../shared/billing-event';
import { CurrencyError, type Money } from '../../shared/money';
import { accept, reject, type Verdict } from '../../shared/webhook';
import { DEFAULT_KOMMO_FIELD, isoFromUnix, leadIdFrom, moneyOf } from '../helpers';
import { attempt, callIdempotencyKey, chargebeeRequest, idPath, isNotFound } from '../transport';

export type { BillingCategory };
export type NormalizedBillingEvent = SharedNormalizedEvent<'chargebee'>;

const EXACT: Record<string, BillingCategory> = {
	payment_succeeded: 'payment_succeeded',
	payment_failed: 'payment_failed',
	subscription_renewed: 'renewal',
	subscription_changed: 'plan_changed',
	subscription_changed_with_backdating: 'plan_changed',
	subscription_cancelled: 'cancelled',
	subscription_canceled_with_backdating: 'cancelled',
	subscription_paused: 'paused',
	subscription_resumed: 'resumed',
	subscription_reactivated: 'resumed',
	subscription_reactivated_with_backdating: 'resumed',
	subscription_created: 'subscription_created',
	subscription_created_with_backdating: 'subscription_created',
};

export function categoryOf(eventType: string): BillingCategory {
	// own keys only: "constructor" or "__proto__" as an event type must not reach Object.prototype
	if (Object.prototype.hasOwnProperty.call(EXACT, eventType)) return EXACT[eventType];
	if (/^(pending_)?invoice_/.test(eventType)) return 'invoice';
	if (eventType.startsWith('credit_note_')) return 'credit_note';
	if (/^customer_(created|changed|deleted|moved_in|moved_out)$/.test(eventType)) return 'customer';
	return 'other';
}

/** What a Chargebee webhook body must look like before anything reads it. */
export const chargebeeEventSchema = z
	.object({
		// Event ids are short (`ev_` + about 20 characters in every body in /work/shared/payloads;
		// Chargebee's own resource ids allow 50): 100 leaves room, and a megabyte id can no longer
		// inflate the dedupe history (security review). Lengths are bounded before any regex runs.
		id: z.string().min(1).max(100),
		event_type: z.string().max(100).regex(/^[a-z0-9_]+$/),
		occurred_at: z.union([z.number(), z.string().max(15).regex(/^\d+$/)]),
		content: z.record(z.string(), z.unknown()),
		api_version: z.string().optional(),
		object: z.literal('event').optional(),
	})
	.passthrough();

const obj = (v: unknown): IDataObject | undefined =>
	v && typeof v === 'object' && !Array.isArray(v) ? (v as IDataObject) : undefined;
const first = (v: unknown): IDataObject | undefined => (Array.isArray(v) ? obj(v[0]) : obj(v));
const text = (...values: unknown[]): string | null => {
	for (const v of values) if (v !== undefined && v !== null && v !== '') return String(v);
	return null;
};

export function planIdOf(subscription: IDataObject | undefined): string | null {
	if (!subscription) return null;
	const items = (subscription.subscription_items as IDataObject[] | undefined) ?? [];
	const plan = items.find((i) => i.item_type === 'plan');
	return text(plan?.item_price_id, subscription.plan_id);
}

export interface NormalizeOptions {
	/** Customer custom field holding the Kommo lead id (default cf_kommo_lead_id). */
	kommoLeadIdField?: string;
	/** The customer fetched separately when the event carried none. */
	customer?: IDataObject;
	invoiceUrl?: string | null;
	/** Filled with what could not be normalised (the event is still emitted, with amount null). */
	warnings?: string[];
}

/** Longest amount we read: Chargebee's amounts are int64 minor units (19 digits and a sign). */
const MAX_AMOUNT_CHARS = 20;

/**
 * The amount as money, or null with a warning when it cannot be read exactly: an unknown
 * currency, a fractional or oversized number, or a number JSON parsing already rounded
 * (above 2^53). A money problem never stops the event (it would make Chargebee retry for days).
 */
function safeMoney(amount: unknown, currency: unknown, warnings: string[] | undefined): Money | null {
	if (typeof amount === 'number' && !Number.isSafeInteger(amount)) {
		warnings?.push(
			Number.isInteger(amount)
				? `amount ${String(amount)} is beyond 2^53 and was rounded by JSON parsing; read it in Chargebee`
				: `amount ${String(amount)} is not a whole number of minor units`,
		);
		return null;
	}
	if (typeof amount === 'string' && amount.length > MAX_AMOUNT_CHARS) {
		warnings?.push(`amount of ${amount.length} characters is longer than an int64 and was ignored`);
		return null;
	}
	try {
		return moneyOf(amount, currency);
	} catch (error) {
		// fromMinor throws only CurrencyError (unknown currency, not a whole number)
		warnings?.push(`${(error as CurrencyError).message} (currency ${JSON.stringify(String(currency).slice(0, 10))})`);
		return null;
	}
}

/**
 * Where the event stands among the events about the same object: the object the event is about
 * (subscription, else invoice, credit note, transaction, customer) with its `resource_version`,
 * else the event's `occurred_at`. Chargebee: "webhooks may arrive out of order … use
 * resource_version" (chargebee.com/docs/2.0/webhook_settings.html, API-FACTS "Delivery").
 */
export function orderingOf(event: IDataObject): BillingEventOrdering | null {
	const content = obj(event.content) ?? {};
	const candidates: Array<[string, IDataObject | undefined]> = [
		['subscription', obj(content.subscription)],
		['invoice', obj(content.invoice)],
		['credit_note', first(content.credit_note)],
		['transaction', obj(content.transaction)],
		['customer', obj(content.customer)],
	];
	for (const [kind, object] of candidates) {
		const id = object?.id;
		if (typeof id !== 'string' && typeof id !== 'number') continue;
		const key = `chargebee:${kind}:${String(id)}`;
		const version = object?.resource_version;
		if ((typeof version === 'number' && Number.isSafeInteger(version) && version >= 0) || (typeof version === 'string' && /^\d{1,30}$/.test(version))) {
			return { object: key, version: String(version), source: 'resource_version' };
		}
		const at = isoFromUnix(event.occurred_at);
		return at ? { object: key, version: at, source: 'occurred_at' } : null;
	}
	return null;
}

export function normalizeChargebeeEvent(event: IDataObject, options: NormalizeOptions = {}): NormalizedBillingEvent {
	const eventType = String(event.event_type);
	const category = categoryOf(eventType);
	const content = obj(event.content) ?? {};
	const customer = obj(content.customer) ?? options.customer;
	const subscription = obj(content.subscription);
	const invoice = obj(content.invoice);
	const transaction = obj(content.transaction);
	const creditNote = first(content.credit_note) ?? first(content.credit_notes);
	const linkedInvoice = first(transaction?.linked_invoices);

	const w = options.warnings;
	let amount: Money | null = null;
	// payments and refunds: the money that moved is the transaction's, not the invoice total
	if ((category === 'payment_succeeded' || category === 'payment_failed' || transaction?.type === 'refund') && transaction) {
		amount = safeMoney(transaction.amount, transaction.currency_code, w);
	} else if (category === 'credit_note' && creditNote) {
		amount = safeMoney(creditNote.total, creditNote.currency_code, w);
	} else if (invoice) {
		amount = safeMoney(invoice.total, invoice.currency_code, w);
	} else if (transaction) {
		amount = safeMoney(transaction.amount, transaction.currency_code, w);
	} else if (creditNote) {
		amount = safeMoney(creditNote.total, creditNote.currency_code, w);
	}

	let reason: string | null = null;
	if (category === 'payment_failed') reason = text(transaction?.error_text, transaction?.error_code);
	else if (category === 'credit_note') reason = text(creditNote?.create_reason_code, creditNote?.reason_code);
	else if (category === 'cancelled' || subscription?.status === 'non_renewing') {
		reason = text(subscription?.cancel_reason_code, subscription?.cancel_reason);
	}

	let status: string | null;
	if (category === 'payment_succeeded' || category === 'payment_failed') status = text(transaction?.status, invoice?.status);
	else if (category === 'invoice') status = text(invoice?.status);
	else if (category === 'credit_note') status = text(creditNote?.status);
	else status = text(subscription?.status, invoice?.status, transaction?.status, creditNote?.status);

	const eventId = String(event.id);
	return {
		vendor: 'chargebee',
		eventId,
		eventType,
		category,
		occurredAt: isoFromUnix(event.occurred_at),
		dedupeKey: `chargebee:${eventId}`,
		customerId: text(customer?.id, subscription?.customer_id, invoice?.customer_id, transaction?.customer_id, creditNote?.customer_id),
		subscriptionId: text(subscription?.id, invoice?.subscription_id, transaction?.subscription_id, creditNote?.subscription_id),
		invoiceId: text(invoice?.id, linkedInvoice?.invoice_id, creditNote?.reference_invoice_id),
		transactionId: text(transaction?.id),
		invoiceUrl: options.invoiceUrl ?? null,
		customerEmail: text(customer?.email),
		amount,
		planId: planIdOf(subscription),
		// Chargebee's v2 events carry the subscription as it is after the change, not before.
		previousPlanId: null,
		status,
		reason,
		kommoLeadId: leadIdFrom(customer, subscription, options.kommoLeadIdField ?? DEFAULT_KOMMO_FIELD),
		ordering: orderingOf(event),
	};
}

/** What was sent: a Chargebee event (n8n's parse, or the raw bytes when n8n parsed nothing). */
export function parseEvent(parsedBody: unknown, raw: Buffer | undefined): Verdict<IDataObject> {
	let body = parsedBody;
	if (!body || Object.keys(body as object).length === 0) {
		try {
			body = raw ? JSON.parse(raw.toString('utf8')) : undefined;
		} catch {
			body = undefined;
		}
	}
	const parsed = chargebeeEventSchema.safeParse(body);
	if (!parsed.success) return reject(400, 'not_an_event', 'Not a Chargebee event: expected {id, event_type, occurred_at, content}');
	return accept(parsed.data as IDataObject);
}

/** The optional look-ups for the normalised block: the customer and the invoice PDF URL. */
async function lookups(this: IWebhookFunctions, event: IDataObject, options: IDataObject): Promise<Verdict<NormalizeOptions>> {
	const content = (event.content ?? {}) as IDataObject;
	let customer: IDataObject | undefined;
	if (options.lookupCustomer === true && !content.customer) {
		const draft = normalizeChargebeeEvent(event);
		if (draft.customerId) {
			const found = await attempt(
				chargebeeRequest.call(this, { method: 'GET', path: idPath('/customers/{id}', draft.customerId), quick: true }),
			);
			if (found.ok) customer = (found.value as IDataObject).customer as IDataObject;
			else if (!isNotFound(found.error)) {
				return reject(503, 'lookup_failed', 'Could not load the customer from Chargebee; retry later', { 'Retry-After': '60' });
			}
		}
	}
	let invoiceUrl: string | null = null;
	if (options.includeInvoicePdfUrl === true) {
		const draft = normalizeChargebeeEvent(event);
		if (draft.invoiceId) {
			const pdf = await attempt(
				chargebeeRequest.call(this, {
					method: 'POST',
					path: idPath('/invoices/{id}/pdf', draft.invoiceId),
					idempotencyKey: callIdempotencyKey('invoice-pdf'),
					quick: true,
				}),
			);
			if (pdf.ok) invoiceUrl = String(((pdf.value as IDataObject).download as IDataObject).download_url);
			else if (!isNotFound(pdf.error)) {
				return reject(503, 'lookup_failed', 'Could not get the invoice PDF URL from Chargebee; retry later', { 'Retry-After': '60' });
			}
		}
	}
	return accept({ customer, invoiceUrl });
}

/** The item the trigger emits: `{ normalized, event, warnings? }`, after the optional look-ups. */
export async function toItem(this: IWebhookFunctions, event: IDataObject, options: IDataObject): Promise<Verdict<IDataObject>> {
	const found = await lookups.call(this, event, options);
	if (!found.ok) return found;
	let normalized: NormalizedBillingEvent;
	const warnings: string[] = [];
	try {
		normalized = normalizeChargebeeEvent(event, {
			...found.value,
			kommoLeadIdField: String(options.kommoLeadIdField ?? DEFAULT_KOMMO_FIELD),
			warnings,
		});
	} catch (error) {
		if (error instanceof CurrencyError) {
			throw new NodeOperationError(this.getNode(), `Chargebee event ${String(event.id)}: ${error.message}`);
		}
		throw new NodeOperationError(this.getNode(), error as Error);
	}
	// A money problem is acknowledged with a warning, never a 500 (which Chargebee retries for days).
	for (const warning of warnings) this.logger.warn(`Chargebee Billing Trigger: event ${String(event.id).slice(0, 60)}: ${warning}`);
	return accept({ normalized: normalized as unknown as IDataObject, event, ...(warnings.length ? { warnings } : {}) });
}
