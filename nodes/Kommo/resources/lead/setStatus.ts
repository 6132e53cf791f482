/**
 * Lead → Set Status: moves a lead to a stage ("Won", "Lost", or any stage of a
 * pipeline), optionally into another pipeline.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { entityIdParameter } from '../../entities';
import { kommoLocator } from '../../locators';
import { getPipelines, resolvePipeline, resolveStatus, statusName } from '../../pipelines';
import { kommoApiRequest } from '../../transport';
import { entityLocator, runPerItem, show } from '../common';

const display = show('lead', 'setStatus');

export const description: INodeProperties[] = [
	entityLocator('lead', 'leadId', display, 'The lead to move'),
	kommoLocator(
		'pipeline',
		'pipelineId',
		'Pipeline',
		display,
		'Leave empty to keep the lead in its pipeline. Pipeline → Get Many lists the pipelines.',
		false,
	),
	kommoLocator(
		'status',
		'statusId',
		'Status',
		display,
		'The stage to move the lead to: "Won" (142) and "Lost" (143) exist in every pipeline. By Name takes a stage name; Pipeline → Get Many Stages lists the stages.',
	),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const node = this.getNode();
		const leadId = entityIdParameter(this, 'leadId', 'lead', i);
		const pipelines = await getPipelines.call(this);
		const pipeline = resolvePipeline(pipelines, this.getNodeParameter('pipelineId', i, '', { extractValue: true }), node, i);
		const status = resolveStatus(pipelines, this.getNodeParameter('statusId', i, '', { extractValue: true }), pipeline, node, i);
		const response = await kommoApiRequest.call(this, 'PATCH', `/api/v4/leads/${leadId}`, { body: { ...status }, itemIndex: i });
		return {
			id: leadId,
			updated_at: response?.updated_at ?? null,
			status_id: status.status_id,
			status_name: statusName(pipelines, status.status_id, status.pipeline_id ?? pipeline?.id),
			...(status.pipeline_id !== undefined ? { pipeline_id: status.pipeline_id } : {}),
		};
	});
}
