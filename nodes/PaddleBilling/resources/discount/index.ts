import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../common';
import * as create from './create';
import * as getAll from './getAll';

export const operations: Record<string, Operation> = { create, getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['discount'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create a discount', description: 'Create a percentage or flat discount, optionally with a checkout code' },
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many discounts',
				description: 'List catalog discounts, e.g. to find the dsc_ ID for Transaction → Create or Preview',
			},
		],
		default: 'getAll',
	},
	...create.description,
	...getAll.description,
];
