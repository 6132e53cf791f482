/**
 * Kommo's only HTTP code. Every call goes through the shared vendorRequest
 * (rate limit, retries, error mapping, redaction) with the Kommo profile:
 *  - at most 7 requests per second per account host (or the credential's
 *    "Max requests per second"), or permits from the Kommo Rate Budget when the
 *    credential names one (queue mode: one budget for all workers, rate-budget.ts);
 *  - PATCH is idempotent in Kommo (it sets values), so it is retried like GET;
 *  - problem+json `{title, detail}` and `validation-errors` become a message
 *    that names the field; a 429 body's `retry_after` is honoured;
 *  - `204 No Content` (empty list, unknown id) comes back as `undefined`.
 */
import { createHash } from 'crypto';
import type { IDataObject, INode, IHttpRequestMethods } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { vendorRequest, type RequestContext, type VendorErrorDetails, type VendorProfile } from '../shared/http';
import { KOMMO_HOST, vendorHost } from '../shared/hosts';
import type { RateLimit } from '../shared/rate-limiter';
import { budgetLimiter, type RateBudget } from './rate-budget';

export const KOMMO_DOMAINS = ['kommo.com', 'amocrm.com', 'amocrm.ru'] as const;
export const KOMMO_RATE_LIMIT_PER_SECOND = 7;
export const KOMMO_BATCH_LIMIT = 250;

export type KommoAuthentication = 'longLivedToken' | 'oAuth2';
export const KOMMO_CREDENTIAL_TYPES: Record<KommoAuthentication, string> = {
	longLivedToken: 'kommoApi',
	oAuth2: 'kommoOAuth2Api',
};

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export interface KommoValidationError {
	requestId: string | undefined;
	code: string | undefined;
	path: string | undefined;
	detail: string | undefined;
}

/** The `validation-errors` of a Kommo 400 body, flattened. */
export function validationErrorsOf(body: unknown): KommoValidationError[] {
	if (!isObject(body)) return [];
	const list = body['validation-errors'];
	if (!Array.isArray(list)) return [];
	const out: KommoValidationError[] = [];
	for (const entry of list) {
		if (!isObject(entry)) continue;
		const requestId = entry.request_id === undefined ? undefined : String(entry.request_id);
		const errors = Array.isArray(entry.errors) ? entry.errors : [entry];
		for (const e of errors) {
			if (!isObject(e)) continue;
			out.push({ requestId, code: text(e.code), path: text(e.path), detail: text(e.detail) ?? text(e.message) });
		}
	}
	return out;
}

const STATUS_HINTS: Record<number, string> = {
	400: 'Kommo rejected the request as invalid; the message names the field.',
	401: 'The Kommo token is invalid or has expired. For a long-lived token, create a new one in the integration (Settings → Integrations → your private integration → Keys and scopes); for OAuth2, reconnect the credential.',
	402: 'Kommo refused for payment reasons (402 Payment Required). Likely causes: the account is not paid because the Kommo subscription has lapsed (renew it under Settings → Billing), or the plan does not include API access / webhooks (Kommo\'s webhooks API needs the Advanced plan or higher). Run again once the account is paid.',
	403: 'Kommo refused access (403). Likely causes: the integration was disabled or blocked in Kommo (Settings → Integrations: check it is installed and active); the credential\'s user is not an account administrator (the users list and webhooks are admin-only); or Kommo blocked this IP address after repeated rate-limit violations (every call then answers 403 for a while; with several n8n workers on one account, lower "Max Requests per Second" in the credential).',
	404: 'Kommo does not know this address or entity. Check the id, and the subdomain/domain in the credential.',
};

/** Reads Kommo's problem+json (and older) error bodies. */
export function parseKommoError(status: number, body: unknown): VendorErrorDetails {
	const b = isObject(body) ? body : undefined;
	const title = text(b?.title);
	const detail = text(b?.detail);
	const legacy = isObject(b?.response) ? text((b?.response as IDataObject).error) : undefined;
	let message =
		(title && detail && detail.toLowerCase() !== title.toLowerCase() ? `${title}: ${detail}` : undefined) ??
		detail ??
		title ??
		text(b?.message) ??
		legacy ??
		(typeof body === 'string' && body.trim() !== '' && body.length < 300 ? body.trim() : undefined) ??
		`HTTP ${status}`;
	const hints: string[] = [];
	let field: string | undefined;
	let code = text(b?.type)?.startsWith('http') ? undefined : text(b?.type);

	const errors = validationErrorsOf(body);
	if (errors.length > 0) {
		field = errors.find((e) => e.path)?.path;
		code = errors[0].code ?? code;
		const parts = errors.map((e) => `${e.path ?? '(request)'}: ${e.detail ?? e.code ?? 'invalid'}`);
		message = `${title ?? 'Bad Request'}: ${parts.slice(0, 3).join('; ')}${parts.length > 3 ? ` (+${parts.length - 3} more)` : ''}`;
		hints.push(
			...errors.map(
				(e) =>
					`${e.requestId !== undefined ? `entity ${e.requestId}: ` : ''}${e.path ?? '(request)'} — ${e.detail ?? 'invalid'}${e.code ? ` (${e.code})` : ''}`,
			),
		);
	}
	if (STATUS_HINTS[status]) hints.push(STATUS_HINTS[status]);
	return { message, description: hints.join('\n'), field, code };
}

/** Seconds from a 429 body's `retry_after` (seconds, or a Unix timestamp when it looks like one). */
export function retryAfterFromKommoBody(body: unknown): number | undefined {
	if (!isObject(body)) return undefined;
	const value = Number(body.retry_after);
	if (!Number.isFinite(value) || value < 0) return undefined;
	if (value > 1_000_000_000) return Math.max(0, value - Date.now() / 1000);
	return value;
}

export const kommoProfile: VendorProfile = {
	vendor: 'Kommo',
	rateLimit: { requests: KOMMO_RATE_LIMIT_PER_SECOND, windowMs: 1000 },
	idempotentMethods: ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH'],
	parseError: parseKommoError,
	retryAfterFromBody: retryAfterFromKommoBody,
};

/** "Max requests per second" → a limiter setting (fractions allowed, e.g. 3.5 or 0.5). */
export function rateLimitFor(requestsPerSecond: unknown): RateLimit {
	const rps = Number(requestsPerSecond);
	if (!Number.isFinite(rps) || rps <= 0) return { requests: KOMMO_RATE_LIMIT_PER_SECOND, windowMs: 1000 };
	const capped = Math.min(rps, KOMMO_RATE_LIMIT_PER_SECOND);
	const requests = Math.max(1, Math.floor(capped));
	return { requests, windowMs: Math.round((1000 * requests) / capped) };
}

/**
 * `https://{subdomain}.{domain}` from the credential, or its base URL override, by the rules the
 * credentials use too (nodes/shared/hosts.ts): a pasted host is accepted, anything that is not
 * one hostname label is refused, and another host needs "Custom Host or Proxy".
 */
export function kommoBaseUrl(credentials: IDataObject, node: INode): string {
	const result = vendorHost(credentials, KOMMO_HOST, 'base');
	if (!result.ok) {
		throw new NodeOperationError(node, result.error, {
			description: 'Open the Kommo credential: enter the part before .kommo.com (e.g. "acme" for https://acme.kommo.com), or turn on "Custom Host or Proxy" for a sandbox or proxy.',
		});
	}
	return result.url;
}

/** Which credential the node uses (its "Authentication" parameter). */
export function kommoCredentialType(ctx: RequestContext): string {
	const value = ctx.getNode().parameters?.authentication;
	return KOMMO_CREDENTIAL_TYPES[(value as KommoAuthentication) ?? 'longLivedToken'] ?? 'kommoApi';
}

interface ConnectionInfo {
	credentialType: string;
	baseUrl: string;
	rateLimit: RateLimit;
	/** A digest of the credential's token: what may share process-wide caches (never the token itself). */
	identity: string;
	/** The shared budget of all workers, when the credential names one. */
	budget?: RateBudget;
}

/** The credential's "Shared Rate Budget URL" with its secret and fallback rate, if set. */
export function rateBudgetOf(credentials: IDataObject): RateBudget | undefined {
	const url = typeof credentials.rateBudgetUrl === 'string' ? credentials.rateBudgetUrl.trim() : '';
	if (!url) return undefined;
	const fallback = Number(credentials.rateBudgetFallback);
	return {
		url,
		secret: typeof credentials.rateBudgetSecret === 'string' ? credentials.rateBudgetSecret : '',
		fallback: rateLimitFor(Number.isFinite(fallback) && fallback > 0 ? fallback : 1),
	};
}

/** Who is asking: the base URL plus a digest of the token (long-lived, or OAuth2's current access token). */
function credentialIdentity(credentialType: string, baseUrl: string, credentials: IDataObject): string {
	const oauth = (credentials.oauthTokenData ?? {}) as IDataObject;
	const token = String(credentials.accessToken ?? oauth.access_token ?? '');
	return `${baseUrl}|${credentialType}|${createHash('sha256').update(token, 'utf8').digest('base64url')}`;
}

const connections = new WeakMap<object, Promise<ConnectionInfo>>();

/** Credential type, base URL and rate limit, read once per execution context. */
export async function kommoConnection(ctx: RequestContext): Promise<ConnectionInfo> {
	let pending = connections.get(ctx);
	if (!pending) {
		pending = (async () => {
			const credentialType = kommoCredentialType(ctx);
			const credentials = (await ctx.getCredentials(credentialType)) as IDataObject;
			const baseUrl = kommoBaseUrl(credentials, ctx.getNode());
			return {
				credentialType,
				baseUrl,
				rateLimit: rateLimitFor(credentials.requestsPerSecond),
				identity: credentialIdentity(credentialType, baseUrl, credentials),
				budget: rateBudgetOf(credentials),
			};
		})();
		connections.set(ctx, pending);
		pending.catch(() => connections.delete(ctx));
	}
	return await pending;
}

export type QueryValue = string | number | boolean | Array<string | number>;

/** `{with: 'contacts', 'filter[id][]': [1, 2]}` → `with=contacts&filter%5Bid%5D%5B%5D=1&…` (keys kept exact). */
export function buildQuery(query: Record<string, QueryValue | undefined> | undefined): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(query ?? {})) {
		if (value === undefined || value === '') continue;
		for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
	}
	return params.toString();
}

export interface KommoRequestOptions {
	body?: IDataObject | IDataObject[];
	query?: Record<string, QueryValue | undefined>;
	itemIndex?: number;
}

/**
 * One Kommo API call. `path` starts with `/api/v4/`. Returns the parsed body,
 * or undefined for `204 No Content`.
 */
export async function kommoApiRequest(
	this: RequestContext,
	method: IHttpRequestMethods,
	path: string,
	options: KommoRequestOptions = {},
): Promise<IDataObject | undefined> {
	const connection = await kommoConnection(this);
	const qs = buildQuery(options.query);
	const body = await vendorRequest.call(this, kommoProfile, connection.credentialType, {
		method,
		url: `${connection.baseUrl}${path}${qs ? `?${qs}` : ''}`,
		headers: { Accept: 'application/hal+json, application/json' },
		...(options.body !== undefined ? { body: options.body as IDataObject } : {}),
		rateLimit: connection.rateLimit,
		...(connection.budget ? { limiter: budgetLimiter(this, connection.budget, new URL(connection.baseUrl).host) } : {}),
		itemIndex: options.itemIndex,
	});
	if (body === undefined || body === null || body === '') return undefined;
	return body as IDataObject;
}

/**
 * Every entity of a paged list (`_embedded[key]`), following pages until an
 * empty page (204), a page without `_links.next`, or `maxItems` (Kommo may
 * cap `limit` lower than asked, so the next link decides, not the page size).
 */
export async function kommoGetAll(
	this: RequestContext,
	path: string,
	key: string,
	query: Record<string, QueryValue | undefined> = {},
	maxItems = Number.POSITIVE_INFINITY,
	pageSize = KOMMO_BATCH_LIMIT,
): Promise<IDataObject[]> {
	const out: IDataObject[] = [];
	for (let page = 1; page <= 1000 && out.length < maxItems; page++) {
		const limit = Math.min(pageSize, KOMMO_BATCH_LIMIT);
		const response = await kommoApiRequest.call(this, 'GET', path, { query: { ...query, page, limit } });
		const items = ((response?._embedded as IDataObject | undefined)?.[key] ?? []) as IDataObject[];
		out.push(...items);
		const next = (response?._links as IDataObject | undefined)?.next;
		if (!response || items.length === 0 || !next) break;
	}
	return out.slice(0, maxItems);
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	const n = Math.max(1, Math.floor(size));
	for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
	return out;
}
