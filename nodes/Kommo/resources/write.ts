/**
 * Pieces shared by the Kommo create operations (lead, contact, company) and the tag operations:
 * the tag list parameter, the responsible-user dropdown, and custom field values built by name.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { buildFieldValues, type FieldWrite } from '../custom-field-write';
import { withFieldDefinitions, type KommoEntity } from '../custom-fields';
import { kommoLocator, locatorValue } from '../locators';

export const tagsField: INodeProperties = {
	displayName: 'Tags',
	name: 'tags',
	type: 'string',
	default: '',
	placeholder: 'e.g. vip, billing',
	description: 'Tag names separated by commas. A name the account does not have yet is created by Kommo.',
};

export const responsibleUserField: INodeProperties = kommoLocator(
	'user',
	'responsibleUserId',
	'Responsible User',
	undefined,
	'Default: the user the credential belongs to',
	false,
);

/** "vip, billing" or ["vip", "billing"] → [{name: 'vip'}, {name: 'billing'}] (Kommo tags by name, duplicates dropped). */
export function tagRefs(value: unknown): Array<{ name: string }> {
	const list = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
	const names = list.map((t) => t.trim()).filter((t) => t !== '');
	return [...new Map(names.map((n) => [n.toLowerCase(), n])).values()].map((name) => ({ name }));
}

/** A responsible user id from a dropdown value or expression; undefined when empty. */
export function responsibleUser(ctx: IExecuteFunctions, raw: unknown, itemIndex: number): number | undefined {
	const value = locatorValue(raw);
	if (value === undefined || value === null || value === '') return undefined;
	const n = Number(value);
	if (!Number.isInteger(n) || n <= 0) {
		throw new NodeOperationError(ctx.getNode(), `"${String(value)}" is not a Kommo user ID`, {
			itemIndex,
			description: 'Pick the user from the "Responsible User" list, or map the numeric user ID.',
		});
	}
	return n;
}

/** `custom_fields_values` for a write, from field writes by name, id or code (EMAIL, PHONE, WEB, …). */
export async function fieldValuesFor(
	ctx: IExecuteFunctions,
	entity: KommoEntity,
	writes: FieldWrite[],
	itemIndex: number,
	emptyValues: 'skip' | 'clear' = 'skip',
): Promise<{ values: IDataObject[]; names: string[]; written: IDataObject }> {
	if (writes.length === 0) return { values: [], names: [], written: {} };
	return await withFieldDefinitions(ctx, entity, (defs) => buildFieldValues(defs, writes, entity, ctx.getNode(), itemIndex, emptyValues));
}
