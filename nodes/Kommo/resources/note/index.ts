import type { INodeProperties } from 'n8n-workflow';

import type { KommoOperation } from '../common';
import * as add from './add';

export const noteOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['note'] } },
	options: [
		{ name: 'Add to Lead', value: 'addToLead', description: 'Add a note to a lead (items are sent in batches of up to 50)', action: 'Add a note to a lead' },
	],
	default: 'addToLead',
};

export const noteFields: INodeProperties[] = [...add.description];

export const noteExecute: Record<string, KommoOperation> = { addToLead: add.execute };
