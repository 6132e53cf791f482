/**
 * The parameters both task-creating operations share (Create and Create for Lead): the text, when
 * the task is due (after a delay or at a time), who must do it, its type and the Options with the
 * batch size; and reading the due time back from an item.
 */
import type { IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { optionsCollection } from '../../../shared/descriptions';
import { kommoLocator } from '../../locators';
import { batchSizeOption, show } from '../common';

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

export interface TaskFieldsOptions {
	textPlaceholder: string;
	/** What an empty Responsible User means for this operation. */
	responsibleDescription: string;
	/** More options after the batch size. */
	options?: INodeProperties[];
}

/** Text, due, responsible user, task type and Options of a task-creating operation. */
export function taskFields(operation: string, fields: TaskFieldsOptions): INodeProperties[] {
	const display = show('task', operation);
	return [
		{
			displayName: 'Text',
			name: 'text',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			required: true,
			displayOptions: display,
			placeholder: fields.textPlaceholder,
		},
		...dueProperties(operation),
		kommoLocator('user', 'responsibleUserId', 'Responsible User', display, fields.responsibleDescription, false),
		taskTypeProperty(display),
		optionsCollection([batchSizeOption, ...(fields.options ?? [])], display),
	];
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
