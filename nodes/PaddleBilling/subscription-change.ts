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

/** Paddle stamps everything changed by one update with (nearly) the same time. */
const SAME_UPDATE_MS = 5_000;

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
	// A new billing period began with this update (renewal, or a resume that starts a new period):
	// the period no longer starts when the subscription started, and it started at this update.
	if (periodStart !== null && startedAt !== null && periodStart - startedAt > SAME_UPDATE_MS && near(periodStart, updatedAt, 60 * 60_000)) {
		return 'renewed';
	}
	// Items added or changed by this update (not those created with the subscription).
	const items = Array.isArray(data.items) ? (data.items as IDataObject[]) : [];
	const itemChanged = items.some((item) => {
		if (!item || typeof item !== 'object') return false;
		const itemCreated = ms(item.created_at);
		const itemUpdated = ms(item.updated_at);
		const added = near(itemCreated, updatedAt) && !near(itemCreated, createdAt);
		const changed = near(itemUpdated, updatedAt) && !near(itemUpdated, itemCreated);
		return added || changed;
	});
	if (itemChanged) return 'items_changed';
	return 'updated';
}
