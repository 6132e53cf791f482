import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { moneyOf } from '../../helpers';
import { chargebeeRequest, idPath } from '../../transport';
import { maybeSimplify, simplifyProperty } from '../../simplify';
import { show } from '../types';

export const description: INodeProperties[] = [
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '',
		description: "The invoice's ID, e.g. from List for Customer or from an invoice or payment event",
		displayOptions: show('invoice', ['get']),
	},
	simplifyProperty(show('invoice', ['get']), 1.1),
];

export function invoiceOutput(invoice: IDataObject): IDataObject {
	return {
		...invoice,
		money: moneyOf(invoice.total, invoice.currency_code) as unknown as IDataObject,
		amountDue: moneyOf(invoice.amount_due, invoice.currency_code) as unknown as IDataObject,
	};
}

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = String(this.getNodeParameter('invoiceId', i)).trim();
	const body = (await chargebeeRequest.call(this, { method: 'GET', path: idPath('/invoices/{id}', id), itemIndex: i })) as IDataObject;
	return maybeSimplify.call(this, i, 'invoice', invoiceOutput(body.invoice as IDataObject));
}
