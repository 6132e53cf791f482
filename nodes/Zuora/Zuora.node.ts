import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { create as accountCreate } from './resources/account/create';
import { findByCrmId } from './resources/account/findByCrmId';
import { findOrCreate } from './resources/account/findOrCreate';
import { get as accountGet } from './resources/account/get';
import { get as invoiceGet } from './resources/invoice/get';
import { get as paymentGet } from './resources/payment/get';
import { getProductRatePlans, list as ratePlanList } from './resources/productRatePlan/list';
import { cancel } from './resources/subscription/cancel';
import { changePlan } from './resources/subscription/changePlan';
import { create as subscriptionCreate } from './resources/subscription/create';
import { get as subscriptionGet } from './resources/subscription/get';
import { asNodeError } from './helpers';
import type { ZuoraOperation } from './resources/types';
import { addRecord } from './resources/usage/addRecord';
import { uploadBatch } from './resources/usage/uploadBatch';

const operations: Record<string, Record<string, ZuoraOperation>> = {
	account: { create: accountCreate, get: accountGet, findByCrmId, findOrCreate },
	subscription: { create: subscriptionCreate, get: subscriptionGet, cancel, changePlan },
	usage: { addRecord, uploadBatch },
	productRatePlan: { list: ratePlanList },
	payment: { get: paymentGet },
	invoice: { get: invoiceGet },
};

const operationSelectors: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['account'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create an account', description: 'Create a billing account' },
			{
				name: 'Find by CRM ID',
				value: 'findByCrmId',
				action: 'Find accounts by CRM ID',
				description: 'Find the accounts whose crmId is the Kommo lead ID',
			},
			{
				name: 'Find or Create by CRM ID',
				value: 'findOrCreate',
				action: 'Find or create an account by CRM ID',
				description: 'Reuse the account of the Kommo lead, or create it',
			},
			{ name: 'Get', value: 'get', action: 'Get an account', description: 'Get an account by number or ID' },
		],
		default: 'findOrCreate',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['subscription'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				action: 'Cancel a subscription',
				description: 'Cancel at the end of the term or on a date (order action)',
			},
			{
				name: 'Change Plan',
				value: 'changePlan',
				action: 'Change the plan of a subscription',
				description: 'Remove and add rate plans in one order',
			},
			{
				name: 'Create',
				value: 'create',
				action: 'Create a subscription',
				description: 'Create a subscription through the Orders API',
			},
			{ name: 'Get', value: 'get', action: 'Get a subscription', description: 'Get a subscription by number or ID' },
		],
		default: 'create',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['usage'] } },
		options: [
			{ name: 'Add Record', value: 'addRecord', action: 'Add a usage record', description: 'Add one usage record' },
			{
				name: 'Upload Batch',
				value: 'uploadBatch',
				action: 'Upload a usage batch',
				description: 'Upload all input items as a usage CSV and wait for the import result',
			},
		],
		default: 'addRecord',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['productRatePlan'] } },
		options: [
			{ name: 'List', value: 'list', action: 'List product rate plans', description: 'List the rate plans of the catalog' },
		],
		default: 'list',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['payment'] } },
		options: [{ name: 'Get', value: 'get', action: 'Get a payment', description: 'Re-read a payment by number or ID' }],
		default: 'get',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['invoice'] } },
		options: [{ name: 'Get', value: 'get', action: 'Get an invoice', description: 'Re-read an invoice by number or ID' }],
		default: 'get',
	},
];

export class Zuora implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zuora',
		name: 'zuora',
		icon: { light: 'file:zuora.svg', dark: 'file:zuora.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Accounts, subscriptions (Orders API) and usage in Zuora Billing',
		defaults: { name: 'Zuora' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'zuoraOAuth2Api', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Account', value: 'account' },
					{ name: 'Invoice', value: 'invoice' },
					{ name: 'Payment', value: 'payment' },
					{ name: 'Product Rate Plan', value: 'productRatePlan' },
					{ name: 'Subscription', value: 'subscription' },
					{ name: 'Usage', value: 'usage' },
				],
				default: 'account',
			},
			...operationSelectors,
			...Object.values(operations).flatMap((ops) => Object.values(ops).flatMap((op) => op.description)),
		],
	};

	methods = {
		loadOptions: { getProductRatePlans },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const resource = this.getNodeParameter('resource', 0) as string;
		const operationName = this.getNodeParameter('operation', 0) as string;
		const operation = operations[resource]?.[operationName];
		if (!operation) {
			throw new NodeOperationError(this.getNode(), `Unknown operation "${operationName}" for resource "${resource}"`);
		}

		if (operation.kind === 'batch') {
			try {
				return [await operation.execute.call(this, items)];
			} catch (error) {
				if (!this.continueOnFail()) throw asNodeError(this, error);
				const report = (error as NodeOperationError).context?.report as IDataObject | undefined;
				return [
					[
						{
							json: { error: (error as Error).message, ...(report ? { report } : {}) },
							// routes the item to the error output: n8n does not recognise error + report alone
							error: asNodeError(this, error),
							pairedItem: items.map((_, item) => ({ item })),
						},
					],
				];
			}
		}

		const out: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const result = await operation.execute.call(this, itemIndex);
				for (const json of Array.isArray(result) ? result : [result]) {
					out.push({ json, pairedItem: { item: itemIndex } });
				}
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, error: asNodeError(this, error, itemIndex), pairedItem: { item: itemIndex } });
					continue;
				}
				const nodeError = asNodeError(this, error, itemIndex);
				if (nodeError.context.itemIndex === undefined) nodeError.context.itemIndex = itemIndex;
				throw nodeError;
			}
		}
		return [out];
	}
}
