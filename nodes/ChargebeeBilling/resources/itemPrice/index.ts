import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../types';
import * as get from './get';
import * as list from './list';

export const operations: Record<string, Operation> = { get, list };

export const description: INodeProperties[] = [
	operationSelector('itemPrice', 'list', [
		{ name: 'Get', value: 'get', action: 'Get an item price', description: 'Get one item price by ID with its amount, currency and period' },
		{
			name: 'List',
			value: 'list',
			action: 'List item prices',
			description: 'List item prices (plans, addons, charges); gives the item price IDs that subscriptions and checkouts need',
		},
	]),
	...get.description,
	...list.description,
];
