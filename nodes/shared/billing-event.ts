/**
 * The vendor-neutral `normalized` block every billing trigger emits next to
 * the raw event, so that one workflow design (dedupe, find the deal, switch
 * on the category) serves Chargebee, Paddle and Zuora alike.
 */
import type { Money } from './money';

export const BILLING_CATEGORIES = [
	'payment_succeeded',
	'payment_failed',
	'invoice',
	'renewal',
	'plan_changed',
	'cancelled',
	'paused',
	'resumed',
	'subscription_created',
	'credit_note',
	'customer',
	'other',
] as const;

export type BillingCategory = (typeof BILLING_CATEGORIES)[number];

export interface NormalizedBillingEvent<Vendor extends string = string> {
	vendor: Vendor;
	eventId: string;
	eventType: string | null;
	category: BillingCategory;
	/** ISO 8601. */
	occurredAt: string | null;
	/** What Billing Event Dedupe claims by default. */
	dedupeKey: string;
	customerId: string | null;
	subscriptionId: string | null;
	invoiceId: string | null;
	transactionId: string | null;
	invoiceUrl: string | null;
	customerEmail: string | null;
	amount: Money | null;
	planId: string | null;
	previousPlanId: string | null;
	status: string | null;
	reason: string | null;
	/** The Kommo deal stored in the billing system at provisioning. */
	kommoLeadId: number | null;
}
