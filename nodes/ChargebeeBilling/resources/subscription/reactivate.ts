import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import { unixSeconds } from '../../helpers';
import { locator, locatorValue } from '../../locators';
import { callIdempotencyKey, chargebeeRequest, idPath, type FormObject } from '../../transport';
import { show } from '../types';
import { subscriptionOutput } from './fields';

const displayOptions = show('subscription', ['reactivate']);

export const description: INodeProperties[] = [
	locator('subscription', 'subscriptionId', 'The cancelled subscription to bring back (a non-renewing one is still active: nothing to reactivate)', displayOptions),
	optionsCollection(
		[
			{
				displayName: 'Invoice Immediately',
				name: 'invoiceImmediately',
				type: 'boolean',
				default: true,
				description: 'Whether the new term is invoiced (and charged, with auto collection on) now rather than with the next invoice',
			},
			{
				displayName: 'Trial End',
				name: 'trialEnd',
				type: 'dateTime',
				default: '',
				description: 'Reactivate in trial until this date instead of charging now',
			},
		],
		displayOptions,
	),
];

/**
 * POST /subscriptions/{id}/reactivate. With auto collection on, the customer needs a payment
 * method (Chargebee refuses with payment_method_not_present otherwise): send a Payment Method
 * Page first, or turn auto collection off for invoiced customers.
 */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = locatorValue.call(this, 'subscriptionId', i, 'Subscription', 'subscription');
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const form: FormObject = {
		...(options.invoiceImmediately !== undefined ? { invoice_immediately: options.invoiceImmediately as boolean } : {}),
		trial_end: unixSeconds(options.trialEnd, 'Trial End'),
	};
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path: idPath('/subscriptions/{id}/reactivate', id),
		form,
		idempotencyKey: callIdempotencyKey('subscription-reactivate'),
		itemIndex: i,
	})) as IDataObject;
	return subscriptionOutput(body);
}
