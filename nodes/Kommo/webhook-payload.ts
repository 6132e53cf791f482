/**
 * Decodes Kommo's webhook bodies: `application/x-www-form-urlencoded` with
 * nested keys in the old v2 shape, e.g.
 *
 *   leads[status][0][id]=123&leads[status][0][status_id]=142&
 *   leads[status][0][custom_fields][0][values][0][enum]=500002&
 *   account[subdomain]=acme&account[id]=29000001
 *
 * into clean JSON: one item per entity (a request can carry several), numbers
 * as numbers, custom fields as an array and as a {name: value} map, and the
 * account attached. The shape is checked with zod; anything else is rejected
 * with a message that names the offending key.
 *
 * Input may be the raw body (string/Buffer, best: exact and not truncated),
 * a flat object of form keys (what n8n's body parser gives: it keeps the
 * bracketed keys as they are and stops at 1000 keys) or an already nested
 * object (a JSON body).
 */
import { z } from 'zod';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type Tree = { [key: string]: Tree | string } | Tree[] | string;

export const MAX_KEYS = 20_000;
export const MAX_DEPTH = 12;
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

export class WebhookPayloadError extends Error {}

/** Splits `a[b][0][c]` into ['a', 'b', '0', 'c']; `a[]` gives ['a', '']. */
export function splitKey(key: string): string[] {
	const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
	if (!match) throw new WebhookPayloadError(`Malformed form key "${key.slice(0, 80)}"`);
	const parts = [match[1]];
	for (const m of match[2].matchAll(/\[([^[\]]*)\]/g)) parts.push(m[1]);
	return parts;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Turns objects whose keys are all non-negative integers into arrays (ordered by key). */
function arrayify(node: unknown, depth = 0): JsonValue {
	if (depth > MAX_DEPTH) throw new WebhookPayloadError(`Form keys are nested deeper than ${MAX_DEPTH} levels`);
	if (Array.isArray(node)) return node.map((v) => arrayify(v, depth + 1));
	if (!isPlainObject(node)) return node as JsonValue;
	const keys = Object.keys(node);
	if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
		return keys
			.map(Number)
			.sort((a, b) => a - b)
			.map((k) => arrayify(node[String(k)], depth + 1));
	}
	const out: { [key: string]: JsonValue } = {};
	for (const k of keys) {
		if (FORBIDDEN_KEYS.has(k)) throw new WebhookPayloadError(`Forbidden key "${k}"`);
		out[k] = arrayify(node[k], depth + 1);
	}
	return out;
}

function assign(root: Record<string, Tree>, parts: string[], value: string): void {
	let cursor: Record<string, Tree> = root;
	parts.forEach((rawPart, i) => {
		if (FORBIDDEN_KEYS.has(rawPart)) throw new WebhookPayloadError(`Forbidden form key "${rawPart}"`);
		const last = i === parts.length - 1;
		// `a[]=x` appends: use the next free index.
		const part = rawPart === '' ? String(Object.keys(cursor).length) : rawPart;
		if (last) {
			if (isPlainObject(cursor[part])) throw new WebhookPayloadError(`Form key ${parts.slice(0, i + 1).join('.')} is both a value and a group`);
			cursor[part] = value;
			return;
		}
		const existing = cursor[part];
		if (existing === undefined) cursor[part] = Object.create(null) as Record<string, Tree>;
		else if (typeof existing === 'string') {
			throw new WebhookPayloadError(`Form key ${parts.slice(0, i + 1).join('.')} is both a value and a group`);
		}
		cursor = cursor[part] as Record<string, Tree>;
	});
}

/** Builds the nested tree from form pairs. */
export function nestPairs(pairs: Iterable<[string, string]>): JsonValue {
	const root = Object.create(null) as Record<string, Tree>;
	let count = 0;
	for (const [key, value] of pairs) {
		if (++count > MAX_KEYS) throw new WebhookPayloadError(`More than ${MAX_KEYS} form fields`);
		const parts = splitKey(key);
		if (parts.length > MAX_DEPTH) throw new WebhookPayloadError(`Form key "${key.slice(0, 80)}" is nested deeper than ${MAX_DEPTH} levels`);
		assign(root, parts, value);
	}
	return arrayify(root);
}

/** Raw body / flat form object / nested object → nested JSON tree. */
export function parseNestedForm(input: unknown): JsonValue {
	if (Buffer.isBuffer(input)) return parseNestedForm(input.toString('utf8'));
	if (typeof input === 'string') {
		const text = input.replace(/^\uFEFF/, '').trim();
		if (text === '') throw new WebhookPayloadError('The body is empty');
		if (text.startsWith('{')) {
			let json: unknown;
			try {
				json = JSON.parse(text);
			} catch {
				json = undefined;
			}
			if (json === undefined) throw new WebhookPayloadError('The body looks like JSON but does not parse');
			return parseNestedForm(json);
		}
		return nestPairs(new URLSearchParams(text));
	}
	if (isPlainObject(input)) {
		const keys = Object.keys(input);
		const flat = keys.some((k) => k.includes('['));
		if (!flat) return arrayify(JSON.parse(JSON.stringify(input)) as unknown);
		const pairs: Array<[string, string]> = [];
		for (const k of keys) {
			const v = input[k];
			for (const one of Array.isArray(v) ? v : [v]) {
				if (typeof one === 'object' && one !== null) throw new WebhookPayloadError(`Form field "${k.slice(0, 80)}" holds an object`);
				pairs.push([k, one === undefined || one === null ? '' : String(one)]);
			}
		}
		return nestPairs(pairs);
	}
	throw new WebhookPayloadError('The body is not a form, JSON or object');
}

// ------------------------------------------------------------------ schema

const integer = z
	.union([z.number().int(), z.string().trim().regex(/^-?\d+$/, 'expected a whole number')])
	.transform((v) => Number(v));
const optionalInteger = z
	.union([z.number().int(), z.string().trim().regex(/^(-?\d+)?$/, 'expected a whole number')])
	.transform((v) => (v === '' ? null : Number(v)))
	.optional();

const customFieldValueSchema = z
	.object({
		value: z.union([z.string(), z.number(), z.boolean()]).optional(),
		// The option id for list fields (a number); some payloads carry a code such as WORK instead.
		enum: z.union([z.string(), z.number()]).optional(),
		enum_id: optionalInteger,
		subtype: z.string().optional(),
	})
	.passthrough();

const customFieldSchema = z
	.object({
		id: integer,
		name: z.string().optional(),
		code: z.string().optional(),
		values: z.array(customFieldValueSchema).optional(),
	})
	.passthrough();

const entitySchema = z
	.object({
		id: integer.optional(),
		custom_fields: z.array(customFieldSchema).optional(),
	})
	.passthrough();

const accountSchema = z
	.object({
		id: integer,
		subdomain: z.string().trim().min(1, 'expected the account subdomain'),
	})
	.passthrough();

const actionsSchema = z.record(z.string(), z.array(entitySchema));

export const webhookSchema = z
	.object({ account: accountSchema })
	.catchall(actionsSchema)
	.superRefine((value, ctx) => {
		const groups = Object.keys(value).filter((k) => k !== 'account');
		if (groups.length === 0) {
			ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'no entity group (leads, contacts, …) in the body', path: [] });
		}
		for (const group of groups) {
			for (const [action, entities] of Object.entries(value[group] as Record<string, Array<{ id?: number }>>)) {
				if (action === 'note') continue; // a note's id is inside [note]
				entities.forEach((entity, i) => {
					if (entity.id === undefined) {
						ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is missing', path: [group, action, i, 'id'] });
					}
				});
			}
		}
	});

/** zod path ['leads', 'status', 0, 'id'] → `leads[status][0][id]` (the key as Kommo sends it). */
function formKey(path: Array<string | number>): string {
	if (path.length === 0) return '(body)';
	return `${path[0]}${path.slice(1).map((p) => `[${p}]`).join('')}`;
}

function describeIssues(error: z.ZodError): string {
	return error.issues
		.slice(0, 5)
		.map((issue) => {
			const key = formKey(issue.path);
			if (issue.code === z.ZodIssueCode.invalid_union) {
				const inner = issue.unionErrors.flatMap((e) => e.issues);
				if (inner.some((i) => i.code === z.ZodIssueCode.invalid_type && i.received === 'undefined')) return `${key} is missing`;
				const refined = inner.find((i) => i.code !== z.ZodIssueCode.invalid_type);
				return `${key}: ${refined?.message ?? 'has an invalid value'}`;
			}
			if (issue.code === z.ZodIssueCode.invalid_type && issue.received === 'undefined') return `${key} is missing`;
			if (issue.code === z.ZodIssueCode.invalid_type) return `${key}: expected ${issue.expected}, got ${issue.received}`;
			return `${key}: ${issue.message}`;
		})
		.join('; ');
}

// ------------------------------------------------------------------ items

export interface KommoAccount {
	id: number;
	subdomain: string;
	[key: string]: JsonValue;
}

export interface KommoWebhookCustomField {
	id: number;
	name: string | null;
	code: string | null;
	values: Array<{ value: string | number | boolean | null; enum?: number | string | null; [key: string]: JsonValue | undefined }>;
}

/** One entity of a webhook, flattened for the workflow. */
export interface KommoWebhookItem {
	/** Kommo's setting name: status_lead, add_lead, update_contact, note_lead, … */
	event: string;
	/** lead, contact, company, note, task, … */
	entity: string;
	/** The key Kommo used: status, add, update, delete, note, … */
	action: string;
	id: number | null;
	/** The lead this is about (the lead itself, or a note's lead), else null. */
	lead_id: number | null;
	custom_fields?: KommoWebhookCustomField[];
	custom_fields_map?: Record<string, JsonValue>;
	account: KommoAccount;
	[key: string]: unknown;
}

const SINGULAR: Record<string, string> = {
	leads: 'lead',
	contacts: 'contact',
	companies: 'company',
	customers: 'customer',
	task: 'task',
	tasks: 'task',
	catalogs: 'catalog',
	unsorted: 'unsorted',
	talk: 'talk',
	message: 'message',
};

/** Keys whose numeric strings become numbers (ids, timestamps, money, enums). */
const NUMERIC_KEY = /(^id$|_id$|^price$|^date_create$|^last_modified$|_at$|^sort$|^element_type$|^note_type$|^task_type$|^duration$|^complete_till$|^status$|^enum$|_ids?$)/;
const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/;

function numify(value: JsonValue, key: string): JsonValue {
	if (typeof value === 'string' && NUMERIC_KEY.test(key) && NUMERIC_TEXT.test(value.trim())) return Number(value);
	if (typeof value === 'string' && key === 'price' && value.trim() === '') return null;
	if (Array.isArray(value)) return value.map((v) => numify(v, key));
	if (value !== null && typeof value === 'object') {
		const out: { [k: string]: JsonValue } = {};
		for (const [k, v] of Object.entries(value)) out[k] = numify(v, k);
		return out;
	}
	return value;
}

function cleanCustomFields(raw: unknown): KommoWebhookCustomField[] {
	return ((raw ?? []) as Array<Record<string, JsonValue>>).map((cf) => ({
		id: Number(cf.id),
		name: typeof cf.name === 'string' ? cf.name : null,
		code: typeof cf.code === 'string' ? cf.code : null,
		values: ((cf.values ?? []) as Array<Record<string, JsonValue>>).map((v) => {
			const { value, enum: enumId, ...rest } = v;
			const enumValue = typeof enumId === 'string' && NUMERIC_TEXT.test(enumId.trim()) ? Number(enumId) : enumId;
			return {
				value: (value ?? null) as string | number | boolean | null,
				...(enumValue !== undefined && enumValue !== null && enumValue !== '' ? { enum: enumValue as number } : {}),
				...(numify(rest, '') as Record<string, JsonValue>),
			};
		}),
	}));
}

/** {name: value}: one value as itself, several as an array, none as null. A repeated name gets its id appended. */
export function webhookFieldsMap(fields: KommoWebhookCustomField[]): Record<string, JsonValue> {
	const out: Record<string, JsonValue> = {};
	for (const cf of fields) {
		const base = cf.name ?? String(cf.id);
		const name = base in out ? `${base} (${cf.id})` : base;
		const values = cf.values.map((v) => v.value);
		out[name] = values.length === 0 ? null : values.length === 1 ? values[0] : values;
	}
	return out;
}

function toItem(group: string, action: string, raw: Record<string, JsonValue>, account: KommoAccount): KommoWebhookItem {
	const { custom_fields: rawFields, ...rest } = raw;
	let entity = SINGULAR[group] ?? group.replace(/s$/, '');
	let body = numify(rest, '') as Record<string, JsonValue>;
	let leadId: number | null = null;

	if (action === 'note') {
		// Notes come as `leads[note][0][note][…]` plus `leads[note][0][type]`.
		const inner = (isPlainObject(body.note) ? body.note : {}) as Record<string, JsonValue>;
		const { note: _note, ...outer } = body;
		void _note;
		body = { ...outer, ...inner };
		if (group === 'leads') leadId = typeof body.element_id === 'number' ? body.element_id : typeof body.entity_id === 'number' ? body.entity_id : null;
		const item: KommoWebhookItem = {
			event: `note_${entity}`,
			entity: 'note',
			action,
			...body,
			id: typeof body.id === 'number' ? body.id : null,
			lead_id: leadId,
			account,
		};
		if (group !== 'leads' && typeof body.element_id === 'number') item[`${entity}_id`] = body.element_id;
		return item;
	}

	if (group === 'contacts' && (body.type === 'company' || body.type === 'contact')) entity = String(body.type);
	if (entity === 'lead') leadId = typeof body.id === 'number' ? body.id : null;
	const customFields = cleanCustomFields(rawFields);
	return {
		event: `${action}_${entity}`,
		entity,
		action,
		...body,
		id: typeof body.id === 'number' ? body.id : null,
		lead_id: leadId,
		custom_fields: customFields,
		custom_fields_map: webhookFieldsMap(customFields),
		account,
	};
}

export type DecodeResult = { ok: true; items: KommoWebhookItem[]; account: KommoAccount } | { ok: false; error: string };

/**
 * The whole decoder: body → validated items. Never throws; a malformed body
 * gives `{ok: false, error}` with a message fit to answer the sender with.
 */
export function decodeKommoWebhook(input: unknown): DecodeResult {
	let tree: JsonValue;
	try {
		tree = parseNestedForm(input);
	} catch (error) {
		return { ok: false, error: error instanceof WebhookPayloadError ? error.message : 'The body could not be read as a form' };
	}
	const parsed = webhookSchema.safeParse(tree);
	if (!parsed.success) return { ok: false, error: `Not a Kommo webhook: ${describeIssues(parsed.error)}` };
	const { account: rawAccount, ...groups } = parsed.data as { account: Record<string, unknown> } & Record<string, Record<string, unknown[]>>;
	const account = numify(rawAccount as JsonValue, '') as KommoAccount;
	const items: KommoWebhookItem[] = [];
	for (const [group, actions] of Object.entries(groups)) {
		for (const [action, entities] of Object.entries(actions)) {
			for (const entity of entities) items.push(toItem(group, action, entity as Record<string, JsonValue>, account));
		}
	}
	if (items.length === 0) return { ok: false, error: 'Not a Kommo webhook: it carries no entity' };
	return { ok: true, items, account };
}
