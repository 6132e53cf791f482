import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceSelector } from '../shared/descriptions';
import { runOperations } from '../shared/operations';
import * as address from './resources/address';
import * as adjustment from './resources/adjustment';
import * as business from './resources/business';
import type { Operation } from './resources/common';
import * as customApiRequest from './resources/customApiRequest';
import * as customer from './resources/customer';
import * as discount from './resources/discount';
import * as event from './resources/event';
import * as notification from './resources/notification';
import * as price from './resources/price';
import { listSearch, loadOptions } from './methods';
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
		icon: { light: 'file:../../icons/paddleBilling.svg', dark: 'file:../../icons/paddleBilling.dark.svg' },
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
			resourceSelector('customer', [
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
			]),
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

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations.call(this, RESOURCES, function (error) {
			return asNodeError(this.getNode(), error);
		});
	}
}
