/**
 * Contact → Find: contacts by exact email, by phone number (digits compared, the last 7 or more
 * must match), or by name, using Kommo's full-text `query` on contacts and an exact check on the
 * hits (Kommo's search also matches parts of words). One item per contact found, none when
 * nothing matches. Lead → Find with "Contact Email/Phone" gives the leads of such a contact.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { multitextValues } from '../../custom-field-read';
import type { KommoFieldValue } from '../../custom-fields';
import { shapeContact } from '../../entities';
import { kommoGetAll } from '../../transport';
import { runPerItem, show } from '../common';
import { digits, FIND_SCAN_CAP, norm, phoneMatches } from '../lead/find';
import { simplifyContact, simplifyParameter } from '../simplify';

const display = show('contact', 'find');

export const description: INodeProperties[] = [
	{
		displayName: 'Find By',
		name: 'findBy',
		type: 'options',
		noDataExpression: true,
		displayOptions: display,
		options: [
			{ name: 'Email', value: 'email', description: 'Contacts with exactly this email (case ignored)' },
			{ name: 'Name', value: 'name', description: 'Contacts with exactly this full name (case and spaces ignored)' },
			{ name: 'Phone', value: 'phone', description: 'Contacts with this phone number (digits compared; +1 555 0100 matches 5550100)' },
		],
		default: 'email',
	},
	{
		displayName: 'Value',
		name: 'value',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. ada@example.com',
		displayOptions: display,
		description: 'The email, phone number or name to look for',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: display,
		description: 'Max number of results to return',
	},
	simplifyParameter(display),
];

export type ContactMatch = { by: 'email' | 'phone' | 'name'; value: string };

/** Contacts matching exactly (see the file comment); checks the value first. */
export async function findContacts(ctx: IExecuteFunctions, match: ContactMatch, itemIndex: number): Promise<IDataObject[]> {
	const value = match.value.trim();
	const node = ctx.getNode();
	if (match.by === 'email' && !/^[^@\s]+@[^@\s]+$/.test(value)) {
		throw new NodeOperationError(node, `"${value}" is not an email address`, { itemIndex, description: 'Give an address such as ada@example.com.' });
	}
	if (match.by === 'phone' && digits(value).length < 5) {
		throw new NodeOperationError(node, `"${value}" is not a phone number`, { itemIndex, description: 'Give at least 5 digits, e.g. +1 555 0100.' });
	}
	if (match.by === 'name' && value === '') throw new NodeOperationError(node, 'The name to find is empty', { itemIndex });
	// Phones are searched by their last 7 digits: Kommo stores them as typed ("+1 (555) 010-0100").
	const query = match.by === 'phone' ? digits(value).slice(-7) : value;
	const candidates = await kommoGetAll.call(ctx, '/api/v4/contacts', 'contacts', { query }, FIND_SCAN_CAP);
	return candidates.filter((c) => {
		const values = c.custom_fields_values as KommoFieldValue[] | null | undefined;
		if (match.by === 'email') return multitextValues(values, 'EMAIL').some((e) => norm(e) === norm(value));
		if (match.by === 'phone') return multitextValues(values, 'PHONE').some((p) => phoneMatches(p, value));
		return norm(c.name) === norm(value);
	});
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const by = this.getNodeParameter('findBy', i) as ContactMatch['by'];
		const found = await findContacts(this, { by, value: String(this.getNodeParameter('value', i) ?? '') }, i);
		const limit = this.getNodeParameter('limit', i, 50) as number;
		const simplify = this.getNodeParameter('simplify', i, true) as boolean;
		return found.slice(0, limit).map((c) => (simplify ? simplifyContact(c) : shapeContact(c)));
	});
}
