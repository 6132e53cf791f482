import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

const MIN_SECRET_LENGTH = 4;
const NON_SECRET_FIELDS = new Set([
	'subdomain',
	'domain',
	'site',
	'environment',
	'baseUrl',
	'region',
	'authUrl',
	'accessTokenUrl',
	'grantType',
	'authentication',
	'scope',
	'requestsPerSecond',
]);

/**
 * Every string value of a credential that could be a secret. Host-like fields
 * (subdomain, site, base URL…) are left out so that an error can still say
 * which account it came from.
 */
export function secretValues(credentials: ICredentialDataDecryptedObject | undefined): string[] {
	const out: string[] = [];
	const walk = (value: unknown, key: string) => {
		if (NON_SECRET_FIELDS.has(key)) return;
		if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) out.push(value);
		else if (value && typeof value === 'object') {
			for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, k);
		}
	};
	walk(credentials, '');
	// Longest first, so a secret that contains another is replaced whole.
	return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** Replaces each secret (and its Base64 / URL-encoded forms) with `[redacted]`. */
export function redactString(text: string, secrets: string[]): string {
	let result = text;
	for (const secret of secrets) {
		for (const form of [
			secret,
			encodeURIComponent(secret),
			Buffer.from(secret).toString('base64'),
			Buffer.from(`${secret}:`).toString('base64'),
		]) {
			if (form.length >= MIN_SECRET_LENGTH) result = result.split(form).join('[redacted]');
		}
	}
	return result;
}

/** Deep copy of a JSON-ish value with every secret string redacted. */
export function redactDeep<T>(value: T, secrets: string[]): T {
	if (secrets.length === 0) return value;
	if (typeof value === 'string') return redactString(value, secrets) as unknown as T;
	if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as unknown as T;
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
			out[k] = /authorization|api[-_]?key|password|secret|token/i.test(k) && typeof v === 'string'
				? '[redacted]'
				: redactDeep(v, secrets);
		}
		return out as T;
	}
	return value;
}
