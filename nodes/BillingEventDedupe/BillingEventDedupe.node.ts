import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { requireN8nHelpers } from '../shared/n8n-version';
import { description as operationProperties, operations, type Operation } from './actions';

/** n8n's deduplication store (its database), which every operation but Check Order uses. */
const DEDUPE_HELPERS = ['checkProcessedAndRecord', 'removeProcessed', 'getProcessedDataCount', 'clearAllProcessedItems'] as const;

export class BillingEventDedupe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Billing Event Dedupe',
		name: 'billingEventDedupe',
		icon: { light: 'file:../../icons/billingEventDedupe.svg', dark: 'file:../../icons/billingEventDedupe.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description:
			"Process each billing event once: claims event keys in n8n's database (durable, shared by queue-mode workers) and releases them when processing failed",
		defaults: { name: 'Billing Event Dedupe' },
		inputs: [NodeConnectionTypes.Main],
		// Claim routes items to New / Duplicate (and In Progress when it is final after a Confirm node);
		// Check Order routes to Current / Stale; the other operations have one output
		outputs: `={{ $parameter["operation"] === "checkOrder" ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "Current" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Stale" }] : $parameter["operation"] === "claim" ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "New" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Duplicate" }].concat($parameter["finalWhen"] === "confirm" ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "In Progress" }] : []) : [{ "type": "${NodeConnectionTypes.Main}" }] }}`,
		usableAsTool: true,
		properties: operationProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as Operation;
		const handler = operations[operation];
		if (!handler) {
			throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
		}
		if (operation !== 'checkOrder') requireN8nHelpers(this, DEDUPE_HELPERS, 'Billing Event Dedupe');
		return await handler.execute.call(this);
	}
}
