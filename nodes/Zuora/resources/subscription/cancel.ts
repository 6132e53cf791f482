import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { asNodeError, forOperation, requireDate, text } from '../../helpers';
import type { ItemOperation } from '../types';
import {
	getSubscription,
	orderOptions,
	orderSummary,
	requireSubscriptionNumber,
	subscriptionNumberField,
	triggerDates,
	postOrder,
} from './common';

/**
 * Subscription → Cancel: a `CancelSubscription` order action at the end of
 * the current term or on a given date. A subscription that is already
 * cancelled is returned as it is (`alreadyCancelled: true`), so a repeated
 * "Lost" or churn event does nothing twice.
 */
export const cancel: ItemOperation = {
	kind: 'item',
	description: forOperation('subscription', 'cancel', [
		subscriptionNumberField,
		{
			displayName: 'Cancel At',
			name: 'cancellationPolicy',
			type: 'options',
			options: [
				{ name: 'End of Current Term', value: 'EndOfCurrentTerm', description: 'Termed subscriptions only' },
				{ name: 'Specific Date', value: 'SpecificDate' },
				{ name: 'End of Last Invoice Period', value: 'EndOfLastInvoicePeriod' },
			],
			default: 'EndOfCurrentTerm',
		},
		{
			displayName: 'Cancellation Date',
			name: 'cancellationEffectiveDate',
			description: 'The date the subscription ends: yyyy-mm-dd, an ISO date-time or Unix seconds',
			type: 'string',
			required: true,
			default: '',
			placeholder: '2025-01-31',
			displayOptions: { show: { cancellationPolicy: ['SpecificDate'] } },
		},
		orderOptions('Defaults to the cancellation date (Specific Date) or today (UTC)'),
	]),

	async execute(this: IExecuteFunctions, itemIndex: number) {
		const number = requireSubscriptionNumber.call(this, itemIndex);
		const current = await getSubscription.call(this, number, itemIndex);
		if (current.status === 'Cancelled') return { ...current, alreadyCancelled: true };

		const policy = this.getNodeParameter('cancellationPolicy', itemIndex) as string;
		const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
		const cancelSubscription: IDataObject = { cancellationPolicy: policy };
		let effective = new Date().toISOString().slice(0, 10);
		if (policy === 'SpecificDate') {
			effective = requireDate(this, this.getNodeParameter('cancellationEffectiveDate', itemIndex), 'Cancellation Date', itemIndex);
			cancelSubscription.cancellationEffectiveDate = effective;
		}
		const orderDate = text(additional.orderDate) ? requireDate(this, additional.orderDate, 'Order Date', itemIndex) : effective;
		const body: IDataObject = {
			orderDate,
			// Zuora: existingAccountNumber "actually specifies the invoice owner account" (POSTOrderRequestType);
			// GET /v1/subscriptions returns it apart from the subscription owner.
			existingAccountNumber: current.invoiceOwnerAccountNumber ?? current.accountNumber,
			subscriptions: [
				{
					subscriptionNumber: number,
					orderActions: [
						{
							type: 'CancelSubscription',
							triggerDates: triggerDates({ contractEffective: orderDate }),
							cancelSubscription,
						},
					],
				},
			],
		};
		let order: IDataObject;
		try {
			order = await postOrder.call(this, body, 'order-cancel', additional.idempotencyKey, itemIndex);
		} catch (error) {
			// A concurrent execution may have cancelled it meanwhile.
			const now = await getSubscription.call(this, number, itemIndex).catch(() => undefined);
			if (now?.status === 'Cancelled') return { ...now, alreadyCancelled: true };
			throw asNodeError(this, error, itemIndex);
		}
		const after = await getSubscription.call(this, number, itemIndex);
		return { ...after, alreadyCancelled: false, order: orderSummary(order) };
	},
};
