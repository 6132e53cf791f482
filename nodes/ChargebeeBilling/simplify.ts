/**
 * "Simplify" for the get and list operations: Chargebee records have dozens of fields (a
 * subscription over 60), which floods a flow or an AI agent's context. With Simplify on (the
 * default) each record becomes at most 10 flat fields, chosen per resource below and listed in
 * docs/chargebee.md; timestamps stay Unix seconds, amounts stay minor units and the `money` block
 * is flattened to its formatted text.
 */
import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { simplifyParameter, simplifyWanted } from '../shared/simplify';

export type SimplifiedResource = 'customer' | 'subscription' | 'invoice' | 'creditNote' | 'itemPrice' | 'event';

/** The fields kept per resource (at most 10), in output order. */
export const SIMPLE_FIELDS: Record<SimplifiedResource, string[]> = {
	customer: ['id', 'email', 'first_name', 'last_name', 'company', 'auto_collection', 'card_status', 'preferred_currency_code', 'created_at', 'cf_kommo_lead_id'],
	subscription: ['id', 'customer_id', 'status', 'plan_item_price_id', 'currency_code', 'amount', 'current_term_end', 'next_billing_at', 'cancelled_at', 'kommo_lead_id'],
	invoice: ['id', 'customer_id', 'subscription_id', 'status', 'currency_code', 'total', 'amount_due', 'amount', 'date', 'due_date'],
	creditNote: ['id', 'customer_id', 'reference_invoice_id', 'type', 'status', 'currency_code', 'total', 'amount_available', 'create_reason_code', 'date'],
	itemPrice: ['id', 'name', 'item_id', 'item_type', 'status', 'pricing_model', 'price', 'currency_code', 'period', 'period_unit'],
	event: ['id', 'event_type', 'occurred_at', 'source', 'customer_id', 'subscription_id', 'invoice_id', 'transaction_id', 'credit_note_id', 'api_version'],
};

/**
 * The Simplify switch for the operations given. `sinceVersion` 1.1 for the operations that existed
 * in node version 1, so workflows saved with it keep Chargebee's full records.
 */
export function simplifyProperty(displayOptions: IDisplayOptions | undefined, sinceVersion?: number): INodeProperties {
	return simplifyParameter(
		displayOptions,
		sinceVersion,
		'Whether to return a simplified version of the response (at most 10 fields, listed in the docs) instead of the raw data',
	);
}

function formatted(money: unknown): string | undefined {
	return money && typeof money === 'object' ? ((money as IDataObject).formatted as string | undefined) : undefined;
}

/** Derived fields a resource's simple form names but the record does not carry itself. */
function derived(resource: SimplifiedResource, record: IDataObject): IDataObject {
	switch (resource) {
		case 'subscription': {
			const plan = ((record.subscription_items as IDataObject[] | undefined) ?? []).find((item) => item.item_type === 'plan');
			let meta = record.meta_data as unknown;
			if (typeof meta === 'string') {
				try {
					meta = JSON.parse(meta);
				} catch {
					meta = undefined;
				}
			}
			return {
				plan_item_price_id: plan?.item_price_id,
				amount: formatted(record.money),
				kommo_lead_id: meta && typeof meta === 'object' ? (meta as IDataObject).kommo_lead_id : undefined,
			};
		}
		case 'invoice':
			return { amount: formatted(record.money) };
		case 'event': {
			const content = (record.content ?? {}) as IDataObject;
			const idOf = (key: string) => ((content[key] as IDataObject | undefined)?.id as string | undefined) ?? undefined;
			const creditNote = Array.isArray(content.credit_note) ? (content.credit_note as IDataObject[])[0] : (content.credit_note as IDataObject | undefined);
			return {
				customer_id: idOf('customer') ?? (content.subscription as IDataObject | undefined)?.customer_id,
				subscription_id: idOf('subscription'),
				invoice_id: idOf('invoice'),
				transaction_id: idOf('transaction'),
				credit_note_id: creditNote?.id,
			};
		}
		default:
			return {};
	}
}

/** The record's simple form: the chosen fields that have a value, flat. */
export function simplifyRecord(resource: SimplifiedResource, record: IDataObject): IDataObject {
	const all = { ...record, ...derived(resource, record) };
	const out: IDataObject = {};
	for (const field of SIMPLE_FIELDS[resource]) {
		const value = all[field];
		if (value !== undefined && value !== null && typeof value !== 'object') out[field] = value;
	}
	return out;
}

/** Applies the item's Simplify switch to one record. */
export function maybeSimplify(this: IExecuteFunctions, i: number, resource: SimplifiedResource, data: IDataObject): IDataObject {
	if (!simplifyWanted(this, i)) return data;
	return simplifyRecord(resource, data);
}

/** Applies the item's Simplify switch to a list of records. */
export function maybeSimplifyAll(this: IExecuteFunctions, i: number, resource: SimplifiedResource, data: IDataObject[]): IDataObject[] {
	if (!simplifyWanted(this, i)) return data;
	return data.map((r) => simplifyRecord(resource, r));
}
