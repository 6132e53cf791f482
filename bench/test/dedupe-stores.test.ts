// The bench's dedupe-cost report (issue 17 target 1): the shipped processed-data store and the
// Data Table candidate side by side, per history size.
import { dedupeStoreRows, renderMarkdown, type BenchResults } from '../lib/report';
import type { DedupeLevel } from '../lib/scenarios';

const level = (storedKeys: number, dataTable?: DedupeLevel['dataTable']): DedupeLevel => ({
	storedKeys,
	samples: 20,
	claimP50Ms: 10,
	claimP95Ms: 12,
	claimMeanMs: 11,
	roundTripP50Ms: 30,
	leaseClaimP50Ms: 40,
	leaseClaimP95Ms: 50,
	confirmP50Ms: 170,
	confirmP95Ms: 190,
	...(dataTable ? { dataTable } : {}),
});

describe('bench: dedupe store comparison', () => {
	test('one row per history size: lease Claim and Confirm p50 / p95 of both stores', () => {
		const t = dedupeStoreRows([
			level(10_000, { samples: 20, claimP50Ms: 45, claimP95Ms: 90, lookupP50Ms: 20, confirmP50Ms: 25, confirmP95Ms: 60 }),
			level(1_000_000),
		]);
		expect(t.header).toHaveLength(5);
		expect(t.rows[0]).toEqual([10_000, '40 / 50', '170 / 190', '45 / 90', '25 / 60']);
		expect(t.rows[1]).toEqual([1_000_000, '40 / 50', '170 / 190', '–', '–']);
	});

	test('the markdown report shows the comparison only when the candidate was measured', () => {
		const results = {
			meta: { date: '2026-12-04T00:00:00Z', command: 'npm run bench', machine: { cpus: 2, cpuModel: 'x', memoryGb: 1, os: 'Linux', node: '24', n8n: '2.40.7' }, load: { before: [1, 1, 1], after: [1, 1, 1] }, options: {}, durationS: 1, missingWorkflows: [] },
			won: [],
			bursts: [],
			dedupe: [level(10_000)],
			targets: [],
		} as unknown as BenchResults;
		expect(renderMarkdown(results)).not.toContain('Store comparison');
		results.dedupe = [level(10_000, { samples: 20, claimP50Ms: 45, claimP95Ms: 90, lookupP50Ms: 20, confirmP50Ms: 25, confirmP95Ms: 60 })];
		expect(renderMarkdown(results)).toContain('Store comparison');
		expect(renderMarkdown(results)).toContain('| 10000 | 40 / 50 | 170 / 190 | 45 / 90 | 25 / 60 |');
	});
});
