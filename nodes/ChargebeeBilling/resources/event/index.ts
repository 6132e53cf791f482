import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../types';
import * as list from './list';

export const operations: Record<string, Operation> = { list };

export const description: INodeProperties[] = [
	operationSelector('event', 'list', [
		{
			name: 'List Since',
			value: 'list',
			action: 'List events since a time',
			description: 'Events that occurred after a moment, oldest first, optionally of some types; to catch up on missed webhooks',
		},
	]),
	...list.description,
];
