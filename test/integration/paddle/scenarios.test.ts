/**
 * The sandbox sends Paddle's own event sequences (spec `GET /simulation-types` example,
 * ../shared/specs/paddle-billing-openapi.yaml ~line 9330: subscription_renewal, _pause, _resume,
 * _cancellation; the scheduled cancel shape from the real MonsterWriter capture), and the trigger's
 * normaliser reads only a change of items as a plan change (issue 15 item 5).
 */
import { normalizePaddleEvent } from '../../../nodes/PaddleBilling/trigger/normalize';
import { PaddleSandbox } from '../../../dev/sandbox/paddle';
import { useSandbox } from './helpers';

// The sandbox checks its traffic against Paddle's spec; compiling the checks takes a moment under load.
jest.setTimeout(30_000);

let sandbox: PaddleSandbox;
useSandbox({ subscriptionDelayMs: 0, started: (s) => (sandbox = s) });

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A card subscription, bought a little while ago (its items are not "new" any more). */
async function subscribed(collection: 'automatic' | 'manual' = 'automatic'): Promise<string> {
	const customer = sandbox.createCustomer({ email: `s${Math.random().toString(36).slice(2)}@example.com`, name: 'Sam' });
	const address = sandbox.createAddressFor(customer.id as string, 'US');
	const manual = collection === 'manual' ? { collection_mode: 'manual', billing_details: { payment_terms: { interval: 'day', frequency: 14 } }, status: 'billed' } : {};
	const txn = sandbox.createTransaction({ items: [{ price_id: sandbox.seed.monthlyUsd, quantity: 1 }], customer_id: customer.id, address_id: address.id, ...manual });
	if (collection === 'automatic') sandbox.completeTransaction(txn.id as string);
	await sandbox.settle();
	await wait(1_200);
	sandbox.events.length = 0;
	return String([...sandbox.subscriptions.values()].find((s) => s.customer_id === customer.id)?.id);
}

const names = () => sandbox.events.map((e) => e.event_type);
const updatesAre = () => sandbox.events.filter((e) => e.event_type === 'subscription.updated').map((e) => normalizePaddleEvent(e as never));

describe("the sandbox sends Paddle's scenario sequences, and only item changes are plan changes", () => {
	it('renewal (automatic): subscription.updated, transaction.created, .billed, .updated, .paid, .updated, .completed', async () => {
		const id = await subscribed();
		sandbox.renewSubscription(id);
		expect(names()).toEqual(['subscription.updated', 'transaction.created', 'transaction.billed', 'transaction.updated', 'transaction.paid', 'transaction.updated', 'transaction.completed']);
		expect(updatesAre()).toEqual([expect.objectContaining({ category: 'other', reason: 'renewed' })]);
		const completed = normalizePaddleEvent(sandbox.events.at(-1) as never);
		expect(completed.category).toBe('renewal');
		const billed = normalizePaddleEvent(sandbox.events[2] as never);
		expect(billed.category).toBe('other'); // an automatic renewal's billing is no invoice
	});

	it('renewal (invoiced): stops at transaction.billed, which is the invoice', async () => {
		const id = await subscribed('manual');
		sandbox.renewSubscription(id);
		expect(names()).toEqual(['subscription.updated', 'transaction.created', 'transaction.billed']);
		expect(normalizePaddleEvent(sandbox.events[2] as never).category).toBe('invoice');
		expect(updatesAre()[0]).toMatchObject({ category: 'other', reason: 'renewed' });
	});

	it('pause: subscription.updated, subscription.paused', async () => {
		const id = await subscribed();
		sandbox.pauseSubscription(id, { effective_from: 'immediately' });
		expect(names()).toEqual(['subscription.updated', 'subscription.paused']);
		expect(updatesAre()[0]).toMatchObject({ category: 'other', reason: 'status_paused' });
	});

	it('resume: subscription.updated, subscription.resumed, then the new period is charged', async () => {
		const id = await subscribed();
		sandbox.pauseSubscription(id, { effective_from: 'immediately' });
		await wait(1_200);
		sandbox.events.length = 0;
		sandbox.resumeSubscription(id, { effective_from: 'immediately' });
		expect(names()).toEqual(['subscription.updated', 'subscription.resumed', 'transaction.created', 'transaction.billed', 'transaction.updated', 'transaction.paid', 'transaction.updated', 'transaction.completed']);
		expect(updatesAre()[0].category).not.toBe('plan_changed');
	});

	it('scheduled cancel: subscription.updated with scheduled_change cancel (like the real capture), then at the period end .updated, .canceled', async () => {
		const id = await subscribed();
		sandbox.cancelSubscription(id, { effective_from: 'next_billing_period' });
		expect(names()).toEqual(['subscription.updated']);
		expect(updatesAre()[0]).toMatchObject({ category: 'other', reason: 'scheduled_cancel', status: 'active' });
		sandbox.applyScheduledChange(id);
		expect(names()).toEqual(['subscription.updated', 'subscription.updated', 'subscription.canceled']);
		expect(updatesAre()[1]).toMatchObject({ category: 'other', reason: 'status_canceled' });
	});

	it('a change of items is the one plan change', async () => {
		const id = await subscribed();
		sandbox.updateSubscription(id, { items: [{ price_id: sandbox.seed.yearlyUsd, quantity: 1 }], proration_billing_mode: 'do_not_bill' });
		expect(updatesAre()).toEqual([expect.objectContaining({ category: 'plan_changed', reason: 'items_changed', planId: sandbox.seed.yearlyUsd })]);
		sandbox.events.length = 0;
		await wait(1_200);
		sandbox.updateSubscription(id, { items: [{ price_id: sandbox.seed.yearlyUsd, quantity: 3 }], proration_billing_mode: 'do_not_bill' });
		expect(updatesAre()[0]).toMatchObject({ category: 'plan_changed', reason: 'items_changed' });
	});
});
