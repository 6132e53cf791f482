import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getSubscription, requirePaddleId } from '../../helpers';
import { paddleCreate } from '../../transport';
import { forOperation, subscriptionIdField } from '../common';
import { subscriptionOutput } from './shared';

export const description: INodeProperties[] = forOperation('subscription', 'cancel', [
	subscriptionIdField,
	{
		displayName: 'Effective From',
		name: 'effectiveFrom',
		type: 'options',
		options: [
			{ name: 'Next Billing Period', value: 'next_billing_period', description: 'Schedule the cancellation for the end of the paid period' },
			{ name: 'Immediately', value: 'immediately', description: 'Cancel now' },
		],
		default: 'next_billing_period',
	},
]);

/** POST /subscriptions/{id}/cancel; after an unclear failure the subscription is read to see whether it took effect. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('subscriptionId', itemIndex), 'sub', 'Subscription ID', itemIndex);
	const effectiveFrom = this.getNodeParameter('effectiveFrom', itemIndex, 'next_billing_period') as string;
	const { data } = await paddleCreate.call(
		this,
		{ method: 'POST', path: `/subscriptions/${encodeURIComponent(id)}/cancel`, body: { effective_from: effectiveFrom }, itemIndex },
		async () => {
			const s = await getSubscription.call(this, id, itemIndex);
			const scheduled = (s.scheduled_change ?? {}) as IDataObject;
			const done = effectiveFrom === 'immediately' ? s.status === 'canceled' : s.status === 'canceled' || scheduled.action === 'cancel';
			return done ? s : undefined;
		},
	);
	return subscriptionOutput(data);
}
