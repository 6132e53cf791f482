/**
 * The normalised block for Paddle's own example events (from its OpenAPI
 * spec), so the mapping is checked against payloads Paddle wrote, not only
 * against our sandbox.
 */
import type { IDataObject } from 'n8n-workflow';

import { categoryOf, normalizePaddleEvent } from '../../../nodes/PaddleBilling/trigger/normalize';
import { PaddleSpec } from '../../integration/paddle/openapi';

const examples = new PaddleSpec().doc.components.examples as Record<string, { value: IDataObject }>;
const example = (name: string) => JSON.parse(JSON.stringify(examples[name].value)) as IDataObject;

describe('normalizePaddleEvent on the spec examples', () => {
	it('transaction.completed: payment, amounts in minor units and decimal, ids, no stale decline as reason', () => {
		const event = example('transaction-completed');
		(event.data as IDataObject).custom_data = { kommo_lead_id: '123' };
		expect(normalizePaddleEvent(event)).toEqual({
			vendor: 'paddle',
			eventId: 'evt_01hv8x2axb33yr5y238zfwcn5p',
			eventType: 'transaction.completed',
			category: 'payment_succeeded',
			occurredAt: '2024-04-12T10:18:50.155Z',
			dedupeKey: 'paddle:evt_01hv8x2axb33yr5y238zfwcn5p',
			customerId: 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4',
			subscriptionId: 'sub_01hv8x29kz0t586xy6zn1a62ny',
			invoiceId: '325-10566',
			transactionId: 'txn_01hv8wptq8987qeep44cyrewp9',
			invoiceUrl: null,
			customerEmail: null,
			amount: { minor: '65215', decimal: '652.15', currency: 'USD', formatted: '652.15 USD' },
			planId: ((((event.data as IDataObject).items as IDataObject[])[0].price as IDataObject).id as string),
			previousPlanId: null,
			status: 'completed',
			reason: null,
			kommoLeadId: null,
			kommoLeadIdHint: 123,
			ordering: { object: 'paddle:transaction:txn_01hv8wptq8987qeep44cyrewp9', version: '2024-04-12T10:18:50.155553Z', source: 'occurred_at' },
		});
	});

	it('transaction.payment_failed carries the decline code', () => {
		expect(normalizePaddleEvent(example('transaction-payment_failed'))).toMatchObject({
			category: 'payment_failed',
			reason: 'declined',
			amount: { minor: '65215', currency: 'USD' },
			subscriptionId: null,
			kommoLeadId: null,
			ordering: { object: expect.stringMatching(/^paddle:transaction:txn_/), source: 'occurred_at' },
		});
	});

	it('subscription events use the subscription id and no amount', () => {
		expect(normalizePaddleEvent(example('subscription-canceled'))).toMatchObject({
			category: 'cancelled',
			subscriptionId: 'sub_01hv8x29kz0t586xy6zn1a62ny',
			customerId: 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4',
			status: 'canceled',
			amount: null,
		});
		expect(normalizePaddleEvent(example('subscription-created')).category).toBe('subscription_created');
		expect(normalizePaddleEvent(example('subscription-paused')).category).toBe('paused');
		expect(normalizePaddleEvent(example('subscription-resumed')).category).toBe('resumed');
		expect(normalizePaddleEvent(example('subscription-updated')).category).toBe('plan_changed');
	});

	it('customer and adjustment events', () => {
		expect(normalizePaddleEvent(example('customer-updated'))).toMatchObject({
			category: 'customer',
			customerId: 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4',
			customerEmail: 'jo@example.com',
		});
		expect(normalizePaddleEvent(example('adjustment-created'))).toMatchObject({
			category: 'credit_note',
			transactionId: 'txn_01hvcc93znj3mpqt1tenkjb04y',
			subscriptionId: 'sub_01hvccbx32q2gb40sqx7n42430',
			amount: { minor: '100', decimal: '1.00', currency: 'USD' },
			reason: 'error',
		});
		expect(normalizePaddleEvent(example('transaction-billed')).category).toBe('invoice');
	});

	it('a renewal is told apart from a first payment by the transaction origin', () => {
		expect(categoryOf('transaction.completed', { origin: 'subscription_recurring' })).toBe('renewal');
		expect(categoryOf('transaction.completed', { origin: 'web' })).toBe('payment_succeeded');
		expect(categoryOf('payout.paid', {})).toBe('other');
	});

	it('security review M4: a lead id in transaction/subscription custom_data (payer-settable via Paddle.js) is only a hint; the customer\'s (API-only) is the lead', () => {
		const transaction = example('transaction-completed');
		(transaction.data as IDataObject).custom_data = { kommo_lead_id: 666 };
		expect(normalizePaddleEvent(transaction)).toMatchObject({ kommoLeadId: null, kommoLeadIdHint: 666 });
		const subscription = example('subscription-updated');
		(subscription.data as IDataObject).custom_data = { kommo_lead_id: 666 };
		expect(normalizePaddleEvent(subscription)).toMatchObject({ kommoLeadId: null, kommoLeadIdHint: 666 });
		const customer = example('customer-updated');
		(customer.data as IDataObject).custom_data = { kommo_lead_id: 42 };
		expect(normalizePaddleEvent(customer)).toMatchObject({ kommoLeadId: 42, kommoLeadIdHint: null });
	});

	it('survives junk: missing fields become null, a bad lead id is ignored', () => {
		expect(normalizePaddleEvent({ event_type: 'transaction.completed', data: { custom_data: { kommo_lead_id: 'abc' } } })).toMatchObject({
			eventId: null,
			dedupeKey: null,
			amount: null,
			kommoLeadId: null,
			ordering: null,
		});
		expect(normalizePaddleEvent({}).category).toBe('other');
	});
});
