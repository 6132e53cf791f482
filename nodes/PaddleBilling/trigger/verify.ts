/**
 * Paddle Billing webhook signatures, and the trigger's check of a delivery ({@link verifyDelivery}).
 *
 *   Paddle-Signature: ts=1671552777;h1=eb4d0dc8…[;h1=…]
 *
 * h1 = hex(HMAC-SHA256(endpointSecretKey, `${ts}:${rawBody}`)).
 *
 * Stricter than Paddle's own Node SDK, which keeps only the last `h1`, compares
 * with `===` and accepts any timestamp in the future:
 *  - every `h1` in the header is tried, under every configured secret (a
 *    rotation can keep the old and the new secret valid at the same time);
 *  - comparisons are constant-time (`safeEqual` from nodes/shared/crypto);
 *  - the timestamp must lie within `toleranceSeconds` of now, in either
 *    direction (old = replay, far future = clock trouble or a crafted value);
 *  - the HMAC runs over the raw bytes n8n received, never over re-serialised
 *    JSON (a single changed space breaks the signature, as it must).
 */
import { createHmac } from 'crypto';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { safeEqual } from '../../shared/crypto';
import { accept, notYetActive, reject, type Verdict } from '../../shared/webhook';
import { paddleData } from '../transport';
import { candidateSecrets, refreshSecret } from './endpoint-secret';

export const SIGNATURE_HEADER = 'paddle-signature';
/**
 * Whether Paddle's retries keep the first attempt's `ts` is not documented (one third-party
 * report says they do; Paddle's SDKs check 5 s, which only works if every attempt is signed
 * afresh). Paddle retries for up to 3 days in live (developer.paddle.com "Handle webhook
 * delivery"; API-FACTS). So the default accepts a `ts` as old as that retry window plus an hour:
 * a retry survives either behaviour, and replays inside the window are stopped by the event-id
 * dedupe (Billing Event Dedupe on `paddle:<event_id>`), not by the clock.
 */
export const PADDLE_RETRY_WINDOW_SECONDS = 3 * 24 * 3600;
export const DEFAULT_TOLERANCE_SECONDS = PADDLE_RETRY_WINDOW_SECONDS + 3600;
/** Larger values are clamped to this (a week): older deliveries are never genuine retries. */
export const MAX_TOLERANCE_SECONDS = 7 * 24 * 3600;
/**
 * A `ts` in the future is never a retry: only clock skew explains it, so it gets at most five
 * minutes whatever the tolerance (a smaller tolerance applies as it is).
 */
export const MAX_FUTURE_SECONDS = 300;

/**
 * The tolerance to use for a configured value: clamped to [1, MAX], or undefined when it is not
 * a finite number of at least 1 (an expression that yields NaN or text must not switch the
 * timestamp check off).
 */
export function resolveTolerance(value: unknown): number | undefined {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isFinite(n) || n < 1) return undefined;
	return Math.min(Math.floor(n), MAX_TOLERANCE_SECONDS);
}

/** Headers longer than this, or with more `h1` values, are malformed (bounds the work per request). */
const MAX_HEADER_LENGTH = 4096;
const MAX_SIGNATURES = 16;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

export interface ParsedSignature {
	/** Unix seconds, as Paddle sent it. */
	ts: number;
	/** The timestamp text exactly as sent: it is what was signed. */
	tsText: string;
	/** Every well-formed `h1` value (lower-case hex). */
	h1: string[];
}

export type SignatureFailure =
	| 'missing_header'
	| 'malformed_header'
	| 'stale_timestamp'
	| 'future_timestamp'
	| 'no_secret_configured'
	| 'invalid_tolerance'
	| 'missing_body'
	| 'signature_mismatch';

export type VerifyResult =
	| { valid: true; ts: number; ageSeconds: number }
	| { valid: false; reason: SignatureFailure; message: string };

const MESSAGES: Record<SignatureFailure, string> = {
	missing_header: 'The Paddle-Signature header is missing',
	malformed_header: 'The Paddle-Signature header is malformed (expected ts=<unix seconds>;h1=<64 hex>)',
	stale_timestamp: 'The signature timestamp is older than the allowed tolerance (possible replay)',
	future_timestamp: 'The signature timestamp lies too far in the future',
	no_secret_configured: 'No endpoint secret key is configured, so the signature cannot be checked',
	invalid_tolerance: `The trigger's Signature Tolerance is not a number of at least 1 second, so no delivery can be checked; set it to a number (at most ${MAX_TOLERANCE_SECONDS})`,
	missing_body: 'The raw request body is not available, so the signature cannot be checked',
	signature_mismatch: 'No h1 signature matches any configured endpoint secret key',
};

function fail(reason: SignatureFailure): VerifyResult {
	return { valid: false, reason, message: MESSAGES[reason] };
}

/**
 * Parses `ts=…;h1=…;h1=…`. Unknown keys (a future `h2`) are ignored; `h1`
 * values that are not 64 hex digits are dropped. Undefined when the header
 * has no usable timestamp or no usable `h1`.
 */
export function parseSignatureHeader(header: string | string[] | undefined): ParsedSignature | undefined {
	if (Array.isArray(header)) {
		// Two Paddle-Signature headers on one request is not something Paddle does.
		if (header.length !== 1) return undefined;
		header = header[0];
	}
	if (typeof header !== 'string' || header.length === 0 || header.length > MAX_HEADER_LENGTH) return undefined;
	let tsText: string | undefined;
	const h1: string[] = [];
	for (const part of header.split(';')) {
		const piece = part.trim();
		if (piece === '') continue;
		const eq = piece.indexOf('=');
		if (eq <= 0) return undefined;
		const key = piece.slice(0, eq).trim();
		const value = piece.slice(eq + 1).trim();
		if (key === 'ts') {
			if (tsText !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
			tsText = value;
		} else if (key === 'h1') {
			const hex = value.toLowerCase();
			if (HEX_SHA256.test(hex)) h1.push(hex);
		}
	}
	if (tsText === undefined || h1.length === 0 || h1.length > MAX_SIGNATURES) return undefined;
	return { ts: Number(tsText), tsText, h1 };
}

/** hex HMAC-SHA256 over `${ts}:` followed by the raw body bytes. */
export function computeSignature(secret: string, ts: string | number, rawBody: Buffer | string): string {
	return createHmac('sha256', secret)
		.update(`${ts}:`, 'utf8')
		.update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
		.digest('hex');
}

/** A header as Paddle sends it (for tests, sandboxes and tooling). */
export function buildSignatureHeader(secrets: string[], rawBody: Buffer | string, ts: number): string {
	return [`ts=${ts}`, ...secrets.map((s) => `h1=${computeSignature(s, ts, rawBody)}`)].join(';');
}

export interface VerifyOptions {
	rawBody: Buffer | string | undefined;
	header: string | string[] | undefined;
	/** Every secret that may have signed: the current one and, during a rotation, the previous. */
	secrets: string[];
	toleranceSeconds?: number;
	/** Milliseconds since the epoch; defaults to the clock. */
	now?: number;
}

/**
 * Everything that can be checked without a secret: header present and well-formed, timestamp
 * inside the tolerance, raw body present. Run it before looking a secret up (automatic mode asks
 * Paddle for it), so that unsigned or malformed calls cost no API call.
 */
export function precheckPaddleSignature(options: Omit<VerifyOptions, 'secrets'>): VerifyResult & { parsed?: ParsedSignature } {
	const { rawBody, header } = options;
	if (header === undefined || header === null || header === '' || (Array.isArray(header) && header.length === 0)) {
		return fail('missing_header');
	}
	const parsed = parseSignatureHeader(header);
	if (!parsed) return fail('malformed_header');

	const tolerance = resolveTolerance(options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
	if (tolerance === undefined) return fail('invalid_tolerance');
	const nowSeconds = (options.now ?? Date.now()) / 1000;
	const age = nowSeconds - parsed.ts;
	if (age > tolerance) return fail('stale_timestamp');
	if (-age > Math.min(tolerance, MAX_FUTURE_SECONDS)) return fail('future_timestamp');
	if (rawBody === undefined || rawBody === null) return fail('missing_body');
	return { valid: true, ts: parsed.ts, ageSeconds: Math.max(0, age), parsed };
}

export function verifyPaddleSignature(options: VerifyOptions): VerifyResult {
	const pre = precheckPaddleSignature(options);
	if (!pre.valid) return pre;
	const parsed = pre.parsed as ParsedSignature;
	const secrets = options.secrets.filter((s) => typeof s === 'string' && s.trim().length > 0);
	if (secrets.length === 0) return fail('no_secret_configured');

	let matched = false;
	for (const secret of secrets) {
		const expected = computeSignature(secret, parsed.tsText, options.rawBody as Buffer | string);
		// No early exit: every candidate is compared, each in constant time.
		for (const candidate of parsed.h1) {
			if (safeEqual(candidate, expected)) matched = true;
		}
	}
	if (!matched) return fail('signature_mismatch');
	return { valid: true, ts: pre.ts, ageSeconds: pre.ageSeconds };
}

/**
 * Secrets typed into a credential field: one per line or separated by commas
 * or spaces; blanks dropped, duplicates removed.
 */
export function splitSecrets(...values: Array<string | undefined | null>): string[] {
	const out: string[] = [];
	for (const value of values) {
		if (typeof value !== 'string') continue;
		for (const piece of value.split(/[\s,]+/)) {
			if (piece && !out.includes(piece)) out.push(piece);
		}
	}
	return out;
}

/** The endpoint secret key of automatic mode's destination, read from Paddle. */
function keyReader(this: IWebhookFunctions, settingId: string): () => Promise<string | undefined> {
	return async () => {
		const setting = (await paddleData.call(this, {
			method: 'GET',
			path: `/notification-settings/${encodeURIComponent(settingId)}`,
		})) as IDataObject;
		return typeof setting.endpoint_secret_key === 'string' ? setting.endpoint_secret_key : undefined;
	};
}

/**
 * Whether this delivery is Paddle's: the Paddle-Signature over the raw body, under the manual
 * credential's keys or automatic mode's destination key (read again once when it may have been
 * rotated).
 */
export async function verifyDelivery(this: IWebhookFunctions, rawBody: Buffer | undefined): Promise<Verdict<true>> {
	const signature = {
		rawBody,
		header: this.getRequestObject().headers[SIGNATURE_HEADER],
		toleranceSeconds: this.getNodeParameter('toleranceSeconds', DEFAULT_TOLERANCE_SECONDS) as number,
	};
	// Header, timestamp and body first: unsigned or malformed calls cost no API call.
	const pre = precheckPaddleSignature(signature);
	if (!pre.valid) {
		// A broken tolerance is our configuration, not the caller's fault: 500 makes Paddle retry.
		return reject(pre.reason === 'invalid_tolerance' ? 500 : 401, pre.reason, pre.message);
	}
	const verify = (secrets: string[]) => verifyPaddleSignature({ ...signature, secrets });

	let verdict: VerifyResult;
	if (this.getNodeParameter('mode') === 'automatic') {
		const settingId = (this.getWorkflowStaticData('node') as IDataObject).notificationSettingId as string | undefined;
		if (!settingId) return { ok: false, refusal: notYetActive() };
		const fetchKey = keyReader.call(this, settingId);
		// Not known in this process (restart, another worker): Paddle returns the key on GET.
		if (candidateSecrets(settingId).length === 0 && (await refreshSecret(settingId, fetchKey)) !== 'fetched') {
			return reject(503, 'secret_unavailable', 'The endpoint secret key could not be read from Paddle yet; try again shortly');
		}
		verdict = verify(candidateSecrets(settingId));
		// The key may have been rotated in Paddle: read it again (at most once a minute per
		// destination, so forged calls cannot make us hammer the API).
		if (!verdict.valid && verdict.reason === 'signature_mismatch' && (await refreshSecret(settingId, fetchKey)) === 'fetched') {
			verdict = verify(candidateSecrets(settingId));
		}
	} else {
		const credentials = await this.getCredentials('paddleWebhookApi');
		verdict = verify(splitSecrets(credentials.secretKey as string, credentials.additionalSecretKeys as string));
	}
	return verdict.valid ? accept(true) : reject(401, verdict.reason, verdict.message);
}
