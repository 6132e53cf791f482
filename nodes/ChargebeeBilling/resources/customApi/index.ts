import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../types';
import * as request from './request';

export const operations: Record<string, Operation> = { request };

export const description: INodeProperties[] = [
	operationSelector('customApi', 'request', [
		{
			name: 'Custom API Request',
			value: 'request',
			action: 'Make a custom API request',
			description: 'Call any Chargebee API v2 endpoint this node has no operation for, with the same credential, limits and errors',
		},
	]),
	...request.description,
];
