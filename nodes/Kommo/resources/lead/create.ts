/**
 * Lead → Create: one lead per item (`POST /api/v4/leads`) with its standard fields, custom fields
 * by name, tags, and optionally links to an existing contact and company (IDs from Contact →
 * Create / Find, Company → Create / Get Many). To create the contact and company in the same call,
 * use Lead → Create With Contact.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { createdEntity, parseEntityId } from '../../entities';
import { kommoApiRequest } from '../../transport';
import { runPerItem, show } from '../common';
import { customFieldsParameter, fieldWritesOf, sendFieldWrite } from '../fields';
import { fieldValuesFor } from '../write';
import { leadCreateBody, leadCreateOptions } from './createFields';

const display = show('lead', 'create');

export const description: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'e.g. Acme – Pro plan',
		displayOptions: display,
		description: 'The lead (deal) name. Empty: Kommo names it "Deal #ID".',
	},
	additionalFieldsCollection(
		[
			{
				displayName: 'Company ID',
				name: 'companyId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 3000001',
				description: 'An existing company to link (from Company → Create or Get Many)',
			},
			{
				displayName: 'Contact ID',
				name: 'contactId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 6000001',
				description: 'An existing contact to link as the main contact (from Contact → Create or Find)',
			},
			...leadCreateOptions,
		],
		display,
	),
	customFieldsParameter('lead', display),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const node = this.getNode();
		const fields = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
		const body = await leadCreateBody(this, this.getNodeParameter('name', i, ''), fields, i);
		const embedded = (body._embedded ?? {}) as IDataObject;
		const contactId = fields.contactId ? parseEntityId(fields.contactId, 'contact', node, i) : undefined;
		const companyId = fields.companyId ? parseEntityId(fields.companyId, 'company', node, i) : undefined;
		if (contactId !== undefined) embedded.contacts = [{ id: contactId, is_main: true }];
		if (companyId !== undefined) embedded.companies = [{ id: companyId }];
		if (Object.keys(embedded).length > 0) body._embedded = embedded;
		const built = await fieldValuesFor(this, 'leads', fieldWritesOf(this, i), i);
		if (built.values.length > 0) body.custom_fields_values = built.values;
		const response = await sendFieldWrite.call(this, 'leads', built.names, async () => await kommoApiRequest.call(this, 'POST', '/api/v4/leads', { body: [body], itemIndex: i }));
		const created = createdEntity(response, 'lead', node, i);
		const { _embedded, custom_fields_values, ...written } = body;
		void _embedded;
		void custom_fields_values;
		return {
			id: created.id,
			...written,
			contact_id: contactId ?? null,
			company_id: companyId ?? null,
			tags: ((embedded.tags ?? []) as IDataObject[]).map((t) => t.name),
			custom_fields_map: built.written,
		};
	});
}
