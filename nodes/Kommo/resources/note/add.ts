/**
 * Note → Add to Lead: a common text note (or a service message) on a lead.
 * The notes of all input items go out together, at most 50 per request
 * (`POST /api/v4/leads/notes`), so 100 items cost 2 requests.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { entityIdParameter } from '../../entities';
import { kommoApiRequest } from '../../transport';
import { BatchResults, sendInBatches, type BatchEntry } from '../batch';
import { batchSizeOption, entityLocator, show } from '../common';

const display = show('note', 'addToLead');

export const description: INodeProperties[] = [
	entityLocator('lead', 'leadId', display, 'The lead to add the note to'),
	{
		displayName: 'Note Type',
		name: 'noteType',
		type: 'options',
		displayOptions: display,
		options: [
			{ name: 'Common Note', value: 'common', description: 'A plain text note, as a person writes it' },
			{ name: 'Service Message', value: 'service_message', description: 'A note marked as coming from a service (e.g. "Billing")' },
		],
		default: 'common',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		displayOptions: display,
		placeholder: 'Payment received: 30.00 USD. Invoice: https://…',
	},
	{
		displayName: 'Service Name',
		name: 'service',
		type: 'string',
		default: 'n8n',
		displayOptions: show('note', 'addToLead', { noteType: ['service_message'] }),
		description: 'Shown as the sender of the service message',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: display,
		options: [batchSizeOption],
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const results = new BatchResults(this, items.length);
	const entries: BatchEntry[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const leadId = entityIdParameter(this, 'leadId', 'lead', i);
			const noteType = this.getNodeParameter('noteType', i, 'common') as string;
			const text = String(this.getNodeParameter('text', i) ?? '');
			if (text.trim() === '') {
				throw new NodeOperationError(this.getNode(), 'The note text is empty', {
					itemIndex: i,
					description: 'Kommo does not accept empty notes. Check the expression that fills "Text".',
				});
			}
			const params: IDataObject = { text };
			if (noteType === 'service_message') params.service = String(this.getNodeParameter('service', i, 'n8n') || 'n8n');
			entries.push({ itemIndex: i, entity: { entity_id: leadId, note_type: noteType, params } });
		} catch (error) {
			results.fail(i, error);
		}
	}
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	await sendInBatches(
		this,
		entries,
		Number(options.batchSize ?? 50),
		results,
		'note',
		async (notes) => {
			const response = await kommoApiRequest.call(this, 'POST', '/api/v4/leads/notes', { body: notes });
			return ((response?._embedded as IDataObject | undefined)?.notes ?? []) as IDataObject[];
		},
		(entry, created) => ({
			id: created.id,
			lead_id: entry.entity.entity_id,
			note_type: entry.entity.note_type,
			text: (entry.entity.params as IDataObject).text,
		}),
	);
	return results.output;
}
