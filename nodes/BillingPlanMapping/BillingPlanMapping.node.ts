/**
 * Billing Plan Mapping: turns the plan of a won Kommo deal into the price to subscribe to in
 * Chargebee, Paddle or Zuora. The business user maps plans to prices in the n8n editor with
 * dropdowns filled from both systems; a plan without a mapping leaves on "Unmapped" with a
 * reason for the manager, never with a default price.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { credentials, properties } from './description';
import { execute } from './execute';
import { loadOptions } from './load-options';

export class BillingPlanMapping implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Billing Plan Mapping',
		name: 'billingPlanMapping',
		icon: { light: 'file:../../icons/billingPlanMapping.svg', dark: 'file:../../icons/billingPlanMapping.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ "Kommo plan → " + $parameter["billingSystem"] }}',
		description: "Map a Kommo deal's plan to a Chargebee, Paddle or Zuora price, with dropdowns from both systems",
		defaults: { name: 'Plan mapping' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Mapped', 'Unmapped'],
		usableAsTool: true,
		credentials,
		properties,
	};

	methods = { loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await execute.call(this);
	}
}
