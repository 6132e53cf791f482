/** Lead fields shared by Lead → Create and Lead → Create With Contact. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { kommoLocator, unwrapLocators } from '../../locators';
import { getPipelines, resolvePipeline, resolveStatus } from '../../pipelines';
import { wholeNumber } from '../fields';
import { responsibleUser, responsibleUserField, tagRefs, tagsField } from '../write';

export const leadCreateOptions: INodeProperties[] = [
	kommoLocator('pipeline', 'pipelineId', 'Pipeline', undefined, 'Default: the main pipeline. Pipeline → Get Many lists the pipelines.', false),
	{
		displayName: 'Price',
		name: 'price',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 0,
		description: 'The deal budget, a whole number in the account currency',
	},
	responsibleUserField,
	kommoLocator(
		'status',
		'statusId',
		'Status',
		undefined,
		'Default: the first stage of the pipeline. By Name takes a stage name; Pipeline → Get Many Stages lists the stages.',
		false,
	),
	tagsField,
];

/** The lead part of a create body (name, price, pipeline/status, responsible user, tags) and what it says in plain words. */
export async function leadCreateBody(ctx: IExecuteFunctions, name: unknown, raw: IDataObject, itemIndex: number): Promise<IDataObject> {
	const fields = unwrapLocators(raw);
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
