/**
 * The sandbox's own notifications have the keys and value shapes of Paddle's (issue 15 item 16):
 * for every event type the corpus has (test/fixtures/paddle: Paddle's spec examples), the
 * sandbox's `data` has the same keys — none missing, none extra — and each value the same kind
 * (string / number / boolean / object / array, or null on either side).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PaddleSandbox } from '../../sandbox/paddle';

type Json = Record<string, unknown>;
const FIXTURES = path.join(__dirname, '../../fixtures/paddle');
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function sandboxEvents(): Map<string, Json> {
	const s = new PaddleSandbox();
	s.autoDeliver = false;
	s.subscriptionDelayMs = 0;
	const c = s.createCustomer({ email: 'shape@example.com', name: 'Shape' });
	const a = s.createAddressFor(c.id as string, 'US');
	const t = s.createTransaction({ items: [{ price_id: s.seed.monthlyUsd, quantity: 1 }], customer_id: c.id, address_id: a.id });
	s.completeTransaction(t.id as string);
	const sub = String([...s.subscriptions.values()][0].id);
	s.renewSubscription(sub);
	const renewal = [...s.transactions.values()].find((x) => x.origin === 'subscription_recurring')!;
	s.failPayment(String(renewal.id));
	s.markPastDue(String(renewal.id));
	s.completeTransaction(String(renewal.id));
	s.updateSubscription(sub, { items: [{ price_id: s.seed.yearlyUsd, quantity: 1 }], proration_billing_mode: 'do_not_bill' });
	s.pauseSubscription(sub, { effective_from: 'immediately' });
	s.resumeSubscription(sub, { effective_from: 'immediately' });
	s.cancelSubscription(sub, { effective_from: 'immediately' });
	const out = new Map<string, Json>();
	for (const e of s.events) if (!out.has(e.event_type)) out.set(e.event_type, e.data);
	return out;
}

const corpus = readdirSync(FIXTURES)
	.filter((f) => f.startsWith('spec-example__'))
	.map((f) => JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as { event_type: string; data: Json });
const mine = sandboxEvents();

it('the sandbox emits every event type the corpus has', () => {
	expect(corpus.length).toBeGreaterThanOrEqual(10);
	// subscription.activated (end of a trial) is not modelled: the sandbox has no trials.
	const missing = corpus.map((c) => c.event_type).filter((t) => !mine.has(t) && t !== 'subscription.activated');
	expect(missing).toEqual([]);
});

it.each(corpus.filter((c) => mine.has(c.event_type)).map((c) => [c.event_type, c] as const))('%s: same keys and value kinds as Paddle\'s', (type, c) => {
	const ours = mine.get(type)!;
	expect({ type, missing: Object.keys(c.data).filter((k) => !(k in ours)), extra: Object.keys(ours).filter((k) => !(k in c.data)) }).toEqual({ type, missing: [], extra: [] });
	const differ = Object.keys(c.data).filter((k) => {
		const [x, y] = [kind(c.data[k]), kind(ours[k])];
		return x !== y && x !== 'null' && y !== 'null';
	});
	expect({ type, differ }).toEqual({ type, differ: [] });
});
