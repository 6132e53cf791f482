/**
 * Chargebee's only HTTP code. Everything goes through nodes/shared/http.ts
 * (`vendorRequest`: rate limit, retries, error mapping, redaction) with the
 * Chargebee profile below; this file adds what is Chargebee's own:
 *  - the base URL `https://{site}.chargebee.com/api/v2` (or the credential's override);
 *  - form-encoded bodies in Chargebee's shape: `list[attr][i]` for lists of
 *    objects, `list[i]` for lists of values, `obj[attr]` for objects,
 *    `meta_data` as a JSON string, `cf_*` custom fields as plain keys;
 *  - `chargebee-idempotency-key` derived from the request so that a retried
 *    execution cannot create twice (Chargebee keeps keys 30 minutes);
 *  - `limit`/`offset`/`next_offset` paging.
 */
import { createHash, randomUUID } from 'crypto';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	vendorRequestFull,
	type RequestContext,
	type VendorErrorDetails,
	type VendorProfile,
	type VendorResponse,
} from '../shared/http';
import { CHARGEBEE_HOST, vendorHost } from '../shared/hosts';

export const CHARGEBEE_CREDENTIAL = 'chargebeeBillingApi';

/** What Chargebee puts in an error body. */
interface ChargebeeErrorBody {
	message?: string;
	type?: string;
	api_error_code?: string;
	param?: string;
	error_code?: string;
	error_msg?: string;
	error_param?: string;
}

const HINTS: Record<string, string> = {
	api_authentication_failed:
		'Check the API key and the site in the Chargebee Billing API credential: test sites ("-test") and live sites have different keys.',
	api_authorization_failed:
		'The API key may not do this: a read-only or restricted key cannot create or change anything. Use a full-access key.',
	resource_not_found: 'Check the id: Chargebee ids are case-sensitive and belong to one site (test and live sites do not share data).',
	duplicate_entry:
		'Something with this id already exists. Use Get or Find-or-create, or choose a different id.',
	api_request_limit_exceeded:
		"The site's per-minute API limit was reached (150 per minute on test sites). Lower the credential's client rate limit or run fewer items at once.",
	site_not_found: 'No Chargebee site has this name. Check the Site field of the credential (the part before .chargebee.com).',
	invalid_state_for_request: 'The resource is not in a state that allows this (for example a subscription that is already cancelled).',
	configuration_incompatible: 'The site is configured differently from what this request needs (for example Product Catalog 1.0 instead of 2.0).',
};

export function parseChargebeeError(status: number, body: unknown): VendorErrorDetails {
	const b = (body && typeof body === 'object' ? body : {}) as ChargebeeErrorBody;
	const code = b.api_error_code ?? b.error_code;
	const field = b.param ?? b.error_param;
	const message = b.message ?? b.error_msg ?? (typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : `HTTP ${status}`);
	const parts: string[] = [];
	if (code && HINTS[code]) parts.push(HINTS[code]);
	else if (b.type === 'payment') parts.push('The payment gateway refused the charge; see the message for the reason.');
	else if (field) parts.push(`Chargebee rejected the value sent as "${field}"; check the node parameter that fills it.`);
	if (b.type) parts.push(`Error type: ${b.type}.`);
	return { message, code, field, description: parts.join(' ') || undefined };
}

export const chargebeeProfile: VendorProfile = {
	vendor: 'Chargebee',
	idempotencyHeader: 'chargebee-idempotency-key',
	parseError: parseChargebeeError,
};

// ------------------------------------------------------------------ base URL

/**
 * `https://{site}.chargebee.com/api/v2`, or the override with `/api/v2` added once, by the rules
 * the credential test uses too (nodes/shared/hosts.ts): a pasted host is accepted, anything that
 * is not one hostname label is refused, and a host other than https on chargebee.com needs
 * "Custom Host or Proxy".
 */
export function chargebeeBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const result = vendorHost(credentials, CHARGEBEE_HOST, 'base');
	if (!result.ok) throw new Error(result.error);
	return result.url;
}

// ------------------------------------------------------------- form encoding

export type FormScalar = string | number | boolean;
export type FormField = FormScalar | FormScalar[] | FormObject | FormObject[] | IDataObject | null | undefined;
export interface FormObject {
	[key: string]: FormField;
}

/** Keys whose object value Chargebee takes as one JSON string. */
const JSON_KEYS = new Set(['meta_data', 'metadata', 'exemption_details']);

function scalar(value: FormScalar): string {
	return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

/** Flattens a request into Chargebee's `key=value` pairs (undefined/null left out). */
export function toFormPairs(input: FormObject): Array<[string, string]> {
	const pairs: Array<[string, string]> = [];
	for (const [key, value] of Object.entries(input)) {
		if (value === undefined || value === null) continue;
		if (JSON_KEYS.has(key) && typeof value === 'object') {
			pairs.push([key, JSON.stringify(value)]);
		} else if (Array.isArray(value)) {
			value.forEach((entry, index) => {
				if (isPlainObject(entry)) {
					// Lists of objects: the index goes LAST, `subscription_items[item_price_id][0]`.
					for (const [attr, v] of Object.entries(entry)) {
						if (v === undefined || v === null) continue;
						if (typeof v === 'object') {
							throw new Error(`Cannot form-encode nested value ${key}[${attr}][${index}]`);
						}
						pairs.push([`${key}[${attr}][${index}]`, scalar(v as FormScalar)]);
					}
				} else if (entry !== undefined && entry !== null) {
					pairs.push([`${key}[${index}]`, scalar(entry as FormScalar)]);
				}
			});
		} else if (isPlainObject(value)) {
			for (const [attr, v] of Object.entries(value)) {
				if (v === undefined || v === null) continue;
				if (typeof v === 'object') throw new Error(`Cannot form-encode nested value ${key}[${attr}]`);
				pairs.push([`${key}[${attr}]`, scalar(v as FormScalar)]);
			}
		} else {
			pairs.push([key, scalar(value as FormScalar)]);
		}
	}
	return pairs;
}

export function encodeForm(input: FormObject): string {
	return new URLSearchParams(toFormPairs(input)).toString();
}

/**
 * An idempotency key that is the same for the same request: the same
 * operation, path and body give the same key, so a retried execution within
 * Chargebee's 30-minute window replays the first answer instead of creating again.
 */
export function deriveIdempotencyKey(operation: string, path: string, form: FormObject): string {
	const canonical = toFormPairs(form)
		.map(([k, v]) => `${k}=${v}`)
		.sort()
		.join('&');
	const digest = createHash('sha256').update(`${operation}\n${path}\n${canonical}`).digest('hex');
	return `n8n-${operation}-${digest.slice(0, 48)}`;
}

/**
 * A key for one call only: retries of that call (after a 5xx or a dropped
 * connection) are safe, yet a later run with the same input is applied again.
 * For updates, where replaying an old answer would hide a change.
 */
export function callIdempotencyKey(operation: string): string {
	return `n8n-${operation}-${randomUUID()}`;
}

// ------------------------------------------------------------------ requests

export interface ChargebeeCall {
	method: 'GET' | 'POST';
	/** Path below /api/v2, ids already encoded (see `idPath`). */
	path: string;
	query?: Record<string, string | number | boolean | undefined>;
	form?: FormObject;
	idempotencyKey?: string;
	itemIndex?: number;
	/**
	 * Inside a webhook call: Chargebee waits only so long for our answer, and
	 * answering 5xx makes it retry later anyway, so give up after a short try.
	 */
	quick?: boolean;
}

const QUICK_PROFILE: VendorProfile = {
	...chargebeeProfile,
	retry: { maxAttempts: 2, baseDelayMs: 250, maxDelayMs: 1_000, maxTotalWaitMs: 2_000 },
};

/** `/customers/{id}/…` with each id URL-encoded. */
export function idPath(template: string, ...ids: string[]): string {
	let i = 0;
	return template.replace(/\{[^}]+\}/g, () => encodeURIComponent(ids[i++] ?? ''));
}

function queryString(query: ChargebeeCall['query']): string {
	const entries = Object.entries(query ?? {}).filter(([, v]) => v !== undefined && v !== '') as Array<
		[string, string | number | boolean]
	>;
	if (entries.length === 0) return '';
	return `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}

export async function chargebeeRequestFull<T = IDataObject>(
	this: RequestContext,
	call: ChargebeeCall,
): Promise<VendorResponse<T>> {
	const credentials = await this.getCredentials(CHARGEBEE_CREDENTIAL);
	let base: string;
	try {
		base = chargebeeBaseUrl(credentials);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, {
			itemIndex: call.itemIndex,
			description: 'Fix the Chargebee Billing API credential.',
		});
	}
	const perMinute = Number(credentials.requestsPerMinute ?? 0);
	const body = call.method === 'POST' ? encodeForm(call.form ?? {}) : undefined;
	return (await vendorRequestFull.call(
		this,
		call.quick ? QUICK_PROFILE : chargebeeProfile,
		CHARGEBEE_CREDENTIAL,
		{
			method: call.method,
			url: `${base}${call.path}${queryString(call.query)}`,
			...(call.quick ? { timeout: 8_000 } : {}),
			headers: {
				Accept: 'application/json',
				...(body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
			},
			...(body ? { body } : {}),
			idempotencyKey: call.idempotencyKey,
			itemIndex: call.itemIndex,
			...(perMinute > 0 ? { rateLimit: { requests: Math.floor(perMinute), windowMs: 60_000 } } : {}),
		},
	)) as VendorResponse<T>;
}

export async function chargebeeRequest<T = IDataObject>(this: RequestContext, call: ChargebeeCall): Promise<T> {
	const response = await chargebeeRequestFull.call(this, call);
	return response.body as T;
}

/**
 * Reads a list endpoint page by page (`limit` ≤ 100, `offset` ← `next_offset`)
 * and unwraps each entry (`{customer: {...}}` → `{...}`).
 */
export async function chargebeeList(
	this: RequestContext,
	path: string,
	wrapKey: string,
	options: { query?: ChargebeeCall['query']; returnAll: boolean; limit?: number; itemIndex?: number },
): Promise<IDataObject[]> {
	const wanted = options.returnAll ? Infinity : Math.max(1, options.limit ?? 50);
	const out: IDataObject[] = [];
	let offset: string | undefined;
	do {
		const pageSize = Math.min(100, wanted - out.length);
		const page = (await chargebeeRequest.call(this, {
			method: 'GET',
			path,
			query: { ...(options.query ?? {}), limit: pageSize, offset },
			itemIndex: options.itemIndex,
		})) as IDataObject;
		const list = (page.list as IDataObject[] | undefined) ?? [];
		for (const entry of list) {
			const inner = entry[wrapKey] as IDataObject | undefined;
			if (inner) out.push(inner);
		}
		offset = typeof page.next_offset === 'string' && page.next_offset !== '' ? page.next_offset : undefined;
	} while (offset && out.length < wanted);
	return out.slice(0, wanted === Infinity ? undefined : wanted);
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Settles a request into a result, for callers that handle some failures (404, duplicate) themselves. */
export async function attempt<T>(promise: Promise<T>): Promise<Attempt<T>> {
	return await promise.then(
		(value): Attempt<T> => ({ ok: true, value }),
		(error: unknown): Attempt<T> => ({ ok: false, error }),
	);
}

/** Chargebee's api_error_code of an error thrown by the requests above, if it was an API answer. */
export function chargebeeErrorCode(error: unknown): string | undefined {
	if (!(error instanceof NodeApiError)) return undefined;
	const response = (error as unknown as { errorResponse?: { code?: unknown } }).errorResponse;
	return typeof response?.code === 'string' ? response.code : undefined;
}

export function isNotFound(error: unknown): boolean {
	return error instanceof NodeApiError && String(error.httpCode) === '404';
}
