import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../common';
import * as create from './create';
import * as get from './get';
import * as getAll from './getAll';
import * as getInvoicePdf from './getInvoicePdf';
import * as preview from './preview';

export const operations: Record<string, Operation> = { create, get, getAll, getInvoicePdf, preview };

export const description: INodeProperties[] = [
	operationSelector('transaction', 'getAll', [
		{
			name: 'Create',
			value: 'create',
			action: 'Create a transaction',
			description: 'Bill a customer for prices: a card checkout or an invoice. For a new subscription use Subscription → Create by Invoice or Create Checkout Link.',
		},
		{ name: 'Get', value: 'get', action: 'Get a transaction', description: 'Get one transaction (an invoice, payment, renewal or charge) by its txn_ ID' },
		{
			name: 'Get Invoice PDF',
			value: 'getInvoicePdf',
			action: 'Get the invoice PDF link of a transaction',
			description: 'A link (valid one hour) to the invoice PDF of a billed invoice or a completed payment',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many transactions',
			description: "List transactions, newest first, e.g. a customer's or a subscription's invoices and payments",
		},
		{
			name: 'Preview',
			value: 'preview',
			action: 'Preview a transaction',
			description: 'Calculate totals and tax for prices without creating anything, e.g. to quote a price',
		},
	]),
	...create.description,
	...get.description,
	...getAll.description,
	...getInvoicePdf.description,
	...preview.description,
];
