import type { IExecuteFunctions } from 'n8n-workflow';

import { forOperation } from '../../helpers';
import { simplified, simplifyProperties } from '../../simplify';
import { zuoraRequest } from '../../transport';
import type { ItemOperation } from '../types';
import { invoiceKeyField, invoiceOutput, requireInvoiceKey } from './common';

/**
 * Invoice → Get: GET /v1/invoices/{invoice number or id} (spec Get_GetInvoice, GetInvoiceResponse):
 * re-read an invoice a callout names (status, amount, balance, account) from Zuora by id.
 */
export const get: ItemOperation = {
	kind: 'item',
	description: [...forOperation('invoice', 'get', [invoiceKeyField]), ...simplifyProperties('invoice', 'get')],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const key = requireInvoiceKey.call(this, itemIndex);
		const invoice = await zuoraRequest.call(this, { method: 'GET', path: `/v1/invoices/${encodeURIComponent(key)}`, itemIndex });
		return simplified(this, itemIndex, 'invoice', invoiceOutput(invoice));
	},
};
