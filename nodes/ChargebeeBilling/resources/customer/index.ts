import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../types';
import * as create from './create';
import * as createPaymentMethodPage from './createPaymentMethodPage';
import * as createPortalSession from './createPortalSession';
import * as findByEmail from './findByEmail';
import * as findOrCreate from './findOrCreate';
import * as get from './get';
import * as update from './update';

export const operations: Record<string, Operation> = { create, createPaymentMethodPage, createPortalSession, findByEmail, findOrCreate, get, update };

export const operationProperty: INodeProperties = operationSelector('customer', 'findOrCreate', [
	{ name: 'Create', value: 'create', action: 'Create a customer', description: 'Create a customer, optionally with an ID of your choice; Find or Create avoids duplicates' },
	{
		name: 'Create Payment Method Page',
		value: 'createPaymentMethodPage',
		action: 'Create a payment method page for a customer',
		description: 'A Chargebee hosted page link where the customer adds or replaces a card; use it before Reactivate or after failed payments',
	},
	{
		name: 'Create Portal Session',
		value: 'createPortalSession',
		action: 'Create a customer portal link',
		description: "A one-time link (valid one hour) to Chargebee's self-service portal for invoices, payment methods and subscriptions",
	},
	{ name: 'Find by Email', value: 'findByEmail', action: 'Find customers by email', description: 'Find customers by exact email address; gives the customer IDs other operations need' },
	{
		name: 'Find or Create',
		value: 'findOrCreate',
		action: 'Find or create a customer',
		description: 'Look a customer up by ID, then by email, and create it if neither finds one',
	},
	{ name: 'Get', value: 'get', action: 'Get a customer', description: 'Get one customer by ID with its contact data, auto collection and card status' },
	{ name: 'Update', value: 'update', action: 'Update a customer', description: 'Change contact data, auto collection, custom fields or the Kommo lead ID of a customer' },
]);

export const description: INodeProperties[] = [
	operationProperty,
	...create.description,
	...createPaymentMethodPage.description,
	...createPortalSession.description,
	...findByEmail.description,
	...findOrCreate.description,
	...get.description,
	...update.description,
];
