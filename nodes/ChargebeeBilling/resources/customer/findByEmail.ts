import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { emailProperty } from '../../../shared/descriptions';
import { InputError } from '../../helpers';
import { chargebeeList } from '../../transport';
import { maybeSimplifyAll, simplifyProperty } from '../../simplify';
import { show } from '../types';
import { returnAllAndLimit } from '../../../shared/list-parameters';

const displayOptions = show('customer', ['findByEmail']);

export const description: INodeProperties[] = [
	emailProperty({
		required: true,
		description: 'Email address; every customer with it (as typed, or in lower case) is returned, newest first',
		displayOptions,
	}),
	...returnAllAndLimit(displayOptions),
	simplifyProperty(displayOptions, 1.1),
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
	// Chargebee's `email[is]` is an exact match and its docs do not promise case folding, while
	// people type addresses in any case (a Kommo contact "Ana@Example.com", a Chargebee customer
	// "ana@example.com"). So an address with capitals is also looked up in lower case, the form
	// most sites store, and the two answers are merged (each customer once, newest first).
	const forms = [...new Set([address, address.toLowerCase()])];
	const lists = await Promise.all(
		forms.map(
			async (form) =>
				await chargebeeList.call(this, '/customers', 'customer', {
					query: { 'email[is]': form, 'sort_by[desc]': 'created_at' },
					returnAll,
					limit,
					itemIndex: i,
				}),
		),
	);
	if (lists.length === 1) return lists[0];
	const seen = new Set<string>();
	const merged = lists.flat().filter((customer) => {
		const id = String(customer.id);
		if (seen.has(id)) return false;
		seen.add(id);
		return true;
	});
	merged.sort((a, b) => Number(b.created_at ?? 0) - Number(a.created_at ?? 0));
	return returnAll ? merged : merged.slice(0, Math.max(1, limit ?? 50));
}

/** One output item per customer with that email; none when there is no match. */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
	return maybeSimplifyAll.call(this, i, 'customer', await findCustomersByEmail.call(this, i, this.getNodeParameter('email', i) as string, returnAll, limit));
}
