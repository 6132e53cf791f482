// Security review L4 (../shared/reviews/security.md): bookkeeping entries are `<key>#seen`,
// `<key>#lease:<slot>` and `<key>#probing`, so an event id containing `#seen` aliased the
// mark of another event (`ev_real#seen` → classified duplicate / in progress).
import { buildKey, escapeKey } from '../../nodes/BillingEventDedupe/keys';
import { decideLease, leaseEntry, liveSlots, probeEntries, seenEntry } from '../../nodes/BillingEventDedupe/lease';

const opts = { itemIndex: 0, expression: '={{ $json.normalized.dedupeKey }}' };

describe('dedupe keys cannot alias bookkeeping entries', () => {
	it('an id carrying a bookkeeping suffix gets a key of its own', () => {
		const real = buildKey('chargebee:ev_real', opts);
		const forged = buildKey('chargebee:ev_real#seen', opts);
		expect(forged).not.toBe(seenEntry(real));
		expect(forged).toBe('chargebee:ev_real%23seen');
		const slot = liveSlots(1_700_000_000_000, 120)[0];
		expect(buildKey(`chargebee:ev_real#lease:${slot}`, opts)).not.toBe(leaseEntry(real, slot));
	});

	it("a forged id's probe never counts as the real event's history", () => {
		const slots = liveSlots(1_700_000_000_000, 120);
		const real = buildKey('evt_1', opts);
		const history = new Set(probeEntries(real, slots));
		const forged = buildKey('evt_1#seen', opts);
		const decision = decideLease(forged, slots, (entry) => !history.has(entry));
		expect(decision.status).toBe('new');
	});

	it('is injective and leaves ordinary vendor ids unchanged (existing histories stay valid)', () => {
		for (const id of ['ev_16BHbhF4s42tO2lK', 'paddle:evt_01hv8x2axb33yr5y238zfwcn5p', 'zuora:P-1:PaymentProcessed:2026-01-01']) {
			expect(escapeKey(id)).toBe(id);
		}
		const ids = ['a#b', 'a%23b', 'a%b', 'a%25b', '#', '%'];
		expect(new Set(ids.map(escapeKey)).size).toBe(ids.length);
	});
});
