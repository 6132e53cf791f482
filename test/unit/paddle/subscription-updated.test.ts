/**
 * Paddle sends `subscription.updated` on every renewal, before every pause, resume and cancel, and
 * for scheduled changes — not only for plan changes (spec `GET /simulation-types` example,
 * scenarios subscription_renewal / _pause / _resume / _cancellation). Only a change of items is a
 * plan change; the rest must not write "Plan changed" on the deal (issue 15 item 5).
 *
 * Fixtures: test/fixtures/paddle (see SOURCES.md there): Paddle's own spec example, the Python
 * SDK's entity fixture and a real production capture of a scheduled cancel.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { categoryOf, normalizePaddleEvent } from '../../../nodes/PaddleBilling/trigger/normalize';
import { subscriptionChange } from '../../../nodes/PaddleBilling/subscription-change';

const fixture = (name: string) => JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/paddle', name), 'utf8')) as IDataObject;
const wrap = (data: IDataObject, eventType = 'subscription.updated'): IDataObject => ({
	event_id: 'evt_01hv8x2axb33yr5y238zfwcn5p',
	event_type: eventType,
	occurred_at: String(data.updated_at),
	notification_id: 'ntf_01hv8x2af22vrrz7k67g06x1kq',
	data,
});

describe('subscription.updated is classified from the payload', () => {
	it("Paddle's spec example (an item added, a quantity changed) is a plan change", () => {
		const event = fixture('spec-example__subscription.updated.json');
		expect(subscriptionChange(event.data as IDataObject)).toBe('items_changed');
		expect(normalizePaddleEvent(event)).toMatchObject({ category: 'plan_changed', reason: 'items_changed' });
		const sdk = fixture('sdk-python__entity-data-only__subscription.updated.json');
		expect(normalizePaddleEvent(wrap(sdk)).category).toBe('plan_changed');
	});

	it('a real scheduled cancel (MonsterWriter capture, 2025-03) is not a plan change', () => {
		const event = fixture('real-capture__monsterwriter_subscription.updated_2025-03-26.wire.body');
		expect(normalizePaddleEvent(event)).toMatchObject({ category: 'other', reason: 'scheduled_cancel', status: 'active' });
	});

	it('a renewal (new billing period that began with this update) is not a plan change', () => {
		// The SDK's subscription fixture, moved to its next period as Paddle does at renewal.
		const data = fixture('sdk-python__entity-data-only__subscription.activated.json');
		const start = '2024-05-12T10:37:59.556997Z';
		data.current_billing_period = { starts_at: start, ends_at: '2024-06-12T10:37:59.556997Z' };
		data.next_billed_at = '2024-06-12T10:37:59.556997Z';
		data.updated_at = '2024-05-12T10:38:01.123Z';
		for (const item of data.items as IDataObject[]) {
			item.previously_billed_at = start;
			item.next_billed_at = data.next_billed_at;
			item.updated_at = data.updated_at;
		}
		expect(normalizePaddleEvent(wrap(data))).toMatchObject({ category: 'other', reason: 'renewed' });
	});

	it.each([
		['paused', 'status_paused'],
		['canceled', 'status_canceled'],
		['past_due', 'status_past_due'],
	])('the update before subscription.%s (status moved) is not a plan change', (status, reason) => {
		const data = { ...fixture('sdk-python__entity-data-only__subscription.updated.json'), status };
		expect(normalizePaddleEvent(wrap(data))).toMatchObject({ category: 'other', reason });
	});

	it.each([
		['pause', 'scheduled_pause'],
		['resume', 'scheduled_resume'],
	])('a scheduled %s is not a plan change', (action, reason) => {
		const data = { ...fixture('sdk-python__entity-data-only__subscription.updated.json'), scheduled_change: { action, effective_at: '2024-05-12T10:37:59.556997Z', resume_at: null } };
		expect(normalizePaddleEvent(wrap(data))).toMatchObject({ category: 'other', reason });
	});

	it('nothing recognisable changed (e.g. a scheduled change removed, custom data edited): other, not a plan change', () => {
		const data = fixture('sdk-python__entity-data-only__subscription.activated.json');
		data.updated_at = '2024-04-20T08:00:00Z';
		expect(normalizePaddleEvent(wrap(data))).toMatchObject({ category: 'other', reason: 'updated' });
	});
});

describe('one payment, one "payment received"', () => {
	it('transaction.paid and transaction.completed of one payment: only completed is the payment', () => {
		const paid = fixture('spec-example__transaction.paid.json');
		const completed = fixture('spec-example__transaction.completed.json');
		expect(normalizePaddleEvent(paid).category).toBe('other');
		expect(normalizePaddleEvent(completed).category).toBe('payment_succeeded');
		expect(categoryOf('transaction.paid', { origin: 'subscription_recurring' })).toBe('other');
	});

	it('transaction.billed is an invoice only when Paddle collects by invoice (an automatic renewal is billed too)', () => {
		expect(categoryOf('transaction.billed', { collection_mode: 'manual' })).toBe('invoice');
		expect(categoryOf('transaction.billed', { collection_mode: 'automatic', origin: 'subscription_recurring' })).toBe('other');
	});
});

describe('subscription.updated edge cases', () => {
	it('a plan change shortly after a renewal is still a plan change (the added item was not billed at the period start)', () => {
		const data = fixture('spec-example__subscription.updated.json').data as IDataObject;
		// The spec example, moved so that its period began at a renewal 10 s before the change.
		const changeAt = Date.parse(String(data.updated_at));
		const renewedAt = new Date(changeAt - 10_000).toISOString();
		data.started_at = '2024-03-12T10:37:59.556997Z';
		data.current_billing_period = { starts_at: renewedAt, ends_at: '2024-05-12T10:37:59.556997Z' };
		for (const item of data.items as IDataObject[]) {
			if (item.previously_billed_at === '2024-04-12T10:37:59.556997Z') item.previously_billed_at = renewedAt;
		}
		expect(subscriptionChange(data)).toBe('items_changed');
	});

	it('an item created with the subscription, seconds before an unrelated update, is not "added"', () => {
		const data = fixture('sdk-python__entity-data-only__subscription.activated.json');
		data.updated_at = new Date(Date.parse(String(data.created_at)) + 2_000).toISOString();
		expect(subscriptionChange(data)).toBe('updated');
	});
});

describe('subscription.updated: a plan change right after a renewal', () => {
	it('an item added by this update is a plan change, even within a second of the renewal', () => {
		// Found by the e2e: renewal at 12:00:00.000, plan change at 12:00:00.400. The added item is
		// billed at once (previously_billed_at = created_at), which the renewal test alone mistook.
		const { subscriptionChange } = jest.requireActual('../../../nodes/PaddleBilling/subscription-change') as typeof import('../../../nodes/PaddleBilling/subscription-change');
		expect(
			subscriptionChange({
				status: 'active',
				created_at: '2026-11-04T11:59:50.000Z',
				started_at: '2026-11-04T11:59:50.000Z',
				updated_at: '2026-12-04T12:00:00.400Z',
				current_billing_period: { starts_at: '2026-12-04T12:00:00.000Z', ends_at: '2027-01-04T12:00:00.000Z' },
				items: [
					{ created_at: '2026-12-04T12:00:00.400Z', updated_at: '2026-12-04T12:00:00.400Z', previously_billed_at: '2026-12-04T12:00:00.400Z' },
				],
			}),
		).toBe('items_changed');
	});
});
