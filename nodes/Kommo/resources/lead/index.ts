import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import * as create from './create';
import * as createComplex from './createComplex';
import * as find from './find';
import * as get from './get';
import * as getAll from './getAll';
import * as setStatus from './setStatus';
import * as update from './update';

export const leadOperations: INodeProperties = operationSelector('lead', 'get', [
	{
		name: 'Create',
		value: 'create',
		description: 'Create a lead, optionally linked to an existing contact and company (their IDs from Contact or Company operations)',
		action: 'Create a lead',
	},
	{
		name: 'Create With Contact',
		value: 'createComplex',
		description: 'Create a lead together with its contact and company in one call, linking ones that already exist instead of duplicating them',
		action: 'Create a lead with contact and company',
	},
	{ name: 'Find', value: 'find', description: 'Find leads by ID, search text with an exact field match, or a contact\'s email or phone', action: 'Find leads' },
	{ name: 'Get', value: 'get', description: 'Get a lead with its contacts and custom fields', action: 'Get a lead' },
	{ name: 'Get Many', value: 'getAll', description: 'List leads, newest first, or those matching a search text', action: 'Get many leads' },
	{ name: 'Set Status', value: 'setStatus', description: 'Move a lead to a stage, e.g. Won or Lost', action: 'Set the status of a lead' },
	{ name: 'Update', value: 'update', description: 'Update standard and custom fields of a lead', action: 'Update a lead' },
]);

export const leadFields: INodeProperties[] = [
	...create.description,
	...createComplex.description,
	...get.description,
	...getAll.description,
	...find.description,
	...update.description,
	...setStatus.description,
];

export const leadExecute: Record<string, KommoOperation> = {
	create: create.execute,
	createComplex: createComplex.execute,
	get: get.execute,
	getAll: getAll.execute,
	find: find.execute,
	update: update.execute,
	setStatus: setStatus.execute,
};
