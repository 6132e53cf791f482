/**
 * The sandbox's own notifications have the keys and value shapes of Paddle's (issue 15 item 16):
 * for every event type the corpus has (test/fixtures/paddle: Paddle's spec examples), the
 * sandbox's `data` has the same keys — none missing, none extra — and each value the same kind
 * (string / number / boolean / object / array, or null on either side).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PaddleSandbox } from '../../../dev/sandbox/paddle';

type Json = Record<string, unknown>;
const FIXTURES = path.join(__dirname, '../../fixtures/paddle');
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function sandboxRun(): PaddleSandbox {
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
	return s;
}
const run = sandboxRun();

function sandboxEvents(): Map<string, Json> {
	const out = new Map<string, Json>();
	for (const e of run.events) if (!out.has(e.event_type)) out.set(e.event_type, e.data);
	return out;
}

/** Every event the sandbox emitted, by type (the `data` of each). */
function allSandboxEvents(): Map<string, Json[]> {
	const out = new Map<string, Json[]>();
	for (const e of run.events) out.set(e.event_type, [...(out.get(e.event_type) ?? []), e.data]);
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

/**
 * Deeper than the top level: at every depth, the sandbox's objects have every key that all the
 * corpus's objects at that place have, no key that none of them has, and the same kind of value
 * (null aside). The corpus here is every body of the type: Paddle's spec examples, the Python
 * SDK's entity fixtures (2026), the real capture (2025-03), the signed SDK bodies.
 */
describe('at every depth, against the whole corpus', () => {
	const bodies = new Map<string, Json[]>();
	for (const f of readdirSync(FIXTURES).filter((f) => f !== 'SOURCES.md')) {
		const parsed = JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as Json;
		const entity = /entity-data-only__(.+)\.json$/.exec(f);
		const type = entity ? entity[1] : String(parsed.event_type);
		const data = entity ? parsed : (parsed.data as Json);
		bodies.set(type, [...(bodies.get(type) ?? []), data]);
	}
	const all = allSandboxEvents();
	// What is ours to choose, not Paddle's shape: merchant data.
	const OPAQUE = new Set(['custom_data']);

	function compare(corpus: unknown[], ours: unknown[], at: string, out: string[]): void {
		const flat = (values: unknown[]) => values.flatMap((v) => (Array.isArray(v) ? v : [v]));
		const objects = (values: unknown[]) => flat(values).filter((v): v is Json => kind(v) === 'object');
		const theirs = objects(corpus);
		const mine = objects(ours);
		if (theirs.length === 0 || mine.length === 0) return;
		const everywhere = Object.keys(theirs[0]).filter((k) => theirs.every((o) => k in o));
		const anywhere = new Set(theirs.flatMap((o) => Object.keys(o)));
		for (const o of mine) {
			for (const k of everywhere) if (!(k in o)) out.push(`${at}.${k} missing`);
			for (const k of Object.keys(o)) if (!anywhere.has(k)) out.push(`${at}.${k} extra`);
		}
		for (const k of anywhere) {
			if (OPAQUE.has(k)) continue;
			const kindsOf = (values: Json[]) => new Set(values.filter((o) => k in o).map((o) => kind(o[k])).filter((x) => x !== 'null'));
			const [a, b] = [kindsOf(theirs), kindsOf(mine)];
			if (a.size > 0 && b.size > 0 && ![...b].every((x) => a.has(x))) out.push(`${at}.${k} is ${[...b].join('/')}, Paddle's ${[...a].join('/')}`);
			compare(theirs.map((o) => o[k]), mine.map((o) => o[k]), `${at}.${k}`, out);
		}
	}

	const types = [...bodies.keys()].filter((t) => all.has(t)).sort();
	it('covers the corpus types the sandbox emits', () => {
		expect(types).toEqual(expect.arrayContaining(['customer.created', 'subscription.created', 'subscription.updated', 'transaction.completed', 'transaction.payment_failed']));
	});

	it.each(types.map((t) => [t]))('%s', (type) => {
		const out: string[] = [];
		compare(bodies.get(type)!, all.get(type)!, 'data', out);
		expect({ type, differences: [...new Set(out)] }).toEqual({ type, differences: [] });
	});
});
