import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { resourceSelector } from '../shared/descriptions';
import { CurrencyError } from '../shared/money';
import { passThroughErrors, runOperations, type ErrorMapper } from '../shared/operations';
import { InputError } from './helpers';
import { listSearch, loadOptions } from './methods';
import * as creditNote from './resources/creditNote';
import * as customApi from './resources/customApi';
import * as customer from './resources/customer';
import * as event from './resources/event';
import * as invoice from './resources/invoice';
import * as itemPrice from './resources/itemPrice';
import * as subscription from './resources/subscription';
import type { Operation } from './resources/types';

const resources: Record<string, Record<string, Operation>> = {
	creditNote: creditNote.operations,
	customApi: customApi.operations,
	customer: customer.operations,
	event: event.operations,
	invoice: invoice.operations,
	itemPrice: itemPrice.operations,
	subscription: subscription.operations,
};

export class ChargebeeBilling implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Chargebee Billing',
		name: 'chargebeeBilling',
		icon: { light: 'file:../../icons/chargebeeBilling.svg', dark: 'file:../../icons/chargebeeBilling.dark.svg' },
		group: ['output'],
		// 1.1: Simplify (on by default) for the get and list operations of version 1; workflows saved
		// with version 1 keep Chargebee's full records
		version: [1, 1.1],
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Customers, subscriptions (create, change, pause, resume, reactivate, cancel), invoices and offline payments, credit notes, item prices, events and any other API call in Chargebee (API v2, Product Catalog 2.0)',
		defaults: { name: 'Chargebee Billing' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'chargebeeBillingApi', required: true }],
		properties: [
			resourceSelector('customer', [
				{ name: 'Credit Note', value: 'creditNote' },
				{ name: 'Custom API Request', value: 'customApi' },
				{ name: 'Customer', value: 'customer' },
				{ name: 'Event', value: 'event' },
				{ name: 'Invoice', value: 'invoice' },
				{ name: 'Item Price', value: 'itemPrice' },
				{ name: 'Subscription', value: 'subscription' },
			]),
			...customer.description,
			...subscription.description,
			...invoice.description,
			...itemPrice.description,
			...creditNote.description,
			...event.description,
			...customApi.description,
		],
	};

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations.call(this, resources, mapError);
	}
}

/**
 * Our input errors and money errors become NodeOperationErrors for the item; API errors pass
 * through (the runner then ends every per-item message with ` [item N]`).
 */
const mapError: ErrorMapper = function (error, itemIndex) {
	if (error instanceof InputError) {
		return new NodeOperationError(this.getNode(), error.message, { itemIndex, description: error.description });
	}
	if (error instanceof CurrencyError) {
		return new NodeOperationError(this.getNode(), error.message, {
			itemIndex,
			description: 'Chargebee returned an amount whose currency this node cannot convert safely; nothing was changed by the conversion.',
		});
	}
	return passThroughErrors.call(this, error, itemIndex);
};
