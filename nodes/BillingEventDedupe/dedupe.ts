// The parts of Billing Event Dedupe that do not need n8n: building keys, routing items, and the
// claim lock. The node files wire them to n8n's database-backed deduplication helpers.
//
// Why a lock: n8n's `checkProcessedAndRecord` is a read-modify-write of ONE database row per
// workflow (or node) that holds the whole history: it reads the row, adds the new keys and
// writes the row back, with no transaction. Two executions that claim at the same moment (the
// same event delivered twice in parallel, or two queue-mode workers) can both read the row
// before either writes, and both see the key as new. The only atomic operation those helpers
// offer is the INSERT that creates a row: it fails for the second of two concurrent callers
// (primary key workflowId + context). The claim lock is built on exactly that: it lives in the
// Claim node's own row (scope "node"), taken by creating the row and released by deleting it,
// while the history itself lives in the workflow's row. See docs/dedupe.md.
//
// Limit: the lock serialises the executions of one node. Two different nodes writing the same
// workflow history at the same instant (a Claim and a Release, or two Claim nodes) are not
// serialised, because n8n gives a node no row that another node can also create. Release
// therefore repeats its removal (RELEASE_CONFIRM_DELAYS_MS).

/** Default history size; see docs/dedupe.md for the arithmetic. */
export const DEFAULT_HISTORY_SIZE = 10000;

export const DEFAULT_KEY_EXPRESSION = '={{ $json.normalized.dedupeKey }}';

/**
 * Release repeats its (idempotent) removal after these pauses. The claim lock serialises the
 * executions of ONE node; a Claim in another node that read the shared history just before the
 * removal may write the key back a moment later (n8n's helper rewrites the whole row). Without
 * the repeats that write-back would turn the vendor's retry into a "Duplicate" and lose the event.
 */
export const RELEASE_CONFIRM_DELAYS_MS = [250, 1000];

/** Confirm checks its write after these pauses, recording again what a parallel write undid, until it is in place. */
export const CONFIRM_VERIFY_DELAYS_MS = [150, 300, 600, 1200];

/** Token recorded in the lock row. Any constant works: the row's existence is the lock. */
export const LOCK_TOKEN = 'billing-event-dedupe-claim-lock';

export class DedupeKeyError extends Error {
	constructor(
		message: string,
		readonly itemIndex: number,
		readonly description: string,
	) {
		super(message);
		this.name = 'DedupeKeyError';
	}
}

function describeValue(value: unknown): string {
	if (value === undefined) return 'undefined (the field does not exist)';
	if (value === null) return 'null';
	if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : JSON.stringify(value);
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * The stored key for one item: the evaluated key (string, or finite number) trimmed, with the
 * optional prefix in front. Anything else (missing, empty, object, boolean, NaN) is an error that
 * names the item and the expression, because treating an event without a key as new would
 * process every redelivery again.
 */
export function buildKey(
	value: unknown,
	options: { itemIndex: number; expression: string; prefix?: string; namespace?: string },
): string {
	let key: string | undefined;
	if (typeof value === 'string' && value.trim() !== '') key = value.trim();
	else if (typeof value === 'number' && Number.isFinite(value)) key = String(value);
	if (key === undefined) {
		throw new DedupeKeyError(
			`The Dedupe Key is ${describeValue(value)}`,
			options.itemIndex,
			`The key expression ${options.expression} must give the event's id (a non-empty text or a number) for every item. ` +
				'Our triggers put it in $json.normalized.dedupeKey; for other sources, point the expression at the vendor event id.',
		);
	}
	const prefix = options.prefix?.trim();
	return [options.namespace, prefix, escapeKey(key)].filter((part) => part !== undefined && part !== '').join(':');
}

/**
 * Percent-encodes `%` and `#` in an event's key. Bookkeeping entries are the key plus a `#…`
 * suffix (`#seen`, `#lease:<slot>`, `#probing`), so an id that itself contained `#seen` would
 * alias another event's mark and be routed as duplicate or in progress (security review L4:
 * Chargebee id `ev_real#seen`). Ids without `%` or `#` — every real vendor id — keep the key
 * they were stored under, so existing histories stay valid.
 */
export function escapeKey(key: string): string {
	return /[%#]/.test(key) ? key.replace(/%/g, '%25').replace(/#/g, '%23') : key;
}

/**
 * Splits items into [new, duplicate] given each item's key and the keys n8n reported as new.
 * Only the first item with a given key can be new: later items with the same key in the same
 * batch are duplicates of it.
 */
export function routeByKey<T>(items: T[], keys: string[], newKeys: ReadonlySet<string>): [T[], T[]] {
	const fresh: T[] = [];
	const duplicate: T[] = [];
	const seen = new Set<string>();
	items.forEach((item, index) => {
		const key = keys[index];
		if (newKeys.has(key) && !seen.has(key)) fresh.push(item);
		else duplicate.push(item);
		seen.add(key);
	});
	return [fresh, duplicate];
}

export function uniqueKeys(keys: string[]): string[] {
	return [...new Set(keys)];
}

/** True for the database's "row already exists" error (SQLite and Postgres, via TypeORM). */
export function isUniqueViolation(error: unknown): boolean {
	const parts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current && depth < 4; depth++) {
		const e = current as { message?: unknown; code?: unknown; driverError?: unknown; cause?: unknown };
		parts.push(String(e.message ?? ''), String(e.code ?? ''));
		current = e.driverError ?? e.cause;
	}
	const text = parts.join(' ');
	return /UNIQUE constraint failed|SQLITE_CONSTRAINT|duplicate key value violates unique constraint|\b23505\b/i.test(text);
}

/**
 * The lock row's entries are its token plus one time stamp per LOCK_STAMP_MS slot in which its
 * holder created it or a waiter found it busy. The row is deleted on every release, so the
 * stamps describe the CURRENT holder only: how long this one lock has been held, however many
 * holders came and went while a waiter waited.
 */
export const LOCK_STAMP_MS = 5_000;
export const lockStamp = (nowMs: number) => `at:${Math.floor(nowMs / LOCK_STAMP_MS)}`;

/** What the lock needs from n8n (bound to the node's own "node" scope row). */
export interface LockRow {
	/** Records the entries, creating the row when there is none; returns those that were new. */
	record(entries: string[]): Promise<ReadonlySet<string>>;
	/** Entries in the row (0 when there is no row). */
	size(): Promise<number>;
	/** Deletes the row. */
	remove(): Promise<void>;
}

export interface LockOptions {
	/** Give up after this long (ms). */
	timeoutMs: number;
	/** A lock held longer than this (ms) is treated as left behind by a crashed process. */
	staleAfterMs: number;
	sleep: (ms: number) => Promise<void>;
	now?: () => number;
	random?: () => number;
	/** Called before a stale lock is removed (for a log line). */
	onStale?: (stamps: number) => void;
}

export class LockTimeoutError extends Error {
	constructor(waitedMs: number) {
		super(`Could not get the claim lock within ${Math.round(waitedMs / 1000)} s`);
		this.name = 'LockTimeoutError';
	}
}

/** Distinct stamps that prove a lock older than `staleAfterMs`: n stamps span more than (n - 2) slots. */
export const staleStampCount = (staleAfterMs: number) => Math.ceil(staleAfterMs / LOCK_STAMP_MS) + 2;

/**
 * Runs `fn` while holding the lock. Acquiring = creating the lock row (atomic: a second creator
 * fails on the primary key); a row that already exists means someone holds the lock. A waiter that
 * stamps a new time slot into a busy row counts the row's stamps: a row stamped in more slots
 * than `staleAfterMs` can span (normal hold time is a few database round trips) was left by a
 * crashed process and is deleted.
 *
 * The age is the lock's own, not the waiter's: measured by the waiter's waiting time, a waiter
 * that lost the race to many short-lived holders in a row (a burst of redeliveries in queue mode)
 * deleted a LIVE lock after 20 s, and two claims of one event both went to New (reliability run,
 * queue mode, December 2026).
 */
export async function withLock<T>(row: LockRow, options: LockOptions, fn: () => Promise<T>): Promise<T> {
	const now = options.now ?? Date.now;
	const random = options.random ?? Math.random;
	const started = now();
	const staleStamps = staleStampCount(options.staleAfterMs);
	let delay = 10;
	for (;;) {
		const stamp = lockStamp(now());
		// a unique violation means another execution created the row first: busy, like "exists"
		const outcome = await settle(row.record([LOCK_TOKEN, stamp]));
		if (!outcome.ok && !isUniqueViolation(outcome.error)) throw outcome.error;
		if (outcome.ok && outcome.value.has(LOCK_TOKEN)) break;
		// busy; the waiter that added this slot's stamp checks the holder's age (one read a slot)
		if (outcome.ok && outcome.value.has(stamp)) {
			const stamps = (await row.size()) - 1;
			if (stamps >= staleStamps) {
				options.onStale?.(stamps);
				await row.remove();
				continue;
			}
		}
		const waited = now() - started;
		if (waited > options.timeoutMs) throw new LockTimeoutError(waited);
		await options.sleep(delay + Math.floor(random() * delay));
		delay = Math.min(delay * 2, 200);
	}
	try {
		return await fn();
	} finally {
		await row.remove();
	}
}

/** Retries `fn` when it fails with a unique violation (two nodes creating the history row). */
export async function retryOnUniqueViolation<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		const outcome = await settle(fn());
		if (outcome.ok) return outcome.value;
		if (attempt >= attempts || !isUniqueViolation(outcome.error)) throw outcome.error;
	}
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** The promise's value or error, as data (callers decide which errors are expected). */
async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
	return await promise.then(
		(value): Settled<T> => ({ ok: true, value }),
		(error: unknown): Settled<T> => ({ ok: false, error }),
	);
}

// ------------------------------------------------------------------ claims with a lease
//
// "Final after Confirm" mode. A claim is not final at once: it records that an attempt is in
// progress (a lease) and the key becomes final only when a Confirm node records it after the
// effect landed. An attempt that neither confirmed nor released within the lease (n8n was killed
// mid-execution) no longer blocks the vendor's retry. All of it lives in the workflow's history
// as plain entries, because n8n's helpers store entries and nothing else:
//
//   <key>                 final: the effect landed (Confirm); redeliveries are duplicates
//   <key>#seen            some attempt claimed this key before (kept; tells effects to look
//                         before they write, because that attempt may have written already)
//   <key>#lease:<slot>    an attempt holds the lease since time slot <slot> (LEASE_SLOT_MS each)
//   <key>#probing         a Claim is between its probe and its tidy-up (see below)
//
// n8n offers no "check without recording", so Claim records the probe entries and removes, in
// the same locked step, the ones that must not stay. If n8n dies between the two, the probe has
// left <key> behind and the event would look final without its effect. So Claim first records
// <key>#probing, and removes it with the tidy-up: a Claim that finds <key>#probing already there
// knows an earlier probe was cut off, does not trust <key>, and treats the event as a retry (its
// effects look before they write).

/** Lease time slots: a lease is "held" while its slot is among the last ceil(lease / slot) + 1. */
export const LEASE_SLOT_MS = 10_000;

/**
 * Release removes lease entries of this many slots back (10 minutes). A lease entry
 * older than that (an execution that ran longer) is harmless: it only makes retries wait until
 * the lease expires.
 */
export const RELEASE_LEASE_SLOTS = 60;

/** History entries kept per event in lease mode: the key, its #seen mark and the lease (it stays until trimmed). */
export const ENTRIES_PER_EVENT_WITH_LEASE = 3;

export const DEFAULT_LEASE_SECONDS = 120;

export const seenEntry = (key: string) => `${key}#seen`;
export const probingEntry = (key: string) => `${key}#probing`;
export const leaseEntry = (key: string, slot: number) => `${key}#lease:${slot}`;
export const slotOf = (nowMs: number) => Math.floor(nowMs / LEASE_SLOT_MS);

/** The slots whose lease entries still count at `nowMs`, newest first. */
export function liveSlots(nowMs: number, leaseSeconds: number): number[] {
	const current = slotOf(nowMs);
	const span = Math.max(1, Math.ceil((leaseSeconds * 1000) / LEASE_SLOT_MS));
	return Array.from({ length: span + 1 }, (_, i) => current - i);
}

/** Every entry Claim records to probe one key. */
export function probeEntries(key: string, slots: number[]): string[] {
	return [key, seenEntry(key), ...slots.map((slot) => leaseEntry(key, slot))];
}

export type LeaseStatus = 'new' | 'retry' | 'duplicate' | 'inProgress';

export interface LeaseDecision {
	status: LeaseStatus;
	/** Entries recorded by the probe that must be removed again. */
	undo: string[];
	/** The lease entry this attempt holds (new / retry). */
	lease?: string;
}

/**
 * What a probe of `key` means, given which of its entries were new (absent before the probe):
 *  - the key itself existed → duplicate (final);
 *  - a live lease existed → another attempt is in progress;
 *  - otherwise this attempt takes the lease in the current slot: "retry" when an earlier attempt
 *    existed (#seen), else "new".
 * The key entry is never left behind by a non-final claim; nor are probed lease slots other than
 * the one this attempt holds.
 */
export function decideLease(
	key: string,
	slots: number[],
	isNew: (entry: string) => boolean,
	probeWasCutOff = false,
): LeaseDecision {
	const leases = slots.map((slot) => leaseEntry(key, slot));
	const newLeases = leases.filter(isNew);
	const seenIsNew = isNew(seenEntry(key));
	if (!isNew(key) && !probeWasCutOff) {
		return { status: 'duplicate', undo: [...newLeases, ...(seenIsNew ? [seenEntry(key)] : [])] };
	}
	if (newLeases.length < leases.length) {
		return { status: 'inProgress', undo: [key, ...newLeases] };
	}
	const [held, ...others] = leases;
	// after a cut-off probe the key may or may not have been final: redo the event as a retry
	const status = seenIsNew && !probeWasCutOff ? 'new' : 'retry';
	return { status, undo: [key, ...others], lease: held };
}

/** Items routed to New (new and retry), Duplicate and In Progress. */
export function routeByDecision<T>(items: T[], keys: string[], decisions: ReadonlyMap<string, LeaseDecision>): [T[], T[], T[]] {
	const fresh: T[] = [];
	const duplicate: T[] = [];
	const inProgress: T[] = [];
	const seen = new Set<string>();
	items.forEach((item, index) => {
		const key = keys[index];
		const status = decisions.get(key)?.status;
		// a key repeated in one batch: the first item takes the claim, the others wait for it
		if (seen.has(key)) inProgress.push(item);
		else if (status === 'new' || status === 'retry') fresh.push(item);
		else if (status === 'inProgress') inProgress.push(item);
		else duplicate.push(item);
		seen.add(key);
	});
	return [fresh, duplicate, inProgress];
}

/** The lease entries an attempt of `key` that started up to 10 minutes ago may hold (for Release). */
export function recentLeaseEntries(key: string, nowMs: number): string[] {
	const current = slotOf(nowMs);
	return Array.from({ length: RELEASE_LEASE_SLOTS + 1 }, (_, i) => leaseEntry(key, current - i));
}
