import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceSelector } from '../shared/descriptions';
import { runOperations, type ErrorMapper } from '../shared/operations';
import { asNodeError, isNotFound } from './helpers';
import { listSearch, loadOptions } from './methods';
import { operations, operationSelectors } from './operations';

const NOT_FOUND_HINT =
	'Zuora has no such object in this tenant. Check the number or ID (Get Many and the From list pickers show the existing ones) and that the credential points at the right environment and entity.';

export class Zuora implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zuora',
		name: 'zuora',
		icon: { light: 'file:../../icons/zuora.svg', dark: 'file:../../icons/zuora.dark.svg' },
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
			resourceSelector('account', [
				{ name: 'Account', value: 'account' },
				{ name: 'Custom API Request', value: 'customApi' },
				{ name: 'Invoice', value: 'invoice' },
				{ name: 'Payment', value: 'payment' },
				{ name: 'Product Rate Plan', value: 'productRatePlan' },
				{ name: 'Subscription', value: 'subscription' },
				{ name: 'Usage', value: 'usage' },
			]),
			...operationSelectors,
			...Object.values(operations).flatMap((ops) => Object.values(ops).flatMap((op) => op.description)),
		],
	};

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations.call(this, operations, mapError);
	}
}

/** Zuora's errors as n8n errors; an item's "not found" says how to find the right number. */
const mapError: ErrorMapper = function (error, itemIndex) {
	const nodeError = asNodeError(this, error, itemIndex);
	if (itemIndex !== undefined && isNotFound(nodeError) && !String(nodeError.description ?? '').startsWith(NOT_FOUND_HINT)) {
		nodeError.description = `${NOT_FOUND_HINT}${nodeError.description ? ` ${nodeError.description}` : ''}`;
	}
	return nodeError;
};
