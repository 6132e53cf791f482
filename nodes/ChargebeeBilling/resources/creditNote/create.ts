import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { toMinor } from '../../../shared/money';
import { InputError } from '../../helpers';
import { chargebeeRequest, deriveIdempotencyKey, idPath, type FormObject } from '../../transport';
import { show } from '../types';
import { creditNoteOutput } from './common';

const displayOptions = show('creditNote', ['create']);

export const description: INodeProperties[] = [
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '',
		description: 'The invoice the credit note is issued against (Invoice → List for Customer gives IDs)',
		displayOptions,
	},
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [
			{ name: 'Adjustment', value: 'adjustment', description: 'Reduce what is still due on an unpaid invoice' },
			{ name: 'Refundable', value: 'refundable', description: 'Credit for a paid invoice; refunded or applied to the next invoice' },
			{ name: 'Store', value: 'store', description: 'Credit kept as store credit for a paid invoice' },
		],
		default: 'refundable',
		displayOptions,
	},
	{
		displayName: 'Amount',
		name: 'amount',
		type: 'string',
		required: true,
		default: '',
		placeholder: '10.00',
		description: "The credit as a decimal in the invoice's currency. Adjustment: at most the amount due. Refundable or store: at most what was paid minus earlier credit notes.",
		displayOptions,
	},
	{
		displayName: 'Reason Code',
		name: 'reasonCode',
		type: 'string',
		default: '',
		placeholder: 'Product Unsatisfactory',
		description: 'One of the site\'s credit note reason codes (Settings → Configure Chargebee → Reason Codes → Credit Notes); needed when the site requires one',
		displayOptions,
	},
	additionalFieldsCollection(
		[
			{ displayName: 'Comment', name: 'comment', type: 'string', default: '', description: 'Internal remark, not shown to the customer' },
			{ displayName: 'Customer Notes', name: 'customerNotes', type: 'string', default: '', description: 'Shown on the credit note the customer sees' },
		],
		displayOptions,
	),
];

/**
 * POST /credit_notes with reference_invoice_id, type and total (minor units of the invoice's
 * currency). The key follows the input, so a retried execution within 30 minutes cannot credit twice.
 */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const invoiceId = String(this.getNodeParameter('invoiceId', i)).trim();
	if (invoiceId === '') throw new InputError('Invoice ID is empty', 'Give the invoice to credit, e.g. from Invoice → List for Customer.');
	const amountText = String(this.getNodeParameter('amount', i, '') ?? '').trim();
	if (amountText === '') throw new InputError('Amount is empty', 'Give the credit as a decimal, e.g. 10.00.');
	const invoice = (await chargebeeRequest.call(this, { method: 'GET', path: idPath('/invoices/{id}', invoiceId), itemIndex: i })) as IDataObject;
	const currency = String((invoice.invoice as IDataObject).currency_code);
	let total: number;
	try {
		total = Number(toMinor(amountText, currency));
	} catch (error) {
		throw new NodeOperationError(this.getNode(), `Amount "${amountText}" is not an amount in ${currency}: ${(error as Error).message}`, { itemIndex: i, description: `Give a decimal such as 10.00 (${currency}).` });
	}
	if (total <= 0) throw new InputError(`Amount must be more than zero, got "${amountText}"`);
	const additional = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const text = (v: unknown) => (String(v ?? '').trim() === '' ? undefined : String(v).trim());
	const form: FormObject = {
		reference_invoice_id: invoiceId,
		type: this.getNodeParameter('type', i, 'refundable') as string,
		total,
		create_reason_code: text(this.getNodeParameter('reasonCode', i, '')),
		comment: text(additional.comment),
		customer_notes: text(additional.customerNotes),
	};
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path: '/credit_notes',
		form,
		idempotencyKey: deriveIdempotencyKey('credit-note-create', '/credit_notes', form),
		itemIndex: i,
	})) as IDataObject;
	return creditNoteOutput(body.credit_note as IDataObject);
}
