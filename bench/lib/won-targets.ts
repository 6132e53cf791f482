/**
 * Issue 17 target 2 ("Won"), one row per vendor measured with both variants: our overhead p95 at
 * most the reference's, and end-to-end p50 ours/reference at most 1.0 (Chargebee, Zuora) or 1.05
 * (Paddle, whose invoice path polls the transaction until Paddle names the subscription).
 */
import type { BenchResults } from './report';
import type { WonSummary } from './scenarios';
import { ratio } from './stats';

export const WON_P50_RATIO_LIMIT: Record<string, number> = { chargebee: 1.0, paddle: 1.05, zuora: 1.0 };

export function wonTarget2(won: WonSummary[]): BenchResults['targets'] {
	const out: BenchResults['targets'] = [];
	for (const ours of won.filter((w) => w.variant === 'ours')) {
		const ref = won.find((w) => w.vendor === ours.vendor && w.variant === 'reference');
		if (!ref) continue;
		const limit = WON_P50_RATIO_LIMIT[ours.vendor] ?? 1.0;
		const p50Ratio = ratio(ours.p50Ms, ref.p50Ms);
		const complete = ours.failed === 0 && ref.failed === 0;
		const met = complete && ours.overheadP95Ms <= ref.overheadP95Ms && p50Ratio <= limit;
		out.push({
			target: `Won → ${ours.vendor} (target 2): overhead p95 ours ≤ reference, p50 ours/reference ≤ ${limit.toFixed(2)}`,
			measured:
				`overhead p95 ${ours.overheadP95Ms} vs ${ref.overheadP95Ms} ms; p50 ${ours.p50Ms} vs ${ref.p50Ms} ms = ${p50Ratio}` +
				(complete ? '' : ` (failed deals: ours ${ours.failed}, reference ${ref.failed})`),
			met,
		});
	}
	return out;
}
