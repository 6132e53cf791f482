import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as create from './create';
import * as getAll from './getAll';

export const operations: Record<string, Operation> = { create, getAll };

export const description: INodeProperties[] = [
	operationSelector('discount', 'getAll', [
		{ name: 'Create', value: 'create', action: 'Create a discount', description: 'Create a percentage or flat discount, optionally with a checkout code' },
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many discounts',
			description: 'List catalog discounts, e.g. to find the dsc_ ID for Transaction → Create or Preview',
		},
	]),
	...create.description,
	...getAll.description,
];
