import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import { KOMMO_META_KEY, parseLeadId } from '../../helpers';
import { callIdempotencyKey, chargebeeRequest, idPath, type FormObject } from '../../transport';
import { locator, locatorValue } from '../../locators';
import { show } from '../types';
import { buildItems, itemsProperty, subscriptionOutput } from './fields';

const displayOptions = show('subscription', ['changeItems']);

export const description: INodeProperties[] = [
	locator('subscription', 'subscriptionId', 'The subscription whose plan, addons or quantities change (List for Customer gives subscription IDs)', displayOptions),
	itemsProperty(displayOptions),
	{
		displayName: 'Replace All Items',
		name: 'replaceItemsList',
		type: 'boolean',
		default: false,
		description:
			'Whether the items above become the whole list (items not listed are removed). Otherwise they are added or updated, and a new plan replaces the current plan.',
		displayOptions,
	},
	{
		displayName: 'When',
		name: 'when',
		type: 'options',
		options: [
			{ name: 'At End of Term', value: 'endOfTerm' },
			{ name: 'Immediately', value: 'immediately' },
		],
		default: 'immediately',
		displayOptions,
	},
	optionsCollection(
		[
			{
				displayName: 'Invoice Immediately',
				name: 'invoiceImmediately',
				type: 'boolean',
				default: true,
				description: 'Whether charges from the change are invoiced now rather than with the next renewal',
			},
			{
				displayName: 'Kommo Lead ID',
				name: 'kommoLeadId',
				type: 'string',
				default: '',
				description: 'Replaces the subscription\'s meta_data with {"kommo_lead_id": …}',
			},
			{
				displayName: 'Prorate',
				name: 'prorate',
				type: 'boolean',
				default: true,
				description: 'Whether to charge or credit the difference for the rest of the current term',
			},
		],
		displayOptions,
	),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = locatorValue.call(this, 'subscriptionId', i, 'Subscription', 'subscription');
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const leadId = parseLeadId(options.kommoLeadId);
	const form: FormObject = {
		subscription_items: await buildItems.call(this, i, true),
		replace_items_list: this.getNodeParameter('replaceItemsList', i, false) as boolean,
		end_of_term: this.getNodeParameter('when', i, 'immediately') === 'endOfTerm',
		prorate: options.prorate as boolean | undefined,
		invoice_immediately: options.invoiceImmediately as boolean | undefined,
		...(leadId !== undefined ? { meta_data: { [KOMMO_META_KEY]: leadId } } : {}),
	};
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path: idPath('/subscriptions/{id}/update_for_items', id),
		form,
		idempotencyKey: callIdempotencyKey('subscription-change'),
		itemIndex: i,
	})) as IDataObject;
	return subscriptionOutput(body);
}
