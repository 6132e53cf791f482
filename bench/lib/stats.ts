/** Small statistics and formatting helpers for the benchmark and the reliability suite. */

/** Nearest-rank percentile (p in 0..100) of the values; NaN for an empty list. */
export function percentile(values: number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function mean(values: number[]): number {
	return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function round(value: number, digits = 0): number {
	if (!Number.isFinite(value)) return value;
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}

/** ours / reference, rounded to 2 digits (NaN when either is missing). */
export function ratio(ours: number, reference: number): number {
	if (!Number.isFinite(ours) || !Number.isFinite(reference) || reference === 0) return Number.NaN;
	return round(ours / reference, 2);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items` with at most `concurrency` in flight; results in input order. */
export async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const worker = async () => {
		for (;;) {
			const i = next++;
			if (i >= items.length) return;
			results[i] = await fn(items[i], i);
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
	return results;
}

/** A plain-text table with aligned columns. */
export function textTable(header: string[], rows: Array<Array<string | number>>): string {
	const cells = [header, ...rows.map((r) => r.map((c) => fmt(c)))];
	const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
	const line = (r: Array<string | number>) => r.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ').trimEnd();
	return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** A markdown table. */
export function mdTable(header: string[], rows: Array<Array<string | number>>): string {
	const esc = (c: string | number) => fmt(c).replace(/\|/g, '\\|');
	return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function fmt(value: string | number): string {
	if (typeof value === 'number') {
		if (Number.isNaN(value)) return 'n/a';
		if (!Number.isFinite(value)) return '∞';
		return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
	}
	return value;
}
