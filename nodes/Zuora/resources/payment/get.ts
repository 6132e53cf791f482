import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forOperation, moneyBlock, text } from '../../helpers';
import { simplified, simplifyProperties } from '../../simplify';
import { zuoraRequest } from '../../transport';
import type { ItemOperation } from '../types';

/** A payment as Zuora sent it (without `success`), plus `money`. */
export function paymentOutput(payment: IDataObject): IDataObject {
	const { success: _success, ...rest } = payment;
	void _success;
	return { ...rest, money: moneyBlock(payment.amount, payment.currency) };
}

/**
 * Payment → Get: GET /v1/payments/{payment number or id} (spec GET_Payment, GETARPaymentType). A
 * callout carries only what its template put in (and in HMAC template mode only the signed fields
 * are trusted): re-read the payment's status, amount and account from Zuora by id.
 */
export const get: ItemOperation = {
	kind: 'item',
	description: [
		...forOperation('payment', 'get', [
			{
				displayName: 'Payment Number or ID',
				name: 'paymentKey',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'P-00000001',
				description:
					'The payment number (P-00000001) or 32-character ID. Payment → Get Many lists the payments of an account; Zuora payment callouts carry the ID.',
			},
		]),
		...simplifyProperties('payment', 'get'),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const key = text(this.getNodeParameter('paymentKey', itemIndex));
		if (!key) {
			throw new NodeOperationError(this.getNode(), 'Payment Number or ID is empty', {
				itemIndex,
				description: 'Map the payment number or ID, e.g. from Payment → Get Many or from a Zuora callout.',
			});
		}
		const payment = await zuoraRequest.call(this, { method: 'GET', path: `/v1/payments/${encodeURIComponent(key)}`, itemIndex });
		return simplified(this, itemIndex, 'payment', paymentOutput(payment));
	},
};
