/** Company fields shared by Company → Create and Company → Update. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { FieldWrite } from '../../custom-field-write';
import { fieldWritesOf } from '../fields';
import { responsibleUser, responsibleUserField } from '../write';

export const companyFieldOptions: INodeProperties[] = [
	{ displayName: 'Address', name: 'address', type: 'string', default: '', description: "The company's address (Kommo's predefined ADDRESS field)" },
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		description: "The company's email address(es), separated by commas; replaces the ones it has",
	},
	{ displayName: 'Phone', name: 'phone', type: 'string', default: '', description: "The company's phone number(s), separated by commas; replaces the ones it has" },
	responsibleUserField,
	{ displayName: 'Website', name: 'web', type: 'string', default: '', placeholder: 'https://example.com', description: "The company's website (Kommo's predefined WEB field)" },
];

/** The standard part of a company write, and the custom field writes (by code for email, phone, web, address). */
export function companyWrite(ctx: IExecuteFunctions, fields: IDataObject, itemIndex: number): { body: IDataObject; writes: FieldWrite[] } {
	const body: IDataObject = {};
	if (fields.name !== undefined && String(fields.name).trim() !== '') body.name = String(fields.name).trim();
	const responsible = responsibleUser(ctx, fields.responsibleUserId, itemIndex);
	if (responsible !== undefined) body.responsible_user_id = responsible;
	const writes = fieldWritesOf(ctx, itemIndex);
	for (const [param, code] of [
		['email', 'EMAIL'],
		['phone', 'PHONE'],
		['web', 'WEB'],
		['address', 'ADDRESS'],
	] as const) {
		if (fields[param] !== undefined && String(fields[param]).trim() !== '') writes.push({ field: code, value: fields[param] });
	}
	return { body, writes };
}
