/** Lead fields shared by Lead → Create and Lead → Create With Contact. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getPipelines, resolvePipeline, resolveStatus } from '../../pipelines';
import { wholeNumber } from '../fields';
import { responsibleUser, responsibleUserField, tagRefs, tagsField } from '../write';

export const leadCreateOptions: INodeProperties[] = [
	{
		displayName: 'Pipeline Name or ID',
		name: 'pipelineId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getPipelines' },
		default: '',
		description:
			'Default: the main pipeline. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Price',
		name: 'price',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 0,
		description: 'The deal budget, a whole number in the account currency',
	},
	responsibleUserField,
	{
		displayName: 'Status Name or ID',
		name: 'statusId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getStatuses', loadOptionsDependsOn: ['additionalFields.pipelineId'] },
		default: '',
		description:
			'Default: the first stage of the pipeline. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	tagsField,
];

/** The lead part of a create body (name, price, pipeline/status, responsible user, tags) and what it says in plain words. */
export async function leadCreateBody(ctx: IExecuteFunctions, name: unknown, fields: IDataObject, itemIndex: number): Promise<IDataObject> {
	const body: IDataObject = {};
	if (name !== undefined && String(name).trim() !== '') body.name = String(name).trim();
	if (fields.price !== undefined && fields.price !== '') body.price = wholeNumber(ctx, fields.price, 'Price', itemIndex);
	const responsible = responsibleUser(ctx, fields.responsibleUserId, itemIndex);
	if (responsible !== undefined) body.responsible_user_id = responsible;
	const wantsPipeline = fields.pipelineId !== undefined && fields.pipelineId !== '';
	const wantsStatus = fields.statusId !== undefined && fields.statusId !== '';
	if (wantsPipeline || wantsStatus) {
		const pipelines = await getPipelines.call(ctx);
		const pipeline = resolvePipeline(pipelines, fields.pipelineId, ctx.getNode(), itemIndex);
		if (wantsStatus) Object.assign(body, resolveStatus(pipelines, fields.statusId, pipeline, ctx.getNode(), itemIndex));
		if (pipeline) body.pipeline_id = pipeline.id;
	}
	const tags = tagRefs(fields.tags);
	if (tags.length > 0) body._embedded = { tags };
	return body;
}
