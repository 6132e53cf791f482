/** Renders benchmark results as a console table and a markdown report. */
import type { BucketLevel } from './dedupe-bucket';
import type { BurstResult, DedupeLevel, WonSummary } from './scenarios';
import { fmt, mdTable, ratio, textTable } from './stats';
import { sustainedRows, type SustainedFailure, type SustainedResult } from './sustained';
import { metLabel, type Target } from './targets';

export interface BenchResults {
	meta: {
		date: string;
		command: string;
		machine: { cpus: number; cpuModel: string; memoryGb: number; os: string; node: string; n8n: string };
		load: { before: number[]; after: number[] };
		options: Record<string, unknown>;
		durationS?: number;
		missingWorkflows: string[];
	};
	won: WonSummary[];
	bursts: BurstResult[];
	dedupe: DedupeLevel[];
	/** The Data Table bucket candidate (issue 17), when measured. */
	dedupeBuckets?: BucketLevel[];
	/** The sustained run per mode (issue 17 target 5), when measured. */
	sustained?: SustainedResult[];
	/** Sustained modes that were run but did not complete, with the first line of the error. */
	sustainedFailed?: SustainedFailure[];
	targets: Target[];
}

export function wonRows(won: WonSummary[]): { header: string[]; rows: Array<Array<string | number>> } {
	const header = ['vendor', 'variant', 'deals', 'failed', 'p50 ms', 'p95 ms', 'calls/deal', 'Kommo calls', 'overhead p50', 'overhead p95', 'p50 ours/ref'];
	const rows = won.map((w) => {
		const other = won.find((x) => x.vendor === w.vendor && x.variant === 'reference');
		return [
			w.vendor,
			w.variant,
			w.deals,
			w.failed,
			w.p50Ms,
			w.p95Ms,
			w.callsPerDeal,
			w.kommoCallsPerDeal,
			w.overheadP50Ms,
			w.overheadP95Ms,
			w.variant === 'ours' && other ? ratio(w.p50Ms, other.p50Ms) : '',
		];
	});
	return { header, rows };
}

export function burstRows(bursts: BurstResult[]): { header: string[]; rows: Array<Array<string | number>> } {
	const header = [
		'variant',
		'mode',
		'events',
		'done',
		'time s',
		'Kommo req/s',
		'% of 7/s',
		'max in 1 s',
		'429s',
		'403s',
		'notes',
		'lost',
		'dup',
		'ack p95 s',
		'ack p99 s',
		'RSS peak MB',
		'CPU ms/event',
		'cores used',
	];
	const rows = bursts.map((b) => [
		b.variant,
		b.label ?? (b.workers ? `${b.mode} (${b.workers} workers)` : b.mode),
		b.events,
		b.completed ? 'yes' : 'NO',
		b.completionMs / 1000,
		b.kommoReqPerSec,
		Math.round((b.kommoReqPerSec / 7) * 100),
		b.kommoMaxInAnySecond,
		b.kommo429,
		b.kommo403,
		b.notesLanded,
		b.lost,
		b.duplicated,
		b.ackP95Ms / 1000,
		(b.ackP99Ms ?? Number.NaN) / 1000,
		b.memory.peakMb,
		b.cpu.msPerEvent,
		b.cpu.cores,
	]);
	return { header, rows };
}

/** Acknowledgement latency (delivery sent → 2xx) per vendor in each burst (issue 17 target 3). */
export function burstAckRows(bursts: BurstResult[]): { header: string[]; rows: Array<Array<string | number>> } {
	return {
		header: ['variant', 'mode', 'vendor', 'events', 'ack p50 s', 'ack p95 s', 'ack p99 s', 'Kommo calls/event'],
		rows: bursts.flatMap((b) =>
			Object.entries(b.ackByVendor ?? {}).map(([vendor, a]) => [
				b.variant,
				b.workers ? `${b.mode} (${b.workers} workers)` : b.mode,
				vendor,
				a.events,
				a.p50Ms / 1000,
				a.p95Ms / 1000,
				a.p99Ms / 1000,
				b.kommoCallsPerEvent ?? Number.NaN,
			]),
		),
	};
}

export function dedupeRows(levels: DedupeLevel[]) {
	return {
		header: ['stored keys', 'samples', 'Claim p50 ms', 'Claim p95 ms', 'Claim mean ms', 'webhook round trip p50 ms', 'lease Claim p50 ms', 'lease Claim p95 ms', 'Confirm p50 ms', 'Confirm p95 ms'],
		rows: levels.map((l) => [l.storedKeys, l.samples, l.claimP50Ms, l.claimP95Ms, l.claimMeanMs, l.roundTripP50Ms, l.leaseClaimP50Ms, l.leaseClaimP95Ms, l.confirmP50Ms, l.confirmP95Ms ?? '–']),
	};
}

/** Issue 17 target 1 side by side: the shipped store and the Data Table candidate, lease Claim and Confirm. */
export function dedupeStoreRows(levels: DedupeLevel[]) {
	const dash = (v: number | undefined) => (v === undefined ? '–' : v);
	return {
		header: ['stored keys', 'processed-data Claim p50 / p95 ms', 'processed-data Confirm p50 / p95 ms', 'Data Table (public API) Claim p50 / p95 ms', 'Data Table Confirm p50 / p95 ms'],
		rows: levels.map((l) => [
			l.storedKeys,
			`${l.leaseClaimP50Ms} / ${l.leaseClaimP95Ms}`,
			`${l.confirmP50Ms} / ${dash(l.confirmP95Ms)}`,
			l.dataTable ? `${l.dataTable.claimP50Ms} / ${l.dataTable.claimP95Ms}` : '–',
			l.dataTable ? `${l.dataTable.confirmP50Ms} / ${l.dataTable.confirmP95Ms}` : '–',
		]),
	};
}

/** The Data Table bucket candidate: one read, lease Claim, Confirm, and the concurrent-claim check. */
export function dedupeBucketRows(levels: BucketLevel[]) {
	return {
		header: ['n8n', 'stored keys', 'bucket rows', 'samples', 'read by id p50 / p95 ms', 'Claim p50 / p95 ms', 'Confirm p50 / p95 ms', 'concurrent claims: rounds with one New'],
		rows: levels.map((l) => [
			l.mode ?? 'regular (SQLite)',
			l.storedKeys,
			l.buckets,
			l.samples,
			`${l.readP50Ms} / ${l.readP95Ms}`,
			`${l.claimP50Ms} / ${l.claimP95Ms}`,
			`${l.confirmP50Ms} / ${l.confirmP95Ms}`,
			`${l.raceRoundsWithOneWinner} of ${l.raceRounds} (${l.racers} claimers)`,
		]),
	};
}

export function renderText(r: BenchResults): string {
	const parts: string[] = [];
	parts.push(`Benchmark ${r.meta.date} on ${r.meta.machine.cpus} × ${r.meta.machine.cpuModel}, load ${r.meta.load.before.join(' ')}`);
	if (r.won.length) {
		const t = wonRows(r.won);
		parts.push(`\nWon → provisioned (latency ${fmt(Number(r.meta.options.latencyMs))} ms per sandbox call)\n${textTable(t.header, t.rows)}`);
	}
	if (r.bursts.length) {
		const t = burstRows(r.bursts);
		parts.push(`\nBurst of billing events\n${textTable(t.header, t.rows)}`);
		const a = burstAckRows(r.bursts);
		if (a.rows.length) parts.push(`\nBurst: acknowledgement per vendor\n${textTable(a.header, a.rows)}`);
	}
	if (r.dedupe.length) {
		const t = dedupeRows(r.dedupe);
		parts.push(`\nDedupe cost per event\n${textTable(t.header, t.rows)}`);
		if (r.dedupe.some((l) => l.dataTable)) {
			const c = dedupeStoreRows(r.dedupe);
			parts.push(`\nDedupe store comparison (lease Claim / Confirm)\n${textTable(c.header, c.rows)}`);
		}
	}
	if (r.dedupeBuckets?.length) {
		const t = dedupeBucketRows(r.dedupeBuckets);
		parts.push(`\nDedupe candidate: Data Table bucket rows via the public API\n${textTable(t.header, t.rows)}`);
	}
	if (r.sustained?.length) {
		const t = sustainedRows(r.sustained);
		parts.push(`\nSustained run (scale curve)\n${textTable(t.header, t.rows)}`);
	}
	if (r.targets.length) {
		parts.push(`\nTargets (issue 17)\n${textTable(['target', 'measured', 'met'], r.targets.map((t) => [t.target, t.measured, metLabel(t)]))}`);
	}
	if (r.meta.missingWorkflows.length) parts.push(`\nNot measured (missing): ${r.meta.missingWorkflows.join(', ')}`);
	return parts.join('\n');
}

export function renderMarkdown(r: BenchResults): string {
	const m = r.meta;
	const lines: string[] = [];
	lines.push(`# Benchmark report`);
	lines.push('');
	lines.push(`- **Date:** ${m.date}`);
	lines.push(`- **Command:** \`${m.command}\``);
	lines.push(`- **Machine:** ${m.machine.cpus} × ${m.machine.cpuModel}, ${m.machine.memoryGb} GB RAM, ${m.machine.os}; n8n ${m.machine.n8n} on Node ${m.machine.node}`);
	lines.push(`- **Load average (1/5/15 min):** before ${m.load.before.join(' / ')}, after ${m.load.after.join(' / ')} (the machine is shared; compare the ratios measured side by side, not the absolute times)`);
	lines.push(`- **Options:** ${Object.entries(m.options).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(', ')}`);
	if (m.durationS !== undefined) lines.push(`- **Duration:** ${Math.round(m.durationS)} s`);
	if (m.missingWorkflows.length) lines.push(`- **Not measured (workflow missing):** ${m.missingWorkflows.join(', ')}`);
	if (r.won.length) {
		const t = wonRows(r.won);
		lines.push('', `## Won → provisioned`, '');
		lines.push(
			`Deal moved to "Closed - won" in Kommo → subscription id written back to the deal and a note added. Every sandbox call costs ${fmt(Number(m.options.latencyMs))} ms; *overhead* = wall time − the time covered by the calls' latencies (calls × latency when they are made one after the other; calls made side by side count once): what n8n and the workflow add. Ours and the reference run alternately, deal by deal, in the same n8n.`,
			'',
		);
		lines.push(mdTable(t.header, t.rows));
	}
	if (r.bursts.length) {
		const t = burstRows(r.bursts);
		lines.push('', `## Burst of billing events`, '');
		lines.push(
			'Payment events (Chargebee `payment_succeeded`, Paddle `transaction.completed`, Zuora payment callouts, interleaved) delivered as the vendors do: at most `concurrency` in flight, every event retried until answered 2xx. Kommo allows 7 requests per second and blocks the IP after repeated violations. *lost* = events without a note on their deal at the end, *dup* = notes beyond one per event.',
			'',
		);
		lines.push(mdTable(t.header, t.rows));
		for (const b of r.bursts) if (b.note) lines.push('', `- ${b.variant} (${b.mode}): ${b.note}`);
		const a = burstAckRows(r.bursts);
		if (a.rows.length) {
			lines.push('', 'Acknowledgement per vendor (delivery sent → 2xx; the events workflows answer after the Kommo note landed):', '', mdTable(a.header, a.rows));
		}
	}
	if (r.dedupe.length) {
		const t = dedupeRows(r.dedupe);
		lines.push('', `## Dedupe cost per event`, '');
		lines.push(
			'Billing Event Dedupe *Claim* of one new event with the workflow history already holding N keys (n8n\'s processed-data table, SQLite): final at once, and with a lease (*Claim Is Final: After a Confirm Node*, what the shipped event workflows use) followed by *Confirm* (which includes its fixed 0.15 s pause before it checks its write).',
			'',
		);
		lines.push(mdTable(t.header, t.rows));
		if (r.dedupe.some((l) => l.dataTable)) {
			const c = dedupeStoreRows(r.dedupe);
			lines.push(
				'',
				'Store comparison (issue 17 target 1: lease Claim and Confirm ≤ 10 ms p95): the shipped processed-data store (node execution times, as above) and the candidate, n8n Data Tables reached through n8n\'s public API with one row per key (client round trips; see docs/dedupe.md for why a community node has no faster route to them in n8n 2.40).',
				'',
			);
			lines.push(mdTable(c.header, c.rows));
		}
	}
	if (r.dedupeBuckets?.length) {
		const t = dedupeBucketRows(r.dedupeBuckets);
		lines.push('', `## Dedupe candidate: Data Table bucket rows`, '');
		lines.push(
			'The best store a community node can build on n8n 2.40.7\'s Data Tables (bench/lib/dedupe-bucket.ts): a fixed number of bucket rows addressed by primary key, each holding a small JSON map of its keys, every write a compare-and-swap on a version column; reached through n8n\'s public API, the only route a community node has to them (docs/dedupe.md). Client round trips on the bench machine; a node calling the same API would add its own HTTP client on top.',
			'',
		);
		lines.push(mdTable(t.header, t.rows));
	}
	if (r.sustained?.length) {
		const t = sustainedRows(r.sustained);
		lines.push('', `## Sustained run (scale curve)`, '');
		lines.push(
			`${fmt(Number(m.options.sustainedRate))} payment events/s offered for ${fmt(Number(m.options.sustainedS))} s per mode, each mode in a fresh n8n; per-minute figures, latency per vendor and the chart: [scale-curve/latest.md](scale-curve/latest.md).`,
			'',
		);
		lines.push(mdTable(t.header, t.rows));
	}
	if (r.targets.length) {
		lines.push('', `## Targets (issue 17)`, '');
		lines.push(mdTable(['target', 'measured', 'met'], r.targets.map((t) => [t.target, t.measured, metLabel(t, true)])));
	}
	lines.push('');
	return lines.join('\n');
}
