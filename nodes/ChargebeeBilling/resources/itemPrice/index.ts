import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../types';
import * as list from './list';

export const operations: Record<string, Operation> = { list };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['itemPrice'] } },
		options: [
			{ name: 'List', value: 'list', action: 'List item prices', description: 'List item prices (plans, addons, charges)' },
		],
		default: 'list',
	},
	...list.description,
];
