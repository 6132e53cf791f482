import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../common';
import * as get from './get';
import * as list from './list';

export const operations: Record<string, Operation> = { get, list };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['price'] } },
		options: [
			{ name: 'Get', value: 'get', action: 'Get a price', description: 'Get one price with its product and amount' },
			{ name: 'List', value: 'list', action: 'List prices', description: 'List prices with their products, e.g. to find the pri_ ID for items' },
		],
		default: 'list',
	},
	...get.description,
	...list.description,
];
