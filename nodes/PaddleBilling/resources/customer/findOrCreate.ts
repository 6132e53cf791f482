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
 * The customer with this email, created if there is none. The look-up
 * (GET /customers?email=…) and the creation (POST /customers) go out side by
 * side, so a new customer costs one round trip:
 *  1. POST created it → return it;
 *  2. 409 customer_already_exists (Paddle's documented answer to a duplicate
 *     email, developer.paddle.com/errors/customers/customer_already_exists)
 *     → the customer the look-up found, returned unchanged; when the look-up
 *     found none (archived customers are not listed, or it was created in
 *     between) → the ctm_… id in Paddle's detail → GET it;
 *  3. a 5xx / dropped POST → look the email up again (after the POST) instead
 *     of re-posting.
 * A duplicate email therefore never surfaces as an error.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const body = customerCreateBody.call(this, itemIndex);
	const email = body.email as string;
	const [lookup, creation] = await Promise.allSettled([
		findCustomerByEmail.call(this, email, itemIndex),
		paddleData.call(this, { method: 'POST', path: '/customers', body, itemIndex }) as Promise<IDataObject>,
	]);
	if (creation.status === 'fulfilled') return creation.value;
	const error: unknown = creation.reason;
	const found = lookup.status === 'fulfilled' ? lookup.value : undefined;
	const info = paddleErrorInfo(error);
	if (info.status === 409 && info.code === 'customer_already_exists') {
		if (found) return found;
		const id = customerIdFromConflict(info.detail);
		if (id) return await getCustomer.call(this, id, itemIndex);
		const again = await findCustomerByEmail.call(this, email, itemIndex);
		if (again) return again;
	} else if (info.status === undefined || info.status >= 500) {
		const again = found ?? (await findCustomerByEmail.call(this, email, itemIndex));
		if (again) return again;
	}
	throw asNodeError(this.getNode(), error);
}
