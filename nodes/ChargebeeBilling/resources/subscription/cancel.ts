import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import { callIdempotencyKey, chargebeeRequest, idPath, type FormObject } from '../../transport';
import { locator, locatorValue } from '../../locators';
import { show } from '../types';
import { subscriptionOutput } from './fields';

const displayOptions = show('subscription', ['cancel']);

export const description: INodeProperties[] = [
	locator('subscription', 'subscriptionId', 'The subscription to cancel (List for Customer or Get give subscription IDs)', displayOptions),
	{
		displayName: 'When',
		name: 'when',
		type: 'options',
		options: [
			{ name: 'At End of Term', value: 'endOfTerm', description: 'The subscription stays active until the current term ends (status non_renewing)' },
			{ name: 'Immediately', value: 'immediately' },
		],
		default: 'endOfTerm',
		displayOptions,
	},
	{
		displayName: 'Cancel Reason Code',
		name: 'cancelReasonCode',
		type: 'string',
		default: '',
		placeholder: 'Too expensive',
		description: 'One of the reason codes configured on the site (Settings → Configure Chargebee → Reason Codes → Subscriptions → Cancel Subscription)',
		displayOptions,
	},
	optionsCollection(
		[
			{
				displayName: 'Credit for Current Term',
				name: 'creditOption',
				type: 'options',
				options: [
					{ name: 'Full', value: 'full' },
					{ name: 'None', value: 'none' },
					{ name: 'Prorate', value: 'prorate' },
				],
				default: 'none',
				description: 'For an immediate cancellation: whether to credit the unused part of the paid term',
			},
			{
				displayName: 'Unbilled Charges',
				name: 'unbilledChargesOption',
				type: 'options',
				options: [
					{ name: 'Delete', value: 'delete' },
					{ name: 'Invoice', value: 'invoice' },
				],
				default: 'invoice',
				description: 'For an immediate cancellation: what to do with charges not yet invoiced',
			},
		],
		displayOptions,
	),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = locatorValue.call(this, 'subscriptionId', i, 'Subscription', 'subscription');
	const immediately = this.getNodeParameter('when', i, 'endOfTerm') === 'immediately';
	const reason = (this.getNodeParameter('cancelReasonCode', i, '') as string).trim();
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const form: FormObject = {
		end_of_term: !immediately,
		...(reason ? { cancel_reason_code: reason } : {}),
		...(immediately && options.creditOption ? { credit_option_for_current_term_charges: options.creditOption as string } : {}),
		...(immediately && options.unbilledChargesOption ? { unbilled_charges_option: options.unbilledChargesOption as string } : {}),
	};
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path: idPath('/subscriptions/{id}/cancel_for_items', id),
		form,
		idempotencyKey: callIdempotencyKey('subscription-cancel'),
		itemIndex: i,
	})) as IDataObject;
	return subscriptionOutput(body);
}
