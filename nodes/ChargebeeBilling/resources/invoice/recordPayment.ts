import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { toMinor } from '../../../shared/money';
import { InputError, unixSeconds } from '../../helpers';
import { chargebeeRequest, deriveIdempotencyKey, idPath, type FormObject } from '../../transport';
import { show } from '../types';
import { invoiceOutput } from './get';

const displayOptions = show('invoice', ['recordPayment']);

export const description: INodeProperties[] = [
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '',
		description: 'The unpaid invoice (status payment_due, posted or not_paid) that was paid outside Chargebee. Invoice → List for Customer finds it.',
		displayOptions,
	},
	{
		displayName: 'Payment Method',
		name: 'paymentMethod',
		type: 'options',
		options: [
			{ name: 'Bank Transfer', value: 'bank_transfer' },
			{ name: 'Cash', value: 'cash' },
			{ name: 'Check', value: 'check' },
			{ name: 'Other', value: 'other' },
		],
		default: 'bank_transfer',
		displayOptions,
	},
	{
		displayName: 'Amount',
		name: 'amount',
		type: 'string',
		default: '',
		placeholder: '1499.00',
		description: "The amount received, as a decimal in the invoice's currency. Leave empty to record the whole amount due. It cannot exceed the amount due.",
		displayOptions,
	},
	additionalFieldsCollection(
		[
			{ displayName: 'Comment', name: 'comment', type: 'string', default: '', description: 'Internal remark on the payment (up to 300 characters)' },
			{ displayName: 'Date', name: 'date', type: 'dateTime', default: '', description: 'When the money arrived; empty for now' },
			{ displayName: 'Reference Number', name: 'referenceNumber', type: 'string', default: '', description: 'Bank or check reference, e.g. the Kommo deal number' },
		],
		displayOptions,
	),
];

/**
 * POST /invoices/{id}/record_payment: an offline payment (bank transfer, cash, check) marks the
 * invoice paid when it covers the amount due. Chargebee then sends payment_succeeded with gateway
 * "not_applicable". The idempotency key follows the input, so a retried execution within 30 minutes
 * cannot record the same payment twice.
 */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const invoiceId = String(this.getNodeParameter('invoiceId', i)).trim();
	if (invoiceId === '') throw new InputError('Invoice ID is empty', 'Give the ID of the invoice that was paid, e.g. from Invoice → List for Customer.');
	const path = idPath('/invoices/{id}/record_payment', invoiceId);
	const amountText = String(this.getNodeParameter('amount', i, '') ?? '').trim();
	let amount: number | undefined;
	if (amountText !== '') {
		const invoice = (await chargebeeRequest.call(this, { method: 'GET', path: idPath('/invoices/{id}', invoiceId), itemIndex: i })) as IDataObject;
		const currency = String((invoice.invoice as IDataObject).currency_code);
		try {
			amount = Number(toMinor(amountText, currency));
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `Amount "${amountText}" is not an amount in ${currency}: ${(error as Error).message}`, {
				itemIndex: i,
				description: `Give a decimal such as 1499.00 (${currency}), or leave it empty for the whole amount due.`,
			});
		}
	}
	const additional = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const text = (v: unknown) => (String(v ?? '').trim() === '' ? undefined : String(v).trim());
	const form: FormObject = {
		comment: text(additional.comment),
		transaction: {
			payment_method: this.getNodeParameter('paymentMethod', i, 'bank_transfer') as string,
			amount,
			reference_number: text(additional.referenceNumber),
			date: unixSeconds(additional.date, 'Date'),
		},
	};
	const body = (await chargebeeRequest.call(this, { method: 'POST', path, form, idempotencyKey: deriveIdempotencyKey('invoice-record-payment', path, form), itemIndex: i })) as IDataObject;
	return { ...invoiceOutput(body.invoice as IDataObject), transaction: body.transaction as IDataObject };
}
