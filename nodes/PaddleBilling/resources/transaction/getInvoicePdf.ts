import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { requirePaddleId } from '../../helpers';
import { asNodeError, paddleData } from '../../transport';
import { forOperation } from '../common';
import { transactionIdField } from './shared';

export const description: INodeProperties[] = forOperation('transaction', 'getInvoicePdf', [
	transactionIdField,
	{
		displayName: 'Disposition',
		name: 'disposition',
		type: 'options',
		options: [
			{ name: 'Attachment', value: 'attachment', description: 'The link downloads the PDF' },
			{ name: 'Inline', value: 'inline', description: 'The link opens the PDF in the browser' },
		],
		default: 'attachment',
	},
]);

/**
 * GET /transactions/{id}/invoice: a link to the invoice PDF, valid for one hour (spec). Invoices
 * exist for manual transactions that are billed or completed and automatic ones that are completed,
 * never for zero-value transactions.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('transactionId', itemIndex), 'txn', 'Transaction ID', itemIndex);
	const disposition = this.getNodeParameter('disposition', itemIndex, 'attachment') as string;
	try {
		const data = (await paddleData.call(this, {
			method: 'GET',
			path: `/transactions/${encodeURIComponent(id)}/invoice`,
			qs: { disposition },
			itemIndex,
		})) as IDataObject;
		return { transaction_id: id, url: data.url, expires_in_seconds: 3600 };
	} catch (error) {
		if (error instanceof NodeApiError && Number(error.httpCode) === 400) {
			error.description = `Paddle has no invoice PDF for ${id} yet: invoices exist for manual (invoice) transactions once billed, for card transactions once completed, and never for a zero total. Check the status with Transaction → Get.${
				error.description ? ` ${error.description}` : ''
			}`;
		}
		throw asNodeError(this.getNode(), error);
	}
}
