import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { buildCustomData, parseJsonObject, requirePaddleId, requireString } from '../../helpers';
import { paddleCreate, paddleList } from '../../transport';
import { customDataField, customerIdField, forOperation } from '../common';

export const description: INodeProperties[] = forOperation('business', 'create', [
	{ ...customerIdField, description: 'The customer (ctm_…) the business belongs to' },
	{
		displayName: 'Business Name',
		name: 'businessName',
		type: 'string',
		default: '',
		required: true,
		description: 'Legal name shown on invoices',
	},
	additionalFieldsCollection(
		[
			{ displayName: 'Company Number', name: 'company_number', type: 'string', default: '' },
			{
				displayName: 'Contact Emails',
				name: 'contactEmails',
				type: 'string',
				default: '',
				description: 'Comma-separated emails that also receive invoices',
			},
			{
				displayName: 'Tax Identifier',
				name: 'tax_identifier',
				type: 'string',
				default: '',
				description: 'VAT / GST / sales tax number; Paddle uses it for reverse charge',
			},
		],
	),
	customDataField,
	{
		displayName: 'Reuse Matching Business',
		name: 'reuseExisting',
		type: 'boolean',
		default: true,
		description:
			'Whether to return an active business of this customer with the same name and tax identifier instead of creating a duplicate (makes a repeated run safe)',
	},
]);

/** POST /customers/{id}/businesses (for B2B invoices), reusing an identical active business when asked. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requirePaddleId.call(this, this.getNodeParameter('customerId', itemIndex), 'ctm', 'Customer ID', itemIndex);
	const name = requireString.call(this, this.getNodeParameter('businessName', itemIndex, ''), 'Business Name', itemIndex, 'Enter the legal name of the business.');
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = { name };
	for (const f of ['company_number', 'tax_identifier'] as const) {
		const v = String(additional[f] ?? '').trim();
		if (v) body[f] = v;
	}
	const emails = String(additional.contactEmails ?? '')
		.split(',')
		.map((e) => e.trim())
		.filter(Boolean);
	for (const email of emails) {
		if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
			throw new NodeOperationError(this.getNode(), `Contact Emails: "${email}" is not a valid email address.`, { itemIndex });
		}
	}
	if (emails.length > 0) body.contacts = emails.map((email) => ({ email }));
	const customData = buildCustomData(
		parseJsonObject.call(this, this.getNodeParameter('customData', itemIndex, '{}'), 'Additional Custom Data (JSON)', itemIndex),
		undefined,
	);
	if (customData) body.custom_data = customData;
	const path = `/customers/${encodeURIComponent(customerId)}/businesses`;
	const norm = (v: unknown) => String(v ?? '').trim().toLowerCase();
	const findSame = async () =>
		((await paddleList.call(this, { method: 'GET', path, qs: { status: 'active', per_page: 200 }, itemIndex })) as IDataObject[]).find(
			(b) => norm(b.name) === norm(body.name) && norm(b.tax_identifier) === norm(body.tax_identifier),
		);
	if (this.getNodeParameter('reuseExisting', itemIndex, true) as boolean) {
		const existing = await findSame();
		if (existing) return existing;
	}
	const { data } = await paddleCreate.call(this, { method: 'POST', path, body, itemIndex }, findSame);
	return data;
}
