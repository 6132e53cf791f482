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
 *
 * Its shapes (VendorProfile, VendorRequest, VendorResponse) are in http-types.ts; reading a failed
 * attempt and building the NodeApiError, in http-failure.ts.
 */
import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { AttemptFailure, buildError, describeNetworkError, lowerCaseKeys, parseMaybeJson, responseFromThrown } from './http-failure';
import type { RequestContext, RetryPolicy, VendorProfile, VendorRequest, VendorResponse } from './http-types';
import { getLimiter } from './rate-limiter';

export type { RequestContext, RetryPolicy, VendorErrorDetails, VendorProfile, VendorRequest, VendorResponse } from './http-types';

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
