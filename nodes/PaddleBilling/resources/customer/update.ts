import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { activeOrArchivedStatus, updateFieldsCollection } from '../../../shared/descriptions';
import { buildCustomData, getCustomer, parseJsonObject, parseLeadId, requirePaddleId } from '../../helpers';
import { paddleData } from '../../transport';
import { customerIdField, forOperation } from '../common';
import { readEmail } from './shared';

export const description: INodeProperties[] = forOperation('customer', 'update', [
	customerIdField,
	updateFieldsCollection(
		[
			{
				displayName: 'Additional Custom Data (JSON)',
				name: 'customData',
				type: 'json',
				default: '{}',
				description: 'Keys merged into the existing custom_data (other keys are kept)',
			},
			{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '' },
			{
				displayName: 'Kommo Lead ID',
				name: 'kommoLeadId',
				type: 'string',
				default: '',
				description: 'Sets custom_data.kommo_lead_id (other custom_data keys are kept)',
			},
			{ displayName: 'Locale', name: 'locale', type: 'string', default: '' },
			{ displayName: 'Name', name: 'name', type: 'string', default: '' },
			activeOrArchivedStatus,
		],
	),
]);

/** PATCH /customers/{id}. custom_data is merged with what Paddle has (Paddle replaces it whole). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('customerId', itemIndex), 'ctm', 'Customer ID', itemIndex);
	const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = {};
	if (fields.email !== undefined && fields.email !== '') {
		body.email = readEmail.call(this, itemIndex, 'updateFields.email');
	}
	for (const key of ['name', 'locale', 'status'] as const) {
		if (fields[key] !== undefined && fields[key] !== '') body[key] = fields[key];
	}
	const leadId = parseLeadId.call(this, fields.kommoLeadId, itemIndex);
	const extra = parseJsonObject.call(this, fields.customData, 'Additional Custom Data (JSON)', itemIndex);
	const patch = buildCustomData(extra, leadId);
	if (patch) {
		const current = await getCustomer.call(this, id, itemIndex);
		body.custom_data = { ...((current.custom_data as IDataObject | null) ?? {}), ...patch };
	}
	if (Object.keys(body).length === 0) {
		throw new NodeOperationError(this.getNode(), 'Nothing to update: add at least one field under "Update Fields".', {
			itemIndex,
		});
	}
	return (await paddleData.call(this, {
		method: 'PATCH',
		path: `/customers/${encodeURIComponent(id)}`,
		body,
		itemIndex,
	})) as IDataObject;
}
