import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isoFromUnix } from '../../helpers';
import { locator, locatorValue } from '../../locators';
import { callIdempotencyKey, chargebeeRequest, type FormObject } from '../../transport';
import { show } from '../types';
import { checkUrl } from './fields';

const displayOptions = show('customer', ['createPaymentMethodPage']);

export const description: INodeProperties[] = [
	locator('customer', 'customerId', 'The customer who adds or replaces a card or other payment method (Find by Email or Get give customer IDs)', displayOptions),
	{
		displayName: 'Redirect URL',
		name: 'redirectUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/thanks',
		description: 'Where the customer lands after saving the payment method',
		displayOptions,
	},
];

/**
 * POST /hosted_pages/manage_payment_sources: a Chargebee hosted page where the customer saves a
 * payment method, e.g. before Reactivate or when payments fail (payment_method_not_present).
 * Chargebee sends payment_source_added when it is saved.
 */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const customerId = locatorValue.call(this, 'customerId', i, 'Customer', 'customer');
	const form: FormObject = { customer: { id: customerId }, redirect_url: checkUrl(this.getNodeParameter('redirectUrl', i, ''), 'Redirect URL') };
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path: '/hosted_pages/manage_payment_sources',
		form,
		idempotencyKey: callIdempotencyKey('payment-method-page'),
		itemIndex: i,
	})) as IDataObject;
	const page = body.hosted_page as IDataObject;
	return { pageUrl: page.url, expiresAt: isoFromUnix(page.expires_at), customer_id: customerId, ...page };
}
