/**
 * Kommo webhook bodies → a nested tree. Kommo posts
 * `application/x-www-form-urlencoded` with nested keys in the old v2 shape
 * (`leads[status][0][id]=123`), PHP `http_build_query` style (space as `+`).
 *
 * Hostile input is bounded before it costs memory: the raw size is capped
 * first, pairs are read one at a time (never all at once) and stop at
 * MAX_KEYS, keys nest at most MAX_DEPTH levels, only canonical indexes
 * (`1`, never `01`) become list positions, and `__proto__`-like keys are
 * refused. Messages never carry control characters (no forged log lines).
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type Tree = { [key: string]: Tree | string };

/** Largest body decoded (Kommo batches are far smaller; an 8 MB body is refused before parsing). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_KEYS = 20_000;
export const MAX_DEPTH = 12;
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);
/** A list position as Kommo writes it: no sign, no leading zero, at most 15 digits (exact as a number). */
const CANONICAL_INDEX = /^(0|[1-9]\d{0,14})$/;

export class WebhookPayloadError extends Error {
	constructor(
		message: string,
		readonly status = 400,
	) {
		super(message);
	}
}

/** Text safe for one log line / one JSON message: control characters escaped, length bounded. */
export function printable(text: string, max = 120): string {
	const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
	let out = '';
	for (const c of clipped) {
		const code = c.charCodeAt(0);
		const control = code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
		out += control ? `\\u${code.toString(16).padStart(4, '0')}` : c;
	}
	return out;
}

/** Splits `a[b][0][c]` into ['a', 'b', '0', 'c']; `a[]` gives ['a', '']. */
export function splitKey(key: string): string[] {
	const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
	if (!match) throw new WebhookPayloadError(`Malformed form key "${printable(key, 80)}"`);
	const parts = [match[1]];
	for (const m of match[2].matchAll(/\[([^[\]]*)\]/g)) parts.push(m[1]);
	return parts;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Orders canonical index strings numerically without converting them (no precision loss). */
const byIndex = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** Turns objects whose keys are all list positions into arrays (ordered by position). */
function arrayify(node: unknown, depth = 0): JsonValue {
	if (depth > MAX_DEPTH) throw new WebhookPayloadError(`Form keys are nested deeper than ${MAX_DEPTH} levels`);
	if (Array.isArray(node)) return node.map((v) => arrayify(v, depth + 1));
	if (!isPlainObject(node)) return node as JsonValue;
	const keys = Object.keys(node);
	if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
		const odd = keys.find((k) => !CANONICAL_INDEX.test(k));
		// `01` next to `1` would silently merge two entities into one.
		if (odd !== undefined) throw new WebhookPayloadError(`Form index "${printable(odd, 40)}" is not a plain list position`);
		return keys.sort(byIndex).map((k) => arrayify(node[k], depth + 1));
	}
	const out: { [key: string]: JsonValue } = {};
	for (const k of keys) {
		if (FORBIDDEN_KEYS.has(k)) throw new WebhookPayloadError(`Forbidden key "${k}"`);
		out[k] = arrayify(node[k], depth + 1);
	}
	return out;
}

/**
 * A value and a group under one key (`[note][type]=3` and `[note][type][message_uuid]=…`) occur
 * in real note webhooks (../shared/payloads/SOURCES.md, Kommo C, fs 56994332924): the group wins
 * and keeps the value as `_value`, with a warning, instead of refusing the call.
 */
const SCALAR_IN_GROUP = '_value';

function assign(root: Tree, parts: string[], value: string, warnings: string[]): void {
	let cursor: Tree = root;
	parts.forEach((rawPart, i) => {
		if (FORBIDDEN_KEYS.has(rawPart)) throw new WebhookPayloadError(`Forbidden form key "${rawPart}"`);
		const last = i === parts.length - 1;
		// `a[]=x` appends: use the next free index.
		const part = rawPart === '' ? String(Object.keys(cursor).length) : rawPart;
		const where = () => printable(parts.slice(0, i + 1).join('.'), 80);
		const existing = cursor[part];
		if (last) {
			if (existing !== undefined && typeof existing !== 'string') {
				warnings.push(`form key ${where()} is both a value and a group; the value is kept as ${SCALAR_IN_GROUP}`);
				existing[SCALAR_IN_GROUP] = value;
			} else cursor[part] = value;
			return;
		}
		if (existing === undefined) cursor[part] = Object.create(null) as Tree;
		else if (typeof existing === 'string') {
			warnings.push(`form key ${where()} is both a value and a group; the value is kept as ${SCALAR_IN_GROUP}`);
			const group = Object.create(null) as Tree;
			group[SCALAR_IN_GROUP] = existing;
			cursor[part] = group;
		}
		cursor = cursor[part] as Tree;
	});
}

/** Builds the nested tree from form pairs; what it had to skip or reshape goes to `warnings`. */
export function nestPairs(pairs: Iterable<[string, string]>, warnings: string[] = []): JsonValue {
	const root = Object.create(null) as Tree;
	let count = 0;
	for (const [key, value] of pairs) {
		if (++count > MAX_KEYS) throw new WebhookPayloadError(`More than ${MAX_KEYS} form fields`, 413);
		let parts: string[];
		try {
			parts = splitKey(key);
		} catch (error) {
			// A broken key (e.g. a truncated `leads[status][0][`) is skipped, not a reason to refuse the call.
			if (warnings.length < 50) warnings.push(`${(error as Error).message} was skipped`);
			continue;
		}
		if (parts.length > MAX_DEPTH) throw new WebhookPayloadError(`Form key "${printable(key, 80)}" is nested deeper than ${MAX_DEPTH} levels`);
		assign(root, parts, value, warnings);
	}
	return arrayify(root);
}

/** Form pairs read one at a time from the text (the whole list is never materialised). */
export function* formPairs(text: string): Generator<[string, string]> {
	let start = 0;
	while (start <= text.length) {
		let end = text.indexOf('&', start);
		if (end === -1) end = text.length;
		if (end > start) {
			// One segment through URLSearchParams: the same lenient decoding (`+`, bad `%`) as before.
			for (const pair of new URLSearchParams(text.slice(start, end))) yield pair;
		}
		start = end + 1;
	}
}

/** Raw body / flat form object / nested object → nested JSON tree. */
export function parseNestedForm(input: unknown, warnings: string[] = []): JsonValue {
	if (Buffer.isBuffer(input)) {
		if (input.length > MAX_BODY_BYTES) throw new WebhookPayloadError(`The body is larger than ${MAX_BODY_BYTES} bytes`, 413);
		return parseNestedForm(input.toString('utf8'), warnings);
	}
	if (typeof input === 'string') {
		if (input.length > MAX_BODY_BYTES) throw new WebhookPayloadError(`The body is larger than ${MAX_BODY_BYTES} bytes`, 413);
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
			return parseNestedForm(json, warnings);
		}
		return nestPairs(formPairs(text), warnings);
	}
	if (isPlainObject(input)) {
		const keys = Object.keys(input);
		const flat = keys.some((k) => k.includes('['));
		if (!flat) return arrayify(JSON.parse(JSON.stringify(input)) as unknown);
		const pairs: Array<[string, string]> = [];
		for (const k of keys) {
			const v = input[k];
			for (const one of Array.isArray(v) ? v : [v]) {
				if (typeof one === 'object' && one !== null) throw new WebhookPayloadError(`Form field "${printable(k, 80)}" holds an object`);
				pairs.push([k, one === undefined || one === null ? '' : String(one)]);
			}
		}
		return nestPairs(pairs, warnings);
	}
	throw new WebhookPayloadError('The body is not a form, JSON or object');
}
