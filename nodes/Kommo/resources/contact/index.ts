import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import * as create from './create';
import * as find from './find';
import * as get from './get';
import * as getAll from './getAll';
import * as update from './update';

export const contactOperations: INodeProperties = operationSelector('contact', 'get', [
	{
		name: 'Create',
		value: 'create',
		description: 'Create a contact with email, phone, custom fields and tags; can return an existing one with the same email or phone instead',
		action: 'Create a contact',
	},
	{ name: 'Find', value: 'find', description: 'Find contacts by exact email, phone number or name', action: 'Find contacts' },
	{ name: 'Get', value: 'get', description: 'Get a contact with its email, phone and custom fields', action: 'Get a contact' },
	{ name: 'Get Many', value: 'getAll', description: 'List contacts, or those matching a search text', action: 'Get many contacts' },
	{ name: 'Update', value: 'update', description: 'Update a contact; the ID comes from Create, Find or Get Many', action: 'Update a contact' },
]);

export const contactFields: INodeProperties[] = [...create.description, ...find.description, ...get.description, ...getAll.description, ...update.description];

export const contactExecute: Record<string, KommoOperation> = {
	create: create.execute,
	find: find.execute,
	get: get.execute,
	getAll: getAll.execute,
	update: update.execute,
};
