import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as request from './request';

export const operations: Record<string, Operation> = { request };

export const description: INodeProperties[] = [
	operationSelector('customApiRequest', 'request', [
		{
			name: 'Make a Request',
			value: 'request',
			action: 'Make a custom API request',
			description:
				'Call any Paddle API endpoint this node has no operation for (e.g. products, reports), with the same key, rate limit, retries and error messages; answers {data, meta}',
		},
	]),
	...request.description,
];
