/**
 * Contact → Create: a contact with name, email, phone, responsible user, custom fields and tags
 * (`POST /api/v4/contacts`). Kommo itself does not refuse a second contact with the same email or
 * phone, so "If Already in Kommo" can look for one first (Contact → Find by email, then phone).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { createdEntity } from '../../entities';
import { kommoApiRequest } from '../../transport';
import { runPerItem, show } from '../common';
import { customFieldsParameter, fieldWritesOf, sendFieldWrite } from '../fields';
import { fieldValuesFor, responsibleUser, responsibleUserField, tagRefs, tagsField } from '../write';
import { findContacts } from './find';

const display = show('contact', 'create');

export const description: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'e.g. Ada Lovelace',
		displayOptions: display,
		description: 'The full name as shown in Kommo. Empty: first and last name joined.',
	},
	additionalFieldsCollection(
		[
			{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '', description: 'Email address(es), separated by commas' },
			{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
			{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
			{ displayName: 'Phone', name: 'phone', type: 'string', default: '', description: 'Phone number(s), separated by commas' },
			responsibleUserField,
			tagsField,
		],
		display,
	),
	customFieldsParameter('contact', display),
	{
		displayName: 'If Already in Kommo',
		name: 'ifExists',
		type: 'options',
		displayOptions: display,
		options: [
			{ name: 'Create Anyway', value: 'create', description: 'Always create a new contact (no extra request)' },
			{
				name: 'Return the Existing Contact',
				value: 'useExisting',
				description: 'A contact with the same email (else phone) is returned with created: false and nothing is written',
			},
			{ name: 'Fail', value: 'fail', description: 'Stop with an error naming the existing contact' },
		],
		default: 'create',
		description: 'What to do when a contact with the same email or phone exists (looked up with Kommo\'s search first)',
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const node = this.getNode();
		const fields = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
		const body: IDataObject = {};
		for (const [key, value] of [
			['name', this.getNodeParameter('name', i, '')],
			['first_name', fields.firstName],
			['last_name', fields.lastName],
		] as const) {
			if (value !== undefined && String(value).trim() !== '') body[key] = String(value).trim();
		}
		const responsible = responsibleUser(this, fields.responsibleUserId, i);
		if (responsible !== undefined) body.responsible_user_id = responsible;
		const email = String(fields.email ?? '').trim();
		const phone = String(fields.phone ?? '').trim();
		if (body.name === undefined && body.first_name === undefined && body.last_name === undefined && email === '' && phone === '') {
			throw new NodeOperationError(node, 'The contact has no name, email or phone', {
				itemIndex: i,
				description: 'Set "Name", or add a first/last name, email or phone under "Additional Fields".',
			});
		}

		const ifExists = this.getNodeParameter('ifExists', i, 'create') as string;
		if (ifExists !== 'create' && (email !== '' || phone !== '')) {
			const existing =
				(email !== '' ? (await findContacts(this, { by: 'email', value: email.split(',')[0] }, i))[0] : undefined) ??
				(phone !== '' ? (await findContacts(this, { by: 'phone', value: phone.split(',')[0] }, i))[0] : undefined);
			if (existing && ifExists === 'fail') {
				throw new NodeOperationError(node, `A contact with this email or phone already exists in Kommo: ${String(existing.name)} (${String(existing.id)})`, {
					itemIndex: i,
					description: 'Use Contact → Update with this ID, or set "If Already in Kommo" to "Return the Existing Contact".',
				});
			}
			if (existing) return { id: existing.id, name: existing.name ?? null, created: false };
		}

		const writes = fieldWritesOf(this, i);
		if (email !== '') writes.push({ field: 'EMAIL', value: email });
		if (phone !== '') writes.push({ field: 'PHONE', value: phone });
		const built = await fieldValuesFor(this, 'contacts', writes, i);
		if (built.values.length > 0) body.custom_fields_values = built.values;
		const tags = tagRefs(fields.tags);
		if (tags.length > 0) body.tags_to_add = tags;
		const response = await sendFieldWrite.call(this, 'contacts', built.names, async () => await kommoApiRequest.call(this, 'POST', '/api/v4/contacts', { body: [body], itemIndex: i }));
		const created = createdEntity(response, 'contact', node, i);
		const { custom_fields_values, tags_to_add, ...written } = body;
		void custom_fields_values;
		void tags_to_add;
		return { id: created.id, ...written, created: true, tags: tags.map((t) => t.name), custom_fields_map: built.written };
	});
}
