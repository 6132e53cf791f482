/**
 * Lead → Update, option "Add Note": the note goes out side by side with the field write
 * (`PATCH /api/v4/leads/{id}` and `POST /api/v4/leads/notes` at once), so a write-back plus note
 * costs one round trip instead of two. Both requests take their permit from the credential's
 * shared Kommo rate limiter like every other Kommo call, so the 7 requests per second hold.
 * When only one half lands, the error says which one.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { kommoApiRequest } from '../../transport';

export const addNoteOption: INodeProperties = {
	displayName: 'Add Note',
	name: 'addNote',
	type: 'string',
	typeOptions: { rows: 4 },
	default: '',
	placeholder: 'e.g. Subscription created: {{ $json.subscriptionNumber }}',
	description:
		'Text of a common note added to the lead together with the update (sent side by side, one round trip). Empty: no note. If only one of the two lands, the node fails saying which.',
};

/** The field write and the note, side by side; the write's answer and the note's id when both land. */
export async function writeWithNote(
	this: IExecuteFunctions,
	leadId: number,
	text: string,
	write: () => Promise<IDataObject | undefined>,
	itemIndex: number,
): Promise<{ response: IDataObject | undefined; note: IDataObject }> {
	const [fields, note] = await Promise.allSettled([
		write(),
		kommoApiRequest.call(this, 'POST', '/api/v4/leads/notes', {
			body: [{ entity_id: leadId, note_type: 'common', params: { text } }],
			itemIndex,
		}),
	]);
	if (fields.status === 'fulfilled' && note.status === 'fulfilled') {
		const created = ((note.value?._embedded as IDataObject | undefined)?.notes as IDataObject[] | undefined)?.[0] ?? {};
		return { response: fields.value, note: { id: created.id ?? null, text } };
	}
	if (fields.status === 'rejected' && note.status === 'rejected') throw fields.reason;
	const reason = (r: PromiseRejectedResult) => (r.reason instanceof Error ? r.reason.message : String(r.reason));
	if (fields.status === 'fulfilled') {
		const failed = note as PromiseRejectedResult;
		throw new NodeOperationError(this.getNode(), `Partly done: the fields of lead ${leadId} were written, but the note was not added (${reason(failed)})`, {
			itemIndex,
			description:
				'The field write landed; only the note is missing. Add the note alone (Note → Add to Lead) or run again: writing the same fields twice changes nothing, the note is added once.',
		});
	}
	const failed = fields as PromiseRejectedResult;
	const landed = note as PromiseFulfilledResult<IDataObject | undefined>;
	const noteId = ((landed.value?._embedded as IDataObject | undefined)?.notes as IDataObject[] | undefined)?.[0]?.id;
	throw new NodeOperationError(
		this.getNode(),
		`Partly done: the note was added to lead ${leadId}${noteId !== undefined ? ` (note ${String(noteId)})` : ''}, but the fields were not written (${reason(failed)})`,
		{
			itemIndex,
			description: 'The note landed; the field write did not. Fix the cause and write the fields again; running the whole update again adds the note a second time.',
		},
	);
}
