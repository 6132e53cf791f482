/**
 * Kommo custom fields: their definitions (read from Kommo, kept per account) and finding one by
 * name, id or code, with clear errors naming the unknown field and listing the known ones.
 * Values both ways live next door:
 *  - custom-field-write.ts: a plain value (enum options by label) → Kommo's `custom_fields_values`;
 *  - custom-field-read.ts: Kommo's `custom_fields_values` → `{field name: value}`.
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

export function quoteList(names: string[], max = 25): string {
	const shown = names.slice(0, max).map((n) => `"${n}"`);
	return `${shown.join(', ')}${names.length > max ? ` and ${names.length - max} more` : ''}`;
}

export const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

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
