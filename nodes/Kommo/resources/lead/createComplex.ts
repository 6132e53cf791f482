/**
 * Lead → Create With Contact: a lead with its contact and, optionally, its company in one call
 * (`POST /api/v4/leads/complex`, developers.kommo.com/reference/complex-leads). At most one
 * contact and one company per lead; a new contact and a new company are linked together.
 *
 * Duplicates, two layers:
 *  - "Existing Contact" / "Existing Company": the node looks the contact up by email, then phone
 *    (the company by exact name) and links the one it finds instead of creating another.
 *  - Kommo's own duplicate control, when the account enabled it for the integration: Kommo may
 *    then answer with an existing lead instead of a new one, and the output says `merged: true`.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { kommoApiRequest, kommoGetAll } from '../../transport';
import { runPerItem, show } from '../common';
import { findContacts } from '../contact/find';
import { customFieldsParameter, fieldWritesOf, sendFieldWrite } from '../fields';
import { fieldValuesFor } from '../write';
import { leadCreateBody, leadCreateOptions } from './createFields';
import { norm } from './find';

const display = show('lead', 'createComplex');

export const description: INodeProperties[] = [
	{ displayName: 'Lead Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. Acme – Pro plan', displayOptions: display, description: 'Empty: Kommo names it "Deal #ID"' },
	{
		displayName: 'Contact',
		name: 'contact',
		type: 'collection',
		placeholder: 'Add Contact Field',
		default: {},
		displayOptions: display,
		description: 'The person behind the lead. Leave empty for a lead without a contact.',
		options: [
			{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '' },
			{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
			{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
			{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'Full name; empty: first and last name joined' },
			{ displayName: 'Phone', name: 'phone', type: 'string', default: '' },
		],
	},
	{
		displayName: 'Company Name',
		name: 'companyName',
		type: 'string',
		default: '',
		placeholder: 'e.g. Acme Corp',
		displayOptions: display,
		description: 'Optional. The company of the lead and contact.',
	},
	{ displayName: 'Additional Fields', name: 'additionalFields', type: 'collection', placeholder: 'Add Field', default: {}, displayOptions: display, options: leadCreateOptions },
	customFieldsParameter('lead', display),
	{
		displayName: 'Duplicate Control',
		name: 'duplicates',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: display,
		options: [
			{
				displayName: 'Existing Company',
				name: 'existingCompany',
				type: 'options',
				options: [
					{ name: 'Link It', value: 'link', description: 'A company with exactly this name is linked instead of creating another' },
					{ name: 'Create a New One', value: 'create', description: 'Always create the company (no search)' },
				],
				default: 'link',
			},
			{
				displayName: 'Existing Contact',
				name: 'existingContact',
				type: 'options',
				options: [
					{ name: 'Link It', value: 'link', description: 'A contact with the same email (else phone) is linked instead of creating another' },
					{
						name: 'Create a New One',
						value: 'create',
						description: "Always send a new contact; only Kommo's duplicate control (if enabled for the integration) may merge it",
					},
				],
				default: 'link',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const node = this.getNode();
		const fields = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
		const duplicates = this.getNodeParameter('duplicates', i, {}) as IDataObject;
		const lead = await leadCreateBody(this, this.getNodeParameter('name', i, ''), fields, i);
		const embedded = (lead._embedded ?? {}) as IDataObject;
		const built = await fieldValuesFor(this, 'leads', fieldWritesOf(this, i), i);
		if (built.values.length > 0) lead.custom_fields_values = built.values;

		const c = this.getNodeParameter('contact', i, {}) as IDataObject;
		const email = String(c.email ?? '').trim();
		const phone = String(c.phone ?? '').trim();
		let contactFound: IDataObject | undefined;
		if (duplicates.existingContact !== 'create') {
			if (email !== '') contactFound = (await findContacts(this, { by: 'email', value: email }, i))[0];
			if (!contactFound && phone !== '') contactFound = (await findContacts(this, { by: 'phone', value: phone }, i))[0];
		}
		if (contactFound) embedded.contacts = [{ id: Number(contactFound.id) }];
		else {
			const contact: IDataObject = {};
			if (String(c.name ?? '').trim()) contact.name = String(c.name).trim();
			if (String(c.firstName ?? '').trim()) contact.first_name = String(c.firstName).trim();
			if (String(c.lastName ?? '').trim()) contact.last_name = String(c.lastName).trim();
			const values: IDataObject[] = [];
			if (email !== '') values.push({ field_code: 'EMAIL', values: [{ value: email, enum_code: 'WORK' }] });
			if (phone !== '') values.push({ field_code: 'PHONE', values: [{ value: phone, enum_code: 'WORK' }] });
			if (values.length > 0) contact.custom_fields_values = values;
			if (Object.keys(contact).length > 0) embedded.contacts = [contact];
		}

		const companyName = String(this.getNodeParameter('companyName', i, '') ?? '').trim();
		let companyFound: IDataObject | undefined;
		if (companyName !== '') {
			if (duplicates.existingCompany !== 'create') {
				const hits = await kommoGetAll.call(this, '/api/v4/companies', 'companies', { query: companyName }, 250);
				companyFound = hits.find((co) => norm(co.name) === norm(companyName));
			}
			embedded.companies = [companyFound ? { id: Number(companyFound.id) } : { name: companyName }];
		}
		if (Object.keys(embedded).length > 0) lead._embedded = embedded;

		const response = (await sendFieldWrite.call(this, 'leads', built.names, async () => await kommoApiRequest.call(this, 'POST', '/api/v4/leads/complex', { body: [lead], itemIndex: i }))) as
			| IDataObject
			| IDataObject[]
			| undefined;
		// Kommo answers a bare array (the reference's examples); the community spec has it under _embedded.leads.
		const list = Array.isArray(response) ? response : (((response?._embedded as IDataObject | undefined)?.leads ?? []) as IDataObject[]);
		const created = list[0];
		if (!created?.id) {
			throw new NodeOperationError(node, 'Kommo accepted the lead but returned no ID', {
				itemIndex: i,
				description: 'Check in Kommo whether the lead, contact and company were created before running again.',
			});
		}
		return {
			id: created.id,
			contact_id: created.contact_id ?? null,
			company_id: created.company_id ?? null,
			merged: created.merged === true,
			contact_created: !contactFound && embedded.contacts !== undefined && created.merged !== true,
			company_created: !companyFound && embedded.companies !== undefined && created.merged !== true,
			name: lead.name ?? null,
			custom_fields_map: built.written,
		};
	});
}
