/** Parameters and the per-item loop shared by the Kommo operations. */
import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { runEachItem } from '../../shared/operations';
import { PLURAL } from '../entities';

export type KommoOperation = (this: IExecuteFunctions, items: INodeExecutionData[]) => Promise<INodeExecutionData[]>;

export function show(resource: string, operation: string | string[], extra: IDataObject = {}): IDisplayOptions {
	return {
		show: {
			resource: [resource],
			operation: Array.isArray(operation) ? operation : [operation],
			...(extra as IDisplayOptions['show']),
		},
	};
}

/** A lead or contact picked from a searchable list, by ID, or by its Kommo URL. */
export function entityLocator(
	entity: 'lead' | 'contact' | 'company',
	name: string,
	displayOptions: IDisplayOptions,
	description?: string,
): INodeProperties {
	const plural = PLURAL[entity];
	const label = `${entity.charAt(0).toUpperCase()}${entity.slice(1)}`;
	const searchListMethod = { lead: 'searchLeads', contact: 'searchContacts', company: 'searchCompanies' }[entity];
	return {
		displayName: label,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: description ?? `The Kommo ${entity}`,
		displayOptions,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12345',
				validation: [
					{ type: 'regex', properties: { regex: '^\\s*\\d+\\s*$', errorMessage: `A Kommo ${entity} ID is a number` } },
				],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: `https://acme.kommo.com/${plural}/detail/12345`,
				extractValue: { type: 'regex', regex: `/${plural}/detail/(\\d+)` },
				validation: [
					{
						type: 'regex',
						properties: { regex: `.*/${plural}/detail/\\d+.*`, errorMessage: `Not a Kommo ${entity} URL (…/${plural}/detail/12345)` },
					},
				],
			},
		],
	};
}

/** Runs `fn` for each item in order, with pairedItem and continueOnFail handling (the shared runner's loop). */
export async function runPerItem(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	fn: (itemIndex: number) => Promise<IDataObject | IDataObject[]>,
): Promise<INodeExecutionData[]> {
	return await runEachItem(ctx, items.length, fn);
}

export const batchSizeOption: INodeProperties = {
	displayName: 'Batch Size',
	name: 'batchSize',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 50 },
	default: 50,
	description: 'How many items go to Kommo in one request (Kommo recommends at most 50)',
};
