/** Chargebee events as Chargebee posts them (API v2 shapes, trimmed to what matters). */
import type { IDataObject } from 'n8n-workflow';

export const customer: IDataObject = {
	id: 'kommo-lead-42',
	email: 'ana@example.com',
	first_name: 'Ana',
	cf_kommo_lead_id: '42',
	auto_collection: 'on',
	object: 'customer',
};

export const subscription: IDataObject = {
	id: 'sub-42',
	customer_id: 'kommo-lead-42',
	status: 'active',
	currency_code: 'USD',
	subscription_items: [
		{ item_price_id: 'seats-USD-monthly', item_type: 'addon', quantity: 2, unit_price: 500, amount: 1000 },
		{ item_price_id: 'pro-USD-monthly', item_type: 'plan', quantity: 1, unit_price: 3000, amount: 3000 },
	],
	meta_data: { kommo_lead_id: 42 },
	object: 'subscription',
};

export const invoice: IDataObject = {
	id: '1001',
	customer_id: 'kommo-lead-42',
	subscription_id: 'sub-42',
	status: 'paid',
	total: 4000,
	currency_code: 'USD',
	object: 'invoice',
};

export function event(event_type: string, content: IDataObject, extra: IDataObject = {}): IDataObject {
	return {
		id: `ev_${event_type}_1`,
		occurred_at: 1735689600, // 2025-01-01T00:00:00Z
		source: 'system',
		object: 'event',
		api_version: 'v2',
		event_type,
		webhook_status: 'scheduled',
		content,
		...extra,
	};
}

export const paymentSucceeded = event('payment_succeeded', {
	transaction: {
		id: 'txn_1',
		customer_id: 'kommo-lead-42',
		subscription_id: 'sub-42',
		type: 'payment',
		status: 'success',
		amount: 4000,
		currency_code: 'USD',
		linked_invoices: [{ invoice_id: '1001', applied_amount: 4000 }],
		object: 'transaction',
	},
	invoice,
	customer,
	subscription,
});
