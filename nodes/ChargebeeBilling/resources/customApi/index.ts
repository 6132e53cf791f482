import type { INodeProperties } from 'n8n-workflow';

import { customApiRequestSelector } from '../../../shared/descriptions';
import type { Operation } from '../types';
import * as request from './request';

export const operations: Record<string, Operation> = { request };

export const description: INodeProperties[] = [
	customApiRequestSelector(
		'customApi',
		'Custom API Request',
		'Call any Chargebee API v2 endpoint this node has no operation for, with the same credential, limits and errors',
	),
	...request.description,
];
