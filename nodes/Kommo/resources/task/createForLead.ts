/**
 * Task → Create for Lead: a task on a lead, due at an absolute time or after
 * a delay, for a chosen user or (by default) the lead's responsible user.
 * Tasks of all input items go out together, at most 50 per request; the
 * responsible users are read with one request per 50 leads.
 *
 * "Skip If an Open Task Contains" makes the task idempotent for redelivered events: the lead's
 * open tasks are read first and no task is created if one of them contains the marker.
 */
import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { entityIdParameter, fetchLeads } from '../../entities';
import { kommoLocator } from '../../locators';
import { kommoApiRequest, kommoGetAll } from '../../transport';
import { BatchResults, sendInBatches, type BatchEntry } from '../batch';
import { batchSizeOption, entityLocator, show } from '../common';

const display = show('task', 'createForLead');

const UNIT_SECONDS: Record<string, number> = { minutes: 60, hours: 3600, days: 86_400, weeks: 604_800 };

/** Due type, delay and date parameters of a task operation. */
export function dueProperties(operation: string): INodeProperties[] {
	return [
		{
			displayName: 'Due',
			name: 'dueType',
			type: 'options',
			displayOptions: show('task', operation),
			options: [
				{ name: 'After a Delay', value: 'relative', description: 'Now plus a number of minutes, hours, days or weeks' },
				{ name: 'At a Date and Time', value: 'absolute' },
			],
			default: 'relative',
		},
		{
			displayName: 'Due In',
			name: 'dueIn',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1,
			displayOptions: show('task', operation, { dueType: ['relative'] }),
		},
		{
			displayName: 'Unit',
			name: 'dueUnit',
			type: 'options',
			displayOptions: show('task', operation, { dueType: ['relative'] }),
			options: [
				{ name: 'Minutes', value: 'minutes' },
				{ name: 'Hours', value: 'hours' },
				{ name: 'Days', value: 'days' },
				{ name: 'Weeks', value: 'weeks' },
			],
			default: 'days',
		},
		{
			displayName: 'Due At',
			name: 'dueAt',
			type: 'dateTime',
			default: '',
			required: true,
			displayOptions: show('task', operation, { dueType: ['absolute'] }),
		},
	];
}

export function taskTypeProperty(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Task Type Name or ID',
		name: 'taskTypeId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getTaskTypes' },
		default: 1,
		displayOptions,
		description:
			'1 = Follow-up, 2 = Meeting, or one of the account\'s own types. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	};
}

export const description: INodeProperties[] = [
	entityLocator('lead', 'leadId', display, 'The lead the task is about'),
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		displayOptions: display,
		placeholder: 'Call the customer: payment failed (card declined)',
	},
	...dueProperties('createForLead'),
	kommoLocator('user', 'responsibleUserId', 'Responsible User', display, "Who must do it. Empty: the lead's responsible user.", false),
	taskTypeProperty(display),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: display,
		options: [
			batchSizeOption,
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
	},
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

export function dueAt(ctx: IExecuteFunctions, itemIndex: number, nowSeconds: number): number {
	const type = ctx.getNodeParameter('dueType', itemIndex, 'relative') as string;
	if (type === 'absolute') {
		const raw = ctx.getNodeParameter('dueAt', itemIndex, '') as unknown;
		const value = raw instanceof Date ? raw.getTime() : typeof raw === 'number' ? (raw > 1e12 ? raw : raw * 1000) : Date.parse(String(raw));
		if (!Number.isFinite(value)) {
			throw new NodeOperationError(ctx.getNode(), `"${String(raw)}" is not a date and time`, {
				itemIndex,
				description: 'Use an ISO 8601 date-time such as 2025-01-31T17:00:00Z.',
			});
		}
		return Math.floor(value / 1000);
	}
	const amount = Number(ctx.getNodeParameter('dueIn', itemIndex, 1));
	const unit = ctx.getNodeParameter('dueUnit', itemIndex, 'days') as string;
	if (!Number.isFinite(amount) || amount < 0) {
		throw new NodeOperationError(ctx.getNode(), `"Due In" must be 0 or more, got "${String(amount)}"`, { itemIndex });
	}
	return nowSeconds + Math.round(amount * (UNIT_SECONDS[unit] ?? 86_400));
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
