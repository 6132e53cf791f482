import { customPath } from '../../../nodes/ChargebeeBilling/resources/customApi/request';
import { SIMPLE_FIELDS, simplifyRecord } from '../../../nodes/ChargebeeBilling/simplify';

const base = 'https://acme.chargebee.com/api/v2';

describe('Custom API Request path', () => {
	it.each([
		['/customers', '/customers'],
		['customers/abc', '/customers/abc'],
		['/api/v2/invoices/1/pdf', '/invoices/1/pdf'],
		['https://acme.chargebee.com/api/v2/subscriptions/s1', '/subscriptions/s1'],
		['HTTPS://ACME.chargebee.com/api/v2/events', '/events'],
	])('%s → %s', (input, expected) => expect(customPath(input, base)).toBe(expected));

	it.each([
		'https://evil.example.com/api/v2/customers',
		'https://acme.chargebee.com.evil.example/api/v2/customers',
		'https://acme.chargebee.com/api/v2',
		'//evil.example.com/customers',
		'javascript:alert(1)',
		'/customers/../../x',
		'/customers?limit=1',
		'/customers/a b',
	])('refuses %s', (input) => expect(() => customPath(input, base)).toThrow());
});

describe('Simplify', () => {
	it('keeps at most 10 flat, documented fields and derives the plan, amount and lead id', () => {
		const out = simplifyRecord('subscription', {
			id: 's1',
			customer_id: 'c1',
			status: 'active',
			currency_code: 'USD',
			subscription_items: [{ item_price_id: 'addon', item_type: 'addon' }, { item_price_id: 'pro', item_type: 'plan' }],
			money: { formatted: '30.00 USD' },
			meta_data: '{"kommo_lead_id": 42}',
			resource_version: 1,
			current_term_end: 100,
		});
		expect(out).toEqual({ id: 's1', customer_id: 'c1', status: 'active', plan_item_price_id: 'pro', currency_code: 'USD', amount: '30.00 USD', current_term_end: 100, kommo_lead_id: 42 });
		for (const fields of Object.values(SIMPLE_FIELDS)) expect(fields.length).toBeLessThanOrEqual(10);
	});

	it('takes the ids of an event\'s content', () => {
		const out = simplifyRecord('event', {
			id: 'ev1',
			event_type: 'credit_note_created',
			occurred_at: 5,
			source: 'api',
			content: { credit_note: { id: 'CN-1', customer_id: 'c1' }, subscription: { id: 's1', customer_id: 'c1' } },
		});
		expect(out).toEqual({ id: 'ev1', event_type: 'credit_note_created', occurred_at: 5, source: 'api', customer_id: 'c1', subscription_id: 's1', credit_note_id: 'CN-1' });
	});
});
