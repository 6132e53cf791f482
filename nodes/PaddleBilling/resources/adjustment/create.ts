import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { requirePaddleId, requireString } from '../../helpers';
import { paddleData } from '../../transport';
import { forOperation } from '../common';

export const description: INodeProperties[] = forOperation('adjustment', 'create', [
	{
		displayName: 'Adjustment Action',
		name: 'adjustmentAction',
		type: 'options',
		options: [
			{ name: 'Refund', value: 'refund', description: 'Return money to the original payment method; only for completed transactions. Paddle may review it first (pending_approval).' },
			{ name: 'Credit', value: 'credit', description: 'Reduce what the customer owes on an unpaid invoice (manual collection, billed or past due)' },
		],
		default: 'refund',
	},
	{
		displayName: 'Transaction ID',
		name: 'transactionId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'txn_…',
		description: 'The transaction to refund or credit (txn_…); Transaction → Get Many finds it',
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		required: true,
		description: 'Why the refund or credit is made (Paddle requires it; shown in the dashboard)',
	},
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [
			{ name: 'Full', value: 'full', description: 'The whole grand total of the transaction' },
			{ name: 'Partial', value: 'partial', description: 'Some line items, each in full or by an amount' },
		],
		default: 'full',
	},
	{
		displayName: 'Items',
		name: 'items',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Item',
		default: {},
		displayOptions: { show: { type: ['partial'] } },
		options: [
			{
				displayName: 'Item',
				name: 'item',
				values: [
					{
						displayName: 'Transaction Item ID',
						name: 'itemId',
						type: 'string',
						default: '',
						placeholder: 'txnitm_…',
						description: 'A line item of the transaction (txnitm_…), listed under details.line_items by Transaction → Get with Simplify off',
					},
					{
						displayName: 'Amount',
						name: 'amount',
						type: 'string',
						default: '',
						placeholder: '1500',
						description: 'Amount in the lowest denomination (cents): 1500 = 15.00 USD. Empty adjusts the whole line item.',
					},
				],
			},
		],
	},
]);

/** POST /adjustments (needs adjustment.write). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const transactionId = requirePaddleId.call(this, this.getNodeParameter('transactionId', itemIndex), 'txn', 'Transaction ID', itemIndex);
	const reason = requireString.call(this, this.getNodeParameter('reason', itemIndex, ''), 'Reason', itemIndex, 'Paddle requires a reason for every refund or credit.');
	const type = this.getNodeParameter('type', itemIndex, 'full') as string;
	const body: IDataObject = { action: this.getNodeParameter('adjustmentAction', itemIndex), transaction_id: transactionId, reason, type };
	if (type === 'partial') {
		const rows = (((this.getNodeParameter('items', itemIndex, {}) as IDataObject).item ?? []) as IDataObject[]).filter((r) => r.itemId || r.amount);
		if (rows.length === 0) {
			throw new NodeOperationError(this.getNode(), 'A partial adjustment needs at least one item under "Items" (its txnitm_ ID from the transaction\'s details.line_items), or choose Type "Full".', { itemIndex });
		}
		body.items = rows.map((row, i) => {
			const itemId = requirePaddleId.call(this, row.itemId, 'txnitm', `Items[${i + 1}] Transaction Item ID`, itemIndex);
			const amount = String(row.amount ?? '').trim();
			if (amount === '') return { item_id: itemId, type: 'full' };
			if (!/^\d+$/.test(amount) || /^0+$/.test(amount)) {
				throw new NodeOperationError(this.getNode(), `Items[${i + 1}] Amount "${amount}" must be a positive whole number in the lowest denomination (1500 = 15.00 USD), or empty for the whole item.`, { itemIndex });
			}
			return { item_id: itemId, type: 'partial', amount };
		});
	}
	return (await paddleData.call(this, { method: 'POST', path: '/adjustments', body, itemIndex })) as IDataObject;
}
