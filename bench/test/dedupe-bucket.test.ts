// Issue 17: the Data Table bucket candidate the bench measures (bench/lib/dedupe-bucket.ts):
// decisions by age and lease, and the compare-and-swap loop under interleaved writers.
import {
	bucketOf,
	casUpdate,
	CasConflictError,
	confirmEntries,
	decideClaim,
	pruneByAge,
	type BucketEntries,
	type BucketRow,
	type BucketTable,
} from '../lib/dedupe-bucket';
import { dedupeBucketRows } from '../lib/report';

const DAY = 24 * 3600_000;
const LEASE = 120_000;
const NOW = 1_765_000_000_000;

/**
 * An in-memory table with the semantics of n8n's updateRows filtered by id AND ver: the update
 * applies only when the version matches, and the call returns the row as it is afterwards.
 * `beforeUpdate` lets a test run another writer between a read and the swap.
 */
function fakeTable(row: BucketRow, beforeUpdate?: () => Promise<void>): BucketTable & { row: BucketRow; writes: number } {
	const table = {
		row,
		writes: 0,
		async read(id: number) {
			return id === table.row.id ? { ...table.row } : undefined;
		},
		async updateIfVersion(id: number, ver: number, data: Omit<BucketRow, 'id' | 'b'>) {
			const hook = beforeUpdate;
			beforeUpdate = undefined;
			if (hook) await hook();
			if (id !== table.row.id) return [];
			if (table.row.ver !== ver) return [];
			table.row = { ...table.row, ...data };
			table.writes++;
			return [{ ...table.row }];
		},
	};
	return table;
}

const claim = (key: string, now = NOW) => (entries: BucketEntries) => {
	const d = decideClaim(entries, key, now, LEASE, 4 * DAY);
	return { result: d.status, next: d.next };
};

describe('bench: Data Table bucket candidate', () => {
	test('keys spread over buckets; the same key always lands in the same bucket', () => {
		const seen = new Set(Array.from({ length: 1000 }, (_, i) => bucketOf(`ev_${i}`, 64)));
		expect(seen.size).toBeGreaterThan(55);
		expect(bucketOf('ev_1', 16_384)).toBe(bucketOf('ev_1', 16_384));
	});

	test('claim: new, in progress while the lease runs, retry after it ran out, duplicate once confirmed', () => {
		const first = decideClaim({}, 'k', NOW, LEASE, 4 * DAY);
		expect(first.status).toBe('new');
		expect(first.next).toEqual({ k: ['l', NOW + LEASE] });
		expect(decideClaim(first.next!, 'k', NOW + LEASE - 1, LEASE, 4 * DAY)).toEqual({ status: 'inProgress' });
		const retry = decideClaim(first.next!, 'k', NOW + LEASE + 1, LEASE, 4 * DAY);
		expect(retry.status).toBe('retry');
		expect(retry.next).toEqual({ k: ['l', NOW + 2 * LEASE + 1] });
		expect(decideClaim(confirmEntries(first.next!, 'k', NOW + 5, 4 * DAY), 'k', NOW + 10, LEASE, 4 * DAY)).toEqual({ status: 'duplicate' });
	});

	test('history is kept by age: keys inside the horizon stay, however many there are; older ones go on the next write', () => {
		const entries: BucketEntries = { old: ['f', NOW - 5 * DAY], recent: ['f', NOW - 3 * DAY], lease: ['l', NOW - 4 * DAY - 1] };
		expect(pruneByAge(entries, NOW, 4 * DAY)).toEqual({ recent: ['f', NOW - 3 * DAY] });
		expect(Object.keys(decideClaim(entries, 'new', NOW, LEASE, 4 * DAY).next!)).toEqual(['recent', 'new']);
		// a key named like an Object.prototype member is just a key
		expect(decideClaim({}, 'constructor', NOW, LEASE, 4 * DAY).status).toBe('new');
	});

	test('a swap lost to another writer starts again from a fresh read and sees that writer\'s claim', async () => {
		const row: BucketRow = { id: 7, b: 3, ver: 0, owner: '', entries: '{}' };
		let other: Promise<unknown> | undefined;
		const table = fakeTable(row, async () => {
			// another execution claims the same key between our read and our swap
			other = casUpdate(table, 7, 3, 'k', claim('k'));
			await other;
		});
		const ours = await casUpdate(table, 7, 3, 'k', claim('k'));
		expect((await other) as { result: string }).toMatchObject({ result: 'new' });
		expect(ours.result).toBe('inProgress');
		expect(table.writes).toBe(1);
		expect(JSON.parse(table.row.entries)).toEqual({ k: ['l', NOW + LEASE] });
	});

	test('a swap lost to a write of ANOTHER key in the bucket retries and keeps both keys', async () => {
		const row: BucketRow = { id: 7, b: 3, ver: 0, owner: '', entries: '{}' };
		const table = fakeTable(row, async () => {
			await casUpdate(table, 7, 3, 'other', claim('other'));
		});
		const ours = await casUpdate(table, 7, 3, 'k', claim('k'));
		expect(ours.result).toBe('new');
		expect(table.writes).toBe(2);
		expect(Object.keys(JSON.parse(table.row.entries) as object).sort()).toEqual(['k', 'other']);
		expect(ours.row.ver).toBe(2);
	});

	test('many interleaved claimers of one key: exactly one New', async () => {
		const row: BucketRow = { id: 1, b: 0, ver: 0, owner: '', entries: '{}' };
		const table = fakeTable(row);
		// every claimer reads before any writes (the worst interleaving), then all swap
		const reads = await Promise.all(Array.from({ length: 8 }, async () => await table.read(1)));
		const results = await Promise.all(reads.map(async (cached) => (await casUpdate(table, 1, 0, 'k', claim('k'), { cached })).result));
		expect(results.filter((r) => r === 'new')).toHaveLength(1);
		expect(results.filter((r) => r === 'inProgress')).toHaveLength(7);
	});

	test('a row that is not the expected bucket is an error, not a silent miss', async () => {
		const table = fakeTable({ id: 1, b: 5, ver: 0, owner: '', entries: '{}' });
		await expect(casUpdate(table, 1, 0, 'k', claim('k'))).rejects.toThrow('row 1 is not bucket 0 (bucket 5)');
	});

	test('gives up after the attempts when every swap is lost', async () => {
		const table: BucketTable = {
			read: async () => ({ id: 1, b: 0, ver: 0, owner: '', entries: '{}' }),
			updateIfVersion: async () => [{ id: 1, b: 0, ver: 1, owner: 'someone-else', entries: '{}' }],
		};
		await expect(casUpdate(table, 1, 0, 'k', claim('k'), { attempts: 3 })).rejects.toBeInstanceOf(CasConflictError);
	});

	test('report rows', () => {
		const t = dedupeBucketRows([
			{ storedKeys: 10_000, buckets: 16_384, samples: 20, readP50Ms: 5, readP95Ms: 9, claimP50Ms: 12, claimP95Ms: 20, confirmP50Ms: 6, confirmP95Ms: 11, raceRounds: 10, raceRoundsWithOneWinner: 10, racers: 8 },
		]);
		expect(t.rows[0]).toEqual(['regular (SQLite)', 10_000, 16_384, 20, '5 / 9', '12 / 20', '6 / 11', '10 of 10 (8 claimers)']);
	});
});
