/**
 * Simplify (on by default; from node version 1.1 for the operations of version 1) for get and get-many operations whose Paddle entity has more than ten
 * fields: at most ten flat fields per resource, the ones a workflow or an AI agent usually needs.
 * The chosen fields are listed per resource in docs/paddle.md ("Simplified output").
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { simplifyParameter, simplifyWanted } from '../../shared/simplify';
import { money, priceMoney, subscriptionMoney, transactionMoney } from '../helpers';

export const simplifyField: INodeProperties = simplifyParameter();

/** Simplify for the operations that existed in node version 1: shown (and on) from version 1.1. */
export const simplifyFieldSinceV11: INodeProperties = simplifyParameter(undefined, 1.1);

const obj = (value: unknown): IDataObject => (value && typeof value === 'object' ? (value as IDataObject) : {});

type Simplifier = (entity: IDataObject) => IDataObject;

const SIMPLIFIERS: Record<string, Simplifier> = {
	subscription: (s) => ({
		id: s.id,
		status: s.status,
		customer_id: s.customer_id,
		collection_mode: s.collection_mode,
		currency_code: s.currency_code,
		recurring_amount: subscriptionMoney(s)?.decimal ?? null,
		price_ids: ((s.items ?? []) as IDataObject[]).map((i) => obj(i.price).id),
		next_billed_at: s.next_billed_at,
		scheduled_change_action: obj(s.scheduled_change).action ?? null,
		kommo_lead_id: obj(s.custom_data).kommo_lead_id ?? null,
	}),
	transaction: (t) => ({
		id: t.id,
		status: t.status,
		origin: t.origin,
		customer_id: t.customer_id,
		subscription_id: t.subscription_id,
		collection_mode: t.collection_mode,
		invoice_number: t.invoice_number,
		grand_total: transactionMoney(t)?.decimal ?? null,
		currency_code: t.currency_code,
		billed_at: t.billed_at,
	}),
	price: (p) => ({
		id: p.id,
		name: p.name ?? p.description,
		product_id: p.product_id,
		product_name: obj(p.product).name ?? null,
		status: p.status,
		amount: priceMoney(p)?.decimal ?? null,
		currency_code: obj(p.unit_price).currency_code ?? null,
		billing_interval: p.billing_cycle ? obj(p.billing_cycle).interval : null,
		billing_frequency: p.billing_cycle ? obj(p.billing_cycle).frequency : null,
		type: p.type,
	}),
	adjustment: (a) => ({
		id: a.id,
		action: a.action,
		type: a.type,
		status: a.status,
		transaction_id: a.transaction_id,
		subscription_id: a.subscription_id,
		customer_id: a.customer_id,
		total: money(obj(a.totals).total, a.currency_code)?.decimal ?? null,
		currency_code: a.currency_code,
		reason: a.reason,
	}),
	discount: (d) => ({
		id: d.id,
		status: d.status,
		code: d.code,
		description: d.description,
		type: d.type,
		// percentage discounts: a percent; flat ones: lowest denomination of the currency
		amount: d.type === 'percentage' ? d.amount : (money(d.amount, d.currency_code)?.decimal ?? d.amount),
		currency_code: d.currency_code,
		recur: d.recur,
		times_used: d.times_used,
		expires_at: d.expires_at,
	}),
	notification: (n) => ({
		id: n.id,
		type: n.type,
		status: n.status,
		origin: n.origin,
		event_id: obj(n.payload).event_id ?? null,
		occurred_at: n.occurred_at,
		delivered_at: n.delivered_at,
		times_attempted: n.times_attempted,
		retry_at: n.retry_at,
		notification_setting_id: n.notification_setting_id,
	}),
};


/** The entity as Simplify says: unchanged when it is off. */
export function simplifyOne(this: IExecuteFunctions, itemIndex: number, resource: keyof typeof SIMPLIFIERS, data: IDataObject): IDataObject {
	return simplifyWanted(this, itemIndex) ? SIMPLIFIERS[resource](data) : data;
}

/** The entities as Simplify says: unchanged when it is off. */
export function simplifyMany(this: IExecuteFunctions, itemIndex: number, resource: keyof typeof SIMPLIFIERS, data: IDataObject[]): IDataObject[] {
	return simplifyWanted(this, itemIndex) ? data.map(SIMPLIFIERS[resource]) : data;
}
