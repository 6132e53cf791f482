import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { filtersCollection } from '../../../shared/descriptions';
import { requirePaddleId } from '../../helpers';
import { paddleList } from '../../transport';
import { forOperation } from '../common';
import { simplifyField, simplifyMany } from '../simplify';
import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';

export const description: INodeProperties[] = forOperation('adjustment', 'getAll', [
	...returnAllAndLimit(),
	simplifyField,
	filtersCollection(
		[
			{
				displayName: 'Action',
				name: 'action',
				type: 'options',
				options: [
					{ name: 'Chargeback', value: 'chargeback' },
					{ name: 'Chargeback Reverse', value: 'chargeback_reverse' },
					{ name: 'Chargeback Warning', value: 'chargeback_warning' },
					{ name: 'Credit', value: 'credit' },
					{ name: 'Credit Reverse', value: 'credit_reverse' },
					{ name: 'Refund', value: 'refund' },
				],
				default: 'refund',
			},
			{ displayName: 'Customer ID', name: 'customerId', type: 'string', default: '', placeholder: 'ctm_…' },
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: [
					{ name: 'Approved', value: 'approved' },
					{ name: 'Pending Approval', value: 'pending_approval' },
					{ name: 'Rejected', value: 'rejected' },
					{ name: 'Reversed', value: 'reversed' },
				],
				default: [],
			},
			{ displayName: 'Subscription ID', name: 'subscriptionId', type: 'string', default: '', placeholder: 'sub_…' },
			{ displayName: 'Transaction ID', name: 'transactionId', type: 'string', default: '', placeholder: 'txn_…' },
		],
	),
]);

/** GET /adjustments (needs adjustment.read), newest first, 50 per page (the spec's maximum for this list). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = listLimit(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs: IDataObject = { per_page: 50 };
	if (filters.action) qs.action = filters.action;
	if (filters.customerId) qs.customer_id = requirePaddleId.call(this, filters.customerId, 'ctm', 'Customer ID', itemIndex);
	if (filters.subscriptionId) qs.subscription_id = requirePaddleId.call(this, filters.subscriptionId, 'sub', 'Subscription ID', itemIndex);
	if (filters.transactionId) qs.transaction_id = requirePaddleId.call(this, filters.transactionId, 'txn', 'Transaction ID', itemIndex);
	const statuses = ((filters.status ?? []) as string[]).filter(Boolean);
	if (statuses.length > 0) qs.status = statuses.join(',');
	const adjustments = (await paddleList.call(this, { method: 'GET', path: '/adjustments', qs, itemIndex }, limit)) as IDataObject[];
	return simplifyMany.call(this, itemIndex, 'adjustment', adjustments);
}
