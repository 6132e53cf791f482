import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../types';
import * as create from './create';
import * as get from './get';
import * as list from './list';

export const operations: Record<string, Operation> = { create, get, list };

export const description: INodeProperties[] = [
	operationSelector('creditNote', 'list', [
		{
			name: 'Create',
			value: 'create',
			action: 'Create a credit note',
			description: 'Credit part or all of an invoice: adjust an unpaid one, or give refundable or store credit for a paid one',
		},
		{ name: 'Get', value: 'get', action: 'Get a credit note', description: 'Get one credit note by ID' },
		{
			name: 'List',
			value: 'list',
			action: 'List credit notes',
			description: 'List credit notes, newest first, of a customer, invoice or subscription',
		},
	]),
	...create.description,
	...get.description,
	...list.description,
];
