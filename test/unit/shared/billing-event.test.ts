import { compareOrderingVersions } from '../../../nodes/shared/billing-event';

describe('compareOrderingVersions', () => {
	it('compares decimal resource versions as integers, beyond 2^53', () => {
		expect(compareOrderingVersions('1517505396000', '1517505397000')).toBe(-1);
		expect(compareOrderingVersions('9', '10')).toBe(-1);
		expect(compareOrderingVersions('90071992547409931', '90071992547409930')).toBe(1);
		expect(compareOrderingVersions('42', '42')).toBe(0);
	});

	it('compares ISO times as instants, keeping microseconds and offsets', () => {
		expect(compareOrderingVersions('2024-04-12T10:18:49.621022Z', '2024-04-12T10:18:49.621023Z')).toBe(-1);
		expect(compareOrderingVersions('2024-04-12T12:00:00+02:00', '2024-04-12T10:00:00Z')).toBe(0);
		expect(compareOrderingVersions('2024-04-12T10:00:01Z', '2024-04-12T10:00:00.999Z')).toBe(1);
	});

	it('treats a mix or an unreadable version as equal, never as stale', () => {
		expect(compareOrderingVersions('12', '2024-04-12T10:00:00Z')).toBe(0);
		expect(compareOrderingVersions('yesterday', '2024-04-12T10:00:00Z')).toBe(0);
		expect(compareOrderingVersions('1'.repeat(100000), '2')).toBe(0);
	});
});
