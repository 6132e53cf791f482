import type { INodeProperties } from 'n8n-workflow';

import type { KommoOperation } from '../common';
import * as get from './get';
import * as update from './update';

export const contactOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['contact'] } },
	options: [
		{ name: 'Get', value: 'get', description: 'Get a contact with its email, phone and custom fields', action: 'Get a contact' },
		{ name: 'Update', value: 'update', description: 'Update a contact', action: 'Update a contact' },
	],
	default: 'get',
};

export const contactFields: INodeProperties[] = [...get.description, ...update.description];

export const contactExecute: Record<string, KommoOperation> = { get: get.execute, update: update.execute };
