/**
 * Reading a Zuora callout's data from the bytes that arrived, never from n8n's parsed body:
 * n8n parses by the (unsigned) Content-Type header, so the same signed bytes sent as
 * `application/x-www-form-urlencoded` would otherwise normalise to something else and get another
 * dedupe key (security review L3, test/security/zuora-ctype.test.ts).
 *
 * What Zuora sends (payloads/VENDOR-FACTS.md §27, docs.zuora.com "Callout template overview"):
 *  - custom request bodies are JSON (`application/json`), every merge-field value a string;
 *  - legacy notification callouts post XML `<callout><parameter name="…">…</parameter></callout>`
 *    (payloads/zuora/guardian__autoCancel_legacy_callout.xml);
 *  - callouts may be GET (or POST without a body) with merge fields in the URL's query string.
 *
 * Bounds (security review M1/L5: hostile sizes must be cheap): at most 1 MiB of body, JSON nested
 * at most 32 deep, at most 200 query parameters, every value at most 10 000 characters.
 */
import type { IDataObject } from 'n8n-workflow';

export const MAX_CALLOUT_BYTES = 1024 * 1024;
export const MAX_DEPTH = 32;
export const MAX_QUERY_PARAMETERS = 200;
export const MAX_VALUE_CHARS = 10_000;

export type BodyResult =
	| { ok: true; events: IDataObject[] | undefined }
	| { ok: false; status: number; error: string };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Depth of nested objects/arrays, iteratively (no recursion on hostile input); stops past the limit. */
export function tooDeep(value: unknown, limit = MAX_DEPTH): boolean {
	const stack: Array<[unknown, number]> = [[value, 1]];
	while (stack.length > 0) {
		const [current, depth] = stack.pop() as [unknown, number];
		if (current === null || typeof current !== 'object') continue;
		if (depth > limit) return true;
		for (const child of Object.values(current as Record<string, unknown>)) {
			if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
		}
	}
	return false;
}

/** True when some key anywhere is __proto__ / constructor / prototype (never used as data). */
function hasForbiddenKey(value: unknown): boolean {
	const stack: unknown[] = [value];
	while (stack.length > 0) {
		const current = stack.pop();
		if (current === null || typeof current !== 'object') continue;
		for (const [key, child] of Object.entries(current as Record<string, unknown>)) {
			if (FORBIDDEN_KEYS.has(key)) return true;
			if (child !== null && typeof child === 'object') stack.push(child);
		}
	}
	return false;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
	return text.replace(/&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-f]{1,6});/gi, (whole, name: string) => {
		const lower = name.toLowerCase();
		if (XML_ENTITIES[lower]) return XML_ENTITIES[lower];
		const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
		return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
	});
}

/** Zuora's legacy XML callout: `<callout><parameter name="AccountId">acc123</parameter>…</callout>`. */
export function parseLegacyXml(text: string): IDataObject | undefined {
	const trimmed = text.trim();
	if (!/^(<\?xml[^>]{0,200}\?>\s*)?<callout\b[^>]{0,200}>[\s\S]*<\/callout>$/.test(trimmed)) return undefined;
	const out: IDataObject = {};
	// [^<]* and [^"]* cannot overlap, so this is linear.
	const pattern = /<parameter\s+name="([^"]{1,200})"\s*(?:\/>|>([^<]*)<\/parameter>)/g;
	let match: RegExpExecArray | null;
	while ((match = pattern.exec(trimmed)) !== null) {
		const name = decodeXml(match[1]);
		if (FORBIDDEN_KEYS.has(name)) return undefined;
		out[name] = decodeXml(match[2] ?? '');
	}
	return out;
}

/**
 * The events in a callout body: a JSON object, a JSON array of objects, or a legacy XML callout.
 * `events: undefined` for an empty body (the data may be in the query string).
 */
export function parseCalloutBody(raw: Buffer | string | undefined): BodyResult {
	if (raw === undefined) return { ok: true, events: undefined };
	const size = Buffer.isBuffer(raw) ? raw.length : Buffer.byteLength(raw);
	if (size > MAX_CALLOUT_BYTES) {
		return { ok: false, status: 413, error: `The callout body is ${size} bytes; at most ${MAX_CALLOUT_BYTES} are accepted` };
	}
	const text = (Buffer.isBuffer(raw) ? raw.toString('utf8') : raw).replace(/^\uFEFF/, '');
	if (text.trim() === '') return { ok: true, events: undefined };
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		const xml = parseLegacyXml(text);
		if (xml) return { ok: true, events: [xml] };
		return { ok: false, status: 400, error: 'The callout body is neither JSON nor a Zuora XML callout' };
	}
	if (tooDeep(parsed)) return { ok: false, status: 400, error: `The callout body is nested deeper than ${MAX_DEPTH} levels` };
	if (hasForbiddenKey(parsed)) return { ok: false, status: 400, error: 'The callout body uses a reserved key (__proto__, constructor or prototype)' };
	const list = Array.isArray(parsed) ? parsed : [parsed];
	if (list.length === 0 || list.some((e) => !e || typeof e !== 'object' || Array.isArray(e))) {
		return { ok: false, status: 400, error: 'The callout body must be a JSON object (or an array of objects)' };
	}
	return { ok: true, events: list as IDataObject[] };
}

/**
 * Query parameter names that carry credentials, not event data: a receiver's own API token in the
 * callout URL (the Guardian API-Gateway captures in test/fixtures/zuora-payloads post to
 * `?apiClientId=…&apiToken=…`), a password, a key or a signature. They are dropped in every
 * authentication mode, so a secret someone put into the callout URL never lands in the
 * execution data (the pack's rule: secrets never show up in node output).
 */
export const CREDENTIAL_QUERY_NAME = /(token|secret|passw(or)?d|pwd|api[_-]?key|signature|sig)$/i;

/**
 * Query-string parameters as callout fields (GET callouts, URL merge fields). The URL secret's
 * own parameter and every credential-like parameter (CREDENTIAL_QUERY_NAME) are left out, so no
 * secret reaches the workflow. A repeated parameter is ambiguous and refused.
 */
export function queryFields(
	query: unknown,
	exclude: string[],
): { ok: true; fields: IDataObject } | { ok: false; status: number; error: string } {
	const fields: IDataObject = {};
	if (!query || typeof query !== 'object') return { ok: true, fields };
	const entries = Object.entries(query as Record<string, unknown>).filter(
		([name]) => !exclude.includes(name) && !CREDENTIAL_QUERY_NAME.test(name),
	);
	if (entries.length > MAX_QUERY_PARAMETERS) {
		return { ok: false, status: 400, error: `The callout URL has more than ${MAX_QUERY_PARAMETERS} query parameters` };
	}
	for (const [name, value] of entries) {
		if (FORBIDDEN_KEYS.has(name) || name.length > 200) {
			return { ok: false, status: 400, error: 'The callout URL uses a reserved or overlong query parameter name' };
		}
		if (typeof value !== 'string') {
			return { ok: false, status: 400, error: `The query parameter "${name.slice(0, 50)}" is repeated or nested; send it once` };
		}
		if (value.length > MAX_VALUE_CHARS) {
			return { ok: false, status: 400, error: `The query parameter "${name.slice(0, 50)}" is longer than ${MAX_VALUE_CHARS} characters` };
		}
		fields[name] = value;
	}
	return { ok: true, fields };
}
