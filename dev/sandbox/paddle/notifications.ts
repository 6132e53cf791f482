/**
 * Paddle's event stream and notification entities in the sandbox: `GET /events`,
 * `GET /notifications`, `GET /notifications/{id}` and `POST /notifications/{id}/replay`, modelled
 * on Paddle's OpenAPI spec (../shared/specs/paddle-billing-openapi.yaml, paths of the same names;
 * schemas `event`, `notification`, `meta-paginated`) and its docs where the spec is silent:
 *
 *  - One notification per event and subscribed destination (spec `notification`:
 *    `notification_setting_id`, `origin: event`), status `not_attempted` until the first attempt,
 *    `delivered` after a 2xx, `needs_retry` after a failed attempt while Paddle still retries, and
 *    `failed` once it gives up. Live accounts retry "up to 60 times over 3 days"
 *    (developer.paddle.com/webhooks/about/respond-to-webhooks), hence 61 attempts; the sandbox
 *    does not retry by itself (tests call `redeliver`, or `giveUp` to end the retries).
 *  - A replay is allowed for a `delivered` or `failed` notification of origin `event` only (spec
 *    `POST /notifications/{notification_id}/replay`), else 400 `notification_cannot_replay` or
 *    `notification_replay_invalid_origin_type` (developer.paddle.com/errors/notifications/…). It
 *    answers 202 `{data: {notification_id}}` with a NEW notification (origin `replay`) "related to
 *    the same `event_id`" (spec; developer.paddle.com/changelog/2023/replay-notification), which
 *    is delivered at once, signed at its own time.
 *  - Events and notifications older than 90 days are not retained (spec descriptions of both
 *    lists and of get/replay: "Paddle returns an error"; modelled as 404 not_found).
 *  - `GET /events` takes only `after`, `order_by` (`id`, i.e. event_id) and `per_page`; there is
 *    no event-type filter in the spec. Query parameters a list does not define are refused with
 *    400 here (stricter than Paddle may be, so a node relying on a filter Paddle lacks fails).
 */
import type { SandboxRequest, SandboxResponse } from '../kit';

type Json = Record<string, unknown>;

export interface StreamEvent {
	event_id: string;
	event_type: string;
	occurred_at: string;
	data: Json;
}

export const NOTIFICATION_STATUSES = ['delivered', 'failed', 'needs_retry', 'not_attempted'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** "Events older than 90 days aren't retained" / "Notifications older than 90 days aren't retained" (spec). */
export const RETENTION_MS = 90 * 24 * 3600 * 1000;

/** What the notification routes need from the sandbox. */
export interface NotificationHost {
	now(): Date;
	newId(prefix: string): string;
	events: StreamEvent[];
	api(method: string, path: string, fn: (req: SandboxRequest, res: SandboxResponse) => unknown): void;
	/** Paddle's cursor pagination over items sorted by `key` (meta.pagination with next/has_more). */
	list(req: SandboxRequest, res: SandboxResponse, items: Json[], maxPerPage: number, defaultPerPage: number, key: string): void;
	ok(res: SandboxResponse, status: number, data: unknown): void;
	error(status: number, code: string, detail: string, errors?: Array<{ field: string; message: string }>): Error;
	/** Sends a notification of this event to its destination (a new attempt, signed now). */
	deliver(notification: Json, event: StreamEvent): void;
}

export class NotificationLog {
	readonly byId = new Map<string, Json>();
	/** Attempts before Paddle gives up: the first one and up to 60 retries (live accounts). */
	maxAttempts = 61;

	constructor(private readonly host: Pick<NotificationHost, 'now' | 'newId'>) {}

	/** A new notification entity (spec `notification`) for one event and destination. */
	create(settingId: string, event: StreamEvent, origin: 'event' | 'replay' = 'event'): Json {
		const id = this.host.newId('ntf');
		const notification: Json = {
			id,
			type: event.event_type,
			status: 'not_attempted',
			payload: { ...event, notification_id: id },
			occurred_at: origin === 'event' ? event.occurred_at : this.host.now().toISOString(),
			delivered_at: null,
			replayed_at: null,
			origin,
			last_attempt_at: null,
			retry_at: null,
			times_attempted: 0,
			notification_setting_id: settingId,
		};
		this.byId.set(id, notification);
		return notification;
	}

	/** Records one delivery attempt: a 2xx delivers it; otherwise Paddle retries until maxAttempts. */
	attempted(id: string, ok: boolean): void {
		const notification = this.byId.get(id);
		if (!notification) return;
		const at = this.host.now();
		notification.times_attempted = Number(notification.times_attempted) + 1;
		notification.last_attempt_at = at.toISOString();
		if (ok) {
			notification.status = 'delivered';
			notification.delivered_at ??= at.toISOString();
			notification.retry_at = null;
		} else if (notification.status === 'delivered') {
			// A later attempt of a delivered notification (a test's redeliver) changes nothing.
		} else if (Number(notification.times_attempted) >= this.maxAttempts) {
			notification.status = 'failed';
			notification.retry_at = null;
		} else {
			notification.status = 'needs_retry';
			// Exponential backoff (docs: "exponential backoff"), informative only here.
			const delay = Math.min(60_000 * 2 ** (Number(notification.times_attempted) - 1), 12 * 3600_000);
			notification.retry_at = new Date(at.getTime() + delay).toISOString();
		}
	}

	/** Paddle's retries ran out (after 3 days in live): the notification is `failed`. */
	giveUp(id: string): Json {
		const notification = this.byId.get(id);
		if (!notification) throw new Error(`sandbox: no notification ${id}`);
		if (notification.status !== 'delivered') {
			notification.status = 'failed';
			notification.retry_at = null;
		}
		return notification;
	}

	/** Notifications of one event (the first delivery and its replays), oldest first. */
	ofEvent(eventId: string): Json[] {
		return [...this.byId.values()].filter((n) => (n.payload as Json).event_id === eventId);
	}

	clear(): void {
		this.byId.clear();
	}

	private retained(at: unknown): boolean {
		const ms = Date.parse(String(at));
		return Number.isNaN(ms) || ms >= this.host.now().getTime() - RETENTION_MS;
	}

	/** A retained notification, else Paddle's 404. */
	mustGet(host: NotificationHost, id: string): Json {
		const notification = this.byId.get(id);
		if (!notification || !this.retained(notification.occurred_at)) throw host.error(404, 'not_found', `Entity ${id} not found`);
		return notification;
	}

	/** POST /notifications/{id}/replay: checks as Paddle does, then a new `replay` notification, delivered now. */
	replay(host: NotificationHost, id: string): Json {
		const original = this.mustGet(host, id);
		if (original.origin !== 'event') {
			throw host.error(400, 'notification_replay_invalid_origin_type', 'Only notifications with the origin `event` can be replayed.');
		}
		if (original.status !== 'delivered' && original.status !== 'failed') {
			throw host.error(
				400,
				'notification_cannot_replay',
				`Notification ${id} cannot be replayed because it's not \`delivered\` or \`failed\`.`,
			);
		}
		const event = host.events.find((e) => e.event_id === (original.payload as Json).event_id);
		if (!event) throw host.error(404, 'not_found', `Entity ${id} not found`);
		// "RFC 3339 datetime string of when this notification was replayed" (spec): set on the
		// notification that was replayed; the spec does not say whether the replay carries it too.
		original.replayed_at = this.host.now().toISOString();
		const replay = this.create(String(original.notification_setting_id), event, 'replay');
		host.deliver(replay, event);
		return replay;
	}

	/** GET /notifications with the spec's filters (status, notification_setting_id, search, filter, from, to). */
	search(host: NotificationHost, req: SandboxRequest): Json[] {
		const statuses = queryList(req, 'status');
		const bad = (statuses ?? []).filter((s) => !(NOTIFICATION_STATUSES as readonly string[]).includes(s));
		const errors: Array<{ field: string; message: string }> = bad.map(() => ({
			field: 'status',
			message: `must be one of ${NOTIFICATION_STATUSES.join(', ')}`,
		}));
		const settings = queryList(req, 'notification_setting_id');
		const search = req.query.search === undefined ? undefined : String(req.query.search);
		if (search !== undefined && search.length > 100) errors.push({ field: 'search', message: 'maximum length of 100 exceeded' });
		const filter = req.query.filter === undefined ? undefined : String(req.query.filter);
		const from = rfc3339(req, 'from', errors);
		const to = rfc3339(req, 'to', errors);
		if (errors.length > 0) throw host.error(400, 'invalid_field', 'Request does not pass validation.', errors);
		const needle = search?.toLowerCase();
		return [...this.byId.values()].filter((n) => {
			if (!this.retained(n.occurred_at)) return false;
			if (statuses && !statuses.includes(String(n.status))) return false;
			if (settings && !settings.includes(String(n.notification_setting_id))) return false;
			// "Searches `id` and `type` fields" (spec, list-notifications `search`).
			if (needle && !String(n.id).toLowerCase().includes(needle) && !String(n.type).toLowerCase().includes(needle)) return false;
			// "Return entities that contain the Paddle ID specified. Pass a transaction, customer, or subscription ID."
			if (filter) {
				const data = ((n.payload as Json).data ?? {}) as Json;
				if (![data.id, data.customer_id, data.subscription_id, data.transaction_id].includes(filter)) return false;
			}
			const at = Date.parse(String(n.occurred_at));
			if (from !== undefined && at < from) return false;
			if (to !== undefined && at > to) return false;
			return true;
		});
	}
}

function queryList(req: SandboxRequest, name: string): string[] | undefined {
	const raw = req.query[name];
	if (raw === undefined) return undefined;
	return (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** "Pass an RFC 3339 datetime string" (spec `from_query` / `to_query`; its examples carry no offset). */
function rfc3339(req: SandboxRequest, name: string, errors: Array<{ field: string; message: string }>): number | undefined {
	const raw = req.query[name];
	if (raw === undefined) return undefined;
	const text = String(raw);
	const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
	const ms = match ? Date.parse(match[2] ? text : `${text}Z`) : Number.NaN;
	if (Number.isNaN(ms)) {
		errors.push({ field: name, message: 'must be a valid RFC 3339 datetime string' });
		return undefined;
	}
	return ms;
}

/** Refuses query parameters the list operation does not define (spec `parameters`). */
function onlyParams(host: NotificationHost, req: SandboxRequest, allowed: string[]): void {
	const unknown = Object.keys(req.query).filter((k) => !allowed.includes(k));
	if (unknown.length > 0) {
		throw host.error(
			400,
			'invalid_field',
			'Request does not pass validation.',
			unknown.map((field) => ({ field, message: 'is not a valid query parameter for this request' })),
		);
	}
}

export function registerNotificationRoutes(host: NotificationHost, log: NotificationLog): void {
	// GET /events: "events that have occurred in the last 90 days"; parameters after, order_by
	// (`id` for event_id), per_page (default 50, maximum 200: spec `per_page_query`).
	host.api('GET', '/events', (req, res) => {
		onlyParams(host, req, ['after', 'order_by', 'per_page']);
		const since = host.now().getTime() - RETENTION_MS;
		const retained = host.events.filter((e) => Date.parse(e.occurred_at) >= since);
		host.list(req, res, retained as unknown as Json[], 200, 50, 'event_id');
	});

	// GET /notifications: "notifications created in the last 90 days"; spec parameters.
	host.api('GET', '/notifications', (req, res) => {
		onlyParams(host, req, ['after', 'notification_setting_id', 'order_by', 'per_page', 'search', 'status', 'filter', 'to', 'from']);
		host.list(req, res, log.search(host, req), 200, 50, 'id');
	});

	host.api('GET', '/notifications/:id', (req, res) => host.ok(res, 200, log.mustGet(host, req.params.id)));

	// 202 Accepted with the new notification's id (spec `replay-notification`).
	host.api('POST', '/notifications/:id/replay', (req, res) => {
		const replay = log.replay(host, req.params.id);
		host.ok(res, 202, { notification_id: replay.id });
	});
}
