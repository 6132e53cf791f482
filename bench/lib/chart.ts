/**
 * The scale-curve chart (bench/results/scale-curve/scale-curve.png): acknowledgements per minute
 * over time per mode against the offered rate, RSS over time, and per mode what it held with
 * its CPU per event. Drawn with png.ts (no chart library: the bench adds no dependencies).
 */
import { Canvas, type Rgb } from './png';
import type { ScaleCurveMeta, SustainedResult } from './sustained';

const BLACK: Rgb = [20, 20, 20];
const GREY: Rgb = [120, 120, 120];
const GRID: Rgb = [225, 225, 225];
export const MODE_COLOURS: Rgb[] = [
	[31, 119, 180],
	[230, 120, 20],
	[44, 160, 44],
	[214, 39, 40],
	[148, 103, 189],
];

/** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k at or above `v` (for axis ends). */
export function niceCeil(v: number): number {
	if (!Number.isFinite(v) || v <= 0) return 1;
	const p = 10 ** Math.floor(Math.log10(v));
	for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v - 1e-9 * p) return round6(m * p);
	return 10 * p;
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

interface Box {
	x: number;
	y: number;
	w: number;
	h: number;
}

function axes(c: Canvas, box: Box, xMax: number, yMax: number, title: string, xLabel: string, yLabel: string): void {
	c.text(box.x, box.y - 22, title, BLACK, 2);
	for (let i = 0; i <= 5; i++) {
		const y = box.y + box.h - (box.h * i) / 5;
		c.line(box.x, y, box.x + box.w, y, GRID);
		c.text(box.x - 6, y - 3, fmtTick((yMax * i) / 5), GREY, 1, 'right');
	}
	const xStep = niceCeil(xMax / 6);
	for (let x = 0; x <= xMax + 1e-9; x += xStep) {
		const px = box.x + (box.w * x) / xMax;
		c.line(px, box.y + box.h, px, box.y + box.h + 4, GREY);
		c.text(px, box.y + box.h + 8, fmtTick(x), GREY, 1, 'center');
	}
	c.line(box.x, box.y, box.x, box.y + box.h, BLACK);
	c.line(box.x, box.y + box.h, box.x + box.w, box.y + box.h, BLACK);
	c.text(box.x + box.w / 2, box.y + box.h + 22, xLabel, BLACK, 1, 'center');
	c.textUp(box.x - 48, box.y + box.h / 2 + Canvas.textWidth(yLabel) / 2, yLabel, BLACK);
}

function fmtTick(v: number): string {
	return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function series(c: Canvas, box: Box, xMax: number, yMax: number, points: Array<[number, number]>, colour: Rgb): void {
	const px = points
		.filter(([, y]) => Number.isFinite(y))
		.map(([x, y]): [number, number] => [box.x + (box.w * Math.min(x, xMax)) / xMax, box.y + box.h - (box.h * Math.min(y, yMax)) / yMax]);
	c.polyline(px, colour, 2);
}

function modeLabel(r: SustainedResult): string {
	return r.workers ? `queue, ${r.workers} workers x ${r.kommoRpsPerProcess}/s` : `regular, ${r.kommoRpsPerProcess}/s`;
}

export function renderScaleCurveChart(results: SustainedResult[], meta: ScaleCurveMeta, size = { width: 1000, height: 720 }): Buffer {
	const c = new Canvas(size.width, size.height);
	const offeredPerMin = meta.ratePerS * 60;
	c.text(20, 14, `Scale curve: ${offeredPerMin} events/min offered for ${meta.durationS} s, ${meta.concurrency} in flight`, BLACK, 2);
	c.text(20, 36, `${meta.date.slice(0, 16).replace('T', ' ')} UTC, ${meta.machine}`, GREY, 1);

	// ---- panel A: acknowledgements per minute over time
	// legend, one row under the title
	let lx = 20;
	results.forEach((r, i) => {
		c.fillRect(lx, 58, 18, 4, MODE_COLOURS[i % MODE_COLOURS.length]);
		c.text(lx + 24, 56, modeLabel(r), BLACK);
		lx += 24 + Canvas.textWidth(modeLabel(r)) + 30;
	});
	const a: Box = { x: 90, y: 104, w: size.width - 120, h: 250 };
	const tMax = Math.max(meta.durationS, ...results.flatMap((r) => r.timeline.map((p) => p.t + 10)));
	const yMaxA = niceCeil(Math.max(offeredPerMin * 1.2, ...results.flatMap((r) => r.timeline.map((p) => p.ackedPerMin))));
	axes(c, a, tMax, yMaxA, 'Events acknowledged per minute (10 s windows)', 'seconds since the stream started', 'events / min');
	const offeredY = a.y + a.h - (a.h * offeredPerMin) / yMaxA;
	c.line(a.x, offeredY, a.x + (a.w * meta.durationS) / tMax, offeredY, GREY, 1, [6, 4]);
	c.text(a.x + 6, offeredY - 11, `offered ${offeredPerMin}/min`, GREY);
	const endX = a.x + (a.w * meta.durationS) / tMax;
	c.line(endX, a.y, endX, a.y + a.h, GREY, 1, [3, 3]);
	c.text(endX - 4, a.y + 4, 'stream ends', GREY, 1, 'right');
	results.forEach((r, i) => series(c, a, tMax, yMaxA, r.timeline.map((p) => [p.t + 10, p.ackedPerMin]), MODE_COLOURS[i % MODE_COLOURS.length]));

	// ---- panel B: RSS over time
	const b: Box = { x: 90, y: 430, w: 470, h: 230 };
	const yMaxB = niceCeil(Math.max(100, ...results.flatMap((r) => r.timeline.map((p) => p.rssMb).filter(Number.isFinite))));
	axes(c, b, tMax, yMaxB, 'RSS, all n8n processes (MB)', 'seconds since the stream started', 'MB');
	results.forEach((r, i) => series(c, b, tMax, yMaxB, r.timeline.map((p) => [p.t + 5, p.rssMb]), MODE_COLOURS[i % MODE_COLOURS.length]));

	// ---- panel C: held per minute (bars), CPU per event and ack p99 under them
	const cBox: Box = { x: 650, y: 430, w: size.width - 680, h: 190 };
	c.text(cBox.x, cBox.y - 22, 'Held per minute', BLACK, 2);
	const yMaxC = niceCeil(1.15 * Math.max(offeredPerMin, ...results.map((r) => r.heldPerMin)));
	c.line(cBox.x, cBox.y + cBox.h, cBox.x + cBox.w, cBox.y + cBox.h, BLACK);
	const oy = cBox.y + cBox.h - (cBox.h * offeredPerMin) / yMaxC;
	c.line(cBox.x, oy, cBox.x + cBox.w, oy, GREY, 1, [6, 4]);
	const slot = cBox.w / Math.max(1, results.length);
	results.forEach((r, i) => {
		const h = (cBox.h * Math.min(r.heldPerMin, yMaxC)) / yMaxC;
		const x = cBox.x + slot * i + slot * 0.2;
		const w = slot * 0.6;
		c.fillRect(x, cBox.y + cBox.h - h, w, h, MODE_COLOURS[i % MODE_COLOURS.length]);
		c.text(x + w / 2, cBox.y + cBox.h - h - 12, `${Math.round(r.heldPerMin)}/min`, BLACK, 1, 'center');
		const cx = x + w / 2;
		c.text(cx, cBox.y + cBox.h + 8, r.workers ? `queue x${r.workers}` : 'regular', BLACK, 1, 'center');
		barLabels(r).forEach((label, k) => c.text(cx, cBox.y + cBox.h + 22 + 14 * k, label, GREY, 1, 'center'));
	});
	return c.toPng();
}

/** The figures under a mode's bar; a mode that answered nothing has none (not "NaN ms"). */
export function barLabels(r: Pick<SustainedResult, 'cpu' | 'ack' | 'lost' | 'duplicated'>): string[] {
	return [
		Number.isFinite(r.cpu.msPerEvent) ? `${Math.round(r.cpu.msPerEvent)} ms CPU/ev` : 'CPU/ev n/a',
		Number.isFinite(r.ack.p99Ms) ? `ack p99 ${(r.ack.p99Ms / 1000).toFixed(1)} s` : 'ack p99 n/a',
		`lost ${r.lost} dup ${r.duplicated}`,
	];
}
