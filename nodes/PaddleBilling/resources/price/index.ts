import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as get from './get';
import * as list from './list';

export const operations: Record<string, Operation> = { get, list };

export const description: INodeProperties[] = [
	operationSelector('price', 'list', [
		{ name: 'Get', value: 'get', action: 'Get a price', description: 'Get one price with its product and amount' },
		{ name: 'List', value: 'list', action: 'List prices', description: 'List prices with their products, e.g. to find the pri_ ID for items' },
	]),
	...get.description,
	...list.description,
];
