/**
 * Note → Add to Lead / Contact / Company: a common text note (or a service message) on a lead,
 * contact or company. The notes of all input items go out together, at most 50 per request
 * (`POST /api/v4/{leads|contacts|companies}/notes`), so 100 items cost 2 requests.
 *
 * "Skip If a Recent Note Contains": when an item gives a marker (e.g. the billing event's id, which
 * the note text also carries), the lead's newest notes are read first and the note is not written
 * again if one of them contains the marker. Workflows set it only for redelivered events (the
 * Claim node says "retry"), so a first delivery costs no extra request.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import { entityIdParameter, PLURAL, type KommoEntityName } from '../../entities';
import { kommoApiRequest, kommoGetAll } from '../../transport';
import { BatchResults, sendInBatches, type BatchEntry } from '../batch';
import { batchSizeOption, entityLocator, show } from '../common';

/** The operation of each entity ("addToLead", …) and its locator parameter ("leadId", …). */
export const NOTE_OPERATIONS: Record<KommoEntityName, string> = { lead: 'addToLead', contact: 'addToContact', company: 'addToCompany' };

export function noteDescription(entity: KommoEntityName): INodeProperties[] {
	const operation = NOTE_OPERATIONS[entity];
	const display = show('note', operation);
	return [
	entityLocator(entity, `${entity}Id`, display, `The ${entity} to add the note to`),
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
		displayOptions: show('note', operation, { noteType: ['service_message'] }),
		description: 'Shown as the sender of the service message',
	},
	optionsCollection(
		[
			batchSizeOption,
			{
				displayName: 'Skip If a Recent Note Contains',
				name: 'skipIfNoteContains',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $json.normalized.eventId }}',
				description:
					`Makes the note idempotent: if one of the ${entity}'s 100 newest notes of this type already contains this text, no note is written and the item comes out with skipped: true. Use a text that is in the note, such as the billing event's ID. Empty: always write (no extra request).`,
			},
		],
		display,
	),
	];
}

/** The entity's newest notes of a type (at most 100), as Kommo returns them. */
async function recentNotes(ctx: IExecuteFunctions, entity: KommoEntityName, id: number, noteType: string, itemIndex: number): Promise<IDataObject[]> {
	try {
		return await kommoGetAll.call(ctx, `/api/v4/${PLURAL[entity]}/${id}/notes`, 'notes', { 'filter[note_type]': noteType, 'order[id]': 'desc' }, 100, 100);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, {
			itemIndex,
			description: `Could not read the notes of ${entity} ${id} to check "Skip If a Recent Note Contains"; nothing was written.`,
		});
	}
}

export function addNoteExecute(entity: KommoEntityName) {
	const idKey = `${entity}_id`;
	return async function (this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const results = new BatchResults(this, items.length);
	const entries: BatchEntry[] = [];
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	for (let i = 0; i < items.length; i++) {
		try {
			const leadId = entityIdParameter(this, `${entity}Id`, entity, i);
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
			const marker = String(this.getNodeParameter('options.skipIfNoteContains', i, '') ?? '').trim();
			if (marker !== '') {
				const existing = (await recentNotes(this, entity, leadId, noteType, i)).find((n) =>
					String(((n.params ?? {}) as IDataObject).text ?? '').includes(marker),
				);
				if (existing) {
					results.ok(i, { id: existing.id, [idKey]: leadId, note_type: noteType, text: (existing.params as IDataObject).text, skipped: true });
					continue;
				}
			}
			entries.push({ itemIndex: i, entity: { entity_id: leadId, note_type: noteType, params } });
		} catch (error) {
			results.fail(i, error);
		}
	}
	await sendInBatches(
		this,
		entries,
		Number(options.batchSize ?? 50),
		results,
		'note',
		async (notes) => {
			const response = await kommoApiRequest.call(this, 'POST', `/api/v4/${PLURAL[entity]}/notes`, { body: notes });
			return ((response?._embedded as IDataObject | undefined)?.notes ?? []) as IDataObject[];
		},
		(entry, created) => ({
			id: created.id,
			[idKey]: entry.entity.entity_id,
			note_type: entry.entity.note_type,
			text: (entry.entity.params as IDataObject).text,
		}),
	);
	return results.output;
	};
}
