import type { INodeProperties } from 'n8n-workflow';

import type { KommoOperation } from '../common';
import * as find from './find';
import * as get from './get';
import * as setStatus from './setStatus';
import * as update from './update';

export const leadOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['lead'] } },
	options: [
		{ name: 'Find', value: 'find', description: 'Find leads by ID, search text with an exact field match, or a contact\'s email or phone', action: 'Find leads' },
		{ name: 'Get', value: 'get', description: 'Get a lead with its contacts and custom fields', action: 'Get a lead' },
		{ name: 'Set Status', value: 'setStatus', description: 'Move a lead to a stage, e.g. Won or Lost', action: 'Set the status of a lead' },
		{ name: 'Update', value: 'update', description: 'Update standard and custom fields of a lead', action: 'Update a lead' },
	],
	default: 'get',
};

export const leadFields: INodeProperties[] = [
	...get.description,
	...find.description,
	...update.description,
	...setStatus.description,
];

export const leadExecute: Record<string, KommoOperation> = {
	get: get.execute,
	find: find.execute,
	update: update.execute,
	setStatus: setStatus.execute,
};
