/**
 * Batched writes (notes, tasks): the entities of several input items go to
 * Kommo in requests of at most `batchSize` (≤ 50), each entity tagged with
 * `request_id` = its item index so that Kommo's answer and its
 * `validation-errors` map back to the right item.
 *
 * When Kommo rejects a batch because of some entities and "Continue On Fail"
 * is on, those items get their error and the rest of the batch is sent once
 * more; otherwise the node fails naming the first rejected item.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { chunk, KOMMO_BATCH_LIMIT, validationErrorsOf } from '../transport';
import { failedItem, itemError } from '../../shared/operations';

export interface BatchEntry {
	itemIndex: number;
	entity: IDataObject;
}

/** Kommo's error body carried by a NodeApiError from the shared HTTP layer. */
export function vendorBodyOf(error: unknown): unknown {
	if (!(error instanceof NodeApiError)) return undefined;
	return (error.errorResponse as IDataObject | undefined)?.body;
}

export class BatchResults {
	private readonly results: Array<INodeExecutionData | undefined>;

	constructor(
		private readonly ctx: IExecuteFunctions,
		size: number,
	) {
		this.results = new Array(size);
	}

	ok(itemIndex: number, json: IDataObject): void {
		this.results[itemIndex] = { json, pairedItem: { item: itemIndex } };
	}

	/** Records an item error, or throws it when "Continue On Fail" is off. */
	fail(itemIndex: number, error: unknown): void {
		const nodeError = itemError(this.ctx, error, itemIndex);
		if (!this.ctx.continueOnFail()) throw nodeError;
		this.results[itemIndex] = failedItem(nodeError, itemIndex);
	}

	get output(): INodeExecutionData[] {
		return this.results.filter((r): r is INodeExecutionData => r !== undefined);
	}
}

/**
 * Sends `entries` in batches. `send` posts one batch and returns Kommo's
 * created entities (each with `request_id`); `onCreated` turns one into the
 * item's output.
 */
export async function sendInBatches(
	ctx: IExecuteFunctions,
	entries: BatchEntry[],
	batchSize: number,
	results: BatchResults,
	what: string,
	send: (entities: IDataObject[]) => Promise<IDataObject[]>,
	onCreated: (entry: BatchEntry, created: IDataObject) => IDataObject,
): Promise<void> {
	const size = Math.min(Math.max(1, Math.floor(batchSize || 50)), 50, KOMMO_BATCH_LIMIT);
	const node = ctx.getNode();

	const sendOne = async (part: BatchEntry[], isRetry: boolean): Promise<void> => {
		let created: IDataObject[];
		try {
			created = await send(part.map((p) => ({ ...p.entity, request_id: String(p.itemIndex) })));
		} catch (error) {
			const rejected = validationErrorsOf(vendorBodyOf(error)).filter((e) => e.requestId !== undefined);
			const rejectedIds = new Set(rejected.map((e) => e.requestId as string));
			const rejectedEntries = part.filter((p) => rejectedIds.has(String(p.itemIndex)));
			if (rejectedEntries.length === 0) {
				// The whole request failed (auth, rate limit, network…): every item of the batch shares the error.
				for (const p of part) results.fail(p.itemIndex, error);
				return;
			}
			for (const p of rejectedEntries) {
				const reasons = rejected
					.filter((e) => e.requestId === String(p.itemIndex))
					.map((e) => `${e.path ?? '(entity)'}: ${e.detail ?? e.code ?? 'invalid'}`);
				const itemError = ctx.continueOnFail()
					? new NodeOperationError(node, `Kommo rejected the ${what} of item ${p.itemIndex}: ${reasons.join('; ')}`, {
							itemIndex: p.itemIndex,
							description: `Kommo answered 400 for this ${what}; the other ${what}s of the batch were sent again.`,
						})
					: error;
				results.fail(p.itemIndex, itemError);
			}
			const rest = part.filter((p) => !rejectedIds.has(String(p.itemIndex)));
			if (rest.length > 0 && !isRetry) await sendOne(rest, true);
			else for (const p of rest) results.fail(p.itemIndex, error);
			return;
		}
		const byRequestId = new Map(created.map((c) => [String(c.request_id), c]));
		part.forEach((p, index) => {
			// Kommo echoes request_id; fall back to the position if it does not.
			const match = byRequestId.get(String(p.itemIndex)) ?? (byRequestId.size === 0 ? created[index] : undefined);
			if (match) results.ok(p.itemIndex, onCreated(p, match));
			else {
				results.fail(
					p.itemIndex,
					new NodeOperationError(node, `Kommo did not confirm the ${what} of item ${p.itemIndex}`, {
						itemIndex: p.itemIndex,
						description: `The batch was accepted but its answer has no entry with request_id ${p.itemIndex}. Check the lead in Kommo before running again.`,
					}),
				);
			}
		});
	};

	for (const part of chunk(entries, size)) await sendOne(part, false);
}
