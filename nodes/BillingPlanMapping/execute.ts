/** Runs the mapping for every item: Mapped → output 0, Unmapped (and failed items) → output 1. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { failedItem, itemError, passThroughErrors, type ErrorMapper } from '../shared/operations';
import { BILLING_SYSTEMS, isBillingSystem } from './billing-systems';
import { DEFAULT_PLAN_FIELD } from './description';
import { buildTable, mapPlan, MappingError, type MappingRow } from './mapping';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const node = this.getNode();
	const mapped: INodeExecutionData[] = [];
	const unmapped: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const vendor = this.getNodeParameter('billingSystem', itemIndex) as string;
			if (!isBillingSystem(vendor)) {
				throw new MappingError(`Unknown billing system "${vendor}"`, `Choose one of ${Object.values(BILLING_SYSTEMS).map((s) => s.label).join(', ')}.`);
			}
			const rows = this.getNodeParameter('mappings.mapping', itemIndex, []) as MappingRow[];
			const table = buildTable(rows);
			const planField = String(this.getNodeParameter('planField', itemIndex, DEFAULT_PLAN_FIELD) || DEFAULT_PLAN_FIELD);
			const value = this.getNodeParameter('dealPlan', itemIndex, '') as unknown;
			const result = mapPlan(value, table, { vendor, nodeName: node.name, planField });
			const json: IDataObject = { ...items[itemIndex].json, plan: result.plan as unknown as IDataObject };
			(result.mapped ? mapped : unmapped).push({ json, pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error = itemError(this, caught, itemIndex, mapError);
			if (!this.continueOnFail()) throw error;
			// On the Unmapped side, never on Mapped (the error on the item moves it to the error
			// output under "Continue (using error output)").
			unmapped.push(failedItem(error, itemIndex));
		}
	}
	return [mapped, unmapped];
}

/** A mapping error names the row or value to fix in its description. */
const mapError: ErrorMapper = function (error, itemIndex) {
	if (error instanceof MappingError) {
		return new NodeOperationError(this.getNode(), error.message, { itemIndex, description: error.description });
	}
	return passThroughErrors.call(this, error, itemIndex);
};
