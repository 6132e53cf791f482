/** What the invoice operations share. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { moneyBlock, text } from '../../helpers';

export const invoiceKeyField: INodeProperties = {
	displayName: 'Invoice Number or ID',
	name: 'invoiceKey',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'INV00000001',
	description:
		'The invoice number (INV00000001) or 32-character ID. Invoice → Get Many lists the invoices of an account; Zuora callouts for invoice events carry the ID.',
};

export function requireInvoiceKey(this: IExecuteFunctions, itemIndex: number): string {
	const key = text(this.getNodeParameter('invoiceKey', itemIndex));
	if (!key) {
		throw new NodeOperationError(this.getNode(), 'Invoice Number or ID is empty', {
			itemIndex,
			description: 'Map the invoice number or ID, e.g. from Invoice → Get Many or from a Zuora callout.',
		});
	}
	return key;
}

/** An invoice as Zuora sent it (without `success`), plus `money` and `balanceMoney`. */
export function invoiceOutput(invoice: IDataObject): IDataObject {
	const { success: _success, ...rest } = invoice;
	void _success;
	return {
		...rest,
		money: moneyBlock(invoice.amount, invoice.currency),
		balanceMoney: moneyBlock(invoice.balance, invoice.currency),
	};
}
