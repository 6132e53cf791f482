import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InputError, unixSeconds } from '../../helpers';
import { locator, locatorValue } from '../../locators';
import { callIdempotencyKey, chargebeeRequest, idPath, type FormObject } from '../../transport';
import { show } from '../types';
import { subscriptionOutput } from './fields';

const displayOptions = show('subscription', ['resume']);

export const description: INodeProperties[] = [
	locator('subscription', 'subscriptionId', 'The paused subscription to resume (Pause or Get gives its ID)', displayOptions),
	{
		displayName: 'When',
		name: 'resumeOption',
		type: 'options',
		options: [
			{ name: 'Immediately', value: 'immediately', description: 'Active again now; a new term is invoiced if the paid term has ended' },
			{ name: 'On a Date', value: 'specific_date', description: 'Stays paused until the date below' },
		],
		default: 'immediately',
		displayOptions,
	},
	{
		displayName: 'Resume Date',
		name: 'resumeDate',
		type: 'dateTime',
		default: '',
		required: true,
		displayOptions: { show: { ...displayOptions?.show, resumeOption: ['specific_date'] } },
	},
	{
		displayName: 'Unpaid Invoices',
		name: 'unpaidInvoicesHandling',
		type: 'options',
		options: [
			{ name: 'Leave as They Are', value: 'no_action' },
			{ name: 'Collect Payment', value: 'schedule_payment_collection', description: 'Charge the payment method on file for invoices still due' },
		],
		default: 'no_action',
		displayOptions,
	},
];

/** POST /subscriptions/{id}/resume. */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = locatorValue.call(this, 'subscriptionId', i, 'Subscription', 'subscription');
	const option = this.getNodeParameter('resumeOption', i, 'immediately') as string;
	const form: FormObject = { resume_option: option };
	if (option === 'specific_date') {
		const date = unixSeconds(this.getNodeParameter('resumeDate', i, ''), 'Resume Date');
		if (date === undefined) throw new InputError('Resume Date is empty', 'Give the date the subscription resumes, or choose "Immediately".');
		form.resume_date = date;
	}
	const unpaid = this.getNodeParameter('unpaidInvoicesHandling', i, 'no_action') as string;
	if (unpaid !== 'no_action') form.unpaid_invoices_handling = unpaid;
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path: idPath('/subscriptions/{id}/resume', id),
		form,
		idempotencyKey: callIdempotencyKey('subscription-resume'),
		itemIndex: i,
	})) as IDataObject;
	return subscriptionOutput(body);
}
