import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { returnAllAndLimit } from '../../../shared/list-parameters';
import { locator, locatorValue } from '../../locators';
import { maybeSimplifyAll, simplifyProperty } from '../../simplify';
import { chargebeeList } from '../../transport';
import { show } from '../types';
import { invoiceOutput } from './get';

const displayOptions = show('invoice', ['listForCustomer']);

export const description: INodeProperties[] = [
	locator('customer', 'customerId', 'The customer whose invoices are listed, newest first (Find by Email or Get give customer IDs)', displayOptions),
	{
		displayName: 'Status',
		name: 'status',
		type: 'multiOptions',
		options: [
			{ name: 'Not Paid', value: 'not_paid' },
			{ name: 'Paid', value: 'paid' },
			{ name: 'Payment Due', value: 'payment_due' },
			{ name: 'Pending', value: 'pending' },
			{ name: 'Posted', value: 'posted' },
			{ name: 'Voided', value: 'voided' },
		],
		default: [],
		description: 'Only invoices in these states (Payment Due and Not Paid are the unpaid ones); none selected returns all',
		displayOptions,
	},
	...returnAllAndLimit(displayOptions),
	simplifyProperty(displayOptions),
];

/** GET /invoices?customer_id[is]=…&sort_by[desc]=date. */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const customerId = locatorValue.call(this, 'customerId', i, 'Customer', 'customer');
	const status = this.getNodeParameter('status', i, []) as string[];
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const invoices = await chargebeeList.call(this, '/invoices', 'invoice', {
		query: {
			'customer_id[is]': customerId,
			...(status.length > 0 ? { 'status[in]': JSON.stringify(status) } : {}),
			'sort_by[desc]': 'date',
		},
		returnAll,
		limit: returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number),
		itemIndex: i,
	});
	return maybeSimplifyAll.call(this, i, 'invoice', invoices.map(invoiceOutput));
}
