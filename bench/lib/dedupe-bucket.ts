/**
 * Issue 17 target 1: the best dedupe store a community node can build on n8n 2.40.7's Data
 * Tables, measured as the node would have to reach them (n8n's public API; the in-process
 * `getDataTableProxy` refuses every node type but n8n's own Data Table nodes, see
 * docs/dedupe.md).
 *
 * A data table has no unique constraint and no index on its own columns, so "one row per key"
 * can neither refuse a second insert of a key nor find a key without scanning the table (the
 * `data-table` candidate in scenarios.ts measures that). This design avoids both:
 *
 *  - The table holds a FIXED number of bucket rows (B), created once, in one bulk insert, so the
 *    bucket `b` is the row with id `firstId + b` (checked on every read: the row carries `b`).
 *    A key lives in bucket `hash(key) mod B`; the row's `entries` column is a small JSON map
 *    key → [state, time] (about N / B keys). Reads and writes address the row by its primary key.
 *  - Every write is a compare-and-swap: `updateRows` with the filter `id = ? AND ver = ?`,
 *    setting `ver + 1` and a fresh `owner` token, returnData. n8n runs it as ONE
 *    `UPDATE … WHERE …` (Postgres: `RETURNING`; SQLite: select, update and re-read in one
 *    transaction, `data-table-rows.repository.js` `updateRows`), so of two writers that read
 *    the same version only one matches; the other gets a row without its token back and retries
 *    from a fresh read.
 *  - Keys are kept by age (the vendors' retry horizon), pruned from a bucket whenever it is
 *    written, not by a count that evicts live keys.
 *
 * Pure decision logic first (unit-tested), then the client used by the bench.
 */
import { createHash, randomUUID } from 'node:crypto';

import { percentile, round } from './stats';

/** [state, time ms]: 'l' lease held until `time`; 'f' final (confirmed at `time`). */
export type BucketEntry = ['l' | 'f', number];
export type BucketEntries = Record<string, BucketEntry>;

export type ClaimStatus = 'new' | 'retry' | 'duplicate' | 'inProgress';

export const DEFAULT_BUCKETS = 16_384;

export function bucketOf(key: string, buckets: number): number {
	return createHash('sha1').update(key).digest().readUInt32BE(0) % buckets;
}

/** Drops entries older than the horizon: finals confirmed before it, leases that ran out before it. */
export function pruneByAge(entries: BucketEntries, nowMs: number, horizonMs: number): BucketEntries {
	const out: BucketEntries = {};
	for (const [key, entry] of Object.entries(entries)) if (entry[1] >= nowMs - horizonMs) out[key] = entry;
	return out;
}

/**
 * What a Claim of `key` means given the bucket's entries, and the entries to write (undefined:
 * nothing to write). An expired lease is taken over as a retry; a live one is in progress.
 */
export function decideClaim(
	entries: BucketEntries,
	key: string,
	nowMs: number,
	leaseMs: number,
	horizonMs: number,
): { status: ClaimStatus; next?: BucketEntries } {
	const entry = Object.prototype.hasOwnProperty.call(entries, key) ? entries[key] : undefined;
	if (entry?.[0] === 'f') return { status: 'duplicate' };
	if (entry?.[0] === 'l' && entry[1] > nowMs) return { status: 'inProgress' };
	const next = pruneByAge(entries, nowMs, horizonMs);
	next[key] = ['l', nowMs + leaseMs];
	return { status: entry ? 'retry' : 'new', next };
}

export function confirmEntries(entries: BucketEntries, key: string, nowMs: number, horizonMs: number): BucketEntries {
	const next = pruneByAge(entries, nowMs, horizonMs);
	next[key] = ['f', nowMs];
	return next;
}

export interface BucketRow {
	id: number;
	b: number;
	ver: number;
	owner: string;
	entries: string;
}

/** The data-table operations the store needs (the public API in the bench; a fake in tests). */
export interface BucketTable {
	/** The row with this id (undefined when there is none). */
	read(id: number): Promise<BucketRow | undefined>;
	/** `UPDATE … SET data WHERE id = ? AND ver = ?`, returning the rows the filter matched afterwards. */
	updateIfVersion(id: number, ver: number, data: Omit<BucketRow, 'id' | 'b'>): Promise<BucketRow[]>;
}

export class CasConflictError extends Error {
	constructor(key: string, attempts: number) {
		super(`bucket store: ${attempts} compare-and-swap attempts for ${key} all lost to other writers`);
		this.name = 'CasConflictError';
	}
}

/**
 * Reads the key's bucket, decides, and writes the decision with a compare-and-swap; on a lost
 * swap it starts again from a fresh read. Returns the status and the row as written (for a
 * Confirm that follows without reading again).
 */
export async function casUpdate<T>(
	table: BucketTable,
	rowId: number,
	bucket: number,
	key: string,
	decide: (entries: BucketEntries) => { result: T; next?: BucketEntries },
	options: { attempts?: number; cached?: BucketRow } = {},
): Promise<{ result: T; row: BucketRow }> {
	const attempts = options.attempts ?? 20;
	let row = options.cached;
	for (let attempt = 1; attempt <= attempts; attempt++) {
		if (!row) {
			row = await table.read(rowId);
			if (!row || row.b !== bucket) throw new Error(`bucket store: row ${rowId} is not bucket ${bucket} (${row ? `bucket ${row.b}` : 'missing'})`);
		}
		const { result, next } = decide(JSON.parse(row.entries) as BucketEntries);
		if (!next) return { result, row };
		const owner = randomUUID();
		const written = { ver: row.ver + 1, owner, entries: JSON.stringify(next) };
		const rows = await table.updateIfVersion(rowId, row.ver, written);
		// the swap landed only if the row carries OUR token at the next version
		if (rows.length === 1 && rows[0].owner === owner && rows[0].ver === written.ver) return { result, row: rows[0] };
		row = undefined;
	}
	throw new CasConflictError(key, attempts);
}

// ------------------------------------------------------------------ the bench's measurement

export interface PublicApi {
	call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export interface BucketLevel {
	/** Which n8n: regular (SQLite, the default when absent) or queue mode (Postgres). */
	mode?: string;
	storedKeys: number;
	buckets: number;
	samples: number;
	/** Read one bucket row by id (one request): the floor of any call through the public API. */
	readP50Ms: number;
	readP95Ms: number;
	/** Lease Claim of a new key: read + compare-and-swap. */
	claimP50Ms: number;
	claimP95Ms: number;
	/** Confirm: compare-and-swap on the row the Claim wrote (a read only when the swap lost). */
	confirmP50Ms: number;
	confirmP95Ms: number;
	/** Concurrent claims of one new key: rounds run and rounds where exactly one claim was new. */
	raceRounds: number;
	raceRoundsWithOneWinner: number;
	racers: number;
}

const HORIZON_MS = 4 * 24 * 3600_000;
const LEASE_MS = 120_000;

function publicApiTable(api: PublicApi, tableId: string): BucketTable {
	const rows = `/data-tables/${tableId}/rows`;
	const byId = (id: number, extra: Array<{ columnName: string; condition: 'eq'; value: number }> = []) => ({
		type: 'and',
		filters: [{ columnName: 'id', condition: 'eq', value: id }, ...extra],
	});
	return {
		async read(id) {
			const page = await api.call<{ data: BucketRow[] }>('GET', `${rows}?limit=1&filter=${encodeURIComponent(JSON.stringify(byId(id)))}`);
			return page.data[0];
		},
		async updateIfVersion(id, ver, data) {
			return await api.call<BucketRow[]>('PATCH', `${rows}/update`, {
				filter: byId(id, [{ columnName: 'ver', condition: 'eq', value: ver }]),
				data,
				returnData: true,
			});
		},
	};
}

/**
 * One table per level, created with B bucket rows already holding `level` keys (final, inside
 * the horizon), then timed: `samples` reads, lease Claims of new keys and their Confirms, one
 * after the other; then `raceRounds` rounds of `racers` concurrent Claims of one new key each.
 */
export async function measureBucketStore(
	api: PublicApi,
	levels: number[],
	samples: number,
	log: (m: string) => void,
	options: { buckets?: number; raceRounds?: number; racers?: number } = {},
): Promise<BucketLevel[]> {
	const buckets = options.buckets ?? DEFAULT_BUCKETS;
	const raceRounds = options.raceRounds ?? 10;
	const racers = options.racers ?? 8;
	const out: BucketLevel[] = [];
	for (const level of [...levels].sort((a, b) => a - b)) {
		try {
			out.push(await measureLevel(api, level, samples, log, { buckets, raceRounds, racers }));
		} catch (error) {
			// the levels measured so far are kept; the report shows which one is missing
			log(`dedupe (data table buckets): the ${level}-key level failed: ${(error as Error).stack ?? String(error)}`);
			break;
		}
	}
	return out;
}

async function measureLevel(
	api: PublicApi,
	level: number,
	samples: number,
	log: (m: string) => void,
	{ buckets, raceRounds, racers }: { buckets: number; raceRounds: number; racers: number },
): Promise<BucketLevel> {
	const now = Date.now();
	const contents: BucketEntries[] = Array.from({ length: buckets }, () => ({}));
	for (let i = 0; i < level; i++) contents[bucketOf(`fill-${i}`, buckets)][`fill-${i}`] = ['f', now];
	// (a read first: it renews the kept-alive connection after the long computation above)
	await api.call('GET', '/data-tables?limit=1');
	const created = await api.call<{ id: string }>('POST', '/data-tables', {
		name: `bench-dedupe-buckets-${level}-${now}`,
		columns: [
			{ name: 'b', type: 'number' },
			{ name: 'ver', type: 'number' },
			{ name: 'owner', type: 'string' },
			{ name: 'entries', type: 'string' },
		],
	});
	const rowsPath = `/data-tables/${created.id}/rows`;
	for (let from = 0; from < buckets; from += 1000) {
		const data = contents.slice(from, from + 1000).map((entries, i) => ({ b: from + i, ver: 0, owner: '', entries: JSON.stringify(entries) }));
		await api.call('POST', rowsPath, { data, returnType: 'count' });
	}
	const first = await api.call<{ data: BucketRow[] }>('GET', `${rowsPath}?limit=1&sortBy=${encodeURIComponent('id:asc')}`);
	const firstId = first.data[0]?.id;
	if (first.data[0]?.b !== 0) throw new Error(`bucket store: the first row is not bucket 0 (${JSON.stringify(first.data[0])})`);
	log(`dedupe (data table buckets): ${level} keys in ${buckets} bucket rows, timing ${samples} reads, claims and confirms`);
	const table = publicApiTable(api, created.id);
	const rowOf = (key: string) => {
		const b = bucketOf(key, buckets);
		return { b, id: firstId + b };
	};
	const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
		const t = performance.now();
		const value = await fn();
		return [value, performance.now() - t];
	};
	const reads: number[] = [];
	const claims: number[] = [];
	const confirms: number[] = [];
	for (let i = 0; i < samples; i++) {
		const key = `probe-${level}-${i}`;
		const { b, id } = rowOf(key);
		reads.push((await timed(async () => await table.read(id)))[1]);
		const [claim, claimMs] = await timed(
			async () => await casUpdate(table, id, b, key, (e) => {
				const d = decideClaim(e, key, Date.now(), LEASE_MS, HORIZON_MS);
				return { result: d.status, next: d.next };
			}),
		);
		if (claim.result !== 'new') throw new Error(`bucket store: claim of ${key} was ${claim.result}, not new`);
		const [, confirmMs] = await timed(
			async () => await casUpdate(table, id, b, key, (e) => ({ result: true, next: confirmEntries(e, key, Date.now(), HORIZON_MS) }), { cached: claim.row }),
		);
		claims.push(claimMs);
		confirms.push(confirmMs);
	}
	let oneWinner = 0;
	for (let round = 0; round < raceRounds; round++) {
		const key = `race-${level}-${round}`;
		const { b, id } = rowOf(key);
		const statuses = await Promise.all(
			Array.from({ length: racers }, async () =>
				(await casUpdate(table, id, b, key, (e) => {
					const d = decideClaim(e, key, Date.now(), LEASE_MS, HORIZON_MS);
					return { result: d.status, next: d.next };
				})).result,
			),
		);
		const winners = statuses.filter((s) => s === 'new' || s === 'retry').length;
		if (winners === 1 && statuses.filter((s) => s === 'inProgress').length === racers - 1) oneWinner++;
		else log(`dedupe (data table buckets): race round ${round} at ${level} keys gave ${statuses.join(', ')}`);
	}
	const measured: BucketLevel = {
		storedKeys: level,
		buckets,
		samples,
		readP50Ms: round(percentile(reads, 50), 1),
		readP95Ms: round(percentile(reads, 95), 1),
		claimP50Ms: round(percentile(claims, 50), 1),
		claimP95Ms: round(percentile(claims, 95), 1),
		confirmP50Ms: round(percentile(confirms, 50), 1),
		confirmP95Ms: round(percentile(confirms, 95), 1),
		raceRounds,
		raceRoundsWithOneWinner: oneWinner,
		racers,
	};
	log(`dedupe (data table buckets) at ${level} keys: ${JSON.stringify(measured)}`);
	return measured;
}
