/**
 * Decodes Kommo's webhook bodies (see webhook-form.ts for the form parsing)
 * into clean JSON: one item per entity (a request can carry several), numbers
 * as numbers (ids beyond 2^53 stay exact strings), custom fields as an array
 * and as a {name: value} map, and the account attached.
 *
 * Kommo counts every non-2xx answer and switches a webhook off after more than
 * 100 failed deliveries in 2 hours (developers.kommo.com/docs/webhooks-general),
 * so only a body without Kommo's skeleton (`account[…]` plus
 * `<group>[<action>][<i>][…]`) is refused. Inside that skeleton the decoder is
 * lenient: a value it does not fully understand is passed on as it came, and
 * the item carries `decode_warnings` saying what was not understood.
 *
 * Value shapes seen in real captures (../shared/payloads/kommo, SOURCES.md):
 * - text / select: `[custom_fields][i][values][0][value]=…` (+ `[enum]=…`);
 * - date / date_time / birthday: bare `[custom_fields][i][values][0]=1542067200`
 *   (fs6040547942__apfitness_2018_leads_status_bare_date_checkbox);
 * - address / legal entity: objects under `[values][0][value][…]` (API-FACTS.md);
 * - contacts: `linked_leads_id[<id>][ID]=<id>` (fs6040547942…contacts_update…).
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { accept, rawBody, reject, type Verdict } from '../../shared/webhook';
import {
	type JsonValue,
	MAX_BODY_BYTES,
	MAX_DEPTH,
	MAX_KEYS,
	parseNestedForm,
	printable,
	splitKey,
	WebhookPayloadError,
} from './webhook-form';

export { type JsonValue, MAX_BODY_BYTES, MAX_DEPTH, MAX_KEYS, parseNestedForm, printable, splitKey, WebhookPayloadError };

/** A Kommo id: a number, or the exact digits as text when beyond 2^53. */
export type KommoId = number | string;

export interface KommoAccount {
	id: KommoId | null;
	subdomain: string | null;
	[key: string]: JsonValue;
}

export interface KommoWebhookCustomField {
	id: KommoId | null;
	name: string | null;
	code: string | null;
	values: Array<{ value: JsonValue; enum?: JsonValue; [key: string]: JsonValue | undefined }>;
}

/** One entity of a webhook, flattened for the workflow. */
export interface KommoWebhookItem {
	/** Kommo's setting name: status_lead, add_lead, update_contact, note_lead, … */
	event: string;
	/** lead, contact, company, note, task, … */
	entity: string;
	/** The key Kommo used: status, add, update, delete, note, … */
	action: string;
	id: KommoId | null;
	/** The lead this is about (the lead itself, or a note's lead), else null. */
	lead_id: KommoId | null;
	custom_fields?: KommoWebhookCustomField[];
	custom_fields_map?: Record<string, JsonValue>;
	account: KommoAccount;
	/** What the decoder passed on without fully understanding it (absent when everything was understood). */
	decode_warnings?: string[];
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
const NUMERIC_KEY = /(^id$|^ID$|_id$|^price$|^date_create$|^last_modified$|_at$|^sort$|^element_type$|^note_type$|^task_type$|^duration$|^complete_till$|^status$|^enum$|_ids?$)/;
const INTEGER_TEXT = /^-?\d+$/;
const DECIMAL_TEXT = /^-?\d+\.\d+$/;

const isObject = (v: unknown): v is { [key: string]: JsonValue } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** '123' → 123; '9007199254740993' → '9007199254740993' (kept exact); anything else → undefined. */
export function toKommoNumber(value: unknown): number | string | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	if (INTEGER_TEXT.test(text)) {
		const n = Number(text);
		return Number.isSafeInteger(n) ? n : text.replace(/^(-?)0+(?=\d)/, '$1');
	}
	if (DECIMAL_TEXT.test(text) && text.replace(/[-.]/g, '').replace(/^0+/, '').length <= 15) return Number(text);
	return DECIMAL_TEXT.test(text) ? text : undefined;
}

function toId(value: unknown): KommoId | null {
	const n = toKommoNumber(value);
	return n === undefined || (typeof n === 'number' && !Number.isInteger(n)) || (typeof n === 'string' && !INTEGER_TEXT.test(n)) ? null : n;
}

function numify(value: JsonValue, key: string): JsonValue {
	if (typeof value === 'string' && NUMERIC_KEY.test(key)) {
		if (key === 'price' && value.trim() === '') return null;
		return toKommoNumber(value) ?? value;
	}
	if (Array.isArray(value)) return value.map((v) => numify(v, key));
	if (isObject(value)) {
		const out: { [k: string]: JsonValue } = {};
		for (const [k, v] of Object.entries(value)) out[k] = numify(v, k);
		return out;
	}
	return value;
}

function cleanCustomFields(raw: unknown, warn: (text: string) => void): KommoWebhookCustomField[] {
	if (raw === undefined) return [];
	if (!Array.isArray(raw)) {
		warn('custom_fields is not a list; passed on as it came in custom_fields_raw');
		return [];
	}
	const out: KommoWebhookCustomField[] = [];
	for (const [i, cf] of raw.entries()) {
		if (!isObject(cf)) {
			warn(`custom_fields[${i}] is not a field; left out`);
			continue;
		}
		if (toId(cf.id) === null) warn(`custom_fields[${i}][id] is not a number`);
		const rawValues = cf.values === undefined ? [] : Array.isArray(cf.values) ? cf.values : [cf.values];
		out.push({
			id: toId(cf.id),
			name: typeof cf.name === 'string' ? cf.name : null,
			code: typeof cf.code === 'string' ? cf.code : null,
			values: rawValues.map((v) => {
				// Date, date_time and birthday values come bare: `[values][0]=1689282000`.
				if (!isObject(v)) return { value: v };
				const { value, enum: enumId, ...rest } = v;
				const enumValue = typeof enumId === 'string' ? (toId(enumId) ?? enumId) : enumId;
				return {
					// Address and legal-entity values are objects: kept as they came.
					value: value === undefined ? null : value,
					...(enumValue !== undefined && enumValue !== null && enumValue !== '' ? { enum: enumValue } : {}),
					...(numify(rest, '') as Record<string, JsonValue>),
				};
			}),
		});
	}
	return out;
}

/** {name: value}: one value as itself, several as an array, none as null. A repeated name gets its id appended. */
export function webhookFieldsMap(fields: KommoWebhookCustomField[]): Record<string, JsonValue> {
	const out: Record<string, JsonValue> = {};
	for (const cf of fields) {
		const base = cf.name ?? String(cf.id);
		const name = Object.hasOwn(out, base) ? `${base} (${cf.id})` : base;
		const values = cf.values.map((v) => v.value);
		out[name] = values.length === 0 ? null : values.length === 1 ? values[0] : values;
	}
	return out;
}

/** `linked_leads_id[<id>][ID]=<id>` (real) and `linked_leads_id[<id>]=<id>` both give a list of ids. */
function linkedIds(value: JsonValue): JsonValue {
	const list = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [value];
	return list.map((v) => (isObject(v) && v.ID !== undefined ? v.ID : v));
}

function toItem(group: string, action: string, raw: JsonValue, account: KommoAccount): KommoWebhookItem {
	const warnings: string[] = [];
	const warn = (text: string) => warnings.push(`${group}[${action}]: ${text}`);
	let entity = Object.hasOwn(SINGULAR, group) ? SINGULAR[group] : group;
	if (!isObject(raw)) {
		warn('the entity is not an object; passed on as "raw"');
		return { event: `${action}_${entity}`, entity, action, id: null, lead_id: null, raw, account, decode_warnings: warnings };
	}
	// Our own keys are never taken from the body (`leads[status][0][event]=…` cannot rename the event).
	const { custom_fields: rawFields, decode_warnings: _w, event: _e, entity: _n, action: _a, account: _c, lead_id: _l, ...rest } = raw;
	void [_w, _e, _n, _a, _c, _l];
	let body = numify(rest, '') as Record<string, JsonValue>;
	if (body.linked_leads_id !== undefined) body.linked_leads_id = numify(linkedIds(body.linked_leads_id), 'linked_leads_id');
	const withWarnings = <T extends KommoWebhookItem>(item: T): T => (warnings.length > 0 ? { ...item, decode_warnings: warnings } : item);

	if (action === 'note') {
		// Notes come as `leads[note][0][note][…]` plus `leads[note][0][type]`.
		const inner = isObject(body.note) ? body.note : {};
		const { note: _note, ...outer } = body;
		void _note;
		body = { ...outer, ...inner };
		const id = toId(body.id);
		if (id === null) warn('the note id is missing or not a number');
		const element = toId(body.element_id) ?? toId(body.entity_id);
		const item: KommoWebhookItem = { ...body, event: `note_${entity}`, entity: 'note', action, id, lead_id: group === 'leads' ? element : null, account };
		if (group !== 'leads' && element !== null) item[`${entity}_id`] = element;
		return withWarnings(item);
	}

	if (group === 'contacts' && (body.type === 'company' || body.type === 'contact')) entity = String(body.type);
	const id = toId(body.id);
	if (id === null) warn(body.id === undefined ? 'the entity id is missing' : 'the entity id is not a number');
	const customFields = cleanCustomFields(rawFields, warn);
	return withWarnings({
		...body,
		event: `${action}_${entity}`,
		entity,
		action,
		id,
		lead_id: entity === 'lead' ? id : null,
		custom_fields: customFields,
		custom_fields_map: webhookFieldsMap(customFields),
		...(rawFields !== undefined && !Array.isArray(rawFields) ? { custom_fields_raw: rawFields } : {}),
		account,
	});
}

export type DecodeResult =
	| { ok: true; items: KommoWebhookItem[]; account: KommoAccount; warnings: string[] }
	| { ok: false; error: string; status: number };

const fail = (error: string, status = 400): DecodeResult => ({ ok: false, error: printable(error, 300), status });

/**
 * The whole decoder: body → items. Never throws. Refuses (`ok: false`, with
 * the HTTP status to answer) only what is not a Kommo webhook at all.
 */
export function decodeKommoWebhook(input: unknown): DecodeResult {
	let tree: JsonValue;
	const formWarnings: string[] = [];
	try {
		tree = parseNestedForm(input, formWarnings);
	} catch (error) {
		if (error instanceof WebhookPayloadError) return fail(error.message, error.status);
		return fail('The body could not be read as a form');
	}
	if (!isObject(tree)) return fail('Not a Kommo webhook: the body is not a set of keys');
	const rawAccount = tree.account;
	if (!isObject(rawAccount)) return fail('Not a Kommo webhook: account is missing (Kommo always sends account[subdomain])');
	const accountId = rawAccount.id === undefined ? null : toId(rawAccount.id);
	if (rawAccount.id !== undefined && accountId === null) return fail('Not a Kommo webhook: account[id] is not a number');
	const subdomain = typeof rawAccount.subdomain === 'string' && rawAccount.subdomain.trim() !== '' ? rawAccount.subdomain.trim() : null;
	if (accountId === null && subdomain === null) return fail('Not a Kommo webhook: account[id] and account[subdomain] are both missing');
	const account = { ...(numify(rawAccount, '') as Record<string, JsonValue>), id: accountId, subdomain } as KommoAccount;

	const groups = Object.keys(tree).filter((k) => k !== 'account');
	if (groups.length === 0) return fail('Not a Kommo webhook: no entity group (leads, contacts, …) in the body');
	const items: KommoWebhookItem[] = [];
	for (const group of groups) {
		const actions = tree[group];
		if (!isObject(actions)) return fail(`Not a Kommo webhook: ${group} is not a group of actions (expected ${group}[add][0][…])`);
		for (const [action, entities] of Object.entries(actions)) {
			if (!Array.isArray(entities)) return fail(`Not a Kommo webhook: ${group}[${action}] is not a list of entities`);
			for (const entity of entities) items.push(toItem(group, action, entity, account));
		}
	}
	if (items.length === 0) return fail('Not a Kommo webhook: it carries no entity');
	const warnings = [...formWarnings, ...items.flatMap((item) => item.decode_warnings ?? [])];
	return { ok: true, items, account, warnings };
}

/**
 * The call's body as items. The raw body is exact; n8n's parsed form keeps only the first 1000
 * keys. Parts the decoder does not fully understand are passed on with a warning in the log,
 * never refused: every non-2xx counts towards Kommo switching the webhook off.
 */
export function decodeCall(this: IWebhookFunctions): Verdict<{ items: KommoWebhookItem[]; account: KommoAccount }> {
	const raw = rawBody(this);
	const decoded = decodeKommoWebhook(raw ?? this.getBodyData());
	if (!decoded.ok) return reject(decoded.status, 'payload', decoded.error);
	if (decoded.warnings.length > 0) {
		this.logger.warn(`Kommo Trigger passed on parts it does not fully understand: ${printable(decoded.warnings.slice(0, 5).join('; '), 500)}`);
	}
	return accept({ items: decoded.items, account: decoded.account });
}
