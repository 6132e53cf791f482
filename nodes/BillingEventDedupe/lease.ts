// Claims with a lease ("Claim Is Final: After a Confirm Node").
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
