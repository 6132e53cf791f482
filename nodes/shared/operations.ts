/**
 * The one operation runner of the action nodes (Kommo, Chargebee, Paddle, Zuora): picks the
 * operation of the node's Resource and Operation, runs it per item or over all items, and turns
 * what fails into n8n errors the same way for every vendor:
 *
 * - the vendor's own mapping (its `mapError` hook) makes a NodeApiError / NodeOperationError;
 * - a per-item error ends with ` [item N]` (tagItem);
 * - under "Continue On Fail" the item becomes one shape everywhere: `{ error, details? }` as its
 *   JSON and the error itself on the item, which is what sends it to the error output of
 *   "On Error: Continue (using error output)" in n8n 1.x and 2.x alike.
 *
 * The node's `execute` is then one call, like the router of n8n's own Airtable v2 and
 * Pipedrive v2 nodes.
 */
import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { tagItem } from './item-error';

export type NodeError = NodeApiError | NodeOperationError;

/** An item operation's answer that carries a file besides its JSON (e.g. an invoice PDF). */
export class BinaryItem {
	constructor(
		readonly json: IDataObject,
		readonly binary?: IBinaryKeyData,
	) {}
}

/** An operation that runs once per input item. */
export interface ItemOperation {
	kind?: 'item';
	description?: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject | IDataObject[] | BinaryItem>;
}

/** An operation that takes all input items at once (batched writes, a CSV upload). */
export interface BatchOperation {
	kind: 'batch';
	description?: INodeProperties[];
	execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

export type Operation = ItemOperation | BatchOperation;

/** A vendor's error mapping: its own error classes to n8n errors; `itemIndex` is unset for a batch. */
export type ErrorMapper = (this: IExecuteFunctions, error: unknown, itemIndex?: number) => NodeError;

/** n8n errors pass through; anything else becomes a NodeOperationError of the item. */
export const passThroughErrors: ErrorMapper = function (error, itemIndex) {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(this.getNode(), error as Error, { itemIndex });
};

/** The error of item `itemIndex`, mapped by the vendor and ending with ` [item N]`. */
export function itemError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
	mapError: ErrorMapper = passThroughErrors,
): NodeError {
	return tagItem(mapError.call(ctx, error, itemIndex), itemIndex);
}

/**
 * The JSON of a failed item: n8n routes an item to the error output ("Continue (using error
 * output)") only when its JSON has no keys besides error, message, details (and the error on
 * the item, which failedItem adds).
 */
export function errorJson(error: unknown): IDataObject {
	const e = error as { message?: string; description?: string | null };
	return {
		error: e?.message ?? String(error),
		...(e?.description ? { details: e.description } : {}),
	};
}

/** The Continue-On-Fail item of every node of the pack. */
export function failedItem(error: NodeError, pairedItems: number | number[], extra?: IDataObject): INodeExecutionData {
	return {
		json: { ...errorJson(error), ...extra },
		error,
		pairedItem: Array.isArray(pairedItems) ? pairedItems.map((item) => ({ item })) : { item: pairedItems },
	};
}

/** Runs the node's chosen operation over the input items; the whole of an action node's execute. */
export async function runOperations(
	this: IExecuteFunctions,
	operations: Record<string, Record<string, Operation>>,
	mapError: ErrorMapper = passThroughErrors,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// Resource and Operation take no expressions (noDataExpression), so item 0 speaks for all
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = operations[resource]?.[operationName];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported for resource "${resource}"`, {
			description: 'Open the node and pick the resource and operation again; the workflow may come from a newer version of this package.',
		});
	}

	if (operation.kind === 'batch') {
		try {
			return [await operation.execute.call(this, items)];
		} catch (caught) {
			const error = mapError.call(this, caught);
			if (!this.continueOnFail()) throw error;
			// the whole batch failed: one item that names every input item (a report of the rows, if any)
			const report = error.context?.report as IDataObject | undefined;
			return [[failedItem(error, items.map((_, index) => index), report ? { report } : undefined)]];
		}
	}

	return [await runEachItem(this, items.length, (itemIndex) => operation.execute.call(this, itemIndex), mapError)];
}

/** Runs `execute` for items 0…count-1 in order, with pairedItem, [item N] and Continue On Fail. */
export async function runEachItem(
	ctx: IExecuteFunctions,
	count: number,
	execute: (itemIndex: number) => Promise<IDataObject | IDataObject[] | BinaryItem>,
	mapError: ErrorMapper = passThroughErrors,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			const result = await execute(itemIndex);
			if (result instanceof BinaryItem) {
				out.push({ json: result.json, ...(result.binary ? { binary: result.binary } : {}), pairedItem: { item: itemIndex } });
				continue;
			}
			for (const json of Array.isArray(result) ? result : [result]) out.push({ json, pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error = itemError(ctx, caught, itemIndex, mapError);
			if (!ctx.continueOnFail()) throw error;
			out.push(failedItem(error, itemIndex));
		}
	}
	return out;
}
