/**
 * Task → Create for Lead: a task on a lead, due at an absolute time or after
 * a delay, for a chosen user or (by default) the lead's responsible user.
 * Tasks of all input items go out together, at most 50 per request; the
 * responsible users are read with one request per 50 leads.
 *
 * "Skip If an Open Task Contains" makes the task idempotent for redelivered events: the lead's
 * open tasks are read first and no task is created if one of them contains the marker.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { entityIdParameter, fetchLeads } from '../../entities';
import { kommoApiRequest, kommoGetAll } from '../../transport';
import { BatchResults, sendInBatches, type BatchEntry } from '../batch';
import { entityLocator, show } from '../common';
import { dueAt, taskFields } from './common';

const display = show('task', 'createForLead');

export const description: INodeProperties[] = [
	entityLocator('lead', 'leadId', display, 'The lead the task is about'),
	...taskFields('createForLead', {
		textPlaceholder: 'Call the customer: payment failed (card declined)',
		responsibleDescription: "Who must do it. Empty: the lead's responsible user.",
		options: [
			{
				displayName: 'Skip If an Open Task Contains',
				name: 'skipIfTaskContains',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $json.normalized.eventId }}',
				description:
					"Makes the task idempotent: if an open task on the lead already contains this text, no task is created and the item comes out with skipped: true. Use a text that is in the task, such as the billing event's ID. Empty: always create (no extra request).",
			},
		],
	}),
];

/** The lead's open tasks (at most 250). */
async function openTasks(ctx: IExecuteFunctions, leadId: number, itemIndex: number): Promise<IDataObject[]> {
	try {
		const query = { 'filter[entity_type]': 'leads', 'filter[entity_id][]': leadId, 'filter[is_completed]': 0 };
		return await kommoGetAll.call(ctx, '/api/v4/tasks', 'tasks', query, 250);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, {
			itemIndex,
			description: `Could not read the open tasks of lead ${leadId} to check "Skip If an Open Task Contains"; nothing was created.`,
		});
	}
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const results = new BatchResults(this, items.length);
	const nowSeconds = Math.floor(Date.now() / 1000);
	const drafts: Array<{ itemIndex: number; task: IDataObject; leadId: number }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const leadId = entityIdParameter(this, 'leadId', 'lead', i);
			const text = String(this.getNodeParameter('text', i) ?? '');
			if (text.trim() === '') {
				throw new NodeOperationError(this.getNode(), 'The task text is empty', { itemIndex: i });
			}
			const task: IDataObject = {
				text,
				complete_till: dueAt(this, i, nowSeconds),
				entity_id: leadId,
				entity_type: 'leads',
			};
			const taskType = this.getNodeParameter('taskTypeId', i, 1);
			if (taskType !== '' && taskType !== undefined && taskType !== null) {
				const n = Number(taskType);
				if (!Number.isInteger(n) || n <= 0) {
					throw new NodeOperationError(this.getNode(), `"${String(taskType)}" is not a task type ID`, { itemIndex: i });
				}
				task.task_type_id = n;
			}
			const responsible = this.getNodeParameter('responsibleUserId', i, '', { extractValue: true });
			if (responsible !== '' && responsible !== undefined && responsible !== null) {
				const n = Number(responsible);
				if (!Number.isInteger(n) || n <= 0) {
					throw new NodeOperationError(this.getNode(), `"${String(responsible)}" is not a user ID`, { itemIndex: i });
				}
				task.responsible_user_id = n;
			}
			const marker = String(this.getNodeParameter('options.skipIfTaskContains', i, '') ?? '').trim();
			if (marker !== '') {
				const existing = (await openTasks(this, leadId, i)).find((t) => String(t.text ?? '').includes(marker));
				if (existing) {
					results.ok(i, { id: existing.id, lead_id: leadId, text: existing.text, complete_till: existing.complete_till, skipped: true });
					continue;
				}
			}
			drafts.push({ itemIndex: i, task, leadId });
		} catch (error) {
			results.fail(i, error);
		}
	}

	// Default responsible user: the lead's, read for all such items at once.
	const needLead = drafts.filter((d) => d.task.responsible_user_id === undefined);
	let leads = new Map<number, IDataObject>();
	let leadsFailed = false;
	if (needLead.length > 0) {
		try {
			leads = await fetchLeads.call(this, needLead.map((d) => d.leadId), false);
		} catch (error) {
			leadsFailed = true;
			for (const d of needLead) results.fail(d.itemIndex, error);
		}
	}
	const entries: BatchEntry[] = [];
	for (const d of drafts) {
		if (d.task.responsible_user_id === undefined) {
			const lead = leads.get(d.leadId);
			if (!lead) {
				if (!leadsFailed) {
					results.fail(
						d.itemIndex,
						new NodeOperationError(this.getNode(), `Lead ${d.leadId} was not found in Kommo`, {
							itemIndex: d.itemIndex,
							description: 'Its responsible user could not be read, so the task was not created. Check the lead ID, or choose the responsible user explicitly.',
						}),
					);
				}
				continue;
			}
			d.task.responsible_user_id = Number(lead.responsible_user_id);
		}
		entries.push({ itemIndex: d.itemIndex, entity: d.task });
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
			lead_id: entry.entity.entity_id,
			text: entry.entity.text,
			complete_till: entry.entity.complete_till,
			complete_till_iso: new Date(Number(entry.entity.complete_till) * 1000).toISOString(),
			responsible_user_id: entry.entity.responsible_user_id,
			task_type_id: entry.entity.task_type_id ?? null,
		}),
	);
	return results.output;
}
