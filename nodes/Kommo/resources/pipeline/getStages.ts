/**
 * Pipeline → Get Many Stages: the stages (statuses) of one pipeline, in Kommo's order, including
 * "Closed - won" (142) and "Closed - lost" (143). GET /api/v4/leads/pipelines/{id}/statuses.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';
import { kommoLocator, locatorId } from '../../locators';
import { kommoApiRequest } from '../../transport';
import { runPerItem, show } from '../common';
import { shapeStatus } from './getMany';

const display = show('pipeline', 'getStages');

export const description: INodeProperties[] = [
	kommoLocator(
		'pipeline',
		'pipeline',
		'Pipeline',
		display,
		'The pipeline whose stages to list. Pipeline → Get Many lists every pipeline with its ID.',
	),
	...returnAllAndLimit(display),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const pipelineId = locatorId(this, 'pipeline', 'pipeline', i) as number;
		const limit = listLimit(this, i);
		const response = await kommoApiRequest.call(this, 'GET', `/api/v4/leads/pipelines/${pipelineId}/statuses`, { itemIndex: i });
		if (!response) {
			throw new NodeOperationError(this.getNode(), `Kommo has no pipeline ${pipelineId}`, {
				itemIndex: i,
				description: 'Choose the pipeline from the list, or take its ID from Pipeline → Get Many.',
			});
		}
		const statuses = ((response._embedded as IDataObject | undefined)?.statuses ?? []) as IDataObject[];
		return [...statuses]
			.sort((a, b) => Number(a.sort ?? 0) - Number(b.sort ?? 0))
			.slice(0, limit)
			.map(shapeStatus);
	});
}
