/** Pieces the subscription operations share. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { getSubscription, getTransaction, money, subscriptionMoney } from '../../helpers';
import { paddleErrorInfo } from '../../transport';

/** A subscription as the node outputs it: Paddle's object plus its recurring money block. */
export function subscriptionOutput(subscription: IDataObject): IDataObject {
	return { ...subscription, money: subscriptionMoney(subscription) as unknown as IDataObject };
}

/** True when any item is billed on a cycle, i.e. Paddle will make a subscription from it. */
export function hasRecurringItems(transaction: IDataObject): boolean {
	return ((transaction.items ?? []) as IDataObject[]).some(
		(item) => ((item.price ?? {}) as IDataObject).billing_cycle != null,
	);
}

/** Pauses between polls: Paddle usually has the subscription within a few hundred milliseconds. */
export const SUBSCRIPTION_POLL_DELAYS_MS = [150, 250, 500, 1000];

/**
 * Paddle creates the subscription of a billed invoice (or a paid checkout)
 * shortly after, not in the response. Polls the transaction for its
 * subscription_id, soon at first and then less often (SUBSCRIPTION_POLL_DELAYS_MS,
 * the last pause repeating), for at most `maxWaitMs`.
 */
export async function waitForSubscriptionId(
	this: IExecuteFunctions,
	transaction: IDataObject,
	maxWaitMs: number,
	itemIndex: number,
	delaysMs: number[] = SUBSCRIPTION_POLL_DELAYS_MS,
): Promise<IDataObject> {
	let current = transaction;
	const deadline = Date.now() + maxWaitMs;
	for (let poll = 0; !current.subscription_id && Date.now() < deadline; poll++) {
		await sleep(Math.min(delaysMs[Math.min(poll, delaysMs.length - 1)], Math.max(0, deadline - Date.now())));
		current = await getTransaction.call(this, current.id as string, itemIndex);
	}
	return current;
}

export async function subscriptionOrNull(
	this: IExecuteFunctions,
	id: unknown,
	itemIndex: number,
): Promise<IDataObject | null> {
	if (typeof id !== 'string' || !id) return null;
	return subscriptionOutput(await getSubscription.call(this, id, itemIndex));
}

/** Explains Paddle's terse "customer not suitable" answer for invoices. */
export function explainManualCollectionError(error: unknown, customerId: string): void {
	if (!(error instanceof NodeApiError)) return;
	const { code } = paddleErrorInfo(error);
	if (code === 'transaction_customer_not_suitable_for_collection_mode') {
		error.description = `Customer ${customerId} has no name: Paddle needs the customer's name before it can invoice (manual collection). Set it with Customer → Update (Name), then run again.${
			error.description ? ` ${error.description}` : ''
		}`;
	}
	if (code === 'transaction_currency_code_not_valid_for_manual') {
		error.description = `Paddle invoices (manual collection) only in ${MANUAL_COLLECTION_CURRENCIES.join(', ')}. Paddle took the currency from the prices or the address: set Currency Code to one of these and use prices in that currency, or send a card checkout link instead.${
			error.description ? ` ${error.description}` : ''
		}`;
	}
}

/** Paddle invoices only in these (spec `currency_code`: "Must be USD, EUR, or GBP if collection_mode is manual"). */
export const MANUAL_COLLECTION_CURRENCIES = ['USD', 'EUR', 'GBP'] as const;

/**
 * A subscription preview (spec `subscription-preview`) with money blocks: what is billed now
 * (immediate_transaction, null when nothing) and at the next renewal (next_transaction).
 */
export function previewOutput(preview: IDataObject): IDataObject {
	const totalOf = (t: unknown) => {
		const totals = (((t ?? {}) as IDataObject).details as IDataObject | undefined)?.totals as IDataObject | undefined;
		return totals ? money(totals.grand_total ?? totals.total, totals.currency_code ?? preview.currency_code) : null;
	};
	return {
		...subscriptionOutput(preview),
		immediate_charge: totalOf(preview.immediate_transaction) as unknown as IDataObject,
		next_charge: totalOf(preview.next_transaction) as unknown as IDataObject,
	};
}
