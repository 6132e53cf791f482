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
		displayOptions: { show: { resource: ['business'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create a business for a customer', description: 'Add a business (company details for B2B invoices) to a customer' },
		],
		default: 'create',
	},
	...create.description,
];
