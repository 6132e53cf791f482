/**
 * A failed attempt of the HTTP layer (http.ts), read and reported: what n8n's helper threw or
 * answered (a status, or a network error), and the NodeApiError the caller finally gets, in the
 * vendor's own words with every credential value redacted.
 */
import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestMethods, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { RequestContext, VendorProfile, VendorRequest, VendorResponse } from './http-types';
import { redactDeep, redactString, secretValues } from './redact';

export function parseMaybeJson(body: unknown): unknown {
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

export function lowerCaseKeys(headers: IDataObject | undefined): IDataObject {
	const out: IDataObject = {};
	for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
	return out;
}

/** What n8n's helper throws for a network error or a status it did not ignore. */
export function responseFromThrown(error: unknown): VendorResponse | undefined {
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

export function describeNetworkError(error: unknown): string {
	const e = error as { code?: string; cause?: { code?: string; message?: string }; message?: string };
	const code = e?.cause?.code ?? e?.code;
	const text = e?.cause?.message ?? e?.message ?? 'unknown network error';
	return code && !text.includes(code) ? `${code}: ${text}` : text;
}

export class AttemptFailure {
	constructor(
		readonly kind: 'status' | 'network',
		readonly response?: VendorResponse,
		readonly networkMessage?: string,
	) {}
}

export async function buildError(
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
