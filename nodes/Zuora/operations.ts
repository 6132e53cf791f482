/**
 * Every operation of the Zuora node and its Operation dropdown per resource. The descriptions
 * are written for a person and for an AI agent choosing a tool: what the operation does, when to
 * use it, and which operation gives the IDs it needs.
 */
import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../shared/descriptions';
import { create as accountCreate } from './resources/account/create';
import { findByCrmId } from './resources/account/findByCrmId';
import { findOrCreate } from './resources/account/findOrCreate';
import { get as accountGet } from './resources/account/get';
import { update as accountUpdate } from './resources/account/update';
import { request as customApiRequest } from './resources/customApi/request';
import { get as invoiceGet } from './resources/invoice/get';
import { getMany as invoiceGetMany } from './resources/invoice/getMany';
import { getPdf as invoiceGetPdf } from './resources/invoice/getPdf';
import { get as paymentGet } from './resources/payment/get';
import { getMany as paymentGetMany } from './resources/payment/getMany';
import { list as ratePlanList } from './resources/productRatePlan/list';
import { cancel } from './resources/subscription/cancel';
import { changePlan } from './resources/subscription/changePlan';
import { create as subscriptionCreate } from './resources/subscription/create';
import { get as subscriptionGet } from './resources/subscription/get';
import type { ZuoraOperation } from './resources/types';
import { addRecord } from './resources/usage/addRecord';
import { uploadBatch } from './resources/usage/uploadBatch';

export const operations: Record<string, Record<string, ZuoraOperation>> = {
	account: { create: accountCreate, get: accountGet, findByCrmId, findOrCreate, update: accountUpdate },
	subscription: { create: subscriptionCreate, get: subscriptionGet, cancel, changePlan },
	usage: { addRecord, uploadBatch },
	productRatePlan: { list: ratePlanList },
	payment: { get: paymentGet, getMany: paymentGetMany },
	invoice: { get: invoiceGet, getMany: invoiceGetMany, getPdf: invoiceGetPdf },
	customApi: { request: customApiRequest },
};

export const operationSelectors: INodeProperties[] = [
	operationSelector('account', 'findOrCreate', [
		{
			name: 'Create',
			value: 'create',
			action: 'Create an account',
			description: 'Create a billing account. To avoid duplicates for a Kommo lead, prefer Find or Create by CRM ID.',
		},
		{
			name: 'Find by CRM ID',
			value: 'findByCrmId',
			action: 'Find accounts by CRM ID',
			description: 'Find the accounts whose crmId is the Kommo lead ID; use it to get the account number of a lead',
		},
		{
			name: 'Find or Create by CRM ID',
			value: 'findOrCreate',
			action: 'Find or create an account by CRM ID',
			description: 'Reuse the account of the Kommo lead, or create it; safe to run again for the same lead',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get an account',
			description: 'Read one account (contact, balance, crmId) by number or ID, e.g. the account a callout names',
		},
		{
			name: 'Update',
			value: 'update',
			action: 'Update an account',
			description: 'Change fields of an account (name, crmId, contacts, payment term, custom fields); only the fields given change',
		},
	]),
	operationSelector('subscription', 'create', [
		{
			name: 'Cancel',
			value: 'cancel',
			action: 'Cancel a subscription',
			description: 'Cancel at the end of the term or on a date (order action); an already cancelled subscription is left as it is',
		},
		{
			name: 'Change Plan',
			value: 'changePlan',
			action: 'Change the plan of a subscription',
			description: 'Remove and add rate plans in one order; Product Rate Plan → List gives the rate plan IDs',
		},
		{
			name: 'Create',
			value: 'create',
			action: 'Create a subscription',
			description: 'Create a subscription for an account through the Orders API; needs an account number (Account → Find or Create) and a rate plan ID',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a subscription',
			description: 'Read one subscription (status, term, rate plans, MRR) by number or ID',
		},
	]),
	operationSelector('usage', 'addRecord', [
		{ name: 'Add Record', value: 'addRecord', action: 'Add a usage record', description: 'Add one usage record to an account (metered billing)' },
		{
			name: 'Upload Batch',
			value: 'uploadBatch',
			action: 'Upload a usage batch',
			description: 'Upload all input items as a usage CSV and wait for the import result; better than Add Record for many records',
		},
	]),
	operationSelector('productRatePlan', 'list', [
		{
			name: 'List',
			value: 'list',
			action: 'List product rate plans',
			description: 'List the rate plans of the catalog with their prices; gives the rate plan IDs that subscriptions need',
		},
	]),
	operationSelector('payment', 'get', [
		{
			name: 'Get',
			value: 'get',
			action: 'Get a payment',
			description: 'Re-read one payment (status, amount, account) by number or ID, e.g. the payment a callout names',
		},
		{
			name: 'Get Many',
			value: 'getMany',
			action: 'Get many payments',
			description: 'List the payments of an account, optionally only those in one status (e.g. Error for failed payments)',
		},
	]),
	operationSelector('invoice', 'get', [
		{
			name: 'Get',
			value: 'get',
			action: 'Get an invoice',
			description: 'Re-read one invoice (status, amount, balance, due date) by number or ID',
		},
		{
			name: 'Get Many',
			value: 'getMany',
			action: 'Get many invoices',
			description: 'List the invoices of an account; gives the invoice numbers that Get and Get PDF need',
		},
		{
			name: 'Get PDF',
			value: 'getPdf',
			action: 'Get the PDF of an invoice',
			description: 'Download the newest PDF of a posted invoice as a binary file (e.g. to attach it to an email or a Kommo note)',
		},
	]),
	operationSelector('customApi', 'request', [
		{
			name: 'Custom API Request',
			value: 'request',
			action: 'Send a custom API request',
			description:
				'Call any Zuora REST endpoint that no other operation covers, with the same credential, retries and error handling',
		},
	]),
];
