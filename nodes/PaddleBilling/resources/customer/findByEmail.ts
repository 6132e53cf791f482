import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { findCustomerByEmail } from '../../helpers';
import { forOperation } from '../common';
import { emailField, readEmail } from './shared';

export const description: INodeProperties[] = forOperation('customer', 'findByEmail', [
	{ ...emailField, description: 'Exact (case-insensitive) match. No output item when nobody has this email; turn on "Always Output Data" in the node settings to continue anyway.' },
]);

/** GET /customers?email=… (Paddle matches exactly). No item when not found. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const email = readEmail.call(this, itemIndex);
	const customer = await findCustomerByEmail.call(this, email, itemIndex);
	return customer ? [customer] : [];
}
