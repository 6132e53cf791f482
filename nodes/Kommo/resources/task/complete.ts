/**
 * Task → Complete: marks tasks as done with an optional result text, e.g. once a billing event
 * resolved what a task asked for. PATCH /api/v4/tasks with `[{id, is_completed: true,
 * result: {text}}]` (developers.kommo.com, "Editing tasks"); the tasks of all input items go out
 * together, at most 50 per request.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import { kommoApiRequest } from '../../transport';
import { BatchResults, sendInBatches, type BatchEntry } from '../batch';
import { batchSizeOption, show } from '../common';

const display = show('task', 'complete');

export const description: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: display,
		placeholder: 'e.g. 9000001',
		description: 'The task to complete: the ID that Task → Create or Create for Lead returned (field "ID")',
	},
	{
		displayName: 'Result',
		name: 'resultText',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		displayOptions: display,
		placeholder: 'Paid: invoice INV-1001',
		description: 'What was done, shown on the completed task in Kommo; leave empty for none',
	},
	optionsCollection([batchSizeOption], display),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const results = new BatchResults(this, items.length);
	const entries: BatchEntry[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const raw = String(this.getNodeParameter('taskId', i) ?? '').trim();
			if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
				throw new NodeOperationError(this.getNode(), raw === '' ? 'The task ID is empty' : `"${raw}" is not a Kommo task ID`, {
					itemIndex: i,
					description: 'Use the "id" that Task → Create or Task → Create for Lead returned, e.g. {{ $json.id }}.',
				});
			}
			const task: IDataObject = { id: Number(raw), is_completed: true };
			const resultText = String(this.getNodeParameter('resultText', i, '') ?? '').trim();
			if (resultText !== '') task.result = { text: resultText };
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
			const response = await kommoApiRequest.call(this, 'PATCH', '/api/v4/tasks', { body: tasks });
			return ((response?._embedded as IDataObject | undefined)?.tasks ?? []) as IDataObject[];
		},
		(entry, updated) => ({
			id: entry.entity.id,
			is_completed: true,
			result_text: (entry.entity.result as IDataObject | undefined)?.text ?? null,
			updated_at: updated.updated_at ?? null,
		}),
	);
	return results.output;
}
