/**
 * Zuora's OAuth pieces, and the only node code the Zuora credential imports: the environments,
 * the tenant's base URL, the client-credentials token request and the process-wide token cache
 * (token-cache.ts). The credential's `preAuthentication` and the node's transport share them,
 * so both respect Zuora's per-IP limit on token requests (docs/zuora.md).
 */
import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { redactString } from '../shared/redact';
import type { TokenIdentity } from './token-cache';

export { storedToken, type TokenIdentity, zuoraTokenCache } from './token-cache';

/**
 * The Zuora API minor version every call pins (`Zuora-Version` header, spec
 * GLOBAL_HEADER_Zuora_Version). Without it Zuora answers in the tenant's (or the oldest, 186.0)
 * shapes: the catalog then embeds at most 300 rate plans / 300 charges and the order answer
 * lacks `subscriptions[]` (fidelity review B6). 2025-08-12 is a date version from Zuora's
 * "API upgrades" page (developer.zuora.com/v1-api-reference/api-upgrades).
 */
export const ZUORA_VERSION = '2025-08-12';

/** Zuora REST hosts (API-FACTS). The option value is the base URL itself. */
export const ZUORA_ENVIRONMENTS: Array<{ name: string; value: string }> = [
	{ name: 'US Production (Cloud 2) — rest.zuora.com', value: 'https://rest.zuora.com' },
	{ name: 'US Production (Cloud 1) — rest.na.zuora.com', value: 'https://rest.na.zuora.com' },
	{ name: 'US API Sandbox (Cloud 2) — rest.apisandbox.zuora.com', value: 'https://rest.apisandbox.zuora.com' },
	{ name: 'US API Sandbox (Cloud 1) — rest.sandbox.na.zuora.com', value: 'https://rest.sandbox.na.zuora.com' },
	{ name: 'US Developer & Central Sandbox — rest.test.zuora.com', value: 'https://rest.test.zuora.com' },
	{ name: 'EU Production — rest.eu.zuora.com', value: 'https://rest.eu.zuora.com' },
	{ name: 'EU API Sandbox — rest.sandbox.eu.zuora.com', value: 'https://rest.sandbox.eu.zuora.com' },
	{ name: 'EU Developer & Central Sandbox — rest.test.eu.zuora.com', value: 'https://rest.test.eu.zuora.com' },
	{ name: 'Custom (Use Base URL Override)', value: 'custom' },
];

export class ZuoraSetupError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
		this.name = 'ZuoraSetupError';
	}
}

function parseUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

/** The tenant's REST base URL: the override when set, else the chosen environment. */
export function resolveBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const override = String(credentials.baseUrl ?? '').trim();
	const chosen = override || String(credentials.environment ?? '').trim();
	if (!chosen || chosen === 'custom') {
		throw new ZuoraSetupError(
			'The Zuora credential has no base URL',
			'Choose an environment in the credential, or choose "Custom" and fill in "Base URL Override" (for example https://rest.apisandbox.zuora.com).',
		);
	}
	const url = parseUrl(chosen);
	if (!url) {
		throw new ZuoraSetupError(
			`The Zuora base URL "${chosen}" is not a URL`,
			'Use the full REST endpoint with scheme, for example https://rest.zuora.com.',
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new ZuoraSetupError(`The Zuora base URL "${chosen}" must start with https://`);
	}
	return chosen.replace(/\/+$/, '');
}

export function tokenIdentity(credentials: ICredentialDataDecryptedObject): TokenIdentity {
	const clientId = String(credentials.clientId ?? '').trim();
	const clientSecret = String(credentials.clientSecret ?? '');
	if (!clientId || !clientSecret) {
		throw new ZuoraSetupError(
			'The Zuora credential needs a client ID and a client secret',
			'Create an OAuth client in Zuora (Settings → Administration → Manage Users → your API user → OAuth Clients) and copy both values into the credential.',
		);
	}
	return { baseUrl: resolveBaseUrl(credentials), clientId, clientSecret };
}

type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

const TOKEN_ATTEMPTS = 3;
const TOKEN_MAX_WAIT_MS = 10_000;

/** A response body as an object: JSON, or short text as { message }. */
export function parseBody(body: unknown): IDataObject | undefined {
	if (Buffer.isBuffer(body)) return parseBody(body.toString('utf8'));
	if (typeof body === 'string') {
		try {
			return JSON.parse(body) as IDataObject;
		} catch {
			return body.trim() ? { message: body.trim().slice(0, 300) } : undefined;
		}
	}
	return body && typeof body === 'object' ? (body as IDataObject) : undefined;
}

/**
 * `POST {base}/oauth/token` with the client-credentials grant. Retries 429 and
 * 5xx a little (honouring Retry-After); errors never contain the secret.
 */
export async function requestAccessToken(
	httpRequest: HttpRequest,
	identity: TokenIdentity,
): Promise<{ accessToken: string; expiresInSeconds: number }> {
	const url = `${identity.baseUrl}/oauth/token`;
	const form = new URLSearchParams({
		client_id: identity.clientId,
		client_secret: identity.clientSecret,
		grant_type: 'client_credentials',
	}).toString();
	const secrets = [identity.clientSecret];
	let lastProblem = '';
	for (let attempt = 1; attempt <= TOKEN_ATTEMPTS; attempt++) {
		let status = 0;
		let body: IDataObject | undefined;
		let headers: IDataObject = {};
		try {
			const response = (await httpRequest({
				method: 'POST',
				url,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
				body: form,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: 30_000,
			})) as { statusCode: number; body: unknown; headers?: IDataObject };
			status = response.statusCode;
			body = parseBody(response.body);
			headers = response.headers ?? {};
		} catch (error) {
			const e = error as { message?: string; code?: string; cause?: { code?: string } };
			lastProblem = `could not reach ${url} (${e.cause?.code ?? e.code ?? e.message ?? 'network error'})`;
		}
		if (status >= 200 && status < 300) {
			const accessToken = typeof body?.access_token === 'string' ? body.access_token : '';
			const expiresIn = Number(body?.expires_in);
			if (!accessToken) {
				throw new ZuoraSetupError(
					`Zuora answered the token request from ${url} without an access_token`,
					'Check that the base URL points at Zuora\'s REST endpoint (not the UI host).',
				);
			}
			return { accessToken, expiresInSeconds: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600 };
		}
		if (status) {
			const code = String(body?.error ?? body?.code ?? '');
			const text = String(body?.error_description ?? body?.message ?? body?.reasons ?? '');
			lastProblem = `HTTP ${status}${code ? ` ${code}` : ''}${text ? `: ${text}` : ''}`;
			if (status !== 429 && status < 500) {
				throw new ZuoraSetupError(
					redactString(`Zuora refused the OAuth client credentials (${lastProblem})`, secrets),
					'Check the client ID and secret in the Zuora credential and that the environment matches the tenant where the OAuth client was created.',
				);
			}
		}
		if (attempt === TOKEN_ATTEMPTS) break;
		const hinted = Number(headers['retry-after'] ?? headers['Retry-After']);
		const delay = Math.min(TOKEN_MAX_WAIT_MS, Number.isFinite(hinted) && hinted > 0 ? hinted * 1000 : 500 * 2 ** attempt);
		await sleep(delay);
	}
	throw new ZuoraSetupError(
		redactString(`Could not get a Zuora access token: ${lastProblem}`, secrets),
		'The token endpoint is rate-limited per IP address; tokens are cached and shared, so this should be rare. Try again in a minute.',
	);
}
