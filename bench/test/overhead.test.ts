import { coveredMs } from '../lib/scenarios';

describe('bench: time the vendors account for (coveredMs)', () => {
	test('calls one after the other: calls × latency', () => {
		expect(coveredMs([0, 110, 230], 100)).toBe(300);
	});
	test('calls side by side count once; partial overlaps count their uncovered part', () => {
		expect(coveredMs([0, 5], 100)).toBe(105);
		expect(coveredMs([200, 0, 50], 100)).toBe(250);
	});
	test('no calls: nothing', () => {
		expect(coveredMs([], 100)).toBe(0);
	});
});
