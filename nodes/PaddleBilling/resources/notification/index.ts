import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as get from './get';
import * as getAll from './getAll';
import * as replay from './replay';

export const operations: Record<string, Operation> = { get, getAll, replay };

export const description: INodeProperties[] = [
	operationSelector('notification', 'getAll', [
		{ name: 'Get', value: 'get', action: 'Get a notification', description: 'Get a notification (one delivery of an event to a destination) by ID' },
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many notifications',
			description: 'List notifications of the last 90 days, e.g. the failed ones',
		},
		{
			name: 'Replay',
			value: 'replay',
			action: 'Replay a notification',
			description: 'Send a delivered or failed notification again; the replay keeps its event ID',
		},
	]),
	...get.description,
	...getAll.description,
	...replay.description,
];
