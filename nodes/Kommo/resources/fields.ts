/** Custom-field parameters and write helpers shared by Lead → Update and Contact → Update. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { RequestContext } from '../../shared/http';
import type { FieldWrite } from '../custom-field-write';
import { forgetFieldDefinitions, type KommoEntity } from '../custom-fields';
import type { show } from './common';

export const customFieldsParameter = (
	entity: 'lead' | 'contact' | 'company',
	displayOptions: ReturnType<typeof show>,
): INodeProperties => ({
	displayName: 'Custom Fields',
	name: 'customFields',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Custom Field',
	default: {},
	displayOptions,
	description: `Kommo ${entity} custom fields to set, by name or ID. Options of list fields are given by their label.`,
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				{
					displayName: 'Field Name or ID',
					name: 'name',
					type: 'options',
					typeOptions: { loadOptionsMethod: { lead: 'getLeadCustomFields', contact: 'getContactCustomFields', company: 'getCompanyCustomFields' }[entity] },
					default: '',
					description:
						'Choose from the list, or specify the field name or ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				},
				{
					displayName: 'Value',
					name: 'value',
					type: 'string',
					default: '',
					description:
						'The value. For list fields the option label (e.g. "Pro"); several options or emails separated by commas; dates as ISO 8601; checkboxes as true/false.',
				},
			],
		},
	],
});

export const emptyValuesOption: INodeProperties = {
	displayName: 'Empty Values',
	name: 'emptyValues',
	type: 'options',
	options: [
		{ name: 'Skip the Field', value: 'skip', description: 'An empty value leaves the field as it is' },
		{ name: 'Clear the Field', value: 'clear', description: 'An empty value removes the field value in Kommo' },
	],
	default: 'skip',
	description: 'What an empty custom field value (e.g. an expression that found nothing) does',
};

/** Custom field writes from the fixedCollection parameter of item i. */
export function fieldWritesOf(ctx: IExecuteFunctions, itemIndex: number): FieldWrite[] {
	const raw = ctx.getNodeParameter('customFields', itemIndex, {}) as { field?: Array<{ name?: string; value?: unknown }> };
	return (raw.field ?? []).map((f) => ({ field: f.name ?? '', value: f.value }));
}

/**
 * Adds the field names to Kommo's `custom_fields_values.N…` paths in a
 * validation error, so "custom_fields_values.2.values.0.enum_id" reads
 * `custom_fields_values.2 ("Plan").values.0.enum_id`.
 */
export function nameCustomFieldPaths(error: unknown, names: string[]): unknown {
	if (!(error instanceof NodeApiError) || names.length === 0) return error;
	const annotate = (text: string) =>
		text.replace(/(?<!\.)custom_fields_values\.(\d+)(?!\s*\(")/g, (m, n: string) => (names[Number(n)] ? `${m} ("${names[Number(n)]}")` : m));
	error.message = annotate(error.message);
	if (error.description) error.description = annotate(error.description);
	return error;
}

/**
 * Sends a write that carries custom field values (`names`: the fields, in the order of
 * `custom_fields_values`). When Kommo refuses it, a field or option may have been removed in Kommo
 * since the definitions were read: they are forgotten, and the refused paths are named.
 */
export async function sendFieldWrite(
	this: RequestContext,
	entity: KommoEntity,
	names: string[],
	send: () => Promise<IDataObject | undefined>,
): Promise<IDataObject | undefined> {
	try {
		return await send();
	} catch (error) {
		if (names.length > 0) await forgetFieldDefinitions.call(this, entity);
		throw nameCustomFieldPaths(error, names);
	}
}

export function wholeNumber(ctx: IExecuteFunctions, value: unknown, label: string, itemIndex: number): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0) {
		throw new NodeOperationError(ctx.getNode(), `${label} must be a whole number of at least 0, got "${String(value)}"`, {
			itemIndex,
			description: label === 'Price' ? 'Kommo stores the deal budget as a whole number in the account currency.' : undefined,
		});
	}
	return n;
}

