import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../types';
import * as get from './get';
import * as getPdfUrl from './getPdfUrl';

export const operations: Record<string, Operation> = { get, getPdfUrl };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['invoice'] } },
		options: [
			{ name: 'Get', value: 'get', action: 'Get an invoice', description: 'Get an invoice by ID' },
			{
				name: 'Get PDF Download URL',
				value: 'getPdfUrl',
				action: 'Get the PDF download URL of an invoice',
				description: 'Get a short-lived URL to download the invoice as PDF',
			},
		],
		default: 'get',
	},
	...get.description,
	...getPdfUrl.description,
];
