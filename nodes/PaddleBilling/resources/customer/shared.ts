/** Customer fields shared by Create, Find-or-create and Update. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { emailProperty } from '../../../shared/descriptions';
import { buildCustomData, parseJsonObject, parseLeadId } from '../../helpers';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const emailField: INodeProperties = emailProperty({ required: true, description: 'Paddle allows one customer per email address' });

export const nameField: INodeProperties = {
	displayName: 'Name',
	name: 'name',
	type: 'string',
	default: '',
	description: 'Full name. Needed before the customer can be invoiced (manual collection).',
};

export const localeField: INodeProperties = {
	displayName: 'Locale',
	name: 'locale',
	type: 'string',
	default: '',
	placeholder: 'en',
	description: 'IETF BCP 47 locale for emails and invoices (default: en)',
};

export function readEmail(this: IExecuteFunctions, itemIndex: number, field = 'email'): string {
	const email = String(this.getNodeParameter(field, itemIndex, '') ?? '').trim();
	if (!EMAIL.test(email)) {
		throw new NodeOperationError(
			this.getNode(),
			`Email "${email}" is not a valid email address. Map the contact's email (e.g. from the Kommo contact's EMAIL field).`,
			{ itemIndex },
		);
	}
	return email;
}

/** Body for POST /customers from the node's parameters. */
export function customerCreateBody(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const body: IDataObject = { email: readEmail.call(this, itemIndex) };
	const name = String(this.getNodeParameter('name', itemIndex, '') ?? '').trim();
	const locale = String(this.getNodeParameter('locale', itemIndex, '') ?? '').trim();
	if (name) body.name = name;
	if (locale) body.locale = locale;
	const leadId = parseLeadId.call(this, this.getNodeParameter('kommoLeadId', itemIndex, ''), itemIndex);
	const extra = parseJsonObject.call(
		this,
		this.getNodeParameter('customData', itemIndex, '{}'),
		'Additional Custom Data (JSON)',
		itemIndex,
	);
	const customData = buildCustomData(extra, leadId);
	if (customData) body.custom_data = customData;
	return body;
}
