import type { INodeProperties } from 'n8n-workflow';

import { customApiRequestSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as request from './request';

export const operations: Record<string, Operation> = { request };

export const description: INodeProperties[] = [
	customApiRequestSelector(
		'customApiRequest',
		'Make a Request',
		'Call any Paddle API endpoint this node has no operation for (e.g. products, reports), with the same key, rate limit, retries and error messages; answers {data, meta}',
	),
	...request.description,
];
