import type { IDataObject } from 'n8n-workflow';

import { CHARGEBEE_EVENT_TYPES } from '../../../nodes/ChargebeeBilling/trigger/event-types';
import { categoryOf, chargebeeEventSchema, normalizeChargebeeEvent } from '../../../nodes/ChargebeeBilling/trigger/normalize';
import { customer, event, invoice, paymentSucceeded, subscription } from './fixtures';

describe('normalizeChargebeeEvent', () => {
	it('payment_succeeded: ids, ISO time, transaction amount with currency, plan, lead id from the customer field', () => {
		expect(normalizeChargebeeEvent(paymentSucceeded)).toEqual({
			vendor: 'chargebee',
			eventId: 'ev_payment_succeeded_1',
			eventType: 'payment_succeeded',
			category: 'payment_succeeded',
			occurredAt: '2025-01-01T00:00:00.000Z',
			dedupeKey: 'chargebee:ev_payment_succeeded_1',
			customerId: 'kommo-lead-42',
			subscriptionId: 'sub-42',
			invoiceId: '1001',
			transactionId: 'txn_1',
			invoiceUrl: null,
			customerEmail: 'ana@example.com',
			amount: { minor: '4000', decimal: '40.00', currency: 'USD', formatted: '40.00 USD' },
			planId: 'pro-USD-monthly',
			previousPlanId: null,
			status: 'success',
			reason: null,
			kommoLeadId: 42,
			ordering: expect.objectContaining({ source: 'occurred_at' }),
		});
	});

	it('payment_failed: the gateway text is the reason; zero-decimal currency stays whole', () => {
		const failed = event('payment_failed', {
			transaction: { id: 'txn_2', status: 'failure', amount: 3000, currency_code: 'JPY', error_code: 'card_declined', error_text: 'Your card was declined.', customer_id: 'c1' },
			invoice: { id: '7', total: 3000, currency_code: 'JPY', status: 'payment_due', customer_id: 'c1' },
		});
		const n = normalizeChargebeeEvent(failed);
		expect(n).toMatchObject({
			category: 'payment_failed',
			amount: { minor: '3000', decimal: '3000', currency: 'JPY', formatted: '3000 JPY' },
			reason: 'Your card was declined.',
			status: 'failure',
			invoiceId: '7',
			customerId: 'c1',
			kommoLeadId: null,
			customerEmail: null,
		});
	});

	it('invoice_generated carries only the invoice: ids come from it; a looked-up customer fills the lead id', () => {
		const generated = event('invoice_generated', { invoice: { ...invoice, status: 'payment_due' } });
		expect(normalizeChargebeeEvent(generated)).toMatchObject({
			category: 'invoice',
			customerId: 'kommo-lead-42',
			subscriptionId: 'sub-42',
			invoiceId: '1001',
			status: 'payment_due',
			amount: { decimal: '40.00', currency: 'USD' },
			kommoLeadId: null,
			ordering: expect.objectContaining({ source: 'occurred_at' }),
		});
		expect(normalizeChargebeeEvent(generated, { customer, invoiceUrl: 'https://x/pdf' })).toMatchObject({
			kommoLeadId: 42,
			customerEmail: 'ana@example.com',
			invoiceUrl: 'https://x/pdf',
		});
	});

	it('subscription_cancelled: the reason code and status; the lead id falls back to meta_data', () => {
		const cancelled = event('subscription_cancelled', {
			subscription: { ...subscription, status: 'cancelled', cancel_reason_code: 'Too expensive' },
			customer: { ...customer, cf_kommo_lead_id: undefined },
		});
		expect(normalizeChargebeeEvent(cancelled)).toMatchObject({
			category: 'cancelled',
			status: 'cancelled',
			reason: 'Too expensive',
			kommoLeadId: 42,
			amount: null,
			planId: 'pro-USD-monthly',
		});
	});

	it('credit_note_created: the credit note total and reason; subscription_changed: the new plan', () => {
		const credit = event('credit_note_created', {
			credit_note: { id: 'CN-1', customer_id: 'c1', subscription_id: 's1', reference_invoice_id: '5', total: 1250, currency_code: 'EUR', status: 'refund_due', create_reason_code: 'Service Unsatisfactory' },
		});
		expect(normalizeChargebeeEvent(credit)).toMatchObject({
			category: 'credit_note',
			amount: { minor: '1250', decimal: '12.50', currency: 'EUR' },
			invoiceId: '5',
			reason: 'Service Unsatisfactory',
			status: 'refund_due',
		});
		const changed = event('subscription_changed', { subscription, customer });
		expect(normalizeChargebeeEvent(changed)).toMatchObject({ category: 'plan_changed', planId: 'pro-USD-monthly', previousPlanId: null, status: 'active' });
	});

	it('reads the lead id from a configurable custom field and ignores junk values', () => {
		const e = event('subscription_renewed', { customer: { id: 'c', cf_deal: '77', cf_kommo_lead_id: 'abc' } });
		expect(normalizeChargebeeEvent(e).kommoLeadId).toBeNull();
		expect(normalizeChargebeeEvent(e, { kommoLeadIdField: 'cf_deal' }).kommoLeadId).toBe(77);
		expect(normalizeChargebeeEvent(e).category).toBe('renewal');
	});

	it('an unknown currency gives no amount and a warning, never a wrong amount or an error (security review L6)', () => {
		const e = event('payment_succeeded', { transaction: { id: 't', amount: 100, currency_code: 'XYZ' } });
		const warnings: string[] = [];
		expect(normalizeChargebeeEvent(e, { warnings }).amount).toBeNull();
		expect(warnings).toEqual(['Unknown currency "XYZ": its minor unit is not known, so the amount cannot be converted safely (currency "XYZ")']);
	});

	it('amounts JSON already rounded (beyond 2^53), fractional or too long give no amount and a warning', () => {
		const big = JSON.parse('{"total": 12345678901234567891, "currency_code": "USD", "id": "9"}') as IDataObject;
		const cases: Array<[unknown, RegExp]> = [
			[big.total, /beyond 2\^53/],
			[12.5, /not a whole number/],
			['9'.repeat(25), /longer than an int64/],
		];
		for (const [total, message] of cases) {
			const warnings: string[] = [];
			expect(normalizeChargebeeEvent(event('invoice_generated', { invoice: { id: '9', total, currency_code: 'USD' } }), { warnings }).amount).toBeNull();
			expect(warnings).toEqual([expect.stringMatching(message)]);
		}
	});

	it('"constructor" and "__proto__" as event types are category "other", not Object.prototype members', () => {
		for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
			expect(categoryOf(type)).toBe('other');
			expect(normalizeChargebeeEvent(event(type, {})).category).toBe('other');
		}
	});

	it('ordering: the subscription\'s resource_version, else the event time, per billing object', () => {
		const versioned = event('subscription_cancelled', { subscription: { id: 'sub-1', resource_version: 1735689600123, status: 'cancelled' } });
		expect(normalizeChargebeeEvent(versioned).ordering).toEqual({ object: 'chargebee:subscription:sub-1', version: '1735689600123', source: 'resource_version' });
		const unversioned = event('invoice_generated', { invoice: { id: '77', total: 1, currency_code: 'USD' } });
		expect(normalizeChargebeeEvent(unversioned).ordering).toEqual({ object: 'chargebee:invoice:77', version: '2025-01-01T00:00:00.000Z', source: 'occurred_at' });
		expect(normalizeChargebeeEvent(event('card_expiry_reminder', {})).ordering).toBeNull();
	});
});

describe('categoryOf', () => {
	it('maps the issue\'s events and gives every SDK event type a category', () => {
		expect(
			Object.fromEntries(
				[
					'payment_succeeded',
					'payment_failed',
					'invoice_generated',
					'subscription_created',
					'subscription_renewed',
					'subscription_changed',
					'subscription_cancelled',
					'subscription_paused',
					'subscription_resumed',
					'credit_note_created',
					'customer_changed',
					'payment_refunded',
					'subscription_cancellation_scheduled',
				].map((t) => [t, categoryOf(t)]),
			),
		).toEqual({
			payment_succeeded: 'payment_succeeded',
			payment_failed: 'payment_failed',
			invoice_generated: 'invoice',
			subscription_created: 'subscription_created',
			subscription_renewed: 'renewal',
			subscription_changed: 'plan_changed',
			subscription_cancelled: 'cancelled',
			subscription_paused: 'paused',
			subscription_resumed: 'resumed',
			credit_note_created: 'credit_note',
			customer_changed: 'customer',
			payment_refunded: 'other',
			subscription_cancellation_scheduled: 'other',
		});
		const allowed = new Set(['payment_succeeded', 'payment_failed', 'invoice', 'renewal', 'plan_changed', 'cancelled', 'paused', 'resumed', 'subscription_created', 'credit_note', 'customer', 'other']);
		for (const type of CHARGEBEE_EVENT_TYPES) expect(allowed.has(categoryOf(type))).toBe(true);
	});
});

describe('chargebeeEventSchema', () => {
	it('accepts a Chargebee event and rejects what is not one', () => {
		expect(chargebeeEventSchema.safeParse(paymentSucceeded).success).toBe(true);
		expect(chargebeeEventSchema.safeParse({ ...paymentSucceeded, occurred_at: '1735689600' }).success).toBe(true);
		expect(chargebeeEventSchema.safeParse({ hello: 'world' }).success).toBe(false);
		expect(chargebeeEventSchema.safeParse({ ...paymentSucceeded, event_type: 'DROP TABLE' }).success).toBe(false);
		expect(chargebeeEventSchema.safeParse({ ...paymentSucceeded, content: 'x' }).success).toBe(false);
	});
});
