/**
 * Checkout link for a card customer: a Chargebee hosted page (checkout_new_for_items) where the
 * customer enters the card and pays; Chargebee creates the subscription then (events
 * subscription_created, payment_succeeded). A card-less customer cannot be given a paid
 * subscription with auto collection by API: Chargebee answers 400 payment_method_not_present.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { KOMMO_META_KEY, parseLeadId } from '../../helpers';
import { chargebeeRequest, deriveIdempotencyKey, type FormObject } from '../../transport';
import { checkCustomerId, checkUrl } from '../customer/fields';
import { locator, locatorValue } from '../../locators';
import { show } from '../types';
import { buildItems, itemsProperty } from './fields';

const displayOptions = show('subscription', ['createCheckout']);

export const description: INodeProperties[] = [
	locator('customer', 'customerId', 'The existing customer who pays on the page (create it first, e.g. with Find or Create)', displayOptions),
	itemsProperty(displayOptions),
	{
		displayName: 'Subscription ID',
		name: 'subscriptionId',
		type: 'string',
		default: '',
		placeholder: '=kommo-lead-{{ $json.leadId }}',
		description: 'ID the subscription gets when the customer pays. A deterministic ID makes a second checkout for the same deal fail instead of billing twice.',
		displayOptions,
	},
	{
		displayName: 'Kommo Lead ID',
		name: 'kommoLeadId',
		type: 'string',
		default: '',
		description: 'Sent as the page\'s pass_thru_content ({"kommo_lead_id": …}); the lead is also found from the customer\'s custom field',
		displayOptions,
	},
	additionalFieldsCollection(
		[
			{
				displayName: 'Redirect URL',
				name: 'redirectUrl',
				type: 'string',
				default: '',
				description: 'Where the customer lands after paying (https). Leave empty for Chargebee\'s thank-you page.',
			},
			{
				displayName: 'Cancel URL',
				name: 'cancelUrl',
				type: 'string',
				default: '',
				description: 'Where the customer lands when leaving the page without paying',
			},
		],
		displayOptions,
	),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const customerId = checkCustomerId(locatorValue.call(this, 'customerId', i, 'Customer', 'customer'));
	const subscriptionIdRaw = (this.getNodeParameter('subscriptionId', i, '') as string).trim();
	const subscriptionId = subscriptionIdRaw ? checkCustomerId(subscriptionIdRaw, 'Subscription ID') : undefined;
	const leadId = parseLeadId(this.getNodeParameter('kommoLeadId', i, '') as string);
	const additional = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const items = await buildItems.call(this, i, true);

	const form: FormObject = {
		customer: { id: customerId },
		...(subscriptionId ? { subscription: { id: subscriptionId } } : {}),
		subscription_items: items,
		redirect_url: checkUrl(additional.redirectUrl, 'Redirect URL'),
		cancel_url: checkUrl(additional.cancelUrl, 'Cancel URL'),
		...(leadId !== undefined ? { pass_thru_content: JSON.stringify({ [KOMMO_META_KEY]: leadId }) } : {}),
	};
	const path = '/hosted_pages/checkout_new_for_items';
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path,
		form,
		idempotencyKey: deriveIdempotencyKey('checkout-create', path, form),
		itemIndex: i,
	})) as IDataObject;
	const page = body.hosted_page as IDataObject;
	return {
		...page,
		checkoutUrl: page.url,
		customer_id: customerId,
		subscription_id: subscriptionId ?? null,
		items: items as unknown as IDataObject[],
	};
}
