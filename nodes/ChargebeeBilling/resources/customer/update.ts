import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateFieldsCollection } from '../../../shared/descriptions';
import { InputError } from '../../helpers';
import { callIdempotencyKey, chargebeeRequest, idPath } from '../../transport';
import { locator, locatorValue } from '../../locators';
import { show } from '../types';
import { customerFieldOptions, customerForm, kommoLeadIdFields } from './fields';

const displayOptions = show('customer', ['update']);

export const description: INodeProperties[] = [
	locator('customer', 'customerId', 'The customer to change (Find by Email or Get give customer IDs)', displayOptions),
	...kommoLeadIdFields(displayOptions),
	updateFieldsCollection(customerFieldOptions(true), displayOptions),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = locatorValue.call(this, 'customerId', i, 'Customer', 'customer');
	const fields = this.getNodeParameter('updateFields', i, {}) as IDataObject;
	const form = customerForm.call(this, i, fields);
	if (Object.keys(form).length === 0) {
		throw new InputError('Nothing to update', 'Set the Kommo Lead ID or add at least one field under "Update Fields".');
	}
	const body = await chargebeeRequest.call(this, {
		method: 'POST',
		path: idPath('/customers/{id}', id),
		form,
		idempotencyKey: callIdempotencyKey('customer-update'),
		itemIndex: i,
	});
	return (body as IDataObject).customer as IDataObject;
}
