/**
 * The shapes of the one HTTP layer (http.ts): how a vendor is described to it (VendorProfile),
 * what a transport asks of it (VendorRequest) and what it answers (VendorResponse).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import type { RateLimit } from './rate-limiter';

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
