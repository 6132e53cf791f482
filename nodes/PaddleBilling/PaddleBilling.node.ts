import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { tagItem } from '../shared/item-error';
import * as address from './resources/address';
import * as adjustment from './resources/adjustment';
import * as business from './resources/business';
import type { Operation } from './resources/common';
import * as customApiRequest from './resources/customApiRequest';
import * as customer from './resources/customer';
import * as discount from './resources/discount';
import * as event from './resources/event';
import { getEventTypes } from './resources/event/getAll';
import * as notification from './resources/notification';
import * as price from './resources/price';
import { getPrices } from './resources/price/list';
import { listSearch } from './resources/locators';
import * as subscription from './resources/subscription';
import * as transaction from './resources/transaction';
import { asNodeError } from './transport';

const RESOURCES: Record<string, Record<string, Operation>> = {
	address: address.operations,
	adjustment: adjustment.operations,
	business: business.operations,
	customApiRequest: customApiRequest.operations,
	customer: customer.operations,
	discount: discount.operations,
	event: event.operations,
	notification: notification.operations,
	price: price.operations,
	subscription: subscription.operations,
	transaction: transaction.operations,
};

export class PaddleBilling implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Paddle Billing',
		name: 'paddleBilling',
		icon: { light: 'file:paddleBilling.svg', dark: 'file:paddleBilling.dark.svg' },
		group: ['transform'],
		// 1.1: Simplify (on by default) for the get and list operations of version 1; workflows saved
		// with version 1 keep Paddle's full entities
		version: [1, 1.1],
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Customers, invoiced and card subscriptions, transactions, refunds, discounts, prices, events and notifications in Paddle Billing (not Paddle Classic)',
		defaults: { name: 'Paddle Billing' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'paddleBillingApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Address', value: 'address' },
					{ name: 'Adjustment', value: 'adjustment', description: 'Refunds and credits of transactions' },
					{ name: 'Business', value: 'business' },
					{ name: 'Custom API Request', value: 'customApiRequest', description: 'Any other Paddle API endpoint, with this credential' },
					{ name: 'Customer', value: 'customer' },
					{ name: 'Discount', value: 'discount' },
					{ name: 'Event', value: 'event' },
					{ name: 'Notification', value: 'notification' },
					{ name: 'Price', value: 'price' },
					{ name: 'Subscription', value: 'subscription' },
					{ name: 'Transaction', value: 'transaction', description: 'Invoices, payments, renewals and one-time charges' },
				],
				default: 'customer',
			},
			...address.description,
			...adjustment.description,
			...business.description,
			...customApiRequest.description,
			...customer.description,
			...discount.description,
			...event.description,
			...notification.description,
			...price.description,
			...subscription.description,
			...transaction.description,
		],
	};

	methods = {
		loadOptions: { getEventTypes, getPrices },
		listSearch,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const resource = this.getNodeParameter('resource', itemIndex) as string;
				const operation = this.getNodeParameter('operation', itemIndex) as string;
				const handler = RESOURCES[resource]?.[operation];
				if (!handler) {
					throw new NodeOperationError(this.getNode(), `Unsupported operation "${operation}" for resource "${resource}"`, {
						itemIndex,
					});
				}
				const result = await handler.execute.call(this, itemIndex);
				const results: IDataObject[] = Array.isArray(result) ? result : [result];
				for (const json of results) output.push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				// the message names the failing item (counted from 0, as n8n's item index)
				const nodeError = tagItem(asNodeError(this.getNode(), error), itemIndex);
				if (this.continueOnFail()) {
					// error/details only, and the error on the item: either makes n8n route it to the error output.
					const details = nodeError.description;
					output.push({
						json: { error: nodeError.message, ...(details ? { details } : {}) },
						// sends the item to the error output when "On Error: Continue (using error output)" is set
						error: nodeError,
						pairedItem: { item: itemIndex },
					});
					continue;
				}
				throw nodeError;
			}
		}
		return [output];
	}
}
