import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forOperation, moneyBlock, text } from '../../helpers';
import { zuoraRequest } from '../../transport';
import type { ItemOperation } from '../types';

/**
 * Invoice → Get: GET /v1/invoices/{invoice number or id} (spec GetInvoiceResponse): re-read an
 * invoice a callout names (status, amount, balance, account) from Zuora by id.
 */
export const get: ItemOperation = {
	kind: 'item',
	description: forOperation('invoice', 'get', [
		{ displayName: 'Invoice Number or ID', name: 'invoiceKey', type: 'string', required: true, default: '', placeholder: 'INV00000001' },
	]),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const key = text(this.getNodeParameter('invoiceKey', itemIndex));
		if (!key) throw new NodeOperationError(this.getNode(), 'Invoice Number or ID is empty', { itemIndex });
		const invoice = await zuoraRequest.call(this, { method: 'GET', path: `/v1/invoices/${encodeURIComponent(key)}`, itemIndex });
		const { success: _success, ...rest } = invoice;
		void _success;
		return {
			...rest,
			money: moneyBlock(invoice.amount, invoice.currency),
			balanceMoney: moneyBlock(invoice.balance, invoice.currency),
		} as IDataObject;
	},
};
