import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isoFromUnix } from '../../helpers';
import { locator, locatorValue } from '../../locators';
import { callIdempotencyKey, chargebeeRequest, type FormObject } from '../../transport';
import { show } from '../types';
import { checkUrl } from './fields';

const displayOptions = show('customer', ['createPortalSession']);

export const description: INodeProperties[] = [
	locator('customer', 'customerId', 'The customer who gets the self-service portal link (Find by Email or Get give customer IDs)', displayOptions),
	{
		displayName: 'Redirect URL',
		name: 'redirectUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/account',
		description: 'Where the customer lands after logging out of the portal (needed unless the portal is embedded in an iframe)',
		displayOptions,
	},
];

/**
 * POST /portal_sessions: a one-time link to Chargebee's customer portal (invoices, payment
 * methods, subscriptions). It must be opened within an hour and works once: create one each time.
 * The site must allow portal access via API (Settings → Configure Chargebee → Customer Portal).
 */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const customerId = locatorValue.call(this, 'customerId', i, 'Customer', 'customer');
	const form: FormObject = { customer: { id: customerId }, redirect_url: checkUrl(this.getNodeParameter('redirectUrl', i, ''), 'Redirect URL') };
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path: '/portal_sessions',
		form,
		idempotencyKey: callIdempotencyKey('portal-session'),
		itemIndex: i,
	})) as IDataObject;
	const session = body.portal_session as IDataObject;
	return { portalUrl: session.access_url, expiresAt: isoFromUnix(session.expires_at), ...session };
}
