import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';
import { DEFAULT_HISTORY_SIZE } from '../history';
import { routeByKey, uniqueKeys } from '../keys';
import {
	decideLease,
	DEFAULT_LEASE_SECONDS,
	ENTRIES_PER_EVENT_WITH_LEASE,
	type LeaseDecision,
	liveSlots,
	probeEntries,
	probingEntry,
	routeByDecision,
	seenEntry,
} from '../lease';
import { LOCK_STAMP_MS, type LockRow, LockTimeoutError, retryOnUniqueViolation, withLock } from '../lock';
import { assertSavedWorkflow, keyProperties, keysOf } from './common';

const show = { show: { operation: ['claim'] } };

/** A claim lock older than this was left behind by a crashed process (normal hold: milliseconds). */
const STALE_LOCK_MS = 20_000;

export const description: INodeProperties[] = [
	...keyProperties('claim'),
	{
		displayName: 'Scope',
		name: 'scope',
		type: 'options',
		default: 'workflow',
		displayOptions: show,
		options: [
			{
				name: 'This Node Only',
				value: 'node',
				description:
					"Keys are private to this node. A Release node cannot release them; use Key Prefix instead when you need separate key spaces and Release.",
			},
			{
				name: 'Workflow',
				value: 'workflow',
				description:
					'One history for every Billing Event Dedupe node in this workflow, so a Release node on the failure path can release what this node claimed',
			},
		],
		description: 'Which keys count as already seen',
	},
	{
		displayName: 'Claim Is Final',
		name: 'finalWhen',
		type: 'options',
		default: 'claim',
		displayOptions: show,
		options: [
			{
				name: 'At Once',
				value: 'claim',
				description:
					'The key is recorded as processed when it is claimed. Simple; but if n8n is killed after the claim and before the effect, the vendor\'s retry is treated as a duplicate.',
			},
			{
				name: 'After a Confirm Node',
				value: 'confirm',
				description:
					'The claim holds a lease; a Confirm node after the effect makes it final. A claim neither confirmed nor released within the lease (n8n was killed) lets the vendor\'s retry through. Adds the In Progress output.',
			},
		],
		description: 'When a claimed key counts as processed for good',
	},
	{
		displayName: 'Lease (Seconds)',
		name: 'leaseSeconds',
		type: 'number',
		default: DEFAULT_LEASE_SECONDS,
		typeOptions: { minValue: 10, maxValue: 600, numberPrecision: 0 },
		displayOptions: { show: { operation: ['claim'], finalWhen: ['confirm'] } },
		description:
			'How long a claim waits for its Confirm or Release before a redelivery may take it over (rounded up to 10 s; it ends between this and 10 s later). Make it longer than your slowest execution; while it runs, redeliveries go to In Progress, which should answer with a 409 or 503 so that the vendor tries again later.',
	},
	{
		displayName: 'History Size',
		name: 'historySize',
		type: 'number',
		default: DEFAULT_HISTORY_SIZE,
		typeOptions: { minValue: 1, numberPrecision: 0 },
		displayOptions: show,
		description:
			"How many keys the workflow remembers; the oldest are forgotten first. It must hold every event that can still be redelivered: distinct events in the busiest 4 days (Chargebee retries for about 3 days 7 hours) × 1.5. The default covers about 1,650 events a day. Use the same value on every Claim node of a workflow.",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Lock Wait Timeout (Seconds)',
				name: 'lockTimeout',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 1 },
				description:
					'How long an execution waits for other executions of this node that are claiming at the same moment (each holds the lock for a few database round trips)',
			},
		],
	},
];

/** Lock in this node's own ("node" scope) row: it exists only while a claim is in progress. */
export function nodeLockRow(context: IExecuteFunctions): LockRow {
	return {
		record: async (entries) =>
			new Set((await context.helpers.checkProcessedAndRecord(entries, 'node', { mode: 'entries' })).new.map(String)),
		size: async () => await context.helpers.getProcessedDataCount('node', { mode: 'entries' }),
		remove: async () => await context.helpers.clearAllProcessedItems('node', { mode: 'entries' }),
	};
}

export async function runLocked<T>(context: IExecuteFunctions, timeoutSeconds: number, fn: () => Promise<T>): Promise<T> {
	const onStale = (stamps: number) =>
		context.logger.warn(
			`Billing Event Dedupe: removed a claim lock held for over ${STALE_LOCK_MS / 1000} s (seen in ${stamps} time slots of ${LOCK_STAMP_MS / 1000} s); an n8n process probably died while holding it`,
			{ node: context.getNode().name, workflowId: context.getWorkflow().id },
		);
	try {
		return await withLock(nodeLockRow(context), { timeoutMs: timeoutSeconds * 1000, staleAfterMs: STALE_LOCK_MS, sleep, onStale }, fn);
	} catch (error) {
		if (error instanceof LockTimeoutError) {
			throw new NodeOperationError(context.getNode(), error.message, {
				description: `Other executions of this node kept the claim lock busy. Raise "Lock Wait Timeout" if many duplicates arrive at once. A lock left by a crashed n8n process is cleared automatically once it is over ${STALE_LOCK_MS / 1000} s old.`,
			});
		}
		// database errors (NodeOperationErrors pass through unchanged)
		throw new NodeOperationError(context.getNode(), error as Error, {
			description: "n8n's deduplication store (its database) could not be read or written.",
		});
	}
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[], []];
	assertSavedWorkflow(this);

	const scope = this.getNodeParameter('scope', 0, 'workflow') as string;
	if (scope !== 'workflow' && scope !== 'node') {
		throw new NodeOperationError(this.getNode(), `Unknown scope "${scope}"`, {
			description: 'Choose "Workflow" or "This Node Only".',
		});
	}
	const historySize = this.getNodeParameter('historySize', 0, DEFAULT_HISTORY_SIZE) as number;
	if (!Number.isInteger(historySize) || historySize < 1) {
		throw new NodeOperationError(this.getNode(), `History Size must be a whole number of at least 1, not ${historySize}`);
	}
	const lockTimeout = this.getNodeParameter('options.lockTimeout', 0, 60) as number;

	// "This node only" keeps the keys in the workflow's history under this node's ID, so both
	// scopes share one lock-protected row and the node's own row stays free for the lock.
	const namespace = scope === 'node' ? `node:${this.getNode().id}` : undefined;
	const keys = keysOf(this, items.length, namespace);

	const paired = items.map((item, index) => ({ ...item, pairedItem: { item: index } }));
	if (this.getNodeParameter('finalWhen', 0, 'claim') === 'confirm') {
		const leaseSeconds = this.getNodeParameter('leaseSeconds', 0, DEFAULT_LEASE_SECONDS) as number;
		if (!Number.isFinite(leaseSeconds) || leaseSeconds < 1) {
			throw new NodeOperationError(this.getNode(), `Lease must be a number of seconds of at least 10, not ${leaseSeconds}`);
		}
		const decisions = await runLocked(this, lockTimeout, async () => await claimWithLease(this, uniqueKeys(keys), leaseSeconds, historySize));
		const withStatus = paired.map((item, index) => ({
			...item,
			json: { ...item.json, dedupe: { key: keys[index], status: decisions.get(keys[index])?.status ?? 'duplicate' } },
		}));
		return routeByDecision(withStatus, keys, decisions);
	}

	const result = await runLocked(this, lockTimeout, async () =>
		await retryOnUniqueViolation(async () =>
			await this.helpers.checkProcessedAndRecord(uniqueKeys(keys), 'workflow', {
				mode: 'entries',
				maxEntries: historySize,
			}),
		),
	);
	return routeByKey(paired, keys, new Set(result.new.map(String)));
}

/**
 * One locked step: mark the keys as being probed and probe every key's entries in ONE write
 * (recording them), decide, remove what must not stay together with the marks, and record the
 * held leases again (see lease.ts). The marks ride in the probe's own write: n8n writes a
 * row at once, so a probe's key entry is never in the history without its #probing mark, and
 * the Claim costs three rewrites of the history instead of four.
 */
export async function claimWithLease(
	context: IExecuteFunctions,
	keys: string[],
	leaseSeconds: number,
	historySize: number,
): Promise<Map<string, LeaseDecision>> {
	const options = { mode: 'entries' as const, maxEntries: historySize * ENTRIES_PER_EVENT_WITH_LEASE };
	const guards = keys.map(probingEntry);
	const slots = liveSlots(Date.now(), leaseSeconds);
	const probe = [...guards, ...keys.flatMap((key) => probeEntries(key, slots))];
	const result = await retryOnUniqueViolation(async () => await context.helpers.checkProcessedAndRecord(probe, 'workflow', options));
	const fresh = new Set(result.new.map(String));
	// a mark that was already there: an earlier probe was cut off before its tidy-up
	const decisions = new Map(
		keys.map((key) => [key, decideLease(key, slots, (entry) => fresh.has(entry), !fresh.has(probingEntry(key)))]),
	);
	const undo = [...[...decisions.values()].flatMap((d) => d.undo), ...guards];
	await context.helpers.removeProcessed(undo, 'workflow', { mode: 'entries' });
	// A Confirm or Release node writing the history in the same instant can have undone the probe
	// (see lock.ts); without its lease, a parallel delivery of the event would also go to New.
	// Recording the held entries again (a no-op when they are there) repairs that.
	const held = [...decisions.entries()].flatMap(([key, d]) => (d.lease ? [seenEntry(key), d.lease] : []));
	if (held.length > 0) await context.helpers.checkProcessedAndRecord(held, 'workflow', options);
	return decisions;
}
