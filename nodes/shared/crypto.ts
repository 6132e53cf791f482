import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';

/**
 * Constant-time string comparison. Both sides are hashed first so that
 * neither the content nor the length of the expected value leaks through
 * timing (Node's timingSafeEqual throws on unequal lengths).
 */
export function safeEqual(actual: string | undefined, expected: string | undefined): boolean {
	if (typeof actual !== 'string' || typeof expected !== 'string' || expected.length === 0) return false;
	const a = createHash('sha256').update(actual, 'utf8').digest();
	const b = createHash('sha256').update(expected, 'utf8').digest();
	return timingSafeEqual(a, b);
}

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

export function hmac(
	algorithm: HmacAlgorithm,
	key: string | Buffer,
	data: string | Buffer,
	encoding: 'hex' | 'base64' = 'hex',
): string {
	return createHmac(algorithm, key).update(data).digest(encoding);
}

/** A random URL-safe secret (webhook path secrets, generated Basic-auth pairs). */
export function randomSecret(bytes = 24): string {
	return randomBytes(bytes).toString('base64url');
}

/** Parses an `Authorization: Basic …` header; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
	if (typeof header !== 'string') return undefined;
	const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
	if (!match) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Checks a Basic-auth header against the expected pair in constant time (both parts always compared). */
export function checkBasicAuth(header: string | undefined, user: string, password: string): boolean {
	const given = parseBasicAuth(header);
	const userOk = safeEqual(given?.user ?? '', user);
	const passOk = safeEqual(given?.password ?? '', password);
	return given !== undefined && userOk && passOk;
}

/**
 * A digest of a Basic-auth pair, for triggers that only need to compare it (the pair itself
 * stays out of workflow static data, which n8n's API, exports and backups show in clear).
 * Length-prefixed so that "a:b" + "c" and "a" + "b:c" differ.
 */
export function basicAuthDigest(user: string, password: string): string {
	return createHash('sha256').update(`kommo-billing/basic/v1\n${user.length}:${user}:${password}`, 'utf8').digest('hex');
}

/** Checks a Basic-auth header against a {@link basicAuthDigest} in constant time. */
export function checkBasicAuthDigest(header: string | undefined, digest: string | undefined): boolean {
	if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) return false;
	const given = parseBasicAuth(header);
	const actual = basicAuthDigest(given?.user ?? '', given?.password ?? '');
	return timingSafeEqual(Buffer.from(actual, 'hex'), Buffer.from(digest, 'hex')) && given !== undefined && given.user !== '';
}
