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
	/**
	 * Where this event stands among the events about the same billing object, so a flow can
	 * refuse to let a stale (late or redelivered-out-of-order) event overwrite newer state.
	 * Vendors deliver webhooks out of order and more than once (Chargebee: docs "Webhooks" →
	 * "Out of order delivery"; Paddle and Zuora likewise). null when the event gives no order.
	 */
	ordering: BillingEventOrdering | null;
}

/** One ordering mechanism for every vendor; compare two versions with {@link compareOrderingVersions}. */
export interface BillingEventOrdering {
	/** The object whose state the event describes, e.g. `chargebee:subscription:AzZ…`. */
	object: string;
	/**
	 * Its version: a decimal integer (Chargebee `resource_version`) or an ISO 8601 time
	 * (`occurred_at`, Zuora `UpdatedDate`, callout time). Kept as text: resource versions exceed 2^53.
	 */
	version: string;
	/** Which field the version came from (for notes and troubleshooting). */
	source: 'resource_version' | 'occurred_at' | 'updated_date' | 'received_at';
}

const DECIMAL = /^\d{1,40}$/;

/**
 * -1, 0 or 1 as version a is older than, the same as, or newer than b. Two decimal versions
 * compare as integers, two times as instants (sub-millisecond digits included, as Paddle sends
 * microseconds); a mix or an unreadable version compares as equal (not stale), so an event is
 * never dropped on a guess.
 */
export function compareOrderingVersions(a: string, b: string): -1 | 0 | 1 {
	if (DECIMAL.test(a) && DECIMAL.test(b)) {
		const x = BigInt(a);
		const y = BigInt(b);
		return x < y ? -1 : x > y ? 1 : 0;
	}
	const ta = isoInstant(a);
	const tb = isoInstant(b);
	if (ta === undefined || tb === undefined) return 0;
	return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** Microseconds since the epoch as a bigint, keeping fractional digits Date would drop. */
function isoInstant(value: string): bigint | undefined {
	if (value.length > 40) return undefined;
	const match = /^(.+?T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
	if (!match) return undefined;
	const ms = Date.parse(`${match[1]}${match[3] ?? 'Z'}`);
	if (Number.isNaN(ms)) return undefined;
	const micros = BigInt((match[2] ?? '').padEnd(6, '0').slice(0, 6));
	return BigInt(ms) * 1000n + micros;
}
