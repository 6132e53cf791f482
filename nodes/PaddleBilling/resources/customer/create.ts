import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { findCustomerByEmail } from '../../helpers';
import { paddleCreate } from '../../transport';
import { customDataField, forOperation, kommoLeadIdField } from '../common';
import { customerCreateBody, emailField, localeField, nameField } from './shared';

export const description: INodeProperties[] = forOperation('customer', 'create', [
	emailField,
	nameField,
	localeField,
	kommoLeadIdField,
	customDataField,
]);

/**
 * POST /customers. A duplicate email is Paddle's 409 customer_already_exists
 * (use Find or Create to adopt the existing customer). If the request fails
 * without a clear answer (5xx, dropped connection), the email is looked up
 * instead of sending the POST again.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const body = customerCreateBody.call(this, itemIndex);
	const { data } = await paddleCreate.call(
		this,
		{ method: 'POST', path: '/customers', body, itemIndex },
		async () => await findCustomerByEmail.call(this, body.email as string, itemIndex),
	);
	return data;
}
