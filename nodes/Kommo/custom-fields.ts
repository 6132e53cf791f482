/**
 * Kommo custom fields both ways:
 *  - writing: a field given by name, id or code plus a plain value (enum
 *    options by label) → Kommo's `custom_fields_values` entry, with clear errors
 *    naming the unknown field or option and listing the known ones;
 *  - reading: Kommo's `custom_fields_values` → `{field name: value}` with
 *    enum labels (multi-value fields as arrays, checkboxes as booleans,
 *    numbers as numbers).
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RequestContext } from '../shared/http';
import { kommoConnection, kommoGetAll } from './transport';

export type KommoEntity = 'leads' | 'contacts' | 'companies';

export interface KommoEnum {
	id: number;
	value: string;
	code?: string | null;
	sort?: number;
}

export interface KommoFieldDef {
	id: number;
	name: string;
	type: string;
	code: string | null;
	enums: KommoEnum[] | null;
}

/** One entry of Kommo's `custom_fields_values` as the API returns it. */
export interface KommoFieldValue {
	field_id: number;
	field_name?: string | null;
	field_code?: string | null;
	field_type?: string | null;
	values: Array<{ value?: unknown; enum_id?: number | null; enum_code?: string | null }> | null;
}

const ENTITY_LABEL: Record<KommoEntity, string> = { leads: 'lead', contacts: 'contact', companies: 'company' };

/**
 * Field definitions are kept for the whole n8n process, per credential (token digest), for this long: they
 * change rarely and reading them costs one of Kommo's 7 requests a second on every write. A name,
 * id or option that the kept copy does not know is looked up again at once (withFieldDefinitions),
 * and a write Kommo rejects drops the copy, so a field added or changed in Kommo works right away.
 */
export const FIELD_DEFINITIONS_TTL_MS = 5 * 60_000;

const kept = new Map<string, { at: number; defs: Promise<KommoFieldDef[]> }>();

async function cacheKey(ctx: RequestContext, entity: KommoEntity): Promise<string> {
	// Per credential, not per base URL: a token Kommo would refuse must not read what another credential loaded.
	return `${(await kommoConnection(ctx)).identity}|${entity}`;
}

/** Forgets every kept copy (tests; a changed account). */
export function resetFieldDefinitions(): void {
	kept.clear();
}

/** Forgets this account's kept copy, so that the next read asks Kommo. */
export async function forgetFieldDefinitions(this: RequestContext, entity: KommoEntity): Promise<void> {
	kept.delete(await cacheKey(this, entity));
}

/** The account's custom field definitions for leads or contacts (kept per account, see above). */
export async function getFieldDefinitions(this: RequestContext, entity: KommoEntity, options: { fresh?: boolean } = {}): Promise<KommoFieldDef[]> {
	return (await readFieldDefinitions(this, entity, options.fresh === true)).defs;
}

/** The definitions, and whether they came from the kept copy rather than from Kommo just now. */
async function readFieldDefinitions(ctx: RequestContext, entity: KommoEntity, fresh: boolean): Promise<{ defs: KommoFieldDef[]; fromKept: boolean }> {
	const key = await cacheKey(ctx, entity);
	const entry = kept.get(key);
	if (entry && !fresh && Date.now() - entry.at < FIELD_DEFINITIONS_TTL_MS) return { defs: await entry.defs, fromKept: true };
	const defs = kommoGetAll
		.call(ctx, `/api/v4/${entity}/custom_fields`, 'custom_fields')
		.then((list) =>
			(list as IDataObject[]).map((f) => ({
				id: Number(f.id),
				name: String(f.name ?? ''),
				type: String(f.type ?? 'text'),
				code: typeof f.code === 'string' && f.code !== '' ? f.code : null,
				enums: Array.isArray(f.enums)
					? (f.enums as IDataObject[]).map((e) => ({
							id: Number(e.id),
							value: String(e.value ?? ''),
							code: typeof e.code === 'string' ? e.code : null,
							sort: Number(e.sort ?? 0),
						}))
					: null,
			})),
		);
	const reading = { at: Date.now(), defs };
	kept.set(key, reading);
	defs.catch(() => {
		if (kept.get(key) === reading) kept.delete(key);
	});
	return { defs: await defs, fromKept: false };
}

/**
 * Runs `use` with the kept definitions; if it fails on them with a NodeOperationError (an unknown
 * field or option), once more with definitions read from Kommo now. A failure on definitions that
 * were just read is the user's to fix and is thrown as is.
 */
export async function withFieldDefinitions<T>(ctx: RequestContext, entity: KommoEntity, use: (defs: KommoFieldDef[]) => T): Promise<T> {
	const { defs, fromKept } = await readFieldDefinitions(ctx, entity, false);
	const first = tryUse(use, defs);
	if (first.ok) return first.value;
	if (first.error instanceof NodeOperationError && fromKept) return use(await getFieldDefinitions.call(ctx, entity, { fresh: true }));
	throw first.error;
}

function tryUse<T>(use: (defs: KommoFieldDef[]) => T, defs: KommoFieldDef[]): { ok: true; value: T } | { ok: false; error: unknown } {
	try {
		return { ok: true, value: use(defs) };
	} catch (error) {
		return { ok: false, error };
	}
}

function quoteList(names: string[], max = 25): string {
	const shown = names.slice(0, max).map((n) => `"${n}"`);
	return `${shown.join(', ')}${names.length > max ? ` and ${names.length - max} more` : ''}`;
}

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * Finds a field by id ("123"), exact name, case-insensitive name, or code
 * ("EMAIL"). Unknown or ambiguous → NodeOperationError that lists the fields.
 */
export function resolveField(
	defs: KommoFieldDef[],
	key: string | number,
	entity: KommoEntity,
	node: INode,
	itemIndex?: number,
): KommoFieldDef {
	const label = ENTITY_LABEL[entity];
	const wanted = String(key ?? '').trim();
	if (wanted === '') {
		throw new NodeOperationError(node, `A ${label} custom field has no name`, {
			itemIndex,
			description: `Pick the field from the list or enter its exact name or id. Known ${label} fields: ${quoteList(defs.map((d) => d.name))}.`,
		});
	}
	if (/^\d+$/.test(wanted)) {
		const byId = defs.find((d) => d.id === Number(wanted));
		if (byId) return byId;
	}
	let matches = defs.filter((d) => d.name === wanted);
	if (matches.length === 0) matches = defs.filter((d) => norm(d.name) === norm(wanted));
	if (matches.length === 0) matches = defs.filter((d) => d.code !== null && d.code.toLowerCase() === wanted.toLowerCase());
	if (matches.length === 1) return matches[0];
	if (matches.length > 1) {
		throw new NodeOperationError(node, `${matches.length} ${label} custom fields are named "${wanted}"`, {
			itemIndex,
			description: `Use the field id instead of the name: ${matches.map((m) => `${m.id} (${m.type})`).join(', ')}.`,
		});
	}
	throw new NodeOperationError(node, `Unknown ${label} custom field "${wanted}"`, {
		itemIndex,
		description: `Kommo has no ${label} field with this name or id. Known ${label} fields: ${quoteList(defs.map((d) => d.name))}. Check the spelling, or create the field in Kommo (Settings → ${label === 'lead' ? 'Leads' : 'Contacts'} → fields).`,
	});
}

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
