/**
 * Lead → Update: standard fields (name, price, pipeline, status, responsible
 * user) and custom fields by name or id with enum values by label, in one
 * `PATCH /api/v4/leads/{id}`. The shipped workflows write "Billing customer
 * ID", "Subscription ID", "Subscription status" and "Plan" by name, with the
 * "Add Note" option sending the note side by side (update-note.ts).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { optionsCollection, updateFieldsCollection } from '../../../shared/descriptions';
import { buildFieldValues } from '../../custom-field-write';
import { withFieldDefinitions } from '../../custom-fields';
import { entityIdParameter, getShapedLeads } from '../../entities';
import { kommoLocator, unwrapLocators } from '../../locators';
import { getPipelines, resolvePipeline, resolveStatus, statusName } from '../../pipelines';
import { kommoApiRequest } from '../../transport';
import { entityLocator, runPerItem, show } from '../common';
import { customFieldsParameter, emptyValuesOption, fieldWritesOf, sendFieldWrite, wholeNumber } from '../fields';
import { addNoteOption, writeWithNote } from './update-note';

const display = show('lead', 'update');

export const description: INodeProperties[] = [
	entityLocator('lead', 'leadId', display, 'The lead to update'),
	updateFieldsCollection(
		[
			{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'The lead (deal) name' },
			kommoLocator('pipeline', 'pipelineId', 'Pipeline', undefined, 'Move the lead to this pipeline. Pipeline → Get Many lists the pipelines.', false),
			{
				displayName: 'Price',
				name: 'price',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 0 },
				default: 0,
				description: 'The deal budget, a whole number in the account currency',
			},
			kommoLocator('user', 'responsibleUserId', 'Responsible User', undefined, 'The user responsible for the lead', false),
			kommoLocator(
				'status',
				'statusId',
				'Status',
				undefined,
				'Stage of the pipeline: "Won" and "Lost" exist in every pipeline. By Name takes a stage name; Pipeline → Get Many Stages lists the stages.',
				false,
			),
		],
		display,
	),
	customFieldsParameter('lead', display),
	optionsCollection(
		[
			emptyValuesOption,
			{
				displayName: 'Return Full Lead',
				name: 'returnLead',
				type: 'boolean',
				default: false,
				description: 'Whether to read the lead back after the update (with contacts and all fields); costs extra requests',
			},
			addNoteOption,
		],
		display,
	),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const node = this.getNode();
		const leadId = entityIdParameter(this, 'leadId', 'lead', i);
		const fields = unwrapLocators(this.getNodeParameter('updateFields', i, {}) as IDataObject);
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const body: IDataObject = {};
		const written: IDataObject = {};

		if (fields.name !== undefined && String(fields.name) !== '') body.name = written.name = String(fields.name);
		if (fields.price !== undefined && fields.price !== '') body.price = written.price = wholeNumber(this, fields.price, 'Price', i);
		if (fields.responsibleUserId !== undefined && fields.responsibleUserId !== '') {
			body.responsible_user_id = written.responsible_user_id = wholeNumber(this, fields.responsibleUserId, 'Responsible user ID', i);
		}
		const wantsPipeline = fields.pipelineId !== undefined && fields.pipelineId !== '';
		const wantsStatus = fields.statusId !== undefined && fields.statusId !== '';
		if (wantsPipeline || wantsStatus) {
			const pipelines = await getPipelines.call(this);
			const pipeline = resolvePipeline(pipelines, fields.pipelineId, node, i);
			if (wantsStatus) {
				const status = resolveStatus(pipelines, fields.statusId, pipeline, node, i);
				Object.assign(body, status);
				written.status_id = status.status_id;
				written.status_name = statusName(pipelines, status.status_id, status.pipeline_id);
				if (status.pipeline_id !== undefined) written.pipeline_id = status.pipeline_id;
			} else if (pipeline) {
				body.pipeline_id = written.pipeline_id = pipeline.id;
			}
		}

		const writes = fieldWritesOf(this, i);
		let names: string[] = [];
		if (writes.length > 0) {
			const built = await withFieldDefinitions(this, 'leads', (defs) =>
				buildFieldValues(defs, writes, 'leads', node, i, (options.emptyValues as 'skip' | 'clear') ?? 'skip'),
			);
			if (built.values.length > 0) body.custom_fields_values = built.values;
			names = built.names;
			written.custom_fields_map = built.written;
		}

		if (Object.keys(body).length === 0) {
			throw new NodeOperationError(node, `Nothing to update on lead ${leadId}`, {
				itemIndex: i,
				description: 'Add a field under "Update Fields" or "Custom Fields" (empty custom field values are skipped).',
			});
		}

		const write = async () =>
			await sendFieldWrite.call(this, 'leads', names, async () => await kommoApiRequest.call(this, 'PATCH', `/api/v4/leads/${leadId}`, { body, itemIndex: i }));
		const noteText = String(options.addNote ?? '').trim();
		const { response, note } = noteText ? await writeWithNote.call(this, leadId, noteText, write, i) : { response: await write(), note: undefined };
		const extra = note ? { note } : {};
		if (options.returnLead === true) {
			const lead = (await getShapedLeads.call(this, [leadId], true)).get(leadId);
			if (lead) return { ...lead, ...extra };
		}
		return { id: leadId, updated_at: response?.updated_at ?? null, ...written, ...extra };
	});
}
