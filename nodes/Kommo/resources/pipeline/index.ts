import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import * as getMany from './getMany';
import * as getStages from './getStages';

export const pipelineOperations: INodeProperties = operationSelector('pipeline', 'getMany', [
	{
		name: 'Get Many',
		value: 'getMany',
		description: 'List the lead pipelines with their stages; use it to find pipeline and stage IDs for other operations',
		action: 'Get many pipelines',
	},
	{
		name: 'Get Many Stages',
		value: 'getStages',
		description: 'List the stages (statuses) of one pipeline, including Won (142) and Lost (143)',
		action: 'Get many stages of a pipeline',
	},
]);

export const pipelineFields: INodeProperties[] = [...getMany.description, ...getStages.description];

export const pipelineExecute: Record<string, KommoOperation> = { getMany: getMany.execute, getStages: getStages.execute };
