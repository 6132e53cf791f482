import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as create from './create';

export const operations: Record<string, Operation> = { create };

export const description: INodeProperties[] = [
	operationSelector('business', 'create', [
		{ name: 'Create', value: 'create', action: 'Create a business for a customer', description: 'Add a business (company details for B2B invoices) to a customer' },
	]),
	...create.description,
];
