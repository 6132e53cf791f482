/**
 * Pipeline → Get Many: the account's lead pipelines, each with its stages, so that a workflow
 * or an AI agent can find the pipeline and stage ids that Lead → Set Status, Incoming Lead →
 * Accept and lead filters need. GET /api/v4/leads/pipelines answers every pipeline at once
 * (no paging); Limit is applied here.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';
import { kommoApiRequest } from '../../transport';
import { runPerItem, show } from '../common';

const display = show('pipeline', 'getMany');

export const description: INodeProperties[] = [...returnAllAndLimit(display)];

/** A stage without its HAL links. */
export function shapeStatus(status: IDataObject): IDataObject {
	const { _links, ...rest } = status;
	void _links;
	return rest;
}

/** A pipeline without HAL links, its stages in `statuses` (at most 8 fields). */
export function shapePipeline(pipeline: IDataObject): IDataObject {
	const { _links, _embedded, ...rest } = pipeline;
	void _links;
	const statuses = ((_embedded as IDataObject | undefined)?.statuses ?? []) as IDataObject[];
	return { ...rest, statuses: statuses.map(shapeStatus) };
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const limit = listLimit(this, i);
		const response = await kommoApiRequest.call(this, 'GET', '/api/v4/leads/pipelines', { itemIndex: i });
		const pipelines = ((response?._embedded as IDataObject | undefined)?.pipelines ?? []) as IDataObject[];
		return pipelines.slice(0, limit).map(shapePipeline);
	});
}
