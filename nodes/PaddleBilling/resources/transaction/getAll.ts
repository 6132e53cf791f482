import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { filtersCollection } from '../../../shared/descriptions';
import { requirePaddleId } from '../../helpers';
import { paddleList } from '../../transport';
import { forOperation } from '../common';
import { simplifyField, simplifyMany } from '../simplify';
import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';
import { transactionOutput } from './shared';

/** Spec `status_transaction_query` values. */
const STATUSES = ['draft', 'ready', 'billed', 'paid', 'completed', 'canceled', 'past_due'];

export const description: INodeProperties[] = forOperation('transaction', 'getAll', [
	...returnAllAndLimit(),
	simplifyField,
	filtersCollection(
		[
			{
				displayName: 'Collection Mode',
				name: 'collectionMode',
				type: 'options',
				options: [
					{ name: 'Automatic (Card)', value: 'automatic' },
					{ name: 'Manual (Invoice)', value: 'manual' },
				],
				default: 'manual',
			},
			{ displayName: 'Customer ID', name: 'customerId', type: 'string', default: '', placeholder: 'ctm_…', description: 'Only transactions of this customer' },
			{ displayName: 'Invoice Number', name: 'invoiceNumber', type: 'string', default: '', placeholder: '325-10566', description: 'Only the transaction with this invoice number' },
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: STATUSES.map((s) => ({ name: s.replace('_', ' ').replace(/^./, (c) => c.toUpperCase()), value: s })),
				default: [],
				description: 'Only transactions with these statuses (none selected: all)',
			},
			{ displayName: 'Subscription ID', name: 'subscriptionId', type: 'string', default: '', placeholder: 'sub_…', description: 'Only transactions of this subscription (renewals, one-time charges, changes)' },
		],
	),
]);

/** GET /transactions, newest first (Paddle's default order), 30 per page (the spec's maximum for this list). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = listLimit(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs: IDataObject = { per_page: 30 };
	if (filters.customerId) qs.customer_id = requirePaddleId.call(this, filters.customerId, 'ctm', 'Customer ID', itemIndex);
	if (filters.subscriptionId) qs.subscription_id = requirePaddleId.call(this, filters.subscriptionId, 'sub', 'Subscription ID', itemIndex);
	if (filters.collectionMode) qs.collection_mode = filters.collectionMode;
	if (filters.invoiceNumber) qs.invoice_number = String(filters.invoiceNumber).trim();
	const statuses = ((filters.status ?? []) as string[]).filter(Boolean);
	if (statuses.length > 0) qs.status = statuses.join(',');
	const transactions = (await paddleList.call(this, { method: 'GET', path: '/transactions', qs, itemIndex }, limit)) as IDataObject[];
	return simplifyMany.call(this, itemIndex, 'transaction', transactions.map(transactionOutput));
}
