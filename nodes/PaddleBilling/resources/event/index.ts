import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as getAll from './getAll';

export const operations: Record<string, Operation> = { getAll };

export const description: INodeProperties[] = [
	operationSelector('event', 'getAll', [
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many events',
			description: "Read Paddle's event stream (last 90 days), e.g. to catch up on events a webhook missed",
		},
	]),
	...getAll.description,
];
