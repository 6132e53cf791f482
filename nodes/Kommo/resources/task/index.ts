import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import * as complete from './complete';
import * as create from './create';
import * as createForLead from './createForLead';

export const taskOperations: INodeProperties = operationSelector('task', 'createForLead', [
	{ name: 'Complete', value: 'complete', description: 'Mark tasks as done with an optional result text (task IDs come from the Create operations)', action: 'Complete a task' },
	{ name: 'Create (Without Lead)', value: 'create', description: 'Create a task that is not attached to a lead, for a chosen user', action: 'Create a task' },
	{ name: 'Create for Lead', value: 'createForLead', description: 'Create a task on a lead for its responsible user or another user', action: 'Create a task for a lead' },
]);

export const taskFields: INodeProperties[] = [...createForLead.description, ...create.description, ...complete.description];

export const taskExecute: Record<string, KommoOperation> = {
	createForLead: createForLead.execute,
	create: create.execute,
	complete: complete.execute,
};
