/**
 * Contact → Update: name, first/last name, email and phone (each replaces the
 * contact's values of that field with the given one(s), as WORK), responsible
 * user and custom fields by name or id.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { optionsCollection, updateFieldsCollection } from '../../../shared/descriptions';
import { buildFieldValues } from '../../custom-field-write';
import { withFieldDefinitions } from '../../custom-fields';
import { entityIdParameter } from '../../entities';
import { kommoLocator, unwrapLocators } from '../../locators';
import { kommoApiRequest } from '../../transport';
import { entityLocator, runPerItem, show } from '../common';
import { customFieldsParameter, emptyValuesOption, fieldWritesOf, sendFieldWrite, wholeNumber } from '../fields';

const display = show('contact', 'update');

export const description: INodeProperties[] = [
	entityLocator('contact', 'contactId', display, 'The contact to update'),
	updateFieldsCollection(
		[
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
				description: "Replaces the contact's email addresses with this one (several separated by commas)",
			},
			{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
			{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
			{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'The full name as shown in Kommo' },
			{
				displayName: 'Phone',
				name: 'phone',
				type: 'string',
				default: '',
				description: "Replaces the contact's phone numbers with this one (several separated by commas)",
			},
			kommoLocator('user', 'responsibleUserId', 'Responsible User', undefined, 'The user responsible for the contact', false),

		],
		display,
	),
	customFieldsParameter('contact', display),
	optionsCollection([emptyValuesOption], display),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const node = this.getNode();
		const contactId = entityIdParameter(this, 'contactId', 'contact', i);
		const fields = unwrapLocators(this.getNodeParameter('updateFields', i, {}) as IDataObject);
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const body: IDataObject = {};
		const written: IDataObject = {};
		for (const [param, key] of [
			['name', 'name'],
			['firstName', 'first_name'],
			['lastName', 'last_name'],
		] as const) {
			if (fields[param] !== undefined && String(fields[param]) !== '') body[key] = written[key] = String(fields[param]);
		}
		if (fields.responsibleUserId !== undefined && fields.responsibleUserId !== '') {
			body.responsible_user_id = written.responsible_user_id = wholeNumber(this, fields.responsibleUserId, 'Responsible user ID', i);
		}
		const writes = fieldWritesOf(this, i);
		if (fields.email !== undefined && String(fields.email).trim() !== '') writes.push({ field: 'EMAIL', value: fields.email });
		if (fields.phone !== undefined && String(fields.phone).trim() !== '') writes.push({ field: 'PHONE', value: fields.phone });
		let names: string[] = [];
		if (writes.length > 0) {
			const built = await withFieldDefinitions(this, 'contacts', (defs) =>
				buildFieldValues(defs, writes, 'contacts', node, i, (options.emptyValues as 'skip' | 'clear') ?? 'skip'),
			);
			if (built.values.length > 0) body.custom_fields_values = built.values;
			names = built.names;
			written.custom_fields_map = built.written;
		}
		if (Object.keys(body).length === 0) {
			throw new NodeOperationError(node, `Nothing to update on contact ${contactId}`, {
				itemIndex: i,
				description: 'Add a field under "Update Fields" or "Custom Fields".',
			});
		}
		const response = await sendFieldWrite.call(this, 'contacts', names, async () => await kommoApiRequest.call(this, 'PATCH', `/api/v4/contacts/${contactId}`, { body, itemIndex: i }));
		return { id: contactId, updated_at: response?.updated_at ?? null, ...written };
	});
}
