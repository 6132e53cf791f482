// The claim lock.
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

/** Token recorded in the lock row. Any constant works: the row's existence is the lock. */
export const LOCK_TOKEN = 'billing-event-dedupe-claim-lock';

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
