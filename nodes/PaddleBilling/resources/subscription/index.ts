import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as cancel from './cancel';
import * as changeItems from './changeItems';
import * as charge from './charge';
import * as createByInvoice from './createByInvoice';
import * as createCheckoutLink from './createCheckoutLink';
import * as get from './get';
import * as pause from './pause';
import * as previewChangeItems from './previewChangeItems';
import * as resume from './resume';

export const operations: Record<string, Operation> = {
	cancel,
	changeItems,
	charge,
	createByInvoice,
	createCheckoutLink,
	get,
	pause,
	previewChangeItems,
	// the preview's parameters are declared with charge's (charge.description)
	previewCharge: { description: [], execute: charge.preview },
	resume,
};

export const description: INodeProperties[] = [
	operationSelector('subscription', 'createByInvoice', [
		{ name: 'Cancel', value: 'cancel', action: 'Cancel a subscription', description: 'Cancel at the next billing period or immediately' },
		{ name: 'Change Items', value: 'changeItems', action: 'Change subscription items', description: 'Change prices or quantities, with a proration mode' },
		{
			name: 'Charge One-Time Items',
			value: 'charge',
			action: 'Charge one time items to a subscription',
			description: 'Bill one-time prices (e.g. a setup fee) to a subscription, now or with the next renewal; Preview Charge shows the amount first',
		},
		{ name: 'Create by Invoice', value: 'createByInvoice', action: 'Create an invoiced subscription', description: 'Invoice the customer (manual collection); Paddle then creates the subscription' },
		{ name: 'Create Checkout Link', value: 'createCheckoutLink', action: 'Create a checkout link', description: 'A card checkout link; Paddle creates the subscription once it is paid' },
		{ name: 'Get', value: 'get', action: 'Get a subscription', description: 'Get a subscription by ID' },
		{ name: 'Pause', value: 'pause', action: 'Pause a subscription', description: 'Pause at the next billing period or immediately' },
		{
			name: 'Preview Change Items',
			value: 'previewChangeItems',
			action: 'Preview a change of subscription items',
			description: 'What Change Items would charge or credit now and at renewal, without changing anything',
		},
		{
			name: 'Preview Charge',
			value: 'previewCharge',
			action: 'Preview a one time charge',
			description: 'What Charge One-Time Items would bill, without charging',
		},
		{ name: 'Resume', value: 'resume', action: 'Resume a subscription', description: 'Resume a paused subscription' },
	]),
	...cancel.description,
	...changeItems.description,
	...charge.description,
	...createByInvoice.description,
	...createCheckoutLink.description,
	...get.description,
	...pause.description,
	...previewChangeItems.description,
	...resume.description,
];
