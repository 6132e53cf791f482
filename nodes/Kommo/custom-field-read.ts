/**
 * Reading Kommo custom fields: Kommo's `custom_fields_values` → `{field name: value}` with enum
 * labels (multi-value fields as arrays, checkboxes as booleans, numbers as numbers), and the
 * values of a contact's multitext field (EMAIL, PHONE).
 */
import type { IDataObject } from 'n8n-workflow';

import type { KommoFieldValue } from './custom-fields';

/**
 * Kommo `custom_fields_values` → {field name: value}. Enum fields give their
 * labels; multiselect and multitext give arrays; numbers and checkboxes are
 * typed. A duplicated name gets its id appended: "Name (123)".
 */
export function customFieldsMap(values: KommoFieldValue[] | null | undefined): IDataObject {
	const out: IDataObject = {};
	for (const cf of values ?? []) {
		const baseName = cf.field_name && cf.field_name !== '' ? cf.field_name : String(cf.field_id);
		const name = baseName in out ? `${baseName} (${cf.field_id})` : baseName;
		const list = (cf.values ?? []).map((v) => v?.value);
		const type = cf.field_type ?? '';
		let value: IDataObject[string];
		if (type === 'multiselect' || type === 'multitext') value = list as IDataObject[string];
		else if (type === 'checkbox') value = list[0] === true || list[0] === '1' || list[0] === 1 || list[0] === 'true';
		else if ((type === 'numeric' || type === 'price') && list.length === 1 && Number.isFinite(Number(list[0])) && list[0] !== '') {
			value = Number(list[0]);
		} else if (list.length === 1) value = (list[0] ?? null) as IDataObject[string];
		else if (list.length === 0) value = null;
		else value = list as IDataObject[string];
		out[name] = value;
	}
	return out;
}

/** All values of a contact multitext field by code (EMAIL, PHONE). */
export function multitextValues(values: KommoFieldValue[] | null | undefined, code: string): string[] {
	const out: string[] = [];
	for (const cf of values ?? []) {
		if ((cf.field_code ?? '').toUpperCase() !== code) continue;
		for (const v of cf.values ?? []) if (typeof v?.value === 'string' && v.value.trim() !== '') out.push(v.value.trim());
	}
	return out;
}
