/** What the subscription operations share. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { asNodeError, isNotFound, moneyBlock, text, zuoraErrorCode } from '../../helpers';
import { locatorValue, subscriptionLocator } from '../../locators';
import { idempotencyKeyFor, zuoraRequest } from '../../transport';

export const subscriptionNumberField: INodeProperties = subscriptionLocator(
	'The subscription. Subscription → Create returns its number; a Kommo lead field or a Zuora callout can carry it too.',
);

/**
 * The Additional Fields of an order-posting operation (Cancel, Change Plan): the Idempotency Key
 * that overrides the one derived from the order body, and the Order Date with what it defaults to.
 */
export function orderOptions(orderDateDefault: string): INodeProperties {
	return additionalFieldsCollection(
		[
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				description: 'Overrides the key derived from the order body',
			},
			{
				displayName: 'Order Date',
				name: 'orderDate',
				type: 'string',
				default: '',
				description: orderDateDefault,
			},
		],
	);
}

/** The subscription's currency: its own field, else the one of its charges. */
function currencyOf(view: IDataObject): string | undefined {
	if (typeof view.currency === 'string' && view.currency) return view.currency;
	for (const rp of (view.ratePlans ?? []) as IDataObject[]) {
		for (const charge of (rp.ratePlanCharges ?? []) as IDataObject[]) {
			if (typeof charge.currency === 'string' && charge.currency) return charge.currency;
		}
	}
	return undefined;
}

/** Zuora's subscription as sent, plus `money` for the contracted MRR. */
export function subscriptionOutput(view: IDataObject): IDataObject {
	const { success: _success, ...rest } = view;
	void _success;
	return { ...rest, money: moneyBlock(view.contractedMrr, currencyOf(view)) };
}

export async function getSubscription(this: IExecuteFunctions, key: string, itemIndex: number): Promise<IDataObject> {
	const view = await zuoraRequest.call(this, {
		method: 'GET',
		path: `/v1/subscriptions/${encodeURIComponent(key)}`,
		itemIndex,
	});
	return subscriptionOutput(view);
}

/** The subscription, or undefined when Zuora says it does not exist. */
export async function findSubscription(
	this: IExecuteFunctions,
	key: string,
	itemIndex: number,
): Promise<IDataObject | undefined> {
	try {
		return await getSubscription.call(this, key, itemIndex);
	} catch (error) {
		if (isNotFound(error)) return undefined;
		throw asNodeError(this, error);
	}
}

export function requireSubscriptionNumber(this: IExecuteFunctions, itemIndex: number): string {
	return locatorValue(
		this,
		'subscriptionNumber',
		itemIndex,
		'Subscription Number',
		'Pick the subscription from the list, or map its number (e.g. A-S00000001) from an earlier Zuora node or a Kommo lead field.',
	);
}

/** `triggerDates` for an order action; only the dates given are sent. */
export function triggerDates(dates: { contractEffective: string; serviceActivation?: string; customerAcceptance?: string }): IDataObject[] {
	const out: IDataObject[] = [{ name: 'ContractEffective', triggerDate: dates.contractEffective }];
	if (dates.serviceActivation) out.push({ name: 'ServiceActivation', triggerDate: dates.serviceActivation });
	if (dates.customerAcceptance) out.push({ name: 'CustomerAcceptance', triggerDate: dates.customerAcceptance });
	return out;
}

export const ratePlanLoadOptions = {
	loadOptionsMethod: 'getProductRatePlans',
} as const;

/** Zuora's order answer, kept short in the node output. */
export function orderSummary(order: IDataObject): IDataObject {
	return {
		orderNumber: order.orderNumber ?? null,
		status: order.status ?? null,
		accountNumber: order.accountNumber ?? null,
		// Zuora-Version ≥ 223.0 answers subscriptions[] (spec PostOrderResponseType), older ones subscriptionNumbers
		subscriptionNumbers:
			order.subscriptionNumbers ??
			((order.subscriptions as IDataObject[] | undefined) ?? []).map((s) => s.subscriptionNumber).filter(Boolean),
		subscriptions: order.subscriptions ?? [],
	};
}

/**
 * Tenants that require service activation or customer acceptance keep a new subscription
 * "Pending Activation" / "Pending Acceptance" (spec PostOrderResponseType.subscriptions[].status)
 * until that date is set in Zuora.
 */
export function pendingInfo(status: unknown): { pending: boolean; pendingReason: string | null } {
	if (status === 'Pending Activation') {
		return { pending: true, pendingReason: 'Zuora waits for the Service Activation date (set it on the order in Zuora, or send Service Activation Date)' };
	}
	if (status === 'Pending Acceptance') {
		return { pending: true, pendingReason: 'Zuora waits for the Customer Acceptance date (set it on the order in Zuora, or send Customer Acceptance Date)' };
	}
	return { pending: false, pendingReason: null };
}

/**
 * POST /v1/orders with the user's Idempotency Key, else one derived per logical attempt
 * (`scope` names the operation: order-create, order-change, order-cancel).
 */
export async function postOrder(
	this: IExecuteFunctions,
	body: IDataObject,
	scope: string,
	userKey: unknown,
	itemIndex: number,
): Promise<IDataObject> {
	return await zuoraRequest.call(this, {
		method: 'POST',
		path: '/v1/orders',
		body,
		idempotencyKey: text(userKey) || idempotencyKeyFor.call(this, scope, body, itemIndex),
		itemIndex,
	});
}

/**
 * Whether a failed order may still have left a subscription behind, so that reading it is worth a
 * call: the answer was lost (no answer, or a 5xx: "If you received a timeout error message when
 * creating an order, the call is still running in the backend and the order will be created",
 * Zuora's POST /v1/orders reference), or Zuora refused it under category 30, "Rule restriction"
 * (the last two digits of the eight-digit code; Zuora's "Error codes" guide), where a subscription
 * number that already exists belongs (53200030 for an order). Validation (20, 22), not-found (40)
 * and permission (10, 11) refusals cannot mean that: they are reported without a look-up.
 */
export function mayHaveCreated(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return true;
	const status = Number(/^Zuora (\d{3})\b/.exec(error.message)?.[1] ?? Number.NaN);
	if (!Number.isFinite(status) || status >= 500) return true;
	const code = zuoraErrorCode(error);
	return code !== undefined && /^\d{8}$/.test(code) && code.endsWith('30');
}
