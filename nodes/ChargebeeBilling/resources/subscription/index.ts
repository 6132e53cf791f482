import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../types';
import * as cancel from './cancel';
import * as changeItems from './changeItems';
import * as create from './create';
import * as createCheckout from './createCheckout';
import * as get from './get';
import * as listForCustomer from './listForCustomer';
import * as pause from './pause';
import * as reactivate from './reactivate';
import * as resume from './resume';

export const operations: Record<string, Operation> = { cancel, changeItems, create, createCheckout, get, listForCustomer, pause, reactivate, resume };

export const description: INodeProperties[] = [
	operationSelector('subscription', 'create', [
		{
			name: 'Cancel',
			value: 'cancel',
			action: 'Cancel a subscription',
			description: 'Cancel now or at the end of the term (Reactivate brings a cancelled one back; Pause is the temporary alternative)',
		},
		{
			name: 'Change Items',
			value: 'changeItems',
			action: 'Change the items of a subscription',
			description: 'Change plan, addons, quantities or prices (update_for_items); item price IDs come from Item Price → List',
		},
		{
			name: 'Create',
			value: 'create',
			action: 'Create a subscription',
			description: 'Create a subscription for an existing customer (Find or Create gives the ID) and item prices (Item Price → List); safe to retry. A card customer needs Create Checkout Link instead.',
		},
		{
			name: 'Create Checkout Link',
			value: 'createCheckout',
			action: 'Create a checkout link for a new subscription',
			description: 'A Chargebee hosted checkout page where a card customer pays; Chargebee creates the subscription then',
		},
		{ name: 'Get', value: 'get', action: 'Get a subscription', description: 'Get one subscription by ID with its status, items and term dates' },
		{
			name: 'List for Customer',
			value: 'listForCustomer',
			action: 'List subscriptions of a customer',
			description: 'List the subscriptions of one customer, newest first; gives the subscription IDs other operations need',
		},
		{
			name: 'Pause',
			value: 'pause',
			action: 'Pause a subscription',
			description: 'Stop renewals and billing of an active subscription now, at term end or on a date, until it is resumed',
		},
		{
			name: 'Reactivate',
			value: 'reactivate',
			action: 'Reactivate a cancelled subscription',
			description: 'Bring a cancelled subscription back to active (or trial); a new term is invoiced',
		},
		{
			name: 'Resume',
			value: 'resume',
			action: 'Resume a paused subscription',
			description: 'Make a paused subscription active again, now or on a date',
		},
	]),
	...cancel.description,
	...changeItems.description,
	...create.description,
	...createCheckout.description,
	...get.description,
	...listForCustomer.description,
	...pause.description,
	...reactivate.description,
	...resume.description,
];
