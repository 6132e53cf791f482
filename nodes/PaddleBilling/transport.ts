/**
 * Paddle Billing's only HTTP code. Everything goes through the shared
 * `vendorRequest` (rate limit, retries, error mapping, redaction).
 *
 * Paddle has no idempotency header, so a POST that failed after it may have
 * reached Paddle (5xx, dropped connection) is never repeated blindly. Callers
 * pass a `recover` lookup instead: it asks Paddle whether the effect landed
 * (customer by email, transaction by Kommo lead id, subscription state) and
 * returns that object, or undefined to surface the original error.
 */
import type { IDataObject, IHttpRequestMethods, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { vendorRequest, type RequestContext, type VendorProfile } from '../shared/http';
import { permissionsFor } from './permissions';

export const CREDENTIAL_TYPE = 'paddleBillingApi';

export const PADDLE_BASE_URLS = {
	live: 'https://api.paddle.com',
	sandbox: 'https://sandbox-api.paddle.com',
} as const;

export interface PaddleErrorBody {
	error?: {
		type?: string;
		code?: string;
		detail?: string;
		documentation_url?: string;
		errors?: Array<{ field?: string; message?: string }>;
	};
	meta?: { request_id?: string };
}

export const paddleProfile: VendorProfile = {
	vendor: 'Paddle',
	// Paddle allows 240 requests per minute per IP; after a 429 the IP waits 60 s.
	rateLimit: { requests: 240, windowMs: 60_000 },
	// PATCH on Paddle sets fields to given values: repeating it is harmless.
	idempotentMethods: ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH'],
	parseError(status, body) {
		const b = body as PaddleErrorBody | undefined;
		const error = b?.error;
		if (!error) {
			return { message: typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${status}` };
		}
		const fieldErrors = (error.errors ?? []).filter((e) => e && (e.field || e.message));
		const parts: string[] = [];
		if (fieldErrors.length > 0) {
			parts.push(fieldErrors.map((e) => `${e.field ?? '(request)'}: ${e.message ?? 'invalid'}`).join('; '));
		}
		if (error.documentation_url) parts.push(`See ${error.documentation_url}`);
		if (b?.meta?.request_id) parts.push(`Paddle request id: ${b.meta.request_id}`);
		return {
			message: error.detail ?? error.code ?? `HTTP ${status}`,
			code: error.code,
			field: fieldErrors[0]?.field,
			description: parts.join(' — ') || undefined,
		};
	},
};

/** The API base for a credential: the override when set, else the environment's host. */
export function paddleBaseUrl(credentials: IDataObject): string {
	const override = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	if (override) return override.replace(/\/+$/, '');
	const environment = String(credentials.environment ?? 'sandbox');
	if (environment === 'sandbox') return PADDLE_BASE_URLS.sandbox;
	if (environment === 'live') return PADDLE_BASE_URLS.live;
	throw new Error(
		'Paddle credential: Environment is "Custom" but "Base URL Override" is empty. Enter the base URL (e.g. http://127.0.0.1:4010) or pick Live or Sandbox.',
	);
}

export interface PaddleCall {
	method: IHttpRequestMethods;
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	itemIndex?: number;
}

export interface PaddleEnvelope<T> {
	data: T;
	meta?: { request_id?: string; pagination?: { next?: string; has_more?: boolean; per_page?: number } };
}

async function baseUrlFor(this: RequestContext, itemIndex?: number): Promise<string> {
	const credentials = (await this.getCredentials(CREDENTIAL_TYPE, itemIndex ?? 0)) as IDataObject;
	try {
		return paddleBaseUrl(credentials);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}
}

/** One Paddle call; returns the whole `{data, meta}` envelope. */
export async function paddleRequest<T = IDataObject>(
	this: RequestContext,
	call: PaddleCall,
): Promise<PaddleEnvelope<T>> {
	const base = await baseUrlFor.call(this, call.itemIndex);
	const body = await vendorRequest
		.call(this, paddleProfile, CREDENTIAL_TYPE, {
			method: call.method,
			url: `${base}${call.path}`,
			body: call.body,
			qs: call.qs,
			headers: call.body ? { 'Content-Type': 'application/json' } : undefined,
			itemIndex: call.itemIndex,
		})
		.catch(async (error: unknown) => {
			// The shared layer's NodeApiError, with the missing permission named on a 403 forbidden.
			nameMissingPermission(error, call);
			return await Promise.reject(error);
		});
	return (body ?? { data: undefined }) as PaddleEnvelope<T>;
}

/**
 * Paddle answers a key without a needed permission with 403 `forbidden` ("You aren't permitted to
 * perform this request.", developer.paddle.com/errors/shared/forbidden) and does not say which:
 * name it from the spec's permission list.
 */
function nameMissingPermission(error: unknown, call: PaddleCall): void {
	if (!(error instanceof NodeApiError)) return;
	const { status, code } = paddleErrorInfo(error);
	if (status !== 403 || code !== 'forbidden') return;
	const needed = permissionsFor(call.method, call.path, call.qs);
	if (!needed || needed.length === 0) return;
	const what = `${call.method} ${call.path.split('?')[0]}${typeof call.qs?.include === 'string' ? `?include=${call.qs.include}` : ''}`;
	error.description = `This API key lacks a permission for ${what}: it needs ${needed.join(' and ')}. Add it to the key under Paddle → Developer Tools → Authentication (or use a key with those permissions); see docs/paddle.md "Key permissions".${
		error.description ? ` ${error.description}` : ''
	}`;
}

/** `data` of one Paddle call. */
export async function paddleData<T = IDataObject>(this: RequestContext, call: PaddleCall): Promise<T> {
	const envelope = (await paddleRequest.call(this, call)) as PaddleEnvelope<T>;
	return envelope.data;
}

/**
 * The pages of a list endpoint, one `data` array at a time, following `meta.pagination.next`
 * (Paddle's cursor pagination: `next` carries the request's query with `after` = the page's last
 * id, `has_more` says whether another page exists). Stop iterating to stop reading.
 */
export async function* paddlePages<T = IDataObject>(this: RequestContext, call: PaddleCall): AsyncGenerator<T[]> {
	let qs: IDataObject = { ...(call.qs ?? {}) };
	for (let page = 0; page < 1000; page++) {
		const envelope = (await paddleRequest.call(this, { ...call, qs })) as PaddleEnvelope<T[]>;
		yield envelope.data ?? [];
		const pagination = envelope.meta?.pagination;
		if (!pagination?.has_more || !pagination.next) return;
		const after = new URL(pagination.next).searchParams.get('after');
		if (!after || after === qs.after) return;
		qs = { ...qs, after };
	}
}

/** Every item of a list endpoint (all its pages), up to `limit` items. */
export async function paddleList<T = IDataObject>(
	this: RequestContext,
	call: PaddleCall,
	limit = Number.POSITIVE_INFINITY,
): Promise<T[]> {
	const out: T[] = [];
	for await (const page of paddlePages.call(this, call) as AsyncGenerator<T[]>) {
		out.push(...page);
		if (out.length >= limit) return out.slice(0, limit);
	}
	return out;
}

/** The Paddle error code and HTTP status of an error thrown by `paddleRequest`. */
export function paddleErrorInfo(error: unknown): { status?: number; code?: string; detail?: string } {
	if (!(error instanceof NodeApiError)) return {};
	const status = error.httpCode ? Number(error.httpCode) : undefined;
	const context = (error as unknown as { errorResponse?: JsonObject }).errorResponse ?? {};
	const code = typeof context.code === 'string' ? context.code : undefined;
	const body = context.body as PaddleErrorBody | undefined;
	return { status, code: code ?? body?.error?.code, detail: body?.error?.detail };
}

/** True for a failure after which the request may or may not have landed. */
export function isUncertainFailure(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return false;
	const { status } = paddleErrorInfo(error);
	return status === undefined || Number.isNaN(status) || status >= 500;
}

/**
 * Sends a non-idempotent request; when it fails in a way that leaves its
 * effect unknown, asks `recover` whether it landed and returns that instead.
 */
export async function paddleCreate(
	this: RequestContext,
	call: PaddleCall,
	recover: () => Promise<IDataObject | undefined>,
): Promise<{ data: IDataObject; recovered: boolean }> {
	try {
		return { data: (await paddleData.call(this, call)) as IDataObject, recovered: false };
	} catch (error) {
		if (!isUncertainFailure(error)) throw asNodeError(this.getNode(), error);
		let found: IDataObject | undefined;
		try {
			found = await recover();
		} catch {
			found = undefined;
		}
		if (found === undefined) throw asNodeError(this.getNode(), error);
		return { data: found, recovered: true };
	}
}

/**
 * The same error as a NodeApiError / NodeOperationError: n8n hands back the
 * instance unchanged when it already is one, and wraps anything else.
 */
export function asNodeError(node: INode, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError) return new NodeApiError(node, error as unknown as JsonObject);
	return new NodeOperationError(node, error as Error);
}
