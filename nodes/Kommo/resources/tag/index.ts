import type { INodeProperties } from 'n8n-workflow';

import type { KommoOperation } from '../common';
import { tagDescription, tagExecute } from './common';

export const tagOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['tag'] } },
	options: [
		{ name: 'Add', value: 'add', description: 'Add tags by name to a lead, contact or company, keeping its other tags', action: 'Add tags to a record' },
		{ name: 'Remove', value: 'remove', description: 'Remove tags by name from a lead, contact or company, keeping its other tags', action: 'Remove tags from a record' },
	],
	default: 'add',
};

export const tagFields: INodeProperties[] = [...tagDescription('add'), ...tagDescription('remove')];

export const tagExecuteMap: Record<string, KommoOperation> = { add: tagExecute('add'), remove: tagExecute('remove') };
