/**
 * Issue 17 target 5, the scale curve: a steady stream of payment events (the vendors in turn, at
 * `ratePerS` for `durationS`, at most `concurrency` deliveries in flight and every event retried
 * until answered 2xx, as the vendors do) through the shipped event workflows, in regular mode and
 * in queue mode with N workers, each in a fresh n8n. Per mode: events per minute held,
 * acknowledgement latency, n8n's RSS and CPU per event, and the dedupe cost (Claim and Confirm
 * node times) at the end of the run, when the history is fullest.
 *
 *   --sustained-s=300 --sustained-rate=6 (events/s offered) --sustained-drain-s=120
 *   --sustained-modes=regular,queue2,queue4 (queueN: N workers, Kommo credential at ⌊7 / N⌋ req/s each)
 *   --skip=sustained leaves it out
 *
 * Writes <out>/scale-curve/{latest.md,latest.json,scale-curve.png} (renderScaleCurve, chart.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { renderScaleCurveChart } from './chart';
import { deliverAll, type DeliveryOutcome } from './deliver';
import { interleavedPaymentEvents } from './events';
import { RssSampler } from './proc';
import type { Stack } from './stack';
import { fmt, mdTable, percentile, round, sleep, textTable } from './stats';
import { sendEvent, World, type SentEvent, type Vendor } from './world';

/** Kommo's limit per account (requests per second). */
export const KOMMO_LIMIT_PER_S = 7;

export interface SustainedMode {
	/** `regular`, `queue2`, `queue4`, … */
	name: string;
	mode: 'regular' | 'queue';
	/** Worker processes (0 in regular mode). */
	workers: number;
	/** The Kommo credential's Max Requests per Second, per n8n process that calls Kommo. */
	kommoRpsPerProcess: number;
}

/** `regular` | `queue<N>` → the mode; queue workers get ⌊7 / N⌋ Kommo requests per second each (docs/scaling.md). */
export function parseSustainedMode(name: string): SustainedMode {
	if (name === 'regular') return { name, mode: 'regular', workers: 0, kommoRpsPerProcess: KOMMO_LIMIT_PER_S };
	const m = /^queue(\d+)$/.exec(name);
	if (!m || Number(m[1]) < 1) throw new Error(`--sustained-modes: "${name}" is neither regular nor queue<N> (e.g. queue2)`);
	const workers = Number(m[1]);
	return { name, mode: 'queue', workers, kommoRpsPerProcess: Math.max(1, Math.floor(KOMMO_LIMIT_PER_S / workers)) };
}

export interface SustainedOptions {
	durationS: number;
	ratePerS: number;
	concurrency: number;
	/** After the stream: wait this long at most for the last acknowledgements. */
	drainS: number;
	vendors: Vendor[];
	/** Executions per vendor read for the dedupe cost at the end. */
	dedupeSamples: number;
	warmup: number;
}

export interface Percentiles {
	p50Ms: number;
	p95Ms: number;
	p99Ms: number;
}

export interface DedupeAtEnd {
	/** Executions read (the newest successful ones of each event workflow). */
	samples: number;
	claimP50Ms: number;
	claimP95Ms: number;
	confirmP50Ms: number;
	confirmP95Ms: number;
	/** Events claimed in each event workflow's history by then (warm-up included), the largest. */
	historyEvents: number;
}

export interface SustainedResult {
	mode: string;
	workers: number;
	kommoRpsPerProcess: number;
	durationS: number;
	offeredPerMin: number;
	offered: number;
	/** Acknowledged (2xx) within the stream's window. */
	ackedInWindow: number;
	/** Acknowledgements per minute during the stream's window: what the mode held. */
	heldPerMin: number;
	/** Acknowledgements in each whole minute of the window. */
	perMinute: number[];
	/** Offered but not yet acknowledged when the stream ended (the vendors' queue). */
	backlogAtEnd: number;
	acknowledged: number;
	/** Never acknowledged, even after the drain (the vendors would keep retrying). */
	pending: number;
	notesLanded: number;
	/** Acknowledged without a note on the deal. */
	lost: number;
	duplicated: number;
	deliveryAttempts: number;
	non2xxAnswers: number;
	/** Delivery sent → 2xx (ms): what the vendor's request waits. */
	ack: Percentiles;
	ackByVendor: Record<string, Percentiles & { events: number }>;
	/** Event due → 2xx (ms): ack plus the time it waited at the vendor for a free slot. */
	endToEnd: Percentiles;
	kommoRequests: number;
	kommoReqPerSec: number;
	kommoMaxInAnySecond: number;
	kommoCallsPerEvent: number;
	kommo429: number;
	kommo403: number;
	rss: { startMb: number; peakMb: number; meanMb: number; endMb: number };
	cpu: { msPerEvent: number; cores: number };
	dedupe?: DedupeAtEnd;
	/** 10-second windows from the start: acknowledgements scaled to a minute, mean RSS. */
	timeline: Array<{ t: number; ackedPerMin: number; rssMb: number }>;
}

/** What one sustained run observed, before it is summarised (sustainedStats). */
export interface SustainedObservation {
	mode: SustainedMode;
	startedAt: number;
	durationMs: number;
	ratePerS: number;
	events: Array<{ id: string; vendor: string; dueAt: number }>;
	outcomes: DeliveryOutcome[];
	/** Notes on each event's deal at the end, by event id. */
	notes: Map<string, number>;
	rss: Array<{ t: number; mb: number }>;
	cpuMs: number;
	wallMs: number;
	/** Kommo API requests during the run. */
	kommo: Array<{ at: number; status?: number }>;
	kommoMaxInAnySecond: number;
	dedupe?: DedupeAtEnd;
	windowMs?: number;
}

const pct = (values: number[]): Percentiles => ({
	p50Ms: round(percentile(values, 50)),
	p95Ms: round(percentile(values, 95)),
	p99Ms: round(percentile(values, 99)),
});

/** Summarises one mode's run (pure; unit-tested). */
export function sustainedStats(o: SustainedObservation): SustainedResult {
	const windowEnd = o.startedAt + o.durationMs;
	const durationS = o.durationMs / 1000;
	const byId = new Map(o.outcomes.map((x) => [x.id, x]));
	const acked = o.outcomes.filter((x) => x.ok && x.ackAt !== undefined);
	const ackedInWindow = acked.filter((x) => (x.ackAt as number) <= windowEnd).length;
	const perMinute: number[] = [];
	for (let m = 0; (m + 1) * 60_000 <= o.durationMs; m++) {
		const from = o.startedAt + m * 60_000;
		perMinute.push(acked.filter((x) => (x.ackAt as number) > from && (x.ackAt as number) <= from + 60_000).length);
	}
	const ackMs = (x: DeliveryOutcome) => (x.ackAt as number) - x.firstAt;
	const ackByVendor: SustainedResult['ackByVendor'] = {};
	for (const vendor of [...new Set(o.events.map((e) => e.vendor))]) {
		const mine = o.events.filter((e) => e.vendor === vendor).map((e) => byId.get(e.id)).filter((x): x is DeliveryOutcome => Boolean(x?.ok));
		ackByVendor[vendor] = { events: mine.length, ...pct(mine.map(ackMs)) };
	}
	const due = new Map(o.events.map((e) => [e.id, e.dueAt]));
	let notesLanded = 0;
	let lost = 0;
	let duplicated = 0;
	for (const e of o.events) {
		const n = o.notes.get(e.id) ?? 0;
		if (n > 0) notesLanded++;
		if (n === 0 && byId.get(e.id)?.ok) lost++;
		duplicated += Math.max(0, n - 1);
	}
	const inWindow = o.kommo.filter((r) => r.at >= o.startedAt && r.at <= windowEnd);
	const first = inWindow[0]?.at ?? 0;
	const last = inWindow[inWindow.length - 1]?.at ?? 0;
	const mbs = o.rss.map((s) => s.mb);
	const timeline: SustainedResult['timeline'] = [];
	const runEnd = Math.max(windowEnd, ...acked.map((x) => x.ackAt as number));
	for (let t = 0; o.startedAt + t * 1000 < runEnd; t += 10) {
		const from = o.startedAt + t * 1000;
		const to = from + 10_000;
		const acks = acked.filter((x) => (x.ackAt as number) > from && (x.ackAt as number) <= to).length;
		const rss = o.rss.filter((s) => s.t > from && s.t <= to).map((s) => s.mb);
		timeline.push({ t, ackedPerMin: acks * 6, rssMb: rss.length ? round(rss.reduce((a, b) => a + b, 0) / rss.length) : Number.NaN });
	}
	return {
		mode: o.mode.name,
		workers: o.mode.workers,
		kommoRpsPerProcess: o.mode.kommoRpsPerProcess,
		durationS,
		offeredPerMin: round(o.ratePerS * 60),
		offered: o.events.length,
		ackedInWindow,
		heldPerMin: round((ackedInWindow / durationS) * 60),
		perMinute,
		backlogAtEnd: o.events.filter((e) => e.dueAt <= windowEnd).length - ackedInWindow,
		acknowledged: acked.length,
		pending: o.events.length - acked.length,
		notesLanded,
		lost,
		duplicated,
		deliveryAttempts: o.outcomes.reduce((n, x) => n + x.attempts, 0),
		non2xxAnswers: o.outcomes.reduce((n, x) => n + x.statuses.filter((s) => s !== 0 && (s < 200 || s >= 300)).length, 0),
		ack: pct(acked.map(ackMs)),
		ackByVendor,
		endToEnd: pct(acked.map((x) => (x.ackAt as number) - (due.get(x.id) ?? x.firstAt))),
		kommoRequests: o.kommo.length,
		kommoReqPerSec: last > first ? round((inWindow.length - 1) / ((last - first) / 1000), 2) : Number.NaN,
		kommoMaxInAnySecond: o.kommoMaxInAnySecond,
		kommoCallsPerEvent: acked.length ? round(o.kommo.length / acked.length, 2) : Number.NaN,
		kommo429: o.kommo.filter((r) => r.status === 429).length,
		kommo403: o.kommo.filter((r) => r.status === 403).length,
		rss: {
			startMb: round(mbs[0] ?? Number.NaN),
			peakMb: round(mbs.length ? Math.max(...mbs) : Number.NaN),
			meanMb: round(mbs.length ? mbs.reduce((a, b) => a + b, 0) / mbs.length : Number.NaN),
			endMb: round(mbs[mbs.length - 1] ?? Number.NaN),
		},
		cpu: { msPerEvent: acked.length ? round(o.cpuMs / acked.length, 1) : Number.NaN, cores: o.wallMs > 0 ? round(o.cpuMs / o.wallMs, 2) : Number.NaN },
		...(o.dedupe ? { dedupe: o.dedupe } : {}),
		timeline,
	};
}

// ------------------------------------------------------------------------------------- running

/** Claim and Confirm node times of the newest successful executions of each event workflow. */
async function dedupeAtEnd(world: World, vendors: Vendor[], samples: number, historyEvents: number): Promise<DedupeAtEnd> {
	const claims: number[] = [];
	const confirms: number[] = [];
	for (const vendor of vendors) {
		const workflowId = world.workflowIds.get(`ours:events:${vendor}`);
		if (!workflowId) continue;
		const query = new URLSearchParams({ limit: String(samples), filter: JSON.stringify({ workflowId, status: ['success'] }) });
		const page = await world.n8n.api.request<{ results: Array<{ id: string }> }>('GET', `/rest/executions?${query}`);
		for (const run of page.results.slice(0, samples)) {
			const detail = await world.n8n.api.execution(run.id);
			const data = detail.data.resultData.runData;
			const claim = data['Claim event']?.[0]?.executionTime;
			const confirm = data['Confirm event']?.[0]?.executionTime;
			if (typeof claim === 'number') claims.push(claim);
			if (typeof confirm === 'number') confirms.push(confirm);
		}
	}
	return {
		samples: claims.length,
		claimP50Ms: round(percentile(claims, 50)),
		claimP95Ms: round(percentile(claims, 95)),
		confirmP50Ms: round(percentile(confirms, 50)),
		confirmP95Ms: round(percentile(confirms, 95)),
		historyEvents,
	};
}

/** One mode: a fresh n8n, a warm-up, the stream, the drain, the dedupe cost at the end. */
export async function runSustainedMode(stack: Stack, mode: SustainedMode, options: SustainedOptions, log: (m: string) => void): Promise<SustainedResult> {
	const world = await World.start({
		stack,
		mode: mode.mode,
		workers: mode.workers || undefined,
		variants: ['ours'],
		kommoRequestsPerSecond: mode.kommoRpsPerProcess,
		name: `bench-sustained-${mode.name}`,
	});
	try {
		const vendors = options.vendors.filter((v) => world.eventTargets.has(`ours:${v}`));
		if (!vendors.length) throw new Error('sustained run: no shipped event workflow to send to');
		const { kommo } = stack;
		const deliver = async (events: SentEvent[], startAt: (i: number) => number | undefined, deadline: number) =>
			await deliverAll(
				events.map((event, i) => ({
					id: event.id,
					startAt: startAt(i),
					send: async () => await sendEvent(stack, world.eventTargets.get(`ours:${event.vendor}`)!, event),
				})),
				{ concurrency: options.concurrency, deadline, shouldStop: () => Date.now() > deadline || kommo.blocked },
			);
		// warm-up (code loading, first tokens): not counted
		await deliver(await interleavedPaymentEvents(stack, vendors.length * options.warmup, vendors), () => undefined, Date.now() + 60_000);
		const count = Math.round(options.durationS * options.ratePerS);
		const events = await interleavedPaymentEvents(stack, count, vendors);
		log(`sustained ${mode.name}: ${count} events at ${options.ratePerS}/s for ${options.durationS} s (${vendors.join(', ')}), Kommo ${mode.kommoRpsPerProcess} req/s per process`);
		stack.resetLogs();
		await sleep(1100); // a fresh Kommo second
		const sampler = new RssSampler(() => world.pgids(), 1000).start();
		const startedAt = Date.now();
		const durationMs = options.durationS * 1000;
		const dueAt = (i: number) => startedAt + Math.round((i * 1000) / options.ratePerS);
		const progress = setInterval(() => {
			const s = Math.round((Date.now() - startedAt) / 1000);
			log(`  ${mode.name} +${s} s: Kommo ${kommo.requests.filter((r) => r.path.startsWith('/api/')).length} requests, RSS ${round(sampler.samples[sampler.samples.length - 1]?.mb ?? Number.NaN)} MB`);
		}, 60_000);
		let outcomes: DeliveryOutcome[];
		try {
			outcomes = await deliver(events, dueAt, startedAt + durationMs + options.drainS * 1000);
		} finally {
			clearInterval(progress);
		}
		// executions still writing: wait for 2 s of quiet at Kommo (at most 30 s)
		const settleUntil = Date.now() + 30_000;
		for (;;) {
			const last = kommo.requests[kommo.requests.length - 1]?.at ?? 0;
			if (performance.timeOrigin + performance.now() - last > 2000 || Date.now() > settleUntil) break;
			await sleep(250);
		}
		const usage = sampler.stop();
		const apiRequests = kommo.requests.filter((r) => r.path.startsWith('/api/'));
		const dedupe = await dedupeAtEnd(world, vendors, options.dedupeSamples, Math.ceil(count / vendors.length) + options.warmup).catch((error: unknown) => {
			log(`  ${mode.name}: dedupe cost not read: ${(error as Error).message}`);
			return undefined;
		});
		const result = sustainedStats({
			mode,
			startedAt,
			durationMs,
			ratePerS: options.ratePerS,
			events: events.map((e, i) => ({ id: e.id, vendor: e.vendor, dueAt: dueAt(i) })),
			outcomes,
			notes: new Map(events.map((e) => [e.id, kommo.notesFor(e.leadId).length])),
			rss: sampler.samples,
			cpuMs: usage.cpuMs,
			wallMs: usage.wallMs,
			kommo: apiRequests.map((r) => ({ at: r.at, status: r.status })),
			kommoMaxInAnySecond: kommo.maxInWindow(1000, (r) => r.path.startsWith('/api/')),
			...(dedupe ? { dedupe } : {}),
		});
		log(
			`  ${mode.name}: held ${result.heldPerMin}/min of ${result.offeredPerMin} offered, backlog ${result.backlogAtEnd} at the end, ack p99 ${result.ack.p99Ms} ms, ` +
				`lost ${result.lost}, dup ${result.duplicated}, 429s ${result.kommo429}, RSS peak ${result.rss.peakMb} MB, CPU ${result.cpu.msPerEvent} ms/event`,
		);
		return result;
	} finally {
		await world.stop();
	}
}

/** A mode that did not complete: reported as such in the targets, not as "not measured". */
export interface SustainedFailure {
	mode: string;
	error: string;
}

/** Every mode in turn, each in its own n8n (one at a time: they share the machine); a mode that fails goes into `failed`. */
export async function runSustained(
	stack: Stack,
	modes: SustainedMode[],
	options: SustainedOptions,
	log: (m: string) => void,
	failed: SustainedFailure[] = [],
): Promise<SustainedResult[]> {
	const out: SustainedResult[] = [];
	for (const mode of modes) {
		try {
			out.push(await runSustainedMode(stack, mode, options, log));
		} catch (error) {
			log(`sustained ${mode.name} failed: ${(error as Error).stack ?? String(error)}`);
			failed.push({ mode: mode.name, error: ((error as Error).message ?? String(error)).split('\n')[0].slice(0, 300) });
		}
	}
	return out;
}

// ------------------------------------------------------------------------------------- report

export function sustainedRows(results: SustainedResult[]): { header: string[]; rows: Array<Array<string | number>> } {
	const header = [
		'mode',
		'Kommo req/s per process',
		'offered /min',
		'held /min',
		'backlog at end',
		'ack p50 / p95 / p99 s',
		'lost',
		'dup',
		'429s',
		'Kommo req/s',
		'Kommo calls/event',
		'RSS start / peak / end MB',
		'CPU ms/event',
		'cores used',
		'dedupe at end: Claim p50 / p95 ms',
		'Confirm p50 / p95 ms',
	];
	const s = (ms: number) => fmt(ms / 1000);
	const rows = results.map((r) => [
		r.workers ? `queue, ${r.workers} workers` : 'regular',
		r.workers ? `${r.kommoRpsPerProcess} × ${r.workers}` : r.kommoRpsPerProcess,
		r.offeredPerMin,
		r.heldPerMin,
		r.backlogAtEnd,
		`${s(r.ack.p50Ms)} / ${s(r.ack.p95Ms)} / ${s(r.ack.p99Ms)}`,
		r.lost,
		r.duplicated,
		r.kommo429,
		r.kommoReqPerSec,
		r.kommoCallsPerEvent,
		`${r.rss.startMb} / ${r.rss.peakMb} / ${r.rss.endMb}`,
		r.cpu.msPerEvent,
		r.cpu.cores,
		r.dedupe ? `${r.dedupe.claimP50Ms} / ${r.dedupe.claimP95Ms}` : '–',
		r.dedupe ? `${r.dedupe.confirmP50Ms} / ${r.dedupe.confirmP95Ms}` : '–',
	]);
	return { header, rows };
}

export function renderSustainedText(results: SustainedResult[]): string {
	const t = sustainedRows(results);
	return textTable(t.header, t.rows);
}

export interface ScaleCurveMeta {
	date: string;
	command: string;
	machine: string;
	load: string;
	ratePerS: number;
	durationS: number;
	concurrency: number;
}

export function renderScaleCurveMarkdown(results: SustainedResult[], meta: ScaleCurveMeta): string {
	const t = sustainedRows(results);
	const minutes = Math.max(0, ...results.map((r) => r.perMinute.length));
	const lines = [
		'# Scale curve (issue 17 target 5)',
		'',
		`- **Date:** ${meta.date}`,
		`- **Command:** \`${meta.command}\``,
		`- **Machine:** ${meta.machine}`,
		`- **Load average:** ${meta.load}`,
		`- **Stream:** ${meta.ratePerS} payment events/s (${meta.ratePerS * 60}/min) for ${meta.durationS} s, Chargebee, Paddle and Zuora in turn, each event for its own deal; at most ${meta.concurrency} deliveries in flight, every event retried until answered 2xx, as the vendors do. Each mode in a fresh n8n (shipped workflows only, 100 ms per sandbox call), one after the other.`,
		'',
		'*held /min* = acknowledgements per minute while the stream ran (every acknowledgement comes after the note landed in Kommo); *backlog* = events due by the end of the stream and not yet acknowledged; *ack* = delivery sent → 2xx; RSS and CPU of every n8n process (main, workers, task runners); *dedupe at end* = the Claim and Confirm node times of the last executions of each event workflow, with the history holding the whole run.',
		'',
		mdTable(t.header, t.rows),
		'',
		...(minutes > 0
			? [
					'Acknowledgements in each whole minute of the stream:',
					'',
					mdTable(
						['mode', ...Array.from({ length: minutes }, (_, i) => `minute ${i + 1}`)],
						results.map((r) => [r.mode, ...r.perMinute]),
					),
					'',
				]
			: []),
		'Acknowledgement latency per vendor (delivery sent → 2xx, s):',
		'',
		mdTable(
			['mode', 'vendor', 'events', 'p50', 'p95', 'p99'],
			results.flatMap((r) => Object.entries(r.ackByVendor).map(([v, a]) => [r.mode, v, a.events, a.p50Ms / 1000, a.p95Ms / 1000, a.p99Ms / 1000])),
		),
		'',
		'![Scale curve: events per minute and RSS over time, per mode](scale-curve.png)',
		'',
	];
	return lines.join('\n');
}

/** Writes latest.md, latest.json and scale-curve.png into `dir`. */
export function writeScaleCurve(dir: string, results: SustainedResult[], meta: ScaleCurveMeta): string[] {
	mkdirSync(dir, { recursive: true });
	const files = {
		'latest.json': `${JSON.stringify({ meta, results }, null, 2)}\n`,
		'latest.md': renderScaleCurveMarkdown(results, meta),
	};
	for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
	writeFileSync(path.join(dir, 'scale-curve.png'), renderScaleCurveChart(results, meta));
	return [...Object.keys(files), 'scale-curve.png'].map((f) => path.join(dir, f));
}
