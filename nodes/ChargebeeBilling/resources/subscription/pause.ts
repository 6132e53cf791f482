import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InputError, unixSeconds } from '../../helpers';
import { locator, locatorValue } from '../../locators';
import { callIdempotencyKey, chargebeeRequest, idPath, type FormObject } from '../../transport';
import { show } from '../types';
import { subscriptionOutput } from './fields';

const displayOptions = show('subscription', ['pause']);

export const description: INodeProperties[] = [
	locator('subscription', 'subscriptionId', 'The active or non-renewing subscription to pause (List for Customer or Get gives subscription IDs)', displayOptions),
	{
		displayName: 'When',
		name: 'pauseOption',
		type: 'options',
		options: [
			{ name: 'Immediately', value: 'immediately', description: 'Status becomes paused now; nothing renews or is billed until it is resumed' },
			{ name: 'At End of Term', value: 'end_of_term', description: 'Pause when the paid term ends' },
			{ name: 'On a Date', value: 'specific_date', description: 'Pause on the date below' },
			{ name: 'Skip Billing Cycles', value: 'billing_cycles', description: 'Pause at the end of the term and resume by itself after the number of cycles below' },
		],
		default: 'immediately',
		displayOptions,
	},
	{
		displayName: 'Pause Date',
		name: 'pauseDate',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'When the pause starts (in the future)',
		displayOptions: { show: { ...displayOptions?.show, pauseOption: ['specific_date'] } },
	},
	{
		displayName: 'Billing Cycles to Skip',
		name: 'skipBillingCycles',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		displayOptions: { show: { ...displayOptions?.show, pauseOption: ['billing_cycles'] } },
	},
	{
		displayName: 'Resume Date',
		name: 'resumeDate',
		type: 'dateTime',
		default: '',
		description: 'When the subscription resumes by itself; leave empty to stay paused until the Resume operation',
		displayOptions: { show: { ...displayOptions?.show, pauseOption: ['immediately', 'end_of_term', 'specific_date'] } },
	},
];

/** POST /subscriptions/{id}/pause. The site must allow pausing (Settings → Configure Chargebee → Pause Subscription). */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = locatorValue.call(this, 'subscriptionId', i, 'Subscription', 'subscription');
	const option = this.getNodeParameter('pauseOption', i, 'immediately') as string;
	const form: FormObject = { pause_option: option };
	if (option === 'specific_date') {
		const date = unixSeconds(this.getNodeParameter('pauseDate', i, ''), 'Pause Date');
		if (date === undefined) throw new InputError('Pause Date is empty', 'Give the date the pause starts, or choose another "When".');
		form.pause_date = date;
	}
	if (option === 'billing_cycles') form.skip_billing_cycles = this.getNodeParameter('skipBillingCycles', i, 1) as number;
	else form.resume_date = unixSeconds(this.getNodeParameter('resumeDate', i, ''), 'Resume Date');
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path: idPath('/subscriptions/{id}/pause', id),
		form,
		idempotencyKey: callIdempotencyKey('subscription-pause'),
		itemIndex: i,
	})) as IDataObject;
	return subscriptionOutput(body);
}
