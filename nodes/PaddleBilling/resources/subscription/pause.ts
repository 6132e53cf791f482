import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getSubscription, requirePaddleId } from '../../helpers';
import { paddleCreate } from '../../transport';
import { forOperation, subscriptionIdField } from '../common';
import { subscriptionOutput } from './shared';

export const description: INodeProperties[] = forOperation('subscription', 'pause', [
	subscriptionIdField,
	{
		displayName: 'Effective From',
		name: 'effectiveFrom',
		type: 'options',
		options: [
			{ name: 'Next Billing Period', value: 'next_billing_period' },
			{ name: 'Immediately', value: 'immediately' },
		],
		default: 'next_billing_period',
	},
	{
		displayName: 'Resume At',
		name: 'resumeAt',
		type: 'dateTime',
		default: '',
		description: 'Optional. When Paddle should resume the subscription; empty pauses until resumed.',
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

export function isoDate(this: IExecuteFunctions, value: unknown, field: string, itemIndex: number): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const date = new Date(String(value));
	if (Number.isNaN(date.getTime())) {
		throw new NodeOperationError(this.getNode(), `${field} "${String(value)}" is not a date and time (use ISO 8601, e.g. 2025-01-31T09:00:00Z).`, { itemIndex });
	}
	return date.toISOString();
}

/** POST /subscriptions/{id}/pause; after an unclear failure the subscription is read to see whether it took effect. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('subscriptionId', itemIndex), 'sub', 'Subscription ID', itemIndex);
	const effectiveFrom = this.getNodeParameter('effectiveFrom', itemIndex, 'next_billing_period') as string;
	const body: IDataObject = {
		effective_from: effectiveFrom,
		on_resume: this.getNodeParameter('onResume', itemIndex, 'start_new_billing_period'),
	};
	const resumeAt = isoDate.call(this, this.getNodeParameter('resumeAt', itemIndex, ''), 'Resume At', itemIndex);
	if (resumeAt) body.resume_at = resumeAt;
	const { data } = await paddleCreate.call(
		this,
		{ method: 'POST', path: `/subscriptions/${encodeURIComponent(id)}/pause`, body, itemIndex },
		async () => {
			const s = await getSubscription.call(this, id, itemIndex);
			const scheduled = (s.scheduled_change ?? {}) as IDataObject;
			return s.status === 'paused' || scheduled.action === 'pause' ? s : undefined;
		},
	);
	return subscriptionOutput(data);
}
