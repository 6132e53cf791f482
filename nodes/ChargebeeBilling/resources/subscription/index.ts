import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../types';
import * as cancel from './cancel';
import * as changeItems from './changeItems';
import * as create from './create';
import * as createCheckout from './createCheckout';
import * as get from './get';
import * as listForCustomer from './listForCustomer';

export const operations: Record<string, Operation> = { cancel, changeItems, create, createCheckout, get, listForCustomer };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['subscription'] } },
		options: [
			{ name: 'Cancel', value: 'cancel', action: 'Cancel a subscription', description: 'Cancel now or at the end of the term' },
			{
				name: 'Change Items',
				value: 'changeItems',
				action: 'Change the items of a subscription',
				description: 'Change plan, addons, quantities or prices (update_for_items)',
			},
			{
				name: 'Create',
				value: 'create',
				action: 'Create a subscription',
				description: 'Create a subscription for item prices, safe to retry',
			},
			{
				name: 'Create Checkout Link',
				value: 'createCheckout',
				action: 'Create a checkout link for a new subscription',
				description: 'A Chargebee hosted checkout page where a card customer pays; Chargebee creates the subscription then',
			},
			{ name: 'Get', value: 'get', action: 'Get a subscription', description: 'Get a subscription by ID' },
			{
				name: 'List for Customer',
				value: 'listForCustomer',
				action: 'List subscriptions of a customer',
				description: 'List the subscriptions of one customer',
			},
		],
		default: 'create',
	},
	...cancel.description,
	...changeItems.description,
	...create.description,
	...createCheckout.description,
	...get.description,
	...listForCustomer.description,
];
