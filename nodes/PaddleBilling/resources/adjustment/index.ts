import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as create from './create';
import * as getAll from './getAll';

export const operations: Record<string, Operation> = { create, getAll };

export const description: INodeProperties[] = [
	operationSelector('adjustment', 'create', [
		{
			name: 'Create',
			value: 'create',
			action: 'Create an adjustment',
			description: 'Refund a completed transaction or credit an unpaid invoice, in full or by line item (the transaction ID comes from Transaction → Get Many)',
		},
		{ name: 'Get Many', value: 'getAll', action: 'Get many adjustments', description: 'List refunds, credits and chargebacks, e.g. of one transaction' },
	]),
	...create.description,
	...getAll.description,
];
