import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { filtersCollection } from '../../../shared/descriptions';
import { returnAllAndLimit } from '../../../shared/list-parameters';
import { locatorValue, locatorModes } from '../../locators';
import { maybeSimplifyAll, simplifyProperty } from '../../simplify';
import { chargebeeList } from '../../transport';
import { show } from '../types';
import { creditNoteOutput } from './common';

const displayOptions = show('creditNote', ['list']);

export const description: INodeProperties[] = [
	...returnAllAndLimit(displayOptions),
	filtersCollection(
		[
			{
				displayName: 'Customer',
				name: 'customerId',
				type: 'resourceLocator',
				default: { mode: 'list', value: '' },
				description: 'Only credit notes of this customer',
				modes: locatorModes('customer'),
			},
			{ displayName: 'Invoice ID', name: 'invoiceId', type: 'string', default: '', description: 'Only credit notes issued against this invoice' },
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: [
					{ name: 'Adjusted', value: 'adjusted' },
					{ name: 'Refund Due', value: 'refund_due' },
					{ name: 'Refunded', value: 'refunded' },
					{ name: 'Voided', value: 'voided' },
				],
				default: [],
			},
			{ displayName: 'Subscription ID', name: 'subscriptionId', type: 'string', default: '' },
		],
		displayOptions,
	),
	simplifyProperty(displayOptions),
];

/** GET /credit_notes, newest first (sort_by[desc]=date), with the filters chosen. */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
	const customerId = filters.customerId !== undefined ? locatorValue.call(this, 'filters.customerId', i, 'Customer', 'customer', false) : '';
	const status = (filters.status as string[] | undefined) ?? [];
	const text = (v: unknown) => (String(v ?? '').trim() === '' ? undefined : String(v).trim());
	const notes = await chargebeeList.call(this, '/credit_notes', 'credit_note', {
		query: {
			'customer_id[is]': customerId || undefined,
			'reference_invoice_id[is]': text(filters.invoiceId),
			'subscription_id[is]': text(filters.subscriptionId),
			...(status.length > 0 ? { 'status[in]': JSON.stringify(status) } : {}),
			'sort_by[desc]': 'date',
		},
		returnAll,
		limit: returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number),
		itemIndex: i,
	});
	return maybeSimplifyAll.call(this, i, 'creditNote', notes.map(creditNoteOutput));
}
