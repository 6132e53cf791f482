import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as create from './create';

export const operations: Record<string, Operation> = { create };

export const description: INodeProperties[] = [
	operationSelector('address', 'create', [
		{ name: 'Create', value: 'create', action: 'Create an address for a customer', description: 'Add a billing address to a customer' },
	]),
	...create.description,
];
