import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { Operation } from '../types';
import * as get from './get';
import * as getPdfUrl from './getPdfUrl';
import * as listForCustomer from './listForCustomer';
import * as recordPayment from './recordPayment';

export const operations: Record<string, Operation> = { get, getPdfUrl, listForCustomer, recordPayment };

export const description: INodeProperties[] = [
	operationSelector('invoice', 'get', [
		{ name: 'Get', value: 'get', action: 'Get an invoice', description: 'Get one invoice by ID with its amounts, status and line items' },
		{
			name: 'Get PDF Download URL',
			value: 'getPdfUrl',
			action: 'Get the PDF download URL of an invoice',
			description: 'Get a short-lived URL to download the invoice as PDF, e.g. to attach it to a Kommo note',
		},
		{
			name: 'List for Customer',
			value: 'listForCustomer',
			action: 'List invoices of a customer',
			description: "List a customer's invoices, newest first, optionally only unpaid ones; gives invoice IDs for Get and Record Payment",
		},
		{
			name: 'Record Payment',
			value: 'recordPayment',
			action: 'Record an offline payment for an invoice',
			description: 'Mark an invoice as paid by bank transfer, cash or check received outside Chargebee',
		},
	]),
	...get.description,
	...getPdfUrl.description,
	...listForCustomer.description,
	...recordPayment.description,
];
