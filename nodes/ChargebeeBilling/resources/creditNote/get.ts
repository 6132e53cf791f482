import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InputError } from '../../helpers';
import { maybeSimplify, simplifyProperty } from '../../simplify';
import { chargebeeRequest, idPath } from '../../transport';
import { show } from '../types';
import { creditNoteOutput } from './common';

const displayOptions = show('creditNote', ['get']);

export const description: INodeProperties[] = [
	{
		displayName: 'Credit Note ID',
		name: 'creditNoteId',
		type: 'string',
		required: true,
		default: '',
		description: 'The credit note, e.g. from Credit Note → List or a credit_note_created event',
		displayOptions,
	},
	simplifyProperty(displayOptions),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = String(this.getNodeParameter('creditNoteId', i)).trim();
	if (id === '') throw new InputError('Credit Note ID is empty', 'Give the ID of a credit note, e.g. from Credit Note → List.');
	const body = (await chargebeeRequest.call(this, { method: 'GET', path: idPath('/credit_notes/{id}', id), itemIndex: i })) as IDataObject;
	return maybeSimplify.call(this, i, 'creditNote', creditNoteOutput(body.credit_note as IDataObject));
}
