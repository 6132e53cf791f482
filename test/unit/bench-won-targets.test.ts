import type { WonSummary } from '../../bench/lib/scenarios';
import { wonTarget2 } from '../../bench/lib/won-targets';

const summary = (vendor: WonSummary['vendor'], variant: WonSummary['variant'], p50Ms: number, overheadP95Ms: number, failed = 0): WonSummary => ({
	vendor,
	variant,
	deals: 30,
	failed,
	p50Ms,
	p95Ms: p50Ms + 100,
	meanMs: p50Ms,
	callsPerDeal: 8,
	kommoCallsPerDeal: 4,
	overheadP50Ms: overheadP95Ms - 50,
	overheadP95Ms,
	errors: [],
});

describe('bench: issue 17 target 2 rows (Won, ours against the reference)', () => {
	test('one row per vendor with both variants; p50 ratio limit 1.0, Paddle 1.05; overhead p95 ours ≤ reference', () => {
		const rows = wonTarget2([
			summary('chargebee', 'ours', 1000, 300),
			summary('chargebee', 'reference', 1000, 300),
			summary('paddle', 'ours', 1040, 200),
			summary('paddle', 'reference', 1000, 250),
			summary('zuora', 'ours', 1010, 200),
			summary('zuora', 'reference', 1000, 250),
		]);
		expect(rows.map((r) => [r.target.split(' ')[2], r.met])).toEqual([
			['chargebee', true],
			['paddle', true],
			['zuora', false],
		]);
		expect(rows[1].target).toContain('≤ 1.05');
		expect(rows[2].measured).toBe('overhead p95 200 vs 250 ms; p50 1010 vs 1000 ms = 1.01');
	});

	test('higher overhead p95 than the reference, or a failed deal on either side, is not met', () => {
		const rows = wonTarget2([
			summary('chargebee', 'ours', 900, 301),
			summary('chargebee', 'reference', 1000, 300),
			summary('zuora', 'ours', 900, 200),
			summary('zuora', 'reference', 1000, 250, 3),
		]);
		expect(rows.map((r) => r.met)).toEqual([false, false]);
		expect(rows[1].measured).toContain('failed deals: ours 0, reference 3');
	});

	test('a vendor measured with ours only gets no row', () => {
		expect(wonTarget2([summary('paddle', 'ours', 1000, 200)])).toEqual([]);
	});
});
