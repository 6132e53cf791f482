import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../types';
import * as get from './get';
import * as list from './list';

export const operations: Record<string, Operation> = { get, list };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['itemPrice'] } },
		options: [
			{ name: 'Get', value: 'get', action: 'Get an item price', description: 'Get one item price by ID with its amount, currency and period' },
			{
				name: 'List',
				value: 'list',
				action: 'List item prices',
				description: 'List item prices (plans, addons, charges); gives the item price IDs that subscriptions and checkouts need',
			},
		],
		default: 'list',
	},
	...get.description,
	...list.description,
];
