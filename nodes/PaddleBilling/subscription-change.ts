/**
 * What a Paddle `subscription.updated` is about.
 *
 * Paddle sends `subscription.updated` as a catch-all: on every renewal, before every pause,
 * resume and cancellation, when a change is scheduled or removed, and when items change. Paddle's
 * own scenario list (OpenAPI spec, `GET /simulation-types` example, ~line 9340 of
 * ../shared/specs/paddle-billing-openapi.yaml) shows it:
 *   renewal      = subscription.updated, transaction.created … transaction.completed
 *   pause        = subscription.updated, subscription.paused
 *   resume       = subscription.updated, subscription.resumed, transaction.…
 *   cancellation = subscription.updated, subscription.canceled
 * A scheduled cancel arrives as `subscription.updated` with `scheduled_change.action: "cancel"`
 * (real capture, ../shared/payloads/paddle/real-capture__monsterwriter_subscription.updated…).
 *
 * The event carries no previous values, so the kind of change is read from the entity itself:
 * the time stamps Paddle sets on the subscription and its items tell what moved at `updated_at`.
 */
import type { IDataObject } from 'n8n-workflow';

/** What changed; `items_changed` is the only one that is a plan change. */
export type SubscriptionChange =
	| 'items_changed'
	| 'scheduled_cancel'
	| 'scheduled_pause'
	| 'scheduled_resume'
	| 'status_paused'
	| 'status_canceled'
	| 'status_past_due'
	| 'renewed'
	| 'updated';

/**
 * Paddle stamps everything changed by one update with nearly the same time (spec example: the
 * added item 6 ms, the changed item 11 ms before the subscription's updated_at).
 */
const SAME_UPDATE_MS = 1_000;
/** Items made with the subscription carry its created_at exactly (spec example, SDK fixtures). */
const WITH_CREATION_MS = 1_000;
/** Paddle renews when the period ends; its update lands within minutes of the new period's start. */
const RENEWAL_WINDOW_MS = 10 * 60_000;

function ms(value: unknown): number | null {
	if (typeof value !== 'string' || value === '') return null;
	const t = Date.parse(value);
	return Number.isNaN(t) ? null : t;
}

function near(a: number | null, b: number | null, window = SAME_UPDATE_MS): boolean {
	return a !== null && b !== null && Math.abs(a - b) <= window;
}

export function subscriptionChange(data: IDataObject): SubscriptionChange {
	const status = typeof data.status === 'string' ? data.status : '';
	// Status moves: Paddle follows with the specific event (subscription.paused / .canceled / .past_due).
	if (status === 'paused' || status === 'canceled' || status === 'past_due') return `status_${status}`;
	const scheduled = (data.scheduled_change ?? null) as IDataObject | null;
	if (scheduled && typeof scheduled === 'object') {
		const action = scheduled.action;
		if (action === 'cancel' || action === 'pause' || action === 'resume') return `scheduled_${action}`;
	}
	const updatedAt = ms(data.updated_at);
	const createdAt = ms(data.created_at);
	const startedAt = ms(data.started_at);
	const period = (data.current_billing_period ?? null) as IDataObject | null;
	const periodStart = ms(period?.starts_at);
	const items = Array.isArray(data.items) ? (data.items as IDataObject[]).filter((i) => i && typeof i === 'object') : [];
	// An item created by this update (not with the subscription) is a plan change, whatever else
	// moved: a renewal never adds items. Checked first, because an item added mid-period is billed
	// at once (previously_billed_at = its created_at), which near a renewal looks like one.
	const addedNow = (item: IDataObject) => {
		const itemCreated = ms(item.created_at);
		return near(itemCreated, updatedAt) && !near(itemCreated, createdAt, WITH_CREATION_MS);
	};
	if (items.some(addedNow)) return 'items_changed';
	// A new billing period began with this update (renewal, or a resume that starts a new period):
	// the period no longer starts when the subscription started, it started at this update, and
	// every item was billed at its start (an item added later is first billed when it is added).
	if (
		periodStart !== null &&
		startedAt !== null &&
		periodStart - startedAt > WITH_CREATION_MS &&
		near(periodStart, updatedAt, RENEWAL_WINDOW_MS) &&
		items.every((item) => near(ms(item.previously_billed_at), periodStart, WITH_CREATION_MS))
	) {
		return 'renewed';
	}
	// Items changed (quantity) by this update.
	const itemChanged = items.some((item) => {
		const itemUpdated = ms(item.updated_at);
		return near(itemUpdated, updatedAt) && !near(itemUpdated, ms(item.created_at), WITH_CREATION_MS);
	});
	if (itemChanged) return 'items_changed';
	return 'updated';
}
