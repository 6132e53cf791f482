import type { INodeProperties } from 'n8n-workflow';

import type { KommoOperation } from '../common';
import * as createForLead from './createForLead';

export const taskOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['task'] } },
	options: [
		{ name: 'Create for Lead', value: 'createForLead', description: 'Create a task on a lead for its responsible user or another user', action: 'Create a task for a lead' },
	],
	default: 'createForLead',
};

export const taskFields: INodeProperties[] = [...createForLead.description];

export const taskExecute: Record<string, KommoOperation> = { createForLead: createForLead.execute };
