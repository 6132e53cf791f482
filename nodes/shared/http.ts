/**
 * The one HTTP layer every vendor transport goes through.
 *
 *   vendorRequest.call(this, profile, credentialType, request)
 *
 * adds to n8n's `httpRequestWithAuthentication`:
 *  - a process-wide rate limiter keyed by vendor + remote host (Kommo: 7/s);
 *  - retries with exponential backoff and jitter on 429, 5xx and network
 *    errors, honouring `Retry-After` and body hints (Kommo `retry_after`),
 *    bounded in attempts and in total wait;
 *  - no retry of a non-idempotent request after it may have reached the
 *    server (5xx, dropped connection) unless it carries an idempotency key;
 *    a 429 is always retried because the server refused it unprocessed;
 *  - the vendor's own error text, code and field in a NodeApiError, with every
 *    credential value redacted from message, description and details.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { getLimiter, type RateLimit } from './rate-limiter';
import { redactDeep, redactString, secretValues } from './redact';

export type RequestContext =
	| IExecuteFunctions
	| IExecuteSingleFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| IWebhookFunctions;

export interface VendorErrorDetails {
	/** One line, the vendor's own words where it gave any. */
	message: string;
	/** More detail: field-level errors, what to do. */
	description?: string;
	/** The vendor's machine-readable code (api_error_code, error.code, reasons[].code). */
	code?: string;
	/** The request field the vendor blamed, if it named one. */
	field?: string;
}

export interface RetryPolicy {
	/** Attempts in all, the first included. */
	maxAttempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Upper bound for the sum of all waits between attempts. */
	maxTotalWaitMs: number;
}

export interface VendorProfile {
	/** Shown in errors: "Kommo", "Chargebee", "Paddle", "Zuora". */
	vendor: string;
	/** Client-side limit per vendor + host; omit for none. */
	rateLimit?: RateLimit;
	retry?: Partial<RetryPolicy>;
	/** Header that makes a POST safe to repeat (e.g. `chargebee-idempotency-key`). */
	idempotencyHeader?: string;
	/** Methods this vendor treats as idempotent. Default GET, HEAD, PUT, DELETE. */
	idempotentMethods?: IHttpRequestMethods[];
	/** Reads the vendor's error body. */
	parseError(status: number, body: unknown): VendorErrorDetails;
	/** A 2xx body that is nevertheless an error (Zuora's `success: false`). */
	isErrorBody?(body: unknown): boolean;
	/** Seconds to wait that the vendor put in the body of a 429 (Kommo `retry_after`). */
	retryAfterFromBody?(body: unknown): number | undefined;
	/** Seconds to wait from the vendor's own headers of a 429 when Retry-After is absent (Zuora `RateLimit-Reset`). */
	retryAfterFromHeaders?(headers: IDataObject): number | undefined;
	/** Statuses that mean "try again later" besides 429 and 5xx. */
	extraRetryStatuses?: number[];
}

export interface VendorRequest extends IHttpRequestOptions {
	/** Makes a non-idempotent request safe to retry; sent in `profile.idempotencyHeader`. */
	idempotencyKey?: string;
	/** Overrides the profile's rate limit (e.g. a per-credential setting). */
	rateLimit?: RateLimit;
	/** Takes the place of the in-process limiter (e.g. Kommo's budget shared by all queue-mode workers). */
	limiter?: { acquire(): Promise<() => void> };
	/** Item index for error messages. */
	itemIndex?: number;
}

export interface VendorResponse<T = unknown> {
	statusCode: number;
	headers: IDataObject;
	body: T;
}

const DEFAULT_RETRY: RetryPolicy = {
	maxAttempts: 5,
	baseDelayMs: 500,
	maxDelayMs: 10_000,
	maxTotalWaitMs: 60_000,
};

const DEFAULT_IDEMPOTENT: IHttpRequestMethods[] = ['GET', 'HEAD', 'PUT', 'DELETE'];

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or junk. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(Array.isArray(value) ? value[0] : value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
	const date = Date.parse(text);
	if (!Number.isNaN(date)) return Math.max(0, date - now);
	return undefined;
}

/** Exponential backoff with "equal jitter": half fixed, half random. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function hostOf(request: IHttpRequestOptions): string {
	const raw = request.baseURL ? `${request.baseURL}${request.url}` : request.url;
	try {
		return new URL(raw).host;
	} catch {
		return raw;
	}
}

function parseMaybeJson(body: unknown): unknown {
	if (Buffer.isBuffer(body)) return parseMaybeJson(body.toString('utf8'));
	if (typeof body !== 'string') return body;
	const trimmed = body.trim();
	if (trimmed === '') return undefined;
	if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
		try {
			return JSON.parse(trimmed);
		} catch {
			return body;
		}
	}
	return body;
}

function lowerCaseKeys(headers: IDataObject | undefined): IDataObject {
	const out: IDataObject = {};
	for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
	return out;
}

/** What n8n's helper throws for a network error or a status it did not ignore. */
function responseFromThrown(error: unknown): VendorResponse | undefined {
	type Thrown = { status?: number; data?: unknown; headers?: IDataObject };
	const e = error as {
		cause?: { response?: Thrown };
		errorResponse?: { response?: Thrown };
		response?: Thrown;
	};
	const response = e?.cause?.response ?? e?.errorResponse?.response ?? e?.response;
	const status = response?.status;
	if (typeof status !== 'number' || status < 100) return undefined;
	return {
		statusCode: status,
		headers: lowerCaseKeys(response?.headers),
		body: parseMaybeJson(response?.data),
	};
}

function describeNetworkError(error: unknown): string {
	const e = error as { code?: string; cause?: { code?: string; message?: string }; message?: string };
	const code = e?.cause?.code ?? e?.code;
	const text = e?.cause?.message ?? e?.message ?? 'unknown network error';
	return code && !text.includes(code) ? `${code}: ${text}` : text;
}

class AttemptFailure {
	constructor(
		readonly kind: 'status' | 'network',
		readonly response?: VendorResponse,
		readonly networkMessage?: string,
	) {}
}

/**
 * Sends one request through the vendor's rate limiter and retry policy and
 * returns the full response. Errors are NodeApiErrors in the vendor's words.
 */
export async function vendorRequestFull<T = unknown>(
	this: RequestContext,
	profile: VendorProfile,
	credentialType: string,
	request: VendorRequest,
): Promise<VendorResponse<T>> {
	const policy: RetryPolicy = { ...DEFAULT_RETRY, ...profile.retry };
	const method = (request.method ?? 'GET').toUpperCase() as IHttpRequestMethods;
	const { idempotencyKey, rateLimit, limiter: sharedLimiter, itemIndex, ...httpOptions } = request;
	const idempotent =
		(profile.idempotentMethods ?? DEFAULT_IDEMPOTENT).includes(method) ||
		(idempotencyKey !== undefined && profile.idempotencyHeader !== undefined);
	const headers: IDataObject = { ...(httpOptions.headers ?? {}) };
	if (idempotencyKey !== undefined && profile.idempotencyHeader) {
		headers[profile.idempotencyHeader] = idempotencyKey;
	}
	const limit = rateLimit ?? profile.rateLimit;
	const limiter = sharedLimiter ?? (limit ? getLimiter(`${profile.vendor}|${hostOf(request)}`, limit) : undefined);

	let waited = 0;
	let last: AttemptFailure | undefined;
	for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
		const release = limiter ? await limiter.acquire() : undefined;
		let response: VendorResponse | undefined;
		try {
			const raw = (await this.helpers.httpRequestWithAuthentication.call(this, credentialType, {
				timeout: 30_000,
				json: true,
				...httpOptions,
				method,
				headers,
				returnFullResponse: true,
				// 401 must throw so that n8n refreshes OAuth2 tokens and retries once.
				ignoreHttpStatusErrors: { ignore: true, except: [401] },
			})) as { statusCode: number; headers: IDataObject; body: unknown };
			response = {
				statusCode: raw.statusCode,
				headers: lowerCaseKeys(raw.headers),
				body: parseMaybeJson(raw.body),
			};
		} catch (error) {
			response = responseFromThrown(error);
			if (!response) last = new AttemptFailure('network', undefined, describeNetworkError(error));
		} finally {
			release?.();
		}

		if (response) {
			const ok = response.statusCode >= 200 && response.statusCode < 300;
			if (ok && !profile.isErrorBody?.(response.body)) return response as VendorResponse<T>;
			last = new AttemptFailure('status', response);
			const status = response.statusCode;
			const retryable =
				status === 429 ||
				(status >= 500 && idempotent) ||
				(profile.extraRetryStatuses?.includes(status) ?? false);
			if (!retryable) break;
		} else if (!idempotent) {
			break;
		}
		if (attempt === policy.maxAttempts) break;

		let delay = backoffDelay(attempt, policy);
		if (response?.statusCode === 429 || response?.statusCode === 503) {
			const fromHeaders = profile.retryAfterFromHeaders?.(response.headers);
			const hinted =
				parseRetryAfter(response.headers['retry-after']) ??
				(fromHeaders !== undefined ? fromHeaders * 1000 : undefined) ??
				(profile.retryAfterFromBody?.(response.body) !== undefined
					? (profile.retryAfterFromBody(response.body) as number) * 1000
					: undefined);
			if (hinted !== undefined) delay = Math.max(delay, hinted);
		}
		if (waited + delay > policy.maxTotalWaitMs) break;
		waited += delay;
		await sleep(delay);
	}

	throw await buildError.call(this, profile, credentialType, request, method, idempotent, last, itemIndex);
}

/** Like vendorRequestFull, returning only the parsed body. */
export async function vendorRequest<T = unknown>(
	this: RequestContext,
	profile: VendorProfile,
	credentialType: string,
	request: VendorRequest,
): Promise<T> {
	const response = await vendorRequestFull.call(this, profile, credentialType, request);
	return response.body as T;
}

async function buildError(
	this: RequestContext,
	profile: VendorProfile,
	credentialType: string,
	request: VendorRequest,
	method: IHttpRequestMethods,
	idempotent: boolean,
	failure: AttemptFailure | undefined,
	itemIndex: number | undefined,
): Promise<NodeApiError> {
	let credentials: ICredentialDataDecryptedObject | undefined;
	try {
		credentials = (await this.getCredentials(credentialType)) as ICredentialDataDecryptedObject;
	} catch {
		credentials = undefined;
	}
	const secrets = secretValues(credentials);
	const path = request.url.replace(/\?.*$/, '');
	const where = `${method} ${path}`;

	if (!failure || failure.kind === 'network') {
		const reason = failure?.networkMessage ?? 'no response';
		const hint = idempotent
			? 'Retried with backoff; the service could not be reached. Check the base URL and network, then run again.'
			: 'Not retried automatically: the request may have reached the service and repeating it without an idempotency key could apply it twice. Check the service before running again.';
		return withText(
			new NodeApiError(
				this.getNode(),
				{ vendor: profile.vendor, request: where, error: redactString(reason, secrets) },
				{ itemIndex },
			),
			redactString(`${profile.vendor}: could not complete ${where} (${reason})`, secrets),
			hint,
		);
	}

	const { statusCode, body } = failure.response as VendorResponse;
	const details = profile.parseError(statusCode, body);
	const field = details.field ? ` [field: ${details.field}]` : '';
	const code = details.code ? ` (${details.code})` : '';
	const message = `${profile.vendor} ${statusCode}${code}: ${details.message}${field}`;
	let description = details.description ?? '';
	if (statusCode === 429) {
		description = `${description}${description ? ' ' : ''}Rate limit still exceeded after retrying for the allowed time.`;
	} else if (statusCode >= 500 && !idempotent) {
		description = `${description}${description ? ' ' : ''}Not retried automatically: ${where} is not idempotent without a key.`;
	}
	const errorBody: JsonObject = {
		vendor: profile.vendor,
		request: where,
		status: statusCode,
		...(details.code ? { code: details.code } : {}),
		...(details.field ? { field: details.field } : {}),
		body: (body ?? null) as JsonObject,
	};
	return withText(
		new NodeApiError(this.getNode(), redactDeep(errorBody, secrets), {
			httpCode: String(statusCode),
			itemIndex,
		}),
		redactString(message, secrets),
		redactString(description, secrets) || undefined,
	);
}

/**
 * NodeApiError rewrites messages that mention network error codes into
 * generic text; ours are already specific, so they are set afterwards.
 */
function withText(error: NodeApiError, message: string, description: string | undefined): NodeApiError {
	error.message = message;
	error.description = description ?? null;
	return error;
}
