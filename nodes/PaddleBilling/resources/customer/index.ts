import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as create from './create';
import * as findByEmail from './findByEmail';
import * as findOrCreate from './findOrCreate';
import * as get from './get';
import * as update from './update';

export const operations: Record<string, Operation> = { create, findByEmail, findOrCreate, get, update };

export const description: INodeProperties[] = [
	operationSelector('customer', 'findOrCreate', [
		{ name: 'Create', value: 'create', action: 'Create a customer', description: 'Create a customer (a duplicate email is an error)' },
		{ name: 'Find by Email', value: 'findByEmail', action: 'Find a customer by email', description: 'Look a customer up by exact email' },
		{ name: 'Find or Create', value: 'findOrCreate', action: 'Find or create a customer', description: 'Return the customer with this email, creating it if needed' },
		{ name: 'Get', value: 'get', action: 'Get a customer', description: 'Get a customer by ID' },
		{ name: 'Update', value: 'update', action: 'Update a customer', description: 'Update a customer' },
	]),
	...create.description,
	...findByEmail.description,
	...findOrCreate.description,
	...get.description,
	...update.description,
];
