import type { IExecuteFunctions } from 'n8n-workflow';
import { buildKey, DedupeKeyError, routeByKey, uniqueKeys } from '../../nodes/BillingEventDedupe/keys';
import { decideLease, type LeaseDecision, leaseEntry, liveSlots, recentLeaseEntries, routeByDecision, seenEntry, slotOf } from '../../nodes/BillingEventDedupe/lease';
import { isUniqueViolation, LOCK_TOKEN, type LockRow, lockStamp, LockTimeoutError, retryOnUniqueViolation, staleStampCount, withLock } from '../../nodes/BillingEventDedupe/lock';
import { BillingEventDedupe } from '../../nodes/BillingEventDedupe/BillingEventDedupe.node';
import { claimWithLease } from '../../nodes/BillingEventDedupe/actions/claim';
import { execute } from '../../nodes/BillingEventDedupe/actions/confirm';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const opts = { itemIndex: 3, expression: '{{ $json.normalized.dedupeKey }}' };

describe('buildKey', () => {
	test('keeps text and numbers, trimmed', () => {
		expect(buildKey('  evt_1 ', opts)).toBe('evt_1');
		expect(buildKey(42, opts)).toBe('42');
	});

	test('puts namespace and prefix in front', () => {
		expect(buildKey('evt_1', { ...opts, prefix: ' chargebee ' })).toBe('chargebee:evt_1');
		expect(buildKey('evt_1', { ...opts, prefix: 'paddle', namespace: 'node:abc' })).toBe('node:abc:paddle:evt_1');
		expect(buildKey('evt_1', { ...opts, prefix: '' })).toBe('evt_1');
	});

	test.each([
		[undefined, 'undefined (the field does not exist)'],
		[null, 'null'],
		['', 'an empty string'],
		['   ', 'an empty string'],
		[{ id: 1 }, 'an object'],
		[['a'], 'an array'],
		[true, 'boolean true'],
		[Number.NaN, 'number NaN'],
	])('rejects %p, naming the item and the expression', (value, described) => {
		let error: unknown;
		try {
			buildKey(value, opts);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(DedupeKeyError);
		expect((error as DedupeKeyError).message).toBe(`The Dedupe Key is ${described}`);
		expect((error as DedupeKeyError).itemIndex).toBe(3);
		expect((error as DedupeKeyError).description).toContain('{{ $json.normalized.dedupeKey }}');
	});
});

describe('routeByKey', () => {
	test('new keys go to the first output, seen keys to the second, in input order', () => {
		const items = ['a1', 'b1', 'c1'];
		expect(routeByKey(items, ['a', 'b', 'c'], new Set(['a', 'c']))).toEqual([['a1', 'c1'], ['b1']]);
	});

	test('a key repeated inside one batch is new once, then duplicate', () => {
		const items = ['x1', 'x2', 'y1', 'x3'];
		expect(routeByKey(items, ['x', 'x', 'y', 'x'], new Set(['x', 'y']))).toEqual([['x1', 'y1'], ['x2', 'x3']]);
	});

	test('uniqueKeys keeps first occurrences in order', () => {
		expect(uniqueKeys(['b', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
	});
});

describe('isUniqueViolation', () => {
	test('recognises SQLite and Postgres primary-key errors, also wrapped', () => {
		expect(isUniqueViolation(new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed: processed_data.workflowId'))).toBe(true);
		expect(isUniqueViolation({ message: 'duplicate key value violates unique constraint "PK_x"', code: '23505' })).toBe(true);
		expect(isUniqueViolation({ message: 'query failed', driverError: { code: '23505' } })).toBe(true);
	});

	test('does not swallow other database errors', () => {
		expect(isUniqueViolation(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(false);
		expect(isUniqueViolation({ message: 'deadlock detected', code: '40P01' })).toBe(false);
		expect(isUniqueViolation(undefined)).toBe(false);
	});
});

/**
 * A lock row that behaves like n8n's helpers (deduplication-helper.js in n8n 2.40): record =
 * findOne, then INSERT when there was no row (a second creator gets a unique violation) or an
 * UPDATE of the entries read (which changes nothing when the row was deleted meanwhile).
 */
function fakeRow() {
	const state = { entries: undefined as string[] | undefined, creates: 0, removes: 0 };
	const row: LockRow = {
		async record(entries) {
			const read = state.entries ? [...state.entries] : undefined; // findOne …
			await tick();
			if (!read) {
				if (state.entries) throw new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed'); // … lost the INSERT race
				state.entries = [...entries];
				state.creates++;
				return new Set(entries);
			}
			const fresh = entries.filter((entry) => !read.includes(entry));
			if (state.entries) state.entries = [...read, ...fresh]; // UPDATE … WHERE (0 rows when deleted)
			return new Set(fresh);
		},
		async size() {
			return state.entries?.length ?? 0;
		},
		async remove() {
			await tick();
			state.entries = undefined;
			state.removes++;
		},
	};
	return { row, state, exists: () => state.entries !== undefined };
}

describe('withLock', () => {
	const fast = { timeoutMs: 5000, staleAfterMs: 4000, sleep: async () => await tick() };

	test('serialises concurrent read-modify-write sections (no lost update)', async () => {
		const { row, state } = fakeRow();
		let counter = 0;
		let inside = 0;
		let maxInside = 0;
		await Promise.all(
			Array.from({ length: 25 }, async () =>
				await withLock(row, fast, async () => {
					inside++;
					maxInside = Math.max(maxInside, inside);
					const read = counter;
					await tick();
					counter = read + 1;
					inside--;
				}),
			),
		);
		expect(counter).toBe(25);
		expect(maxInside).toBe(1);
		expect(state).toEqual({ entries: undefined, creates: 25, removes: 25 });
	});

	test('the same sections without the lock lose updates (the fake is faithful)', async () => {
		let counter = 0;
		await Promise.all(
			Array.from({ length: 25 }, async () => {
				const read = counter;
				await tick();
				counter = read + 1;
			}),
		);
		expect(counter).toBeLessThan(25);
	});

	test('releases the lock when the section fails, and passes the error on', async () => {
		const { row, exists } = fakeRow();
		await expect(withLock(row, fast, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
		expect(exists()).toBe(false);
	});

	test('a lock left by a crashed process is taken over after staleAfterMs', async () => {
		const { row, state } = fakeRow();
		state.entries = [LOCK_TOKEN]; // nobody will ever remove it
		let clock = 0;
		const stale: number[] = [];
		const result = await withLock(
			row,
			{ timeoutMs: 60_000, staleAfterMs: 20_000, now: () => clock, sleep: async (ms) => void (clock += ms), onStale: (n) => stale.push(n) },
			async () => 'done',
		);
		expect(result).toBe('done');
		expect(stale).toEqual([staleStampCount(20_000)]);
		// taken over once the lock was seen in enough 5 s slots: more than 20 s, less than 30 s
		expect(clock).toBeGreaterThan(20_000);
		expect(clock).toBeLessThan(30_000);
	});

	test('a live lock is never taken over, however long a waiter waits behind short-lived holders', async () => {
		// The queue-mode burst: one waiter keeps losing the race to other executions, each
		// holding the lock for 300 ms. It must not delete a lock that is 300 ms old because IT
		// has waited more than 20 s (the old rule, which let two claims of one event both go New).
		const { row, state } = fakeRow();
		let clock = 0;
		const holdFor300ms = () => {
			state.entries = [LOCK_TOKEN, lockStamp(clock)];
			const until = clock + 300;
			return until;
		};
		let releaseAt = holdFor300ms();
		const stale: number[] = [];
		await expect(
			withLock(
				row,
				{
					timeoutMs: 40_000,
					staleAfterMs: 20_000,
					now: () => clock,
					onStale: (n) => stale.push(n),
					sleep: async (ms) => {
						clock += ms;
						// another execution always takes the lock just before the waiter retries
						if (clock >= releaseAt) releaseAt = holdFor300ms();
					},
				},
				async () => 'never',
			),
		).rejects.toBeInstanceOf(LockTimeoutError);
		expect(stale).toEqual([]);
		expect(state.removes).toBe(0);
	});

	test('gives up with LockTimeoutError when the timeout is shorter than the stale limit', async () => {
		const { row, state } = fakeRow();
		state.entries = [LOCK_TOKEN];
		let clock = 0;
		await expect(
			withLock(row, { timeoutMs: 3000, staleAfterMs: 20_000, now: () => clock, sleep: async (ms) => void (clock += ms) }, async () => 'x'),
		).rejects.toBeInstanceOf(LockTimeoutError);
	});

	test('other errors while acquiring are not mistaken for a busy lock', async () => {
		const row: LockRow = {
			record: async () => Promise.reject(new Error('connect ECONNREFUSED')),
			size: async () => 0,
			remove: async () => undefined,
		};
		await expect(withLock(row, fast, async () => 'x')).rejects.toThrow('ECONNREFUSED');
	});
});

describe('retryOnUniqueViolation', () => {
	test('retries when two nodes create the history row at once', async () => {
		let calls = 0;
		const value = await retryOnUniqueViolation(async () => {
			calls++;
			if (calls === 1) throw new Error('UNIQUE constraint failed: processed_data');
			return 'ok';
		});
		expect(value).toBe('ok');
		expect(calls).toBe(2);
	});

	test('gives up after the attempts and rethrows other errors at once', async () => {
		let calls = 0;
		await expect(
			retryOnUniqueViolation(async () => {
				calls++;
				throw new Error('UNIQUE constraint failed');
			}, 3),
		).rejects.toThrow('UNIQUE');
		expect(calls).toBe(3);
		calls = 0;
		await expect(
			retryOnUniqueViolation(async () => {
				calls++;
				throw new Error('disk full');
			}),
		).rejects.toThrow('disk full');
		expect(calls).toBe(1);
	});
});

describe('node description', () => {
	const { description } = new BillingEventDedupe();

	test('names and defaults', () => {
		expect(description.name).toBe('billingEventDedupe');
		expect(description.displayName).toBe('Billing Event Dedupe');
		const key = description.properties.find((p) => p.name === 'key');
		expect(key?.default).toBe('={{ $json.normalized.dedupeKey }}');
		expect(description.properties.find((p) => p.name === 'historySize')?.default).toBe(10000);
		expect(description.properties.find((p) => p.name === 'scope')?.default).toBe('workflow');
	});

	test('Claim has the outputs New and Duplicate, the other operations one', () => {
		const outputs = description.outputs as string;
		expect(outputs).toContain('"displayName": "New"');
		expect(outputs).toContain('"displayName": "Duplicate"');
		// evaluate the expression body the way n8n would, for each operation
		const body = outputs.replace(/^={{/, '').replace(/}}$/, '');
		const evaluate = (operation: string) =>
			new Function('$parameter', `return (${body});`)({ operation }) as Array<{ displayName?: string }>;
		expect(evaluate('claim').map((o) => o.displayName)).toEqual(['New', 'Duplicate']);
		const withLease = new Function('$parameter', `return (${body});`)({ operation: 'claim', finalWhen: 'confirm' }) as Array<{ displayName?: string }>;
		expect(withLease.map((o) => o.displayName)).toEqual(['New', 'Duplicate', 'In Progress']);
		expect(evaluate('confirm')).toHaveLength(1);
		expect(evaluate('release')).toHaveLength(1);
		expect(evaluate('count')).toHaveLength(1);
		expect(evaluate('clear')).toHaveLength(1);
	});
});

describe('claims with a lease (pure parts)', () => {
	test('live slots: the current one and enough earlier ones to cover the lease', () => {
		const now = 1_000_000_000_000;
		const current = slotOf(now);
		expect(liveSlots(now, 10)).toEqual([current, current - 1]);
		expect(liveSlots(now, 120)).toHaveLength(13);
		expect(liveSlots(now, 125)[13]).toBe(current - 13);
	});

	const slots = [50, 49, 48];
	const only = (...existing: string[]) => (entry: string) => !existing.includes(entry);

	test('first attempt: new, holds the current slot, undoes the key and the other probed slots', () => {
		const d = decideLease('k', slots, only());
		expect(d).toEqual({ status: 'new', lease: leaseEntry('k', 50), undo: ['k', leaseEntry('k', 49), leaseEntry('k', 48)] });
	});

	test('an earlier attempt that let its lease run out: retry', () => {
		expect(decideLease('k', slots, only(seenEntry('k'))).status).toBe('retry');
	});

	test('a live lease of another attempt: in progress, nothing of this probe stays', () => {
		const d = decideLease('k', slots, only(seenEntry('k'), leaseEntry('k', 48)));
		expect(d.status).toBe('inProgress');
		expect(d.undo).toEqual(['k', leaseEntry('k', 50), leaseEntry('k', 49)]);
	});

	test('a confirmed key: duplicate, and the probe leaves no lease behind', () => {
		const d = decideLease('k', slots, only('k', seenEntry('k')));
		expect(d.status).toBe('duplicate');
		expect(d.undo).toEqual(slots.map((slot) => leaseEntry('k', slot)));
	});

	test('routing: new and retry to New, duplicates to Duplicate, in progress and repeats in one batch to In Progress', () => {
		const decisions = new Map<string, LeaseDecision>([
			['a', { status: 'new', undo: [] }],
			['b', { status: 'retry', undo: [] }],
			['c', { status: 'duplicate', undo: [] }],
			['d', { status: 'inProgress', undo: [] }],
		]);
		expect(routeByDecision(['a1', 'b1', 'c1', 'd1', 'a2'], ['a', 'b', 'c', 'd', 'a'], decisions)).toEqual([
			['a1', 'b1'],
			['c1'],
			['d1', 'a2'],
		]);
	});

	test('Release and Confirm remove the lease entries of the last 10 minutes', () => {
		const now = 1_000_000_000_000;
		const entries = recentLeaseEntries('k', now);
		expect(entries[0]).toBe(leaseEntry('k', slotOf(now)));
		expect(entries).toContain(leaseEntry('k', slotOf(now - 600_000)));
	});
});

/** n8n's entries store (ProcessedDataManagerNativeDatabase): one list per workflow, oldest first. */
class FakeStore {
	entries: string[] = [];
	writes = 0;
	context = {
		helpers: {
			checkProcessedAndRecord: async (items: string[], _scope: string, options: { maxEntries?: number }) => {
				const out = { new: [] as string[], processed: [] as string[] };
				for (const item of items) {
					if (this.entries.includes(item)) out.processed.push(item);
					else {
						out.new.push(item);
						this.entries.push(item);
					}
				}
				if (options.maxEntries) this.entries.splice(0, Math.max(0, this.entries.length - options.maxEntries));
				this.writes++;
				return out;
			},
			removeProcessed: async (items: string[]) => {
				this.entries = this.entries.filter((e) => !items.includes(e));
				this.writes++;
			},
		},
	} as unknown as IExecuteFunctions;

	/** What the Confirm operation does: record the key (leases stay until trimmed). */
	confirm(key: string): void {
		if (!this.entries.includes(key)) this.entries.push(key);
	}
}

describe('claimWithLease against a store that behaves like n8n\'s', () => {
	afterEach(() => jest.useRealTimers());

	test('claim, redelivery in progress, lease runs out, retry, confirm, duplicate', async () => {
		jest.useFakeTimers({ now: 1_000_000_000_000 });
		const store = new FakeStore();
		const status = async (key: string) => (await claimWithLease(store.context, [key], 30, 100)).get(key)?.status;

		expect(await status('evt_1')).toBe('new');
		// only the #seen mark and the lease stay after a claim: never the key itself
		expect(store.entries.sort()).toEqual([seenEntry('evt_1'), leaseEntry('evt_1', slotOf(Date.now()))].sort());
		expect(await status('evt_1')).toBe('inProgress');
		jest.setSystemTime(Date.now() + 25_000);
		expect(await status('evt_1')).toBe('inProgress');
		jest.setSystemTime(Date.now() + 20_000); // 45 s: past 30 s rounded up to the slot
		expect(await status('evt_1')).toBe('retry');
		store.confirm('evt_1');
		expect(await status('evt_1')).toBe('duplicate');
		expect(store.entries).toContain('evt_1');
		// only the lease each attempt held (an expired one stays until trimmed), none of the probed slots
		expect(store.entries.filter((e) => e.startsWith('evt_1#lease:'))).toHaveLength(2);
	});

	test('several keys in one locked step: mark and probe in one write, tidy-up, and the held leases recorded again', async () => {
		const store = new FakeStore();
		store.confirm('old');
		const decisions = await claimWithLease(store.context, ['old', 'fresh'], 120, 100);
		expect(decisions.get('old')?.status).toBe('duplicate');
		expect(decisions.get('fresh')?.status).toBe('new');
		// each write rewrites the whole history (issue 17): three per Claim, not four
		expect(store.writes).toBe(3);
		expect(store.entries.some((e) => e.endsWith('#probing'))).toBe(false);
	});

	test('n8n killed between the probe and its tidy-up: the left-behind key is not trusted, the retry redoes the event', async () => {
		jest.useFakeTimers({ now: 1_000_000_000_000 });
		const store = new FakeStore();
		const helpers = (store.context as unknown as { helpers: { removeProcessed: (items: string[]) => Promise<void> } }).helpers;
		const realRemove = helpers.removeProcessed;
		helpers.removeProcessed = async () => {
			throw new Error('killed');
		};
		await expect(claimWithLease(store.context, ['evt_cut'], 30, 100)).rejects.toThrow('killed');
		helpers.removeProcessed = realRemove;
		expect(store.entries).toContain('evt_cut'); // the probe's key entry was left behind
		const status = async () => (await claimWithLease(store.context, ['evt_cut'], 30, 100)).get('evt_cut')?.status;
		expect(await status()).toBe('inProgress'); // the cut-off attempt's lease still runs
		jest.setSystemTime(Date.now() + 45_000);
		expect(await status()).toBe('retry'); // not "duplicate": nothing claims the event was done
		expect(store.entries).not.toContain('evt_cut');
		store.confirm('evt_cut');
		expect(await status()).toBe('duplicate');
	});

	test('decideLease after a cut-off probe: a present key is tidied away and the event is a retry', () => {
		const d = decideLease('k', [50, 49], (entry) => entry !== 'k' && entry !== seenEntry('k'), true);
		expect(d.status).toBe('retry');
		expect(d.undo).toContain('k');
	});

	test('a Confirm written in the same instant that undid the probe: the held lease is recorded again', async () => {
		const store = new FakeStore();
		const helpers = (store.context as unknown as { helpers: { removeProcessed: (items: string[]) => Promise<void> } }).helpers;
		const realRemove = helpers.removeProcessed;
		// the tidy-up lands on a row that another node rewrote from an older read: the probe is gone
		helpers.removeProcessed = async (items: string[]) => {
			store.entries = store.entries.filter((e) => !e.startsWith('evt_r#'));
			await realRemove(items);
		};
		expect((await claimWithLease(store.context, ['evt_r'], 120, 100)).get('evt_r')?.status).toBe('new');
		helpers.removeProcessed = realRemove;
		expect((await claimWithLease(store.context, ['evt_r'], 120, 100)).get('evt_r')?.status).toBe('inProgress');
	});

	test('the history is trimmed to History Size x 3 entries (key, #seen and lease per event)', async () => {
		const store = new FakeStore();
		for (let i = 0; i < 30; i++) {
			await claimWithLease(store.context, [`e${i}`], 120, 10);
			store.confirm(`e${i}`);
		}
		await claimWithLease(store.context, ['last'], 120, 10);
		expect(store.entries.length).toBeLessThanOrEqual(10 * 3);
	});
});

describe('Confirm', () => {
	/** A Confirm node's context on n8n-like stores: the workflow history and the node's lock row. */
	function confirmContext(history: string[], onWorkflowWrite: (writeNumber: number) => void) {
		let lockRow: string[] | undefined;
		let writes = 0;
		const context = {
			getInputData: () => [{ json: { id: 'evt_c' } }],
			getWorkflow: () => ({ id: 'wf1' }),
			getNode: () => ({ name: 'Confirm event', type: 'n8n-nodes-kommo-billing.billingEventDedupe' }),
			getNodeParameter: (name: string) => (name === 'key' ? 'evt_c' : ''),
			helpers: {
				checkProcessedAndRecord: async (items: string[], scope: string) => {
					if (scope === 'node') {
						const isNew = lockRow === undefined;
						lockRow ??= [...items];
						return { new: isNew ? items : [], processed: isNew ? [] : items };
					}
					const fresh = items.filter((i) => !history.includes(i));
					history.push(...fresh);
					onWorkflowWrite(++writes);
					return { new: fresh, processed: items.filter((i) => !fresh.includes(i)) };
				},
				clearAllProcessedItems: async () => {
					lockRow = undefined;
				},
			},
		};
		return context as unknown as IExecuteFunctions;
	}

	test('records the key again when a parallel write undid it, until a check finds it in place', async () => {
		const history: string[] = [];
		// a Claim node's write, from an older read, lands right after Confirm's first write
		const out = await execute.call(
			confirmContext(history, (n) => {
				if (n === 1) history.splice(history.indexOf('evt_c'), 1);
			}),
		);
		expect(history).toContain('evt_c');
		expect(out[0]).toHaveLength(1);
	});

	test('one write and one check when nothing interferes', async () => {
		const history: string[] = [];
		let writes = 0;
		await execute.call(confirmContext(history, (n) => (writes = n)));
		expect(history).toEqual(['evt_c']);
		expect(writes).toBe(2);
	});
});
