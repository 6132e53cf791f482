import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../common';
import * as create from './create';

export const operations: Record<string, Operation> = { create };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['address'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create an address for a customer', description: 'Add a billing address to a customer' },
		],
		default: 'create',
	},
	...create.description,
];
