/**
 * Issue 17's five targets, each with what the run measured and met / not met / not measured
 * (`met: null`: that part was skipped or its data is missing). `npm run bench` prints them and
 * writes them into bench/results/latest.md.
 *
 *  1. dedupe: lease Claim and Confirm each ≤ 10 ms p95 at 10k, 100k and 1M keys;
 *  2. Won: overhead p95 ≤ the reference's, p50 ours/reference ≤ 1.0 (Chargebee, Zuora), ≤ 1.05 (Paddle);
 *  3. burst of 500 events: acknowledgement p99 ≤ 2 s in regular and queue mode, 0 × 429, 0 lost, 0 duplicated;
 *  4. queue mode: ≥ 90 % of Kommo's 7 req/s with 2 and with 4 workers;
 *  5. scale curve: a sustained run reports events/min held, RSS, CPU per event and the dedupe
 *     cost at its end for regular mode and queue mode with 2 and 4 workers (table + chart).
 */
import type { BucketLevel } from './dedupe-bucket';
import type { BurstResult, DedupeLevel, WonSummary } from './scenarios';
import { fmt, round } from './stats';
import type { SustainedFailure, SustainedResult } from './sustained';

export interface Target {
	target: string;
	measured: string;
	/** null: not measured in this run. */
	met: boolean | null;
	why?: string;
}

export const KOMMO_RPS = 7;
export const DEDUPE_LEVELS = [10_000, 100_000, 1_000_000];
export const WON_P50_RATIO_MAX: Record<string, number> = { chargebee: 1.0, paddle: 1.05, zuora: 1.0 };
export const ACK_P99_MAX_MS = 2000;
export const QUEUE_WORKER_COUNTS = [2, 4];
export const SUSTAINED_MODES = ['regular', 'queue2', 'queue4'];

export interface TargetInput {
	won: WonSummary[];
	bursts: BurstResult[];
	dedupe: DedupeLevel[];
	dedupeBuckets?: BucketLevel[];
	sustained?: SustainedResult[];
	/** Sustained modes that were run but did not complete. */
	sustainedFailed?: SustainedFailure[];
	/** Deliveries the vendors keep in flight (the burst's concurrency). */
	concurrency: number;
}

const NOT_MEASURED = (how: string): Pick<Target, 'measured' | 'met'> => ({ measured: `not measured (${how})`, met: null });
const VENDOR_NAMES: Record<string, string> = { chargebee: 'Chargebee', paddle: 'Paddle', zuora: 'Zuora' };
const vendorName = (v: string) => VENDOR_NAMES[v] ?? v;

/**
 * Little's law for an acknowledgement given after the Kommo effect: with `inFlight` deliveries
 * open and Kommo serving 7 req/s, events leave at most at 7 / callsPerEvent a second, so each
 * waits on average inFlight / (7 / callsPerEvent) seconds, whatever the node does.
 */
export function littleLawAckMs(inFlight: number, kommoCallsPerEvent: number, kommoRps = KOMMO_RPS): number {
	return round((inFlight * kommoCallsPerEvent * 1000) / kommoRps);
}

function dedupeTargets(levels: DedupeLevel[], buckets: BucketLevel[]): Target[] {
	const out: Target[] = [];
	for (const keys of DEDUPE_LEVELS) {
		const target = `1. Dedupe at ${keys.toLocaleString('en-US')} keys: lease Claim and Confirm each ≤ 10 ms p95`;
		const l = levels.find((x) => x.storedKeys === keys);
		const b = buckets.filter((x) => x.storedKeys === keys);
		if (!l && !b.length) {
			out.push({ target, ...NOT_MEASURED('--dedupe-keys or --skip=dedupe') });
			continue;
		}
		const parts: string[] = [];
		let met = true;
		if (l) {
			parts.push(`processed-data ${l.leaseClaimP95Ms} / ${l.confirmP95Ms} ms`);
			if (l.dataTable) parts.push(`Data Table row per key ${l.dataTable.claimP95Ms} / ${l.dataTable.confirmP95Ms} ms`);
			met &&= l.leaseClaimP95Ms <= 10 && l.confirmP95Ms <= 10;
		}
		for (const x of b) {
			parts.push(`Data Table buckets (${x.mode ?? 'regular'}) ${x.claimP95Ms} / ${x.confirmP95Ms} ms, ${x.raceRoundsWithOneWinner} of ${x.raceRounds} races with one New`);
			met &&= x.claimP95Ms <= 10 && x.confirmP95Ms <= 10;
		}
		out.push({
			target,
			measured: parts.join('; '),
			met,
			...(met ? {} : { why: 'no store a community node may use in n8n 2.40 writes one key atomically in-process (docs/dedupe.md)' }),
		});
	}
	return out;
}

function wonTargets(won: WonSummary[]): Target[] {
	const out: Target[] = [];
	for (const vendor of Object.keys(WON_P50_RATIO_MAX)) {
		const max = WON_P50_RATIO_MAX[vendor];
		const target = `2. Won → ${vendorName(vendor)}: overhead p95 ≤ reference, p50 ours/reference ≤ ${max.toFixed(2)}`;
		const ours = won.find((w) => w.vendor === vendor && w.variant === 'ours');
		const ref = won.find((w) => w.vendor === vendor && w.variant === 'reference');
		if (!ours || !ref) {
			out.push({ target, ...NOT_MEASURED('--skip=won, --vendors or --variants') });
			continue;
		}
		const ratio = round(ours.p50Ms / ref.p50Ms, 2);
		const met = ours.failed === 0 && ours.overheadP95Ms <= ref.overheadP95Ms && ratio <= max;
		out.push({
			target,
			measured: `overhead p95 ${ours.overheadP95Ms} ms (reference ${ref.overheadP95Ms}), p50 ratio ${fmt(ratio)}${ours.failed ? `, ${ours.failed} failed` : ''}`,
			met,
		});
	}
	return out;
}

function ackTargets(bursts: BurstResult[], concurrency: number): Target[] {
	const out: Target[] = [];
	for (const mode of ['regular', 'queue'] as const) {
		const target = `3. Burst (${mode}): ack p99 ≤ 2 s, 0 × 429, 0 lost, 0 duplicated`;
		const b = bursts.find((x) => x.variant === 'ours' && x.mode === mode);
		if (!b) {
			out.push({ target, ...NOT_MEASURED(mode === 'queue' ? 'needs --queue; --skip=burst' : '--skip=burst') });
			continue;
		}
		const perVendor = Object.entries(b.ackByVendor ?? {})
			.map(([v, a]) => `${vendorName(v)} ${fmt(a.p99Ms / 1000)}`)
			.join(', ');
		const ackOk = b.ackP99Ms <= ACK_P99_MAX_MS && Object.values(b.ackByVendor ?? {}).every((a) => a.p99Ms <= ACK_P99_MAX_MS);
		const cleanOk = b.kommo429 === 0 && b.lost === 0 && b.duplicated === 0;
		const calls = b.kommoCallsPerEvent;
		const floor = Number.isFinite(calls) ? littleLawAckMs(b.concurrency ?? concurrency, calls) : Number.NaN;
		out.push({
			target,
			measured:
				`ack p99 ${fmt(b.ackP99Ms / 1000)} s${perVendor ? ` (${perVendor})` : ''}, p95 ${fmt(b.ackP95Ms / 1000)} s; ` +
				`${b.kommo429} × 429, ${b.lost} lost, ${b.duplicated} duplicated; ${b.events} events`,
			met: ackOk && cleanOk,
			...(ackOk
				? {}
				: {
						why:
							`acknowledged after the Kommo effect with ${b.concurrency ?? concurrency} deliveries in flight: Little's law gives ` +
							`${b.concurrency ?? concurrency} ÷ (7 req/s ÷ ${fmt(calls)} Kommo calls/event) = ${fmt(floor / 1000)} s on average, whatever the node does (docs/scaling.md)`,
					}),
		});
	}
	return out;
}

function queueRateTargets(bursts: BurstResult[]): Target[] {
	return QUEUE_WORKER_COUNTS.map((workers) => {
		const target = `4. Queue mode, ${workers} workers: ≥ 90 % of Kommo's 7 req/s`;
		// with --queue-budget=static,broker both run: the target is about the shared budget
		const queue = bursts.filter((x) => x.variant === 'ours' && x.mode === 'queue' && (x.workers ?? 2) === workers);
		const b = queue.find((x) => x.budget === 'broker') ?? queue[0];
		if (!b) return { target, ...NOT_MEASURED(`no queue burst with ${workers} workers: --queue --queue-workers=${workers}`) };
		const pct = Math.round((b.kommoReqPerSec / KOMMO_RPS) * 100);
		return { target, measured: `${fmt(b.kommoReqPerSec)} req/s (${pct} %), max ${b.kommoMaxInAnySecond} in 1 s`, met: pct >= 90 };
	});
}

function scaleCurveTargets(sustained: SustainedResult[] | undefined, failed: SustainedFailure[] = []): Target[] {
	return SUSTAINED_MODES.map((mode) => {
		const label = mode === 'regular' ? 'regular' : `queue, ${mode.slice('queue'.length)} workers`;
		const target = `5. Scale curve (${label}): sustained events/min held, RSS, CPU/event, dedupe cost at the end; 0 lost, 0 duplicated`;
		const r = sustained?.find((x) => x.mode === mode);
		const failure = failed.find((x) => x.mode === mode);
		if (!r && failure) return { target, measured: `failed: ${failure.error}`, met: false, why: 'the mode was run but did not complete: the run log has the stack' };
		if (!r) return { target, ...NOT_MEASURED(mode === 'regular' ? '--skip=sustained or --sustained-modes' : 'needs --queue and queue modes in --sustained-modes') };
		const dedupe = r.dedupe ? `Claim / Confirm p95 ${r.dedupe.claimP95Ms} / ${r.dedupe.confirmP95Ms} ms at the end` : 'dedupe cost not read';
		return {
			target,
			measured:
				`held ${r.heldPerMin}/min of ${r.offeredPerMin} offered over ${r.durationS} s; RSS peak ${r.rss.peakMb} MB; ${r.cpu.msPerEvent} ms CPU/event; ` +
				`${dedupe}; ${r.lost} lost, ${r.duplicated} duplicated (bench/results/scale-curve/)`,
			met: Boolean(r.dedupe) && r.lost === 0 && r.duplicated === 0 && r.durationS >= 300,
			...(r.durationS < 300 ? { why: `a ${r.durationS} s run; the target asks for a sustained run (5 minutes)` } : {}),
		};
	});
}

/** All five targets of issue 17, in order. */
export function issue17Targets(input: TargetInput): Target[] {
	return [
		...dedupeTargets(input.dedupe, input.dedupeBuckets ?? []),
		...wonTargets(input.won),
		...ackTargets(input.bursts, input.concurrency),
		...queueRateTargets(input.bursts),
		...scaleCurveTargets(input.sustained, input.sustainedFailed),
	];
}

/** met / not met / not measured, with the reason when not met. */
export function metLabel(t: Target, markdown = false): string {
	if (t.met === null) return 'not measured';
	if (t.met) return 'met';
	const no = markdown ? '**not met**' : 'NOT MET';
	return t.why ? `${no}${markdown ? ' — ' : ' ('}${t.why}${markdown ? '' : ')'}` : no;
}
