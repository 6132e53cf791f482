import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../common';
import * as getAll from './getAll';

export const operations: Record<string, Operation> = { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['event'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many events',
				description: "Read Paddle's event stream (last 90 days), e.g. to catch up on events a webhook missed",
			},
		],
		default: 'getAll',
	},
	...getAll.description,
];
