import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../types';
import * as create from './create';
import * as findByEmail from './findByEmail';
import * as findOrCreate from './findOrCreate';
import * as get from './get';
import * as update from './update';

export const operations: Record<string, Operation> = { create, findByEmail, findOrCreate, get, update };

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['customer'] } },
	options: [
		{ name: 'Create', value: 'create', action: 'Create a customer', description: 'Create a customer, optionally with an ID of your choice' },
		{ name: 'Find by Email', value: 'findByEmail', action: 'Find customers by email', description: 'Find customers by exact email address' },
		{
			name: 'Find or Create',
			value: 'findOrCreate',
			action: 'Find or create a customer',
			description: 'Look a customer up by ID, then by email, and create it if neither finds one',
		},
		{ name: 'Get', value: 'get', action: 'Get a customer', description: 'Get a customer by ID' },
		{ name: 'Update', value: 'update', action: 'Update a customer', description: 'Update a customer' },
	],
	default: 'findOrCreate',
};

export const description: INodeProperties[] = [
	operationProperty,
	...create.description,
	...findByEmail.description,
	...findOrCreate.description,
	...get.description,
	...update.description,
];
