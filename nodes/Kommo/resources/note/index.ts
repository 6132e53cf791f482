import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import { addNoteExecute, noteDescription } from './add';

export const noteOperations: INodeProperties = operationSelector('note', 'addToLead', [
	{ name: 'Add to Company', value: 'addToCompany', description: 'Add a note to a company (items are sent in batches of up to 50)', action: 'Add a note to a company' },
	{ name: 'Add to Contact', value: 'addToContact', description: 'Add a note to a contact (items are sent in batches of up to 50)', action: 'Add a note to a contact' },
	{ name: 'Add to Lead', value: 'addToLead', description: 'Add a note to a lead (items are sent in batches of up to 50)', action: 'Add a note to a lead' },
]);

export const noteFields: INodeProperties[] = [...noteDescription('lead'), ...noteDescription('contact'), ...noteDescription('company')];

export const noteExecute: Record<string, KommoOperation> = {
	addToLead: addNoteExecute('lead'),
	addToContact: addNoteExecute('contact'),
	addToCompany: addNoteExecute('company'),
};
