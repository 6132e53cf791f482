import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { customerIdFromConflict, findCustomerByEmail, getCustomer } from '../../helpers';
import { asNodeError, paddleData, paddleErrorInfo } from '../../transport';
import { customDataField, forOperation, kommoLeadIdField } from '../common';
import { customerCreateBody, emailField, localeField, nameField } from './shared';

export const description: INodeProperties[] = forOperation('customer', 'findOrCreate', [
	emailField,
	{ ...nameField, description: 'Used only when the customer is created. Needed for invoicing (manual collection).' },
	localeField,
	{ ...kommoLeadIdField, description: 'Stored as custom_data.kommo_lead_id when the customer is created (an existing customer is returned unchanged)' },
	customDataField,
]);

/**
 * The customer with this email, created if there is none. Order:
 *  1. GET /customers?email=… → found: return it unchanged;
 *  2. POST /customers → created;
 *  3. 409 customer_already_exists (someone created it in between, or it is
 *     archived and so not listed) → the ctm_… id in Paddle's detail → GET it;
 *  4. a 5xx / dropped POST → look the email up again instead of re-posting.
 * A duplicate email therefore never surfaces as an error.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const body = customerCreateBody.call(this, itemIndex);
	const email = body.email as string;
	const existing = await findCustomerByEmail.call(this, email, itemIndex);
	if (existing) return existing;
	try {
		return (await paddleData.call(this, { method: 'POST', path: '/customers', body, itemIndex })) as IDataObject;
	} catch (error) {
		const info = paddleErrorInfo(error);
		if (info.status === 409 && info.code === 'customer_already_exists') {
			const id = customerIdFromConflict(info.detail);
			if (id) return await getCustomer.call(this, id, itemIndex);
			const found = await findCustomerByEmail.call(this, email, itemIndex);
			if (found) return found;
		} else if (info.status === undefined || info.status >= 500) {
			const found = await findCustomerByEmail.call(this, email, itemIndex);
			if (found) return found;
		}
		throw asNodeError(this.getNode(), error);
	}
}
