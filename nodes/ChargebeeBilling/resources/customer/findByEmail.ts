import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InputError } from '../../helpers';
import { chargebeeList } from '../../transport';
import { show } from '../types';

const displayOptions = show('customer', ['findByEmail']);

export const description: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		required: true,
		default: '',
		description: 'Exact email address; every customer with it is returned, newest first',
		displayOptions,
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions,
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...displayOptions?.show, returnAll: [false] } },
	},
];

export async function findCustomersByEmail(
	this: IExecuteFunctions,
	i: number,
	email: string,
	returnAll: boolean,
	limit?: number,
): Promise<IDataObject[]> {
	const address = email.trim();
	if (!address.includes('@')) {
		throw new InputError(`Email "${email}" is not an email address`, 'Give the full address, e.g. name@example.com.');
	}
	return await chargebeeList.call(this, '/customers', 'customer', {
		query: { 'email[is]': address, 'sort_by[desc]': 'created_at' },
		returnAll,
		limit,
		itemIndex: i,
	});
}

/** One output item per customer with that email; none when there is no match. */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
	return await findCustomersByEmail.call(this, i, this.getNodeParameter('email', i) as string, returnAll, limit);
}
