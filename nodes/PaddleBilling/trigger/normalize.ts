/**
 * Paddle event → the cross-vendor `normalized` block every billing trigger
 * emits (see the team conventions). Missing values are null.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { BillingCategory, NormalizedBillingEvent as SharedNormalizedEvent } from '../../shared/billing-event';
import type { Money } from '../../shared/money';
import { leadIdFromCustomData, money } from '../helpers';
import { subscriptionChange } from '../subscription-change';

export type { BillingCategory };
/** Paddle's envelope can lack ids in a malformed event, so they may be null here. */
export type NormalizedBillingEvent = Omit<SharedNormalizedEvent<'paddle'>, 'eventId' | 'dedupeKey'> & {
	eventId: string | null;
	dedupeKey: string | null;
	/**
	 * `custom_data.kommo_lead_id` of a transaction, subscription or adjustment: only a hint. The
	 * paying customer can set or replace transaction custom_data in the browser (Paddle.js
	 * `Checkout.open({customData})`, `Checkout.updateCheckout`), and Paddle copies it onto the
	 * subscription and its renewals (developer.paddle.com/build/transactions/custom-data). Write to
	 * that lead only after checking that its stored billing customer is this event's customer.
	 * `kommoLeadId` is set only from API-only data (the customer's own custom_data).
	 */
	kommoLeadIdHint: number | null;
};

/** Event types the trigger offers (Paddle's names; subscription.canceled has one l). */
export const PADDLE_EVENT_TYPES = [
	'subscription.created',
	'subscription.activated',
	'subscription.updated',
	'subscription.canceled',
	'subscription.paused',
	'subscription.resumed',
	'subscription.past_due',
	'subscription.trialing',
	'transaction.billed',
	'transaction.canceled',
	'transaction.completed',
	'transaction.created',
	'transaction.paid',
	'transaction.past_due',
	'transaction.payment_failed',
	'transaction.ready',
	'transaction.updated',
	'customer.created',
	'customer.updated',
	'address.created',
	'address.updated',
	'business.created',
	'business.updated',
	'adjustment.created',
	'adjustment.updated',
] as const;

export const ALL_EVENTS = '*';

/** Whether the trigger's Events parameter selects this event type (none selected: every type). */
export function acceptsEvent(this: IWebhookFunctions, eventType: string): boolean {
	const events = (this.getNodeParameter('events', []) as string[]) ?? [];
	return events.length === 0 || events.includes(ALL_EVENTS) || events.includes(eventType);
}

function str(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

function iso(value: unknown): string | null {
	if (typeof value !== 'string' || !value) return null;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

export function categoryOf(eventType: string, data: IDataObject): BillingCategory {
	switch (eventType) {
		case 'transaction.completed':
			return data.origin === 'subscription_recurring' ? 'renewal' : 'payment_succeeded';
		case 'transaction.paid':
			// One payment, one meaning: Paddle sends transaction.paid and then transaction.completed
			// (different event ids) for every successful payment (spec `GET /simulation-types`
			// scenarios). transaction.completed is the payment; paid is the step before it.
			return 'other';
		case 'transaction.payment_failed':
		case 'transaction.past_due':
		case 'subscription.past_due':
			return 'payment_failed';
		case 'transaction.billed':
			// An invoice only when Paddle collects by invoice; an automatic renewal is billed too,
			// right before it is charged (scenario "subscription_renewal").
			return data.collection_mode === 'manual' ? 'invoice' : 'other';
		case 'subscription.created':
			return 'subscription_created';
		case 'subscription.updated':
			// A catch-all (renewals, pauses, resumes, scheduled changes): a plan change only when
			// the items changed (see subscription-change.ts).
			return subscriptionChange(data) === 'items_changed' ? 'plan_changed' : 'other';
		case 'subscription.canceled':
			return 'cancelled';
		case 'subscription.paused':
			return 'paused';
		case 'subscription.resumed':
			return 'resumed';
		default:
			break;
	}
	const entity = eventType.split('.')[0];
	if (entity === 'customer' || entity === 'address' || entity === 'business') return 'customer';
	if (entity === 'adjustment') return 'credit_note';
	return 'other';
}

function firstPriceId(data: IDataObject): string | null {
	const items = (data.items ?? []) as IDataObject[];
	for (const item of items) {
		const price = (item?.price ?? {}) as IDataObject;
		const id = str(price.id) ?? str(item?.price_id);
		if (id) return id;
	}
	return null;
}

function amountOf(entity: string, data: IDataObject): Money | null {
	if (entity === 'transaction') {
		const totals = ((data.details as IDataObject | undefined)?.totals ?? {}) as IDataObject;
		return money(totals.grand_total ?? totals.total, totals.currency_code ?? data.currency_code);
	}
	if (entity === 'adjustment') {
		const totals = (data.totals ?? {}) as IDataObject;
		return money(totals.total, totals.currency_code ?? data.currency_code);
	}
	return null;
}

function reasonOf(entity: string, eventType: string, data: IDataObject): string | null {
	if (eventType === 'transaction.payment_failed' || eventType === 'transaction.past_due') {
		// Paddle lists payment attempts newest first; a completed transaction may still carry an old decline.
		const payments = (data.payments ?? []) as IDataObject[];
		const failed = payments.find((p) => p && (p.error_code || p.status === 'error' || p.status === 'failed'));
		return str(failed?.error_code) ?? null;
	}
	if (entity === 'adjustment') return str(data.reason);
	if (entity === 'subscription' && eventType === 'subscription.updated') return subscriptionChange(data);
	return null;
}

/**
 * Paddle objects carry no version counter; events about one object are ordered by the event's
 * `occurred_at` (RFC 3339 with microseconds, kept as sent). Paddle does not guarantee delivery
 * order and retries for days (developer.paddle.com, webhooks "Handle webhook delivery"), so a
 * late event must not overwrite what a newer one wrote (compareOrderingVersions).
 */
function orderingOf(entity: string, own: string | null, occurredAt: unknown): NormalizedBillingEvent['ordering'] {
	const version = str(occurredAt);
	if (!entity || !own || !version || Number.isNaN(Date.parse(version))) return null;
	return { object: `paddle:${entity}:${own}`, version, source: 'occurred_at' };
}

export function normalizePaddleEvent(event: IDataObject): NormalizedBillingEvent {
	const eventType = str(event.event_type) ?? '';
	const entity = eventType.split('.')[0];
	const data = (event.data && typeof event.data === 'object' ? event.data : {}) as IDataObject;
	const eventId = str(event.event_id);
	const own = str(data.id);
	return {
		vendor: 'paddle',
		eventId,
		eventType: eventType || null,
		category: categoryOf(eventType, data),
		occurredAt: iso(event.occurred_at),
		dedupeKey: eventId ? `paddle:${eventId}` : null,
		customerId: entity === 'customer' ? own : str(data.customer_id),
		subscriptionId: entity === 'subscription' ? own : str(data.subscription_id),
		invoiceId: entity === 'transaction' ? (str(data.invoice_number) ?? str(data.invoice_id)) : null,
		transactionId: entity === 'transaction' ? own : str(data.transaction_id),
		invoiceUrl: null,
		customerEmail: entity === 'customer' ? str(data.email) : null,
		amount: amountOf(entity, data),
		planId: entity === 'transaction' || entity === 'subscription' ? firstPriceId(data) : null,
		previousPlanId: null,
		status: str(data.status),
		reason: reasonOf(entity, eventType, data),
		// Customer custom_data is written through the API only; everything else is a hint.
		kommoLeadId: entity === 'customer' ? leadIdFromCustomData(data.custom_data) : null,
		kommoLeadIdHint: entity === 'customer' ? null : leadIdFromCustomData(data.custom_data),
		ordering: orderingOf(entity, own, event.occurred_at),
	};
}
