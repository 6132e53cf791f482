import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getSubscription, requirePaddleId } from '../../helpers';
import { paddleCreate } from '../../transport';
import { forOperation, subscriptionIdField } from '../common';
import { isoDate } from './pause';
import { subscriptionOutput } from './shared';

export const description: INodeProperties[] = forOperation('subscription', 'resume', [
	subscriptionIdField,
	{
		displayName: 'Resume At',
		name: 'resumeAt',
		type: 'dateTime',
		default: '',
		description: 'Optional. Empty resumes immediately; a date schedules the resume.',
	},
	{
		displayName: 'On Resume',
		name: 'onResume',
		type: 'options',
		options: [
			{ name: 'Start New Billing Period', value: 'start_new_billing_period' },
			{ name: 'Continue Existing Billing Period', value: 'continue_existing_billing_period' },
		],
		default: 'start_new_billing_period',
	},
]);

/** POST /subscriptions/{id}/resume (a paused subscription, or one with a scheduled pause). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('subscriptionId', itemIndex), 'sub', 'Subscription ID', itemIndex);
	const resumeAt = isoDate.call(this, this.getNodeParameter('resumeAt', itemIndex, ''), 'Resume At', itemIndex);
	const body: IDataObject = {
		effective_from: resumeAt ?? 'immediately',
		on_resume: this.getNodeParameter('onResume', itemIndex, 'start_new_billing_period'),
	};
	const { data } = await paddleCreate.call(
		this,
		{ method: 'POST', path: `/subscriptions/${encodeURIComponent(id)}/resume`, body, itemIndex },
		async () => {
			if (resumeAt) return undefined;
			const s = await getSubscription.call(this, id, itemIndex);
			const scheduled = (s.scheduled_change ?? {}) as IDataObject;
			return s.status === 'active' && scheduled.action !== 'pause' ? s : undefined;
		},
	);
	return subscriptionOutput(data);
}
