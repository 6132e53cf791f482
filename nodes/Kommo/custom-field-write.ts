/**
 * Writing Kommo custom fields: a field given by name, id or code plus a plain value (enum options
 * by label, several values as an array or comma-separated, dates as ISO or Unix time) → Kommo's
 * `custom_fields_values` entry, with errors that name the field and list its options.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { norm, quoteList, resolveField, type KommoEntity, type KommoEnum, type KommoFieldDef } from './custom-fields';

function fail(node: INode, def: KommoFieldDef, message: string, itemIndex?: number, description?: string): never {
	throw new NodeOperationError(node, `Field "${def.name}": ${message}`, { itemIndex, description });
}

function enumFor(def: KommoFieldDef, raw: unknown, node: INode, itemIndex?: number): KommoEnum {
	const enums = def.enums ?? [];
	const wanted = String(raw).trim();
	const found =
		enums.find((e) => e.value === wanted) ??
		enums.find((e) => norm(e.value) === norm(wanted)) ??
		(/^\d+$/.test(wanted) ? enums.find((e) => e.id === Number(wanted)) : undefined) ??
		enums.find((e) => e.code !== null && e.code !== undefined && e.code.toLowerCase() === wanted.toLowerCase());
	if (!found) {
		fail(node, def, `"${wanted}" is not one of its options`, itemIndex, `Options of "${def.name}": ${quoteList(enums.map((e) => e.value), 50)}. Use the label exactly as shown in Kommo (or the option id).`);
	}
	return found;
}

function listOf(raw: unknown): unknown[] {
	if (Array.isArray(raw)) return raw.filter((v) => v !== null && v !== undefined && String(v).trim() !== '');
	if (typeof raw === 'string') return raw.split(/[,\n]/).map((s) => s.trim()).filter((s) => s !== '');
	return raw === null || raw === undefined ? [] : [raw];
}

function toUnixSeconds(def: KommoFieldDef, raw: unknown, node: INode, itemIndex?: number): number {
	if (typeof raw === 'number' && Number.isFinite(raw)) return Math.floor(raw > 1e12 ? raw / 1000 : raw);
	const textValue = String(raw).trim();
	if (/^\d+$/.test(textValue)) {
		const n = Number(textValue);
		return Math.floor(n > 1e12 ? n / 1000 : n);
	}
	const parsed = Date.parse(textValue);
	if (Number.isNaN(parsed)) {
		fail(node, def, `"${textValue}" is not a date`, itemIndex, 'Use an ISO 8601 date such as 2025-01-31 or 2025-01-31T12:00:00Z, or a Unix timestamp in seconds.');
	}
	return Math.floor(parsed / 1000);
}

/**
 * The enum code a plain multitext value gets: WORK where the field has it (PHONE, EMAIL), else
 * OTHER, else the field's first code (IM fields have SKYPE, ICQ, JABBER, GTALK, MSN, OTHER and
 * refuse WORK: ../shared/reviews/fidelity-kommo-chargebee.md C1).
 */
function defaultEnumCode(def: KommoFieldDef): string | undefined {
	const codes = [...(def.enums ?? [])].sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0)).map((e) => e.code ?? e.value);
	if (codes.includes('WORK')) return 'WORK';
	if (codes.includes('OTHER')) return 'OTHER';
	return codes[0];
}

/**
 * A plain value → Kommo `values` for this field. Labels for select-type fields,
 * several values (array or comma-separated) for multiselect/multitext.
 */
export function toKommoValues(def: KommoFieldDef, raw: unknown, node: INode, itemIndex?: number): IDataObject[] {
	switch (def.type) {
		case 'select':
		case 'radiobutton':
		case 'category':
			return [{ enum_id: enumFor(def, Array.isArray(raw) ? raw[0] : raw, node, itemIndex).id }];
		case 'multiselect':
			return listOf(raw).map((v) => ({ enum_id: enumFor(def, v, node, itemIndex).id }));
		case 'multitext': {
			const code = defaultEnumCode(def);
			const withCode = code === undefined ? {} : { enum_code: code };
			return listOf(raw).map((v) =>
				typeof v === 'object' && v !== null ? ({ ...withCode, ...(v as IDataObject) } as IDataObject) : { value: String(v).trim(), ...withCode },
			);
		}
		case 'numeric':
		case 'price': {
			const textValue = String(raw).trim();
			if (typeof raw === 'boolean' || !/^-?\d+(\.\d+)?$/.test(textValue)) {
				fail(node, def, `"${textValue}" is not a number`, itemIndex, 'Use digits with an optional decimal point, e.g. 12 or 12.5.');
			}
			return [{ value: textValue }];
		}
		case 'checkbox': {
			const textValue = String(raw).trim().toLowerCase();
			if (raw === true || ['true', '1', 'yes', 'on'].includes(textValue)) return [{ value: true }];
			if (raw === false || ['false', '0', 'no', 'off'].includes(textValue)) return [{ value: false }];
			return fail(node, def, `"${String(raw)}" is not true or false`, itemIndex);
		}
		case 'date':
		case 'date_time':
		case 'birthday':
			return [{ value: toUnixSeconds(def, raw, node, itemIndex) }];
		case 'url': {
			const textValue = String(raw).trim();
			try {
				new URL(textValue);
			} catch {
				fail(node, def, `"${textValue}" is not a URL`, itemIndex, 'Use a full address such as https://example.com/invoice/123.');
			}
			return [{ value: textValue }];
		}
		default:
			if (typeof raw === 'object' && raw !== null) return [{ value: JSON.stringify(raw) }];
			return [{ value: String(raw) }];
	}
}

export function isEmptyValue(raw: unknown): boolean {
	return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '') || (Array.isArray(raw) && raw.length === 0);
}

export interface FieldWrite {
	/** Field name, id or code. */
	field: string | number;
	value: unknown;
}

export interface BuiltFieldValues {
	/** Kommo `custom_fields_values` to send. */
	values: IDataObject[];
	/** The field name of each entry of `values`, in order (for error messages). */
	names: string[];
	/** What was written, as {name: value} (null = cleared). */
	written: IDataObject;
}

/**
 * Builds `custom_fields_values` from {field, value} pairs. Empty values are
 * skipped, or clear the field (`values: null`) when `emptyValues` is 'clear'.
 */
export function buildFieldValues(
	defs: KommoFieldDef[],
	writes: FieldWrite[],
	entity: KommoEntity,
	node: INode,
	itemIndex?: number,
	emptyValues: 'skip' | 'clear' = 'skip',
): BuiltFieldValues {
	const values: IDataObject[] = [];
	const names: string[] = [];
	const written: IDataObject = {};
	const seen = new Map<number, string>();
	for (const write of writes) {
		const def = resolveField(defs, write.field, entity, node, itemIndex);
		if (seen.has(def.id)) {
			throw new NodeOperationError(node, `Field "${def.name}" is set twice`, {
				itemIndex,
				description: `It appears as "${seen.get(def.id)}" and as "${String(write.field)}". Keep one.`,
			});
		}
		seen.set(def.id, String(write.field));
		if (isEmptyValue(write.value)) {
			if (emptyValues === 'clear') {
				values.push({ field_id: def.id, values: null });
				names.push(def.name);
				written[def.name] = null;
			}
			continue;
		}
		values.push({ field_id: def.id, values: toKommoValues(def, write.value, node, itemIndex) });
		names.push(def.name);
		written[def.name] = def.type === 'multiselect' || def.type === 'multitext' ? listOf(write.value).map(String) : labelFor(def, write.value);
	}
	return { values, names, written };
}

function labelFor(def: KommoFieldDef, raw: unknown): IDataObject[string] {
	if (def.enums && (def.type === 'select' || def.type === 'radiobutton' || def.type === 'category')) {
		const wanted = String(Array.isArray(raw) ? raw[0] : raw).trim();
		const e =
			def.enums.find((x) => norm(x.value) === norm(wanted)) ?? def.enums.find((x) => String(x.id) === wanted);
		return e?.value ?? wanted;
	}
	if (def.type === 'numeric' || def.type === 'price') return Number(raw);
	if (def.type === 'checkbox') return toKommoValues(def, raw, { name: '' } as INode)[0].value as boolean;
	return raw as IDataObject[string];
}
