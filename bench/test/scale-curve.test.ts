// The bench's scale curve (issue 17 target 5): the PNG encoder and chart, the sustained run's
// statistics, and the targets table that covers all five targets of issue 17.
import { inflateSync } from 'node:zlib';

import { barLabels, renderScaleCurveChart, niceCeil } from '../lib/chart';
import { deliverAll, type DeliveryOutcome } from '../lib/deliver';
import { Canvas, crc32, encodePng, PNG_SIGNATURE } from '../lib/png';
import { renderMarkdown, type BenchResults } from '../lib/report';
import type { BurstResult, WonSummary } from '../lib/scenarios';
import { parseSustainedMode, sustainedStats, type SustainedObservation, type SustainedResult } from '../lib/sustained';
import { issue17Targets, littleLawAckMs, metLabel } from '../lib/targets';

/** Splits a PNG into its chunks, checking every CRC. */
function chunks(png: Buffer): Array<{ type: string; data: Buffer }> {
	expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
	const out: Array<{ type: string; data: Buffer }> = [];
	let at = 8;
	while (at < png.length) {
		const length = png.readUInt32BE(at);
		const type = png.toString('ascii', at + 4, at + 8);
		const data = png.subarray(at + 8, at + 8 + length);
		expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
		out.push({ type, data });
		at += 12 + length;
	}
	return out;
}

describe('bench: PNG encoder', () => {
	test('CRC-32 matches the check value of the standard polynomial', () => {
		expect(crc32(Buffer.from('123456789', 'ascii'))).toBe(0xcbf43926);
		// the CRC of the IEND chunk every PNG ends with
		expect(crc32(Buffer.from('IEND', 'ascii'))).toBe(0xae426082);
	});

	test('signature, IHDR with the dimensions, IDAT inflating to the scanlines, IEND; every CRC valid', () => {
		const c = new Canvas(7, 3, [255, 255, 255]);
		c.set(2, 1, [10, 20, 30]);
		const png = c.toPng();
		const parts = chunks(png);
		expect(parts.map((p) => p.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
		const ihdr = parts[0].data;
		expect(ihdr.readUInt32BE(0)).toBe(7);
		expect(ihdr.readUInt32BE(4)).toBe(3);
		expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
		const raw = inflateSync(parts[1].data);
		expect(raw.length).toBe(3 * (1 + 7 * 3));
		const row1 = raw.subarray(1 + 7 * 3, 2 * (1 + 7 * 3));
		expect(row1[0]).toBe(0); // filter type None
		expect([...row1.subarray(1 + 2 * 3, 1 + 3 * 3)]).toEqual([10, 20, 30]);
		expect(parts[2].data.length).toBe(0);
	});

	test('refuses pixels that do not fit the size', () => {
		expect(() => encodePng(2, 2, new Uint8Array(5))).toThrow('5 bytes for 2×2');
	});

	test('text draws glyph pixels inside its box, nothing outside', () => {
		const c = new Canvas(40, 12);
		c.text(1, 1, 'H1', [0, 0, 0]);
		const ink = (x0: number, x1: number) => {
			let n = 0;
			for (let y = 0; y < 12; y++) for (let x = x0; x < x1; x++) if (c.get(x, y)[0] === 0) n++;
			return n;
		};
		expect(Canvas.textWidth('H1')).toBe(11);
		expect(ink(1, 12)).toBeGreaterThan(10);
		expect(ink(12, 40)).toBe(0);
	});

	test('axis ends are round numbers at or above the value', () => {
		expect(niceCeil(360)).toBe(400);
		expect(niceCeil(432)).toBe(500);
		expect(niceCeil(5300)).toBe(6000);
		expect(niceCeil(1)).toBe(1);
		expect(niceCeil(0)).toBe(1);
	});
});

// ------------------------------------------------------------------------------------- sustained

const T0 = 1_000_000;

function observation(): SustainedObservation {
	// 120 s at 1 event/s; vendors alternate; every event answered 2 s after it was sent, except
	// the last 10, answered after the stream ended; event 5 landed twice, event 7 not at all
	const events = Array.from({ length: 120 }, (_, i) => ({ id: `e${i}`, vendor: i % 2 ? 'paddle' : 'chargebee', dueAt: T0 + i * 1000 }));
	const outcomes: DeliveryOutcome[] = events.map((e, i) => ({
		id: e.id,
		attempts: 1,
		statuses: [200],
		firstAt: e.dueAt,
		ackAt: i < 110 ? e.dueAt + 2000 : T0 + 125_000,
		ok: true,
	}));
	outcomes.push({ id: 'never', attempts: 3, statuses: [503, 0, 503], firstAt: T0, ok: false });
	events.push({ id: 'never', vendor: 'zuora', dueAt: T0 });
	const notes = new Map(events.map((e) => [e.id, e.id === 'e5' ? 2 : e.id === 'e7' || e.id === 'never' ? 0 : 1]));
	return {
		mode: parseSustainedMode('queue2'),
		startedAt: T0,
		durationMs: 120_000,
		ratePerS: 1,
		events,
		outcomes,
		notes,
		rss: [
			{ t: T0 + 1000, mb: 1000 },
			{ t: T0 + 60_000, mb: 1400 },
			{ t: T0 + 125_000, mb: 1200 },
		],
		cpuMs: 24_000,
		wallMs: 130_000,
		kommo: Array.from({ length: 121 }, (_, i) => ({ at: T0 + i * 1000, status: i === 3 ? 429 : 201 })),
		kommoMaxInAnySecond: 2,
	};
}

describe('bench: sustained run statistics', () => {
	test('modes: regular keeps 7 req/s; queueN splits 7 between N workers, at least 1 each', () => {
		expect(parseSustainedMode('regular')).toEqual({ name: 'regular', mode: 'regular', workers: 0, kommoRpsPerProcess: 7 });
		expect(parseSustainedMode('queue2')).toMatchObject({ mode: 'queue', workers: 2, kommoRpsPerProcess: 3 });
		expect(parseSustainedMode('queue4')).toMatchObject({ workers: 4, kommoRpsPerProcess: 1 });
		expect(parseSustainedMode('queue8')).toMatchObject({ workers: 8, kommoRpsPerProcess: 1 });
		expect(() => parseSustainedMode('queue')).toThrow('queue<N>');
	});

	test('held per minute, backlog, per-minute counts, lost and duplicated', () => {
		const r = sustainedStats(observation());
		expect(r.offeredPerMin).toBe(60);
		expect(r.offered).toBe(121);
		// acknowledged by the end of the window: events 0..109 (each 2 s after it was due; e109 at 111 s)
		expect(r.ackedInWindow).toBe(110);
		expect(r.heldPerMin).toBe(55);
		expect(r.perMinute).toEqual([59, 51]);
		expect(r.backlogAtEnd).toBe(11); // 121 due by the end, 110 answered
		expect(r.acknowledged).toBe(120);
		expect(r.pending).toBe(1);
		expect(r.lost).toBe(1); // e7: acknowledged, no note
		expect(r.duplicated).toBe(1); // e5
		expect(r.non2xxAnswers).toBe(2);
		expect(r.deliveryAttempts).toBe(123);
	});

	test('latency percentiles overall and per vendor; Kommo, RSS and CPU per event', () => {
		const r = sustainedStats(observation());
		expect(r.ack.p50Ms).toBe(2000);
		expect(r.ack.p99Ms).toBeGreaterThan(2000);
		expect(Object.keys(r.ackByVendor).sort()).toEqual(['chargebee', 'paddle', 'zuora']);
		expect(r.ackByVendor.chargebee.events).toBe(60);
		expect(r.ackByVendor.zuora.events).toBe(0);
		expect(r.kommo429).toBe(1);
		expect(r.kommoReqPerSec).toBe(1);
		expect(r.kommoCallsPerEvent).toBe(1.01);
		expect(r.rss).toEqual({ startMb: 1000, peakMb: 1400, meanMb: 1200, endMb: 1200 });
		expect(r.cpu.msPerEvent).toBe(200);
		expect(r.cpu.cores).toBe(0.18);
	});

	test('timeline: 10 s windows scaled to a minute, through the drain', () => {
		const r = sustainedStats(observation());
		expect(r.timeline[0]).toEqual({ t: 0, ackedPerMin: 54, rssMb: 1000 }); // 9 acks in (0, 10 s]
		expect(r.timeline[1].ackedPerMin).toBe(60);
		expect(r.timeline[r.timeline.length - 1].t).toBe(120);
		expect(r.timeline[r.timeline.length - 1].ackedPerMin).toBe(60); // the 10 answered at 125 s
	});
});

// ------------------------------------------------------------------------------------- targets

const won = (vendor: string, variant: 'ours' | 'reference', p50Ms: number, overheadP95Ms: number): WonSummary =>
	({ vendor, variant, deals: 50, failed: 0, p50Ms, p95Ms: p50Ms + 50, meanMs: p50Ms, callsPerDeal: 8, kommoCallsPerDeal: 4, overheadP50Ms: 100, overheadP95Ms, errors: [] }) as WonSummary;

const burst = (mode: 'regular' | 'queue', extra: Partial<BurstResult> = {}): BurstResult =>
	({
		variant: 'ours',
		mode,
		events: 500,
		concurrency: 20,
		completionMs: 80_000,
		completed: true,
		kommoReqPerSec: 6.3,
		kommoMaxInAnySecond: 7,
		kommo429: 0,
		kommo403: 0,
		notesLanded: 500,
		lost: 0,
		duplicated: 0,
		ackP50Ms: 3000,
		ackP95Ms: 3600,
		ackP99Ms: 3900,
		ackByVendor: { chargebee: { events: 167, p50Ms: 3000, p95Ms: 3600, p99Ms: 3800 }, paddle: { events: 167, p50Ms: 3000, p95Ms: 3600, p99Ms: 3950 } },
		kommoCallsPerEvent: 1.02,
		memory: { beforeMb: 1, peakMb: 1, meanMb: 1, afterMb: 1 },
		cpu: { msPerEvent: 200, cores: 1 },
		...extra,
	}) as BurstResult;

describe('bench: issue 17 targets table', () => {
	test("Little's law: 20 in flight at 7 req/s and 1 Kommo call per event is 2.86 s, above 2 s", () => {
		expect(littleLawAckMs(20, 1)).toBe(2857);
		expect(littleLawAckMs(20, 1.02)).toBeGreaterThan(2000);
		expect(littleLawAckMs(10, 1)).toBeLessThan(2000);
	});

	test('nothing measured: every target of all five is listed as not measured', () => {
		const t = issue17Targets({ won: [], bursts: [], dedupe: [], concurrency: 20 });
		expect(t.map((x) => x.target.slice(0, 2))).toEqual(['1.', '1.', '1.', '2.', '2.', '2.', '3.', '3.', '4.', '4.', '5.', '5.', '5.']);
		expect(t.every((x) => x.met === null && x.measured.startsWith('not measured'))).toBe(true);
		expect(metLabel(t[0])).toBe('not measured');
	});

	test('a sustained mode that was run and failed is reported as failed, not as not measured', () => {
		const t = issue17Targets({ won: [], bursts: [], dedupe: [], sustainedFailed: [{ mode: 'queue2', error: 'n8n did not start in 240 s' }], concurrency: 20 });
		const scale = t.filter((x) => x.target.startsWith('5.'));
		expect(scale[0]).toMatchObject({ met: null });
		expect(scale[1]).toMatchObject({ met: false, measured: 'failed: n8n did not start in 240 s' });
		expect(metLabel(scale[1])).toBe('NOT MET (the mode was run but did not complete: the run log has the stack)');
		expect(scale[2].measured).toMatch(/^not measured/);
	});

	test('measured parts: met / not met with the measured value, the rest not measured', () => {
		const sustained = { ...sustainedStats(observation()), durationS: 300, lost: 0, duplicated: 0, dedupe: { samples: 60, claimP50Ms: 40, claimP95Ms: 60, confirmP50Ms: 170, confirmP95Ms: 200, historyEvents: 600 } } as SustainedResult;
		const t = issue17Targets({
			won: [won('chargebee', 'ours', 900, 200), won('chargebee', 'reference', 1000, 210), won('paddle', 'ours', 1100, 400), won('paddle', 'reference', 1000, 700)],
			bursts: [burst('regular'), burst('queue', { workers: 2, kommoReqPerSec: 5.3 })],
			dedupe: [{ storedKeys: 10_000, leaseClaimP95Ms: 50, confirmP95Ms: 190 } as never],
			sustained: [sustained],
			concurrency: 20,
		});
		const by = (prefix: string) => t.filter((x) => x.target.startsWith(prefix));
		expect(by('1.')[0]).toMatchObject({ met: false, measured: 'processed-data 50 / 190 ms' });
		expect(by('1.')[1].met).toBeNull();
		expect(by('2. Won → Chargebee')[0]).toMatchObject({ met: true, measured: 'overhead p95 200 ms (reference 210), p50 ratio 0.90' });
		expect(by('2. Won → Paddle')[0].met).toBe(false); // ratio 1.10 > 1.05
		expect(by('2. Won → Zuora')[0].met).toBeNull();
		const ack = by('3. Burst (regular)')[0];
		expect(ack.met).toBe(false);
		expect(ack.measured).toContain('ack p99 3.90 s (Chargebee 3.80, Paddle 3.95)');
		expect(ack.why).toContain("Little's law");
		expect(ack.why).toContain('2.91 s');
		expect(by('4. Queue mode, 2 workers')[0]).toMatchObject({ met: false, measured: '5.30 req/s (76 %), max 7 in 1 s' });
		expect(by('4. Queue mode, 4 workers')[0].met).toBeNull();
		const scale = by('5.');
		expect(scale[0].met).toBeNull(); // regular not run
		expect(scale[1].met).toBe(true); // queue2
		expect(scale[1].measured).toContain('held 55/min of 60 offered');
		expect(scale[2].met).toBeNull();
		expect(metLabel(by('3. Burst (regular)')[0], true)).toMatch(/^\*\*not met\*\* — acknowledged after the Kommo effect/);
	});

	test('the markdown report shows ack p99 next to p95, per vendor, the sustained table and the targets', () => {
		const results = {
			meta: { date: '2026-12-06T00:00:00Z', command: 'npm run bench', machine: { cpus: 2, cpuModel: 'x', memoryGb: 1, os: 'Linux', node: '24', n8n: '2.40.7' }, load: { before: [1, 1, 1], after: [1, 1, 1] }, options: { sustainedRate: 1, sustainedS: 120 }, durationS: 1, missingWorkflows: [] },
			won: [],
			bursts: [burst('regular')],
			dedupe: [],
			sustained: [sustainedStats(observation())],
			targets: issue17Targets({ won: [], bursts: [burst('regular')], dedupe: [], concurrency: 20 }),
		} as unknown as BenchResults;
		const md = renderMarkdown(results);
		expect(md).toContain('| ack p95 s | ack p99 s |');
		expect(md).toContain('| ours | regular | chargebee | 167 | 3 | 3.60 | 3.80 | 1.02 |');
		expect(md).toContain('## Sustained run (scale curve)');
		expect(md).toContain('| queue, 2 workers | 3 × 2 | 60 | 55 |');
		expect(md).toContain('## Targets (issue 17)');
		expect(md).toContain('| 4. Queue mode, 4 workers: ≥ 90 % of Kommo\'s 7 req/s | not measured');
	});
});

describe('bench: steady delivery', () => {
	test('each event is sent at its start time, not before', async () => {
		const t0 = Date.now();
		const sentAt: number[] = [];
		const outcomes = await deliverAll(
			[0, 60, 120].map((ms, i) => ({
				id: `e${i}`,
				startAt: t0 + ms,
				send: async () => {
					sentAt.push(Date.now() - t0);
					return { status: 200, headers: {}, body: '' } as never;
				},
			})),
			{ concurrency: 5 },
		);
		expect(outcomes.every((o) => o.ok)).toBe(true);
		expect(sentAt[1]).toBeGreaterThanOrEqual(55);
		expect(sentAt[2]).toBeGreaterThanOrEqual(115);
	});

	test('once the run is over, deliveries still waiting for a slot send nothing', async () => {
		let sends = 0;
		let over = false;
		const outcomes = await deliverAll(
			Array.from({ length: 5 }, (_, i) => ({
				id: `e${i}`,
				send: async () => {
					sends++;
					over = true;
					await new Promise((resolve) => setTimeout(resolve, 20));
					return { status: 200, headers: {}, body: '' } as never;
				},
			})),
			{ concurrency: 1, shouldStop: () => over },
		);
		expect(sends).toBe(1);
		expect(outcomes.filter((o) => o.attempts === 0)).toHaveLength(4);
	});
});

describe('bench: scale-curve chart', () => {
	test('a PNG of the requested size', () => {
		const png = renderScaleCurveChart([sustainedStats(observation())], {
			date: '2026-12-06T00:00:00Z',
			command: 'npm run bench',
			machine: '2 x CPU',
			load: '1',
			ratePerS: 1,
			durationS: 120,
			concurrency: 20,
		});
		const ihdr = chunks(png)[0].data;
		expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)]).toEqual([1000, 720]);
	});

	test('a mode that answered nothing shows n/a under its bar, not NaN', () => {
		const none = { cpu: { msPerEvent: Number.NaN, cores: 0.5 }, ack: { p50Ms: Number.NaN, p95Ms: Number.NaN, p99Ms: Number.NaN }, lost: 0, duplicated: 0 };
		expect(barLabels(none)).toEqual(['CPU/ev n/a', 'ack p99 n/a', 'lost 0 dup 0']);
		const some = { ...none, cpu: { msPerEvent: 626.4, cores: 1.2 }, ack: { p50Ms: 900, p95Ms: 1500, p99Ms: 2049 } };
		expect(barLabels(some)).toEqual(['626 ms CPU/ev', 'ack p99 2.0 s', 'lost 0 dup 0']);
	});
});
