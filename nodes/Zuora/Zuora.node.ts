import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { tagItem } from '../shared/item-error';
import { asNodeError, isNotFound } from './helpers';
import { searchAccounts, searchSubscriptions } from './methods/listSearch';
import { operations, operationSelectors } from './operations';
import { getProductRatePlans } from './resources/productRatePlan/list';
import { BinaryItem } from './resources/types';

const NOT_FOUND_HINT =
	'Zuora has no such object in this tenant. Check the number or ID (Get Many and the From list pickers show the existing ones) and that the credential points at the right environment and entity.';

export class Zuora implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zuora',
		name: 'zuora',
		icon: { light: 'file:zuora.svg', dark: 'file:zuora.dark.svg' },
		group: ['transform'],
		// 1.1: Simplify is on by default (version 1 keeps Zuora's full answers for older workflows)
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Accounts, subscriptions (Orders API), usage, invoices and payments in Zuora Billing',
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
					{ name: 'Custom API Request', value: 'customApi' },
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
		listSearch: { searchAccounts, searchSubscriptions },
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
				if (result instanceof BinaryItem) {
					out.push({ json: result.json, ...(result.binary ? { binary: result.binary } : {}), pairedItem: { item: itemIndex } });
					continue;
				}
				for (const json of Array.isArray(result) ? result : [result]) {
					out.push({ json, pairedItem: { item: itemIndex } });
				}
			} catch (error) {
				// the message names the failing item (counted from 0, as n8n's item index)
				const nodeError = tagItem(asNodeError(this, error, itemIndex), itemIndex);
				if (isNotFound(nodeError) && !String(nodeError.description ?? '').startsWith(NOT_FOUND_HINT)) {
					nodeError.description = `${NOT_FOUND_HINT}${nodeError.description ? ` ${nodeError.description}` : ''}`;
				}
				if (this.continueOnFail()) {
					out.push({ json: { error: nodeError.message }, error: nodeError, pairedItem: { item: itemIndex } });
					continue;
				}
				throw nodeError;
			}
		}
		return [out];
	}
}
