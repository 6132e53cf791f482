/**
 * Chargebee event → the cross-vendor `normalized` block every billing trigger
 * emits (see the team conventions): ids, category, ISO time, amount with
 * currency, plan, status, reason and the Kommo lead id stored at provisioning.
 */
import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import type { BillingCategory, NormalizedBillingEvent as SharedNormalizedEvent } from '../shared/billing-event';
import type { Money } from '../shared/money';
import { DEFAULT_KOMMO_FIELD, isoFromUnix, leadIdFrom, moneyOf } from './helpers';

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
	if (EXACT[eventType]) return EXACT[eventType];
	if (/^(pending_)?invoice_/.test(eventType)) return 'invoice';
	if (eventType.startsWith('credit_note_')) return 'credit_note';
	if (/^customer_(created|changed|deleted|moved_in|moved_out)$/.test(eventType)) return 'customer';
	return 'other';
}

/** What a Chargebee webhook body must look like before anything reads it. */
export const chargebeeEventSchema = z
	.object({
		id: z.string().min(1),
		event_type: z.string().regex(/^[a-z0-9_]+$/),
		occurred_at: z.union([z.number(), z.string().regex(/^\d+$/)]),
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

	let amount: Money | null = null;
	if ((category === 'payment_succeeded' || category === 'payment_failed') && transaction) {
		amount = moneyOf(transaction.amount, transaction.currency_code);
	} else if (category === 'credit_note' && creditNote) {
		amount = moneyOf(creditNote.total, creditNote.currency_code);
	} else if (invoice) {
		amount = moneyOf(invoice.total, invoice.currency_code);
	} else if (transaction) {
		amount = moneyOf(transaction.amount, transaction.currency_code);
	} else if (creditNote) {
		amount = moneyOf(creditNote.total, creditNote.currency_code);
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
		ordering: null,
	};
}
