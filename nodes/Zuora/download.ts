/**
 * Binary downloads from the tenant (invoice PDFs: GET /v1/files/{file-id}) and the host check
 * that the Custom API Request and the downloads share.
 *
 * The shared JSON layer (nodes/shared/http.ts) decodes every answer as text, which would corrupt
 * a PDF, so a download is sent here: the same credential (OAuth token from the shared cache),
 * the same Zuora rate limiter, retries on 429 / 5xx / network errors, and Zuora's error bodies
 * read by parseZuoraError.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { getLimiter } from '../shared/rate-limiter';
import { redactString, secretValues } from '../shared/redact';
import {
	CREDENTIAL_TYPE,
	ensureAccessToken,
	entityHeader,
	parseZuoraError,
	zuoraProfile,
} from './transport';
import { resolveBaseUrl, ZUORA_VERSION } from './auth';

const ATTEMPTS = 4;

/**
 * A path below the tenant's base URL from what a user or Zuora gave: a path (`/v1/…` or `v1/…`)
 * or an absolute URL on the configured host. Any other host is refused: the OAuth token must
 * never travel elsewhere.
 */
export function pathOnTenant(
	context: { getNode: IExecuteFunctions['getNode'] },
	baseUrl: string,
	input: string,
	itemIndex: number,
): string {
	const raw = input.trim();
	const base = new URL(baseUrl);
	if (/^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('//')) {
		let url: URL | undefined;
		try {
			url = new URL(raw.startsWith('//') ? `${base.protocol}${raw}` : raw);
		} catch {
			url = undefined;
		}
		if (!url || url.host !== base.host || url.protocol !== base.protocol) {
			throw new NodeOperationError(context.getNode(), `The URL ${JSON.stringify(raw.slice(0, 200))} is not on the Zuora host ${base.host}`, {
				itemIndex,
				description: `Use a path relative to ${baseUrl}, e.g. /v1/accounts/A00000001. Requests to other hosts are refused so that the Zuora token is never sent there.`,
			});
		}
		return `${url.pathname}${url.search}`;
	}
	const path = raw.startsWith('/') ? raw : `/${raw}`;
	// The path is appended to the base URL; make sure that cannot change the host.
	const resolved = new URL(`${baseUrl}${path}`);
	if (resolved.host !== base.host) {
		throw new NodeOperationError(context.getNode(), `The path ${JSON.stringify(raw.slice(0, 200))} does not stay on ${base.host}`, { itemIndex });
	}
	return path;
}

/** GET a file from the tenant as bytes, with its content type. */
export async function zuoraDownload(
	this: IExecuteFunctions,
	input: string,
	itemIndex: number,
): Promise<{ data: Buffer; contentType: string; path: string }> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
	const baseUrl = resolveBaseUrl(credentials);
	const path = pathOnTenant(this, baseUrl, input, itemIndex);
	await ensureAccessToken.call(this, credentials, itemIndex);
	const limiter = getLimiter(`${zuoraProfile.vendor}|${new URL(baseUrl).host}`, zuoraProfile.rateLimit ?? { requests: 20, windowMs: 1000 });
	const secrets = secretValues(credentials);
	let problem = '';
	let last: { status: number; body: unknown } | undefined;
	for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
		const release = await limiter.acquire();
		let response: { statusCode: number; headers: IDataObject; body: unknown } | undefined;
		try {
			response = (await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, {
				method: 'GET',
				url: `${baseUrl}${path}`,
				headers: { Accept: 'application/pdf, application/octet-stream, */*', 'Zuora-Version': ZUORA_VERSION, ...entityHeader(credentials) },
				encoding: 'arraybuffer',
				json: false,
				returnFullResponse: true,
				// 401 throws so that n8n fetches a new token and repeats once
				ignoreHttpStatusErrors: { ignore: true, except: [401] },
				timeout: 60_000,
			})) as { statusCode: number; headers: IDataObject; body: unknown };
		} catch (error) {
			const e = error as { message?: string; code?: string; cause?: { code?: string } };
			problem = e.cause?.code ?? e.code ?? e.message ?? 'network error';
		} finally {
			release();
		}
		if (response) {
			const data = Buffer.isBuffer(response.body) ? response.body : Buffer.from(String(response.body ?? ''), 'utf8');
			if (response.statusCode >= 200 && response.statusCode < 300) {
				const headers = Object.fromEntries(Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
				return { data, contentType: String(headers['content-type'] ?? 'application/octet-stream').split(';')[0], path };
			}
			last = { status: response.statusCode, body: data.toString('utf8') };
			if (response.statusCode !== 429 && response.statusCode < 500) break;
		}
		if (attempt < ATTEMPTS) await sleep(500 * 2 ** (attempt - 1));
	}
	if (!last) {
		throw new NodeOperationError(this.getNode(), redactString(`Zuora: could not download ${path} (${problem})`, secrets), {
			itemIndex,
			description: 'Retried with backoff; the Zuora host could not be reached. Check the base URL and network, then run again.',
		});
	}
	const details = parseZuoraError(last.status, last.body);
	const error = new NodeApiError(this.getNode(), { vendor: 'Zuora', request: `GET ${path}`, status: last.status, ...(details.code ? { code: details.code } : {}) }, {
		httpCode: String(last.status),
		itemIndex,
	});
	error.message = redactString(`Zuora ${last.status}${details.code ? ` (${details.code})` : ''}: ${details.message}`, secrets);
	error.description = details.description ? redactString(details.description, secrets) : null;
	throw error;
}
