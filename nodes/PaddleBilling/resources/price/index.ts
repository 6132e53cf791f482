import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../common';
import * as list from './list';

export const operations: Record<string, Operation> = { list };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['price'] } },
		options: [{ name: 'List', value: 'list', action: 'List prices', description: 'List prices (also feeds the price dropdowns)' }],
		default: 'list',
	},
	...list.description,
];
