import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forOperation, jsonParameter, text } from '../../helpers';
import { accountLocator, locatorValue } from '../../locators';
import { zuoraRequest } from '../../transport';
import type { ItemOperation } from '../types';
import { getAccount } from './common';

const contactOptions = [
	{ displayName: 'Address', name: 'address1', type: 'string' as const, default: '' },
	{ displayName: 'City', name: 'city', type: 'string' as const, default: '' },
	{ displayName: 'Country', name: 'country', type: 'string' as const, default: '', description: 'Country name or ISO code' },
	{ displayName: 'Email', name: 'workEmail', type: 'string' as const, placeholder: 'name@email.com', default: '' },
	{ displayName: 'First Name', name: 'firstName', type: 'string' as const, default: '' },
	{ displayName: 'Last Name', name: 'lastName', type: 'string' as const, default: '' },
	{ displayName: 'Phone', name: 'workPhone', type: 'string' as const, default: '' },
	{ displayName: 'Postal Code', name: 'zipCode', type: 'string' as const, default: '' },
	{ displayName: 'State', name: 'state', type: 'string' as const, default: '' },
];

/**
 * Account → Update: PUT /v1/accounts/{account-key} (spec PUT_Account) with only the fields
 * given, then the account as Account → Get returns it. Zuora answers `{success: true}`.
 */
export const update: ItemOperation = {
	kind: 'item',
	description: forOperation('account', 'update', [
		accountLocator('The account to change. Account → Find by CRM ID gives the account of a Kommo lead.'),
		{
			displayName: 'Update Fields',
			name: 'updateFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			description: 'Only the fields added here change; everything else stays as it is in Zuora',
			options: [
				{ displayName: 'Account Name', name: 'name', type: 'string', default: '' },
				{
					displayName: 'Additional Email Addresses',
					name: 'additionalEmailAddresses',
					type: 'string',
					default: '',
					description: 'Comma-separated addresses that also receive invoices (replaces the current list)',
				},
				{
					displayName: 'Bill Cycle Day',
					name: 'billCycleDay',
					type: 'number',
					typeOptions: { minValue: 0, maxValue: 31 },
					default: 1,
					description: 'Day of the month invoices are generated (1–31; 0 lets Zuora set it)',
				},
				{ displayName: 'Bill-To Contact', name: 'billToContact', type: 'collection', placeholder: 'Add Contact Field', default: {}, options: contactOptions },
				{
					displayName: 'CRM ID (Kommo Lead ID)',
					name: 'crmId',
					type: 'string',
					default: '',
					description: 'The Kommo lead ID, so that Zuora callouts can name the lead',
				},
				{
					displayName: 'Custom Fields (JSON)',
					name: 'customFields',
					type: 'json',
					default: '',
					description: 'Account custom fields, e.g. {"KommoPipeline__c": "Sales"}',
				},
				{ displayName: 'Notes', name: 'notes', type: 'string', default: '' },
				{ displayName: 'Payment Term', name: 'paymentTerm', type: 'string', default: '', description: 'A payment term of the tenant, e.g. "Net 30"' },
				{ displayName: 'Purchase Order Number', name: 'purchaseOrderNumber', type: 'string', default: '' },
				{ displayName: 'Sales Rep', name: 'salesRep', type: 'string', default: '' },
				{ displayName: 'Sold-To Contact', name: 'soldToContact', type: 'collection', placeholder: 'Add Contact Field', default: {}, options: contactOptions },
			],
		},
	]),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const key = locatorValue(this, 'accountKey', itemIndex, 'Account', 'Pick the account from the list, or map its number (A00000001) or ID.');
		const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
		const body: IDataObject = {};
		for (const name of ['name', 'crmId', 'notes', 'paymentTerm', 'purchaseOrderNumber', 'salesRep']) {
			if (fields[name] !== undefined) body[name] = text(fields[name]);
		}
		if (body.name === '') {
			throw new NodeOperationError(this.getNode(), 'Account Name is empty', { itemIndex, description: 'Remove "Account Name" from Update Fields, or give the new name.' });
		}
		if (fields.billCycleDay !== undefined) {
			const day = Number(fields.billCycleDay);
			if (!Number.isInteger(day) || day < 0 || day > 31) {
				throw new NodeOperationError(this.getNode(), `Bill Cycle Day ${String(fields.billCycleDay)} is not a day of the month`, { itemIndex, description: 'Use 1–31, or 0 to let Zuora set it.' });
			}
			body.billCycleDay = day;
		}
		if (fields.additionalEmailAddresses !== undefined) {
			body.additionalEmailAddresses = text(fields.additionalEmailAddresses).split(',').map((a) => a.trim()).filter(Boolean);
		}
		for (const which of ['billToContact', 'soldToContact']) {
			const contact = Object.fromEntries(Object.entries((fields[which] ?? {}) as IDataObject).filter(([, v]) => text(v) !== '').map(([k, v]) => [k, text(v)]));
			if (Object.keys(contact).length > 0) body[which] = contact;
		}
		const custom = jsonParameter(this, fields.customFields, 'Custom Fields (JSON)', itemIndex);
		if (custom) Object.assign(body, custom);
		if (Object.keys(body).length === 0) {
			throw new NodeOperationError(this.getNode(), 'Nothing to update', { itemIndex, description: 'Add at least one field under "Update Fields".' });
		}
		await zuoraRequest.call(this, { method: 'PUT', path: `/v1/accounts/${encodeURIComponent(key)}`, body, itemIndex });
		return { ...(await getAccount.call(this, key, itemIndex)), updated: true };
	},
};
