import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { itemsBody, readItems, requirePaddleId } from '../../helpers';
import { paddleData } from '../../transport';
import { forOperation, itemsField, subscriptionIdField } from '../common';
import { previewOutput, subscriptionOutput } from './shared';

/** The parameters of a one-time charge (also its preview). */
const chargeProperties: INodeProperties[] = [
	subscriptionIdField,
	{ ...itemsField, description: 'One-time prices to charge (prices without a billing cycle, e.g. a setup fee)' },
	{
		displayName: 'Effective From',
		name: 'effectiveFrom',
		type: 'options',
		options: [
			{ name: 'Next Billing Period', value: 'next_billing_period', description: 'Added to the next renewal' },
			{ name: 'Immediately', value: 'immediately', description: 'Billed now as a transaction of its own' },
		],
		default: 'next_billing_period',
	},
	{
		displayName: 'On Payment Failure',
		name: 'onPaymentFailure',
		type: 'options',
		options: [
			{ name: 'Prevent Change', value: 'prevent_change', description: 'Do not add the charge if an immediate payment fails' },
			{ name: 'Apply Change', value: 'apply_change', description: 'Add the charge even if the payment fails' },
		],
		default: 'prevent_change',
	},
];

export const description: INodeProperties[] = [
	...forOperation('subscription', 'charge', chargeProperties),
	...forOperation('subscription', 'previewCharge', chargeProperties),
];

function chargeBody(this: IExecuteFunctions, itemIndex: number): IDataObject {
	return {
		effective_from: this.getNodeParameter('effectiveFrom', itemIndex, 'next_billing_period'),
		items: itemsBody(readItems.call(this, itemIndex)),
		on_payment_failure: this.getNodeParameter('onPaymentFailure', itemIndex, 'prevent_change'),
	};
}

/**
 * POST /subscriptions/{id}/charge (needs subscription.write). Answers with the subscription; the
 * charge itself is a transaction (immediately: Transaction → Get Many with the subscription ID) or
 * part of the next renewal. Not repeated by the node: a second run charges again.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('subscriptionId', itemIndex), 'sub', 'Subscription ID', itemIndex);
	const data = await paddleData.call(this, { method: 'POST', path: `/subscriptions/${encodeURIComponent(id)}/charge`, body: chargeBody.call(this, itemIndex), itemIndex });
	return subscriptionOutput(data as IDataObject);
}

/** POST /subscriptions/{id}/charge/preview (needs subscription.read): what the charge would bill. */
export async function preview(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('subscriptionId', itemIndex), 'sub', 'Subscription ID', itemIndex);
	const data = await paddleData.call(this, { method: 'POST', path: `/subscriptions/${encodeURIComponent(id)}/charge/preview`, body: chargeBody.call(this, itemIndex), itemIndex });
	return previewOutput(data as IDataObject);
}
