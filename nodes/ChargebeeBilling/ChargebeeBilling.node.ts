import type {
	IDataObject,
	IExecuteFunctions,
		INodeExecutionData,
		INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { tagItem } from '../shared/item-error';
import { CurrencyError } from '../shared/money';
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
		icon: { light: 'file:chargebeeBilling.svg', dark: 'file:chargebeeBilling.dark.svg' },
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
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Credit Note', value: 'creditNote' },
					{ name: 'Custom API Request', value: 'customApi' },
					{ name: 'Customer', value: 'customer' },
					{ name: 'Event', value: 'event' },
					{ name: 'Invoice', value: 'invoice' },
					{ name: 'Item Price', value: 'itemPrice' },
					{ name: 'Subscription', value: 'subscription' },
				],
				default: 'customer',
			},
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
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const resource = this.getNodeParameter('resource', i) as string;
			const operation = this.getNodeParameter('operation', i) as string;
			const op = resources[resource]?.[operation];
			try {
				if (!op) {
					throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}" for resource "${resource}"`, { itemIndex: i });
				}
				const result = await op.execute.call(this, i);
				const list: IDataObject[] = Array.isArray(result) ? result : [result];
				for (const json of list) out.push({ json, pairedItem: { item: i } });
			} catch (caught) {
				const error = toNodeError.call(this, caught, i);
				if (this.continueOnFail()) {
					// the error on the item routes it to the error output ("Continue (using error output)");
					// n8n 1.x does not recognise a json of error + details alone
					out.push({ json: { error: error.message, ...(error.description ? { details: error.description } : {}) }, error, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

/**
 * Our input errors and money errors become NodeOperationErrors for the item; API errors pass
 * through. Every message ends with ` [item N]` (N counted from 0, as n8n's item index) so a run of
 * many items names the one that failed.
 */
function toNodeError(this: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	return tagItem(mapError.call(this, error, itemIndex), itemIndex);
}

function mapError(this: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof InputError) {
		return new NodeOperationError(this.getNode(), error.message, { itemIndex, description: error.description });
	}
	if (error instanceof CurrencyError) {
		return new NodeOperationError(this.getNode(), error.message, {
			itemIndex,
			description: 'Chargebee returned an amount whose currency this node cannot convert safely; nothing was changed by the conversion.',
		});
	}
	return new NodeOperationError(this.getNode(), error as Error, { itemIndex });
}
