/**
 * Task → Create (Without Lead): a task that is not attached to any lead, for a
 * chosen user, by default the credential's user as Kommo decides (e.g. "a
 * workflow failed and no deal could be found"). Tasks of
 * all input items go out together, at most 50 per request.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { kommoApiRequest } from '../../transport';
import { BatchResults, sendInBatches, type BatchEntry } from '../batch';
import { dueAt, taskFields } from './common';

export const description: INodeProperties[] = taskFields('create', {
	textPlaceholder: 'Workflow "Chargebee events → Kommo" failed: …',
	responsibleDescription: "Who must do it. Empty: the user the credential belongs to (Kommo's own default).",
});

function positiveId(ctx: IExecuteFunctions, value: unknown, what: string, itemIndex: number): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n <= 0) {
		throw new NodeOperationError(ctx.getNode(), `"${String(value)}" is not a ${what}`, { itemIndex });
	}
	return n;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const results = new BatchResults(this, items.length);
	const nowSeconds = Math.floor(Date.now() / 1000);
	const entries: BatchEntry[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const text = String(this.getNodeParameter('text', i) ?? '');
			if (text.trim() === '') {
				throw new NodeOperationError(this.getNode(), 'The task text is empty', { itemIndex: i });
			}
			const task: IDataObject = { text, complete_till: dueAt(this, i, nowSeconds) };
			const responsible = this.getNodeParameter('responsibleUserId', i, '', { extractValue: true });
			if (responsible !== '' && responsible !== undefined && responsible !== null) {
				task.responsible_user_id = positiveId(this, responsible, 'user ID', i);
			}
			const taskType = this.getNodeParameter('taskTypeId', i, 1);
			if (taskType !== '' && taskType !== undefined && taskType !== null) {
				task.task_type_id = positiveId(this, taskType, 'task type ID', i);
			}
			entries.push({ itemIndex: i, entity: task });
		} catch (error) {
			results.fail(i, error);
		}
	}
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	await sendInBatches(
		this,
		entries,
		Number(options.batchSize ?? 50),
		results,
		'task',
		async (tasks) => {
			const response = await kommoApiRequest.call(this, 'POST', '/api/v4/tasks', { body: tasks });
			return ((response?._embedded as IDataObject | undefined)?.tasks ?? []) as IDataObject[];
		},
		(entry, created) => ({
			id: created.id,
			lead_id: null,
			text: entry.entity.text,
			complete_till: entry.entity.complete_till,
			complete_till_iso: new Date(Number(entry.entity.complete_till) * 1000).toISOString(),
			responsible_user_id: entry.entity.responsible_user_id ?? created.responsible_user_id ?? null,
			task_type_id: entry.entity.task_type_id ?? null,
		}),
	);
	return results.output;
}
