/**
 * Zuora's HTTP: every call of the Zuora node goes through `zuoraRequest`,
 * which resolves the tenant's base URL, makes sure a fresh OAuth token is in
 * the shared cache (token-cache.ts) and sends the request through the shared
 * `vendorRequest` (retries, rate limit, redaction, error mapping).
 *
 * Zuora specifics handled here:
 *  - errors often come with HTTP 200: `{success: false, processId, reasons: [{code, message}]}`
 *    (REST) or `{Success: false, Errors: [{Code, Message}]}` (CRUD / actions); both are errors;
 *  - `Idempotency-Key` (≤ 255 chars) on every POST: one key per logical attempt (idempotencyKeyFor);
 *    a concurrent duplicate answers 409 (retried: the first one is still running),
 *    the same key with another body answers 422 (reported, never retried);
 *  - the OAuth token comes from auth.ts (the token request and cache, shared with the
 *    credential's `preAuthentication`).
 */
import { createHash } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { asNodeError } from './helpers';
import { vendorRequest, type VendorErrorDetails, type VendorProfile } from '../shared/http';
import {
	parseBody,
	requestAccessToken,
	resolveBaseUrl,
	storedToken,
	tokenIdentity,
	ZUORA_VERSION,
	ZuoraSetupError,
	zuoraTokenCache,
} from './auth';

export const CREDENTIAL_TYPE = 'zuoraOAuth2Api';

/** Reads an error body of any of Zuora's shapes. */
export function parseZuoraError(status: number, body: unknown): VendorErrorDetails {
	const b = parseBody(body);
	type Reason = { code?: unknown; message?: unknown };
	let reasons: Reason[] = [];
	// REST / Orders: spec CommonResponse `reasons[{code, message}]`; CRUD under HTTP 200:
	// `Errors[{Code, Message}]`; CRUD under HTTP 400: spec ProxyBadRequestResponse
	// `errors[{code, message}]` (e.g. Object_POSTUsage responses.400).
	if (Array.isArray(b?.reasons)) reasons = b.reasons as Reason[];
	else if (Array.isArray(b?.Errors)) {
		reasons = (b.Errors as Array<{ Code?: unknown; Message?: unknown }>).map((e) => ({ code: e.Code, message: e.Message }));
	} else if (Array.isArray(b?.errors)) {
		reasons = (b.errors as Array<{ code?: unknown; message?: unknown; Code?: unknown; Message?: unknown }>).map((e) => ({
			code: e.code ?? e.Code,
			message: e.message ?? e.Message,
		}));
	}
	const processId = b?.processId ? ` Zuora processId ${String(b.processId)} (quote it to Zuora support).` : '';
	if (reasons.length > 0) {
		const first = reasons[0];
		const message = String(first.message ?? 'request failed');
		const more =
			reasons.length > 1
				? `All reasons: ${reasons.map((r) => `[${String(r.code ?? '')}] ${String(r.message ?? '')}`).join('; ')}.`
				: '';
		return {
			message,
			code: first.code !== undefined ? String(first.code) : undefined,
			field: fieldFromMessage(message),
			description: `${more}${processId}`.trim() || undefined,
		};
	}
	const text = b?.message ?? b?.Message ?? b?.error_description ?? b?.faultstring ?? b?.error;
	if (text !== undefined) {
		return {
			message: String(text),
			code: b?.faultcode ? String(b.faultcode) : b?.error && b?.error_description ? String(b.error) : undefined,
			description: processId.trim() || undefined,
		};
	}
	return { message: status === 200 ? 'Zuora reported a failure without a reason' : `HTTP ${status}` };
}

/** Zuora names fields like `'currency' is required` or `field 'billCycleDay'`. */
function fieldFromMessage(message: string): string | undefined {
	const named = /\bfield\s+'?([A-Za-z_][\w.[\]]*)'?/i.exec(message) ?? /^'([A-Za-z_][\w.[\]]*)'\s+(?:is|are|should|must|may|cannot|can't)\b/i.exec(message);
	return named?.[1];
}

export function isZuoraErrorBody(body: unknown): boolean {
	const b = parseBody(body);
	return b?.success === false || b?.Success === false;
}

export const zuoraProfile: VendorProfile = {
	vendor: 'Zuora',
	// Zuora limits concurrent requests per tenant; stay polite.
	rateLimit: { requests: 20, windowMs: 1000 },
	idempotencyHeader: 'Idempotency-Key',
	// 409: "a request with this key is still being processed" — try again, then get the replay.
	extraRetryStatuses: [409],
	parseError: parseZuoraError,
	isErrorBody: isZuoraErrorBody,
	// Zuora's 429 carries RateLimit-Limit / -Remaining / -Reset (seconds until the quota resets;
	// spec response headers of every operation, developer.zuora.com rate-concurrency-limits).
	retryAfterFromHeaders(headers: IDataObject): number | undefined {
		const reset = Number(headers['ratelimit-reset']);
		return Number.isFinite(reset) && reset > 0 && reset <= 60 ? reset : undefined;
	},
};

type ZuoraContext = IExecuteFunctions | ILoadOptionsFunctions;

/** Multi-entity tenants: the entity the calls act in (spec GLOBAL_HEADER_Zuora_Entity_Ids_Single). */
export function entityHeader(credentials: ICredentialDataDecryptedObject): IDataObject {
	const entity = String(credentials.entityId ?? '').trim();
	return entity ? { 'Zuora-Entity-Ids': entity } : {};
}

export interface ZuoraRequest {
	method: IHttpRequestMethods;
	/** Path below the base URL, starting with `/`. */
	path: string;
	body?: IDataObject | IDataObject[] | Buffer | string;
	qs?: IDataObject;
	headers?: IDataObject;
	/** Required for POST and PATCH (Zuora keeps keys 24 h). */
	idempotencyKey?: string;
	itemIndex?: number;
}

/** Wraps setup problems (no base URL, refused client) in a node error. */
function setupError(context: ZuoraContext, error: unknown, itemIndex?: number): Error {
	if (error instanceof ZuoraSetupError) {
		return new NodeOperationError(context.getNode(), error.message, {
			description: error.description,
			itemIndex,
		});
	}
	return error as Error;
}

/**
 * Makes sure the shared cache holds a token that is not due for refresh
 * (proactive refresh shortly before expiry; one request for many callers).
 */
export async function ensureAccessToken(
	this: ZuoraContext,
	credentials: ICredentialDataDecryptedObject,
	itemIndex?: number,
): Promise<void> {
	try {
		const identity = tokenIdentity(credentials);
		await zuoraTokenCache.fresh(
			identity,
			async () => await requestAccessToken((options) => this.helpers.httpRequest(options), identity),
			storedToken(credentials),
		);
	} catch (error) {
		throw setupError(this, error, itemIndex);
	}
}

export async function zuoraRequest(this: ZuoraContext, request: ZuoraRequest): Promise<IDataObject> {
	const method = request.method;
	if ((method === 'POST' || method === 'PATCH') && !request.idempotencyKey) {
		throw new NodeOperationError(this.getNode(), `Internal: ${method} ${request.path} sent without an Idempotency-Key`);
	}
	if (request.idempotencyKey && request.idempotencyKey.length > 255) {
		throw new NodeOperationError(this.getNode(), 'The idempotency key is longer than Zuora\'s 255 characters', {
			itemIndex: request.itemIndex,
			description: 'Use a shorter custom idempotency key.',
		});
	}
	const credentials = await this.getCredentials(CREDENTIAL_TYPE, request.itemIndex);
	let baseUrl: string;
	try {
		baseUrl = resolveBaseUrl(credentials);
	} catch (error) {
		throw setupError(this, error, request.itemIndex);
	}
	await ensureAccessToken.call(this, credentials, request.itemIndex);
	const isRaw = Buffer.isBuffer(request.body) || typeof request.body === 'string';
	let body: unknown;
	try {
		body = await vendorRequest.call(this, zuoraProfile, CREDENTIAL_TYPE, {
			method,
			url: `${baseUrl}${request.path}`,
			qs: request.qs,
			body: request.body,
			headers: { Accept: 'application/json', 'Zuora-Version': ZUORA_VERSION, ...entityHeader(credentials), ...(request.headers ?? {}) },
			json: !isRaw,
			idempotencyKey: request.idempotencyKey,
			itemIndex: request.itemIndex,
		});
	} catch (error) {
		// An HTTP answer (not a lost one) was stored by Zuora under this key.
		if (request.idempotencyKey && error instanceof NodeApiError && error.httpCode) noteFailedAnswer(request.idempotencyKey);
		throw asNodeError(this, error, request.itemIndex);
	}
	return (body && typeof body === 'object' ? body : {}) as IDataObject;
}

/** JSON with sorted keys, so equal inputs give equal keys. */
export function stableStringify(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
	if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** A digest key for `input` (no execution in it; see idempotencyKeyFor for the node's keys). */
export function deriveIdempotencyKey(scope: string, input: unknown): string {
	const digest = createHash('sha256').update(stableStringify(input), 'utf8').digest('hex').slice(0, 40);
	return `n8n-kb-${scope}-${digest}`;
}

/**
 * Zuora stores the answer to an Idempotency-Key for 24 h, failures and 5xx included
 * (developer.zuora.com guides/idempotent-requests; fidelity review B1). So one key must mean one
 * logical attempt:
 *  - the transport's retries after a lost answer (network error, gateway 5xx) repeat the key, and
 *    Zuora replays the first answer instead of creating twice;
 *  - a new execution (a re-run after the user fixed something) gets a new key and reaches Zuora
 *    afresh; the operations' look-before-create (subscription number, crmId) guards across executions;
 *  - within one execution, once Zuora gave a definite failure answer for a key, the next attempt
 *    (n8n's Retry On Fail) gets a new key too.
 */
const failedAnswers = new Map<string, number>();
const MAX_TRACKED_KEYS = 5_000;

export function idempotencyKeyFor(this: IExecuteFunctions, scope: string, input: unknown, itemIndex: number): string {
	const base = deriveIdempotencyKey(scope, {
		input,
		execution: this.getExecutionId(),
		node: this.getNode().name,
		itemIndex,
	});
	const failures = failedAnswers.get(base) ?? 0;
	return failures > 0 ? `${base}-r${failures}` : base;
}

/**
 * A key that stays the same across executions for 24 h, for inputs that name themselves (a usage
 * Record ID, a usage file's content): a re-run does not count them twice. After a definite failure
 * answer this process moves on to a new key, so a fix in Zuora is not answered with the stored failure.
 */
export function stableIdempotencyKey(scope: string, input: unknown): string {
	const base = deriveIdempotencyKey(scope, input);
	const failures = failedAnswers.get(base) ?? 0;
	return failures > 0 ? `${base}-r${failures}` : base;
}

/** After Zuora answered a key with a failure: the next logical attempt must not replay it. */
function noteFailedAnswer(key: string): void {
	const base = key.replace(/-r\d+$/, '');
	if (!base.startsWith('n8n-kb-')) return; // a key the user chose is theirs to change
	if (!failedAnswers.has(base) && failedAnswers.size >= MAX_TRACKED_KEYS) {
		const oldest = failedAnswers.keys().next().value;
		if (oldest !== undefined) failedAnswers.delete(oldest);
	}
	failedAnswers.set(base, (failedAnswers.get(base) ?? 0) + 1);
}
