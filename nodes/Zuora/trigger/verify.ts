/**
 * What the Zuora Trigger checks before a callout may start the workflow: who sent it (Basic auth,
 * HMAC or a URL secret), the callout read from the bytes that arrived (and the query string), only
 * what may be trusted, and the event time (replays).
 *
 * Every refusal answers 4xx (or 500 for a trigger that is not configured) with
 * `noWebhookResponse`, so no execution starts (security review, "two facts about n8n").
 * Zuora retries only 1xx, 403, 408, 429, 5xx (payloads/VENDOR-FACTS.md §23): a 400/401/413 is final.
 */
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
	IWebhookFunctions,
} from 'n8n-workflow';

import { checkBasicAuth, hmac, type HmacAlgorithm, safeEqual } from '../../shared/crypto';
import { accept, credentialText, rawBody as rawBodyOf, reject, type Verdict } from '../../shared/webhook';
import { MAX_CALLOUT_BYTES, parseCalloutBody, queryFields } from './callout-body';
import { compileTemplate, renderSigned } from './callout-template';
import { type CalloutEvent, DEFAULT_PATHS, type FieldPaths, pick, toIso } from './normalize';

/** Default Max Event Age: Zuora retries up to 5 times, up to 1440 min apart (VENDOR-FACTS §23). */
export const DEFAULT_MAX_EVENT_AGE_MINUTES = 7 * 24 * 60;
const SKEW_MS = 5 * 60 * 1000;
/** Event.Timestamp is in the tenant's time zone, written without an offset (VENDOR-FACTS §26). */
const ZONELESS_SKEW_MS = 14 * 60 * 60 * 1000 + SKEW_MS;

export type Freshness = 'ok' | 'missing' | 'stale' | 'future';

/** Whether an event time is within `maxAgeMinutes` of now (zone-less times get ±14 h of slack). */
export function freshness(timestamp: string | null, maxAgeMinutes: number, now = Date.now()): Freshness {
	const iso = toIso(timestamp);
	if (!timestamp || !iso) return 'missing';
	const text = timestamp.trim();
	const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) || /^\d{9,13}$/.test(text);
	const slack = zoned ? SKEW_MS : ZONELESS_SKEW_MS;
	const at = Date.parse(iso);
	if (at > now + slack) return 'future';
	if (at < now - maxAgeMinutes * 60_000 - slack) return 'stale';
	return 'ok';
}

export type BasicResult = 'ok' | 'missing' | 'invalid';

/**
 * Zuora first calls without credentials and expects `401` with
 * `WWW-Authenticate: Basic realm=…` before it sends them ("missing").
 * Both parts are compared in constant time.
 */
export function verifyBasic(authorization: string | undefined, user: string, password: string): BasicResult {
	if (!authorization || !authorization.trim()) return 'missing';
	return checkBasicAuth(authorization, user, password) ? 'ok' : 'invalid';
}

export function basicChallenge(realm: string): string {
	const safe = (realm || 'Zuora Callout').replace(/["\\\r\n]/g, '');
	return `Basic realm="${safe}", charset="UTF-8"`;
}

export interface HmacCheck {
	algorithm: HmacAlgorithm;
	secret: string;
	encoding: 'base64' | 'hex';
	/** Text before the signature in the header, e.g. `sha256=` (optional). */
	prefix?: string;
	/** The header's value as received. */
	headerValue: string | undefined;
	/** What was signed. */
	data: string | Buffer;
}

export function verifyHmac(check: HmacCheck): boolean {
	const received = (check.headerValue ?? '').trim();
	if (!received || !check.secret) return false;
	let signature = received;
	const prefix = check.prefix ?? '';
	if (prefix) {
		if (received.toLowerCase().startsWith(prefix.toLowerCase())) signature = received.slice(prefix.length).trim();
		else signature = '';
	}
	const expected = hmac(check.algorithm, check.secret, check.data, check.encoding);
	return check.encoding === 'hex'
		? safeEqual(signature.toLowerCase(), expected.toLowerCase())
		: safeEqual(signature, expected);
}

/** A refusal; Zuora's body is `{ error }` with this message. */
function refused<T>(status: number, error: string, headers?: Record<string, string>): Verdict<T> {
	return reject<T>(status, 'refused', error, headers);
}

/** A callout whose sender checked out: its events, and the notification id where it may be trusted. */
export interface VerifiedCallout {
	events: CalloutEvent[];
	notificationId?: string;
}

export async function verifyCallout(this: IWebhookFunctions): Promise<Verdict<VerifiedCallout>> {
	const req = this.getRequestObject();
	const authentication = this.getNodeParameter('authentication', 'basic') as string;
	const credentials = await this.getCredentials('zuoraCalloutAuthApi');
	const rawBody = rawBodyOf(this);
	const headerOf = (name: string) => {
		const value = req.headers[name.toLowerCase()];
		return Array.isArray(value) ? value[0] : value;
	};
	const misconfigured = <T>(what: string) => refused<T>(500, `Zuora Trigger is not configured: ${what}`);
	if (rawBody && rawBody.length > MAX_CALLOUT_BYTES) {
		return refused(413, `The callout body is larger than ${MAX_CALLOUT_BYTES} bytes`);
	}
	const hmacMode = authentication === 'hmac' ? (this.getNodeParameter('hmacSignedData', 'rawBody') as string) : '';
	const queryName = (this.getNodeParameter('queryParameter', 'secret') as string) || 'secret';

	// 1. Who sent it (template mode needs the parsed body first, see below).
	if (authentication === 'basic') {
		const user = String(credentials.user ?? '');
		const password = String(credentials.password ?? '');
		if (!user || !password) return misconfigured('the credential has no Basic Auth user and password');
		const result = verifyBasic(headerOf('authorization'), user, password);
		if (result !== 'ok') {
			const realm = this.getNodeParameter('realm', 'Zuora Callout') as string;
			return refused(401, result === 'missing' ? 'Authentication required' : 'Invalid credentials', { 'WWW-Authenticate': basicChallenge(realm) });
		}
	} else if (authentication === 'urlSecret') {
		const secret = String(credentials.urlSecret ?? '');
		if (!secret) return misconfigured('the credential has no URL Secret');
		const given = (this.getQueryData() as IDataObject)[queryName];
		if (typeof given !== 'string' || !safeEqual(given, secret)) return refused(401, 'Unauthorized');
	} else if (authentication !== 'hmac') {
		return misconfigured(`unknown authentication "${authentication}"`);
	}
	const hmacSecret = String(credentials.hmacSecret ?? '');
	if (authentication === 'hmac' && !hmacSecret) return misconfigured('the credential has no HMAC Secret Key');
	const checkHmac = (data: string | Buffer) =>
		verifyHmac({
			algorithm: this.getNodeParameter('hmacAlgorithm', 'sha256') as HmacAlgorithm,
			secret: hmacSecret,
			encoding: this.getNodeParameter('hmacEncoding', 'base64') as 'base64' | 'hex',
			prefix: this.getNodeParameter('hmacPrefix', '') as string,
			headerValue: headerOf(this.getNodeParameter('hmacHeader', 'X-Zuora-Signature') as string),
			data,
		});
	if (hmacMode === 'rawBody' && (!rawBody || rawBody.length === 0 || !checkHmac(rawBody))) {
		return refused(401, 'Invalid signature');
	}

	// 2. What it says: the bytes that arrived (never n8n's Content-Type-dependent parse), plus the query.
	const body = parseCalloutBody(rawBody ?? (typeof req.body === 'string' ? req.body : undefined));
	if (!body.ok) return refused(body.status, body.error);
	const query = queryFields(this.getQueryData(), authentication === 'urlSecret' ? [queryName] : []);
	if (!query.ok) return refused(query.status, query.error);
	const queryHasData = Object.keys(query.fields).length > 0;

	// 3. What may be trusted. HMAC: only what the signature covers; the rest is `unverified`.
	let events: CalloutEvent[];
	if (hmacMode === 'template') {
		const compiled = compileTemplate(this.getNodeParameter('hmacTemplate', '') as string);
		if (!compiled.ok) return misconfigured(compiled.problem);
		const received = body.events ?? (queryHasData ? [query.fields] : []);
		if (received.length !== 1) return refused(400, 'Template-signed callouts must carry exactly one event');
		const full = { ...query.fields, ...received[0] };
		const signed = renderSigned(compiled.template, full);
		if (!signed.ok) return refused(401, `Invalid signature: ${signed.problem}`);
		if (!checkHmac(signed.data)) return refused(401, 'Invalid signature');
		events = [{ trusted: signed.view, unverified: full, hashSource: signed.data }];
	} else if (hmacMode === 'rawBody') {
		if (!body.events) return refused(400, 'The signed callout body is empty');
		const single = body.events.length === 1;
		events = body.events.map((e) => ({
			trusted: e,
			unverified: queryHasData ? query.fields : undefined,
			hashSource: single ? (rawBody as Buffer) : JSON.stringify(e),
		}));
	} else if (body.events) {
		events = body.events.map((e) => {
			const merged = { ...query.fields, ...e };
			return { trusted: merged, hashSource: JSON.stringify(merged) };
		});
	} else if (queryHasData) {
		events = [{ trusted: query.fields, hashSource: JSON.stringify(query.fields) }];
	} else if (headerOf('zuora-notification-id')) {
		events = [{ trusted: {}, hashSource: '' }];
	} else {
		// Never hash "nothing": every such callout would share one dedupe key (fidelity review B7).
		return refused(400, 'The callout carries no data: put merge fields in the request body (JSON) or in the callout URL');
	}
	// The notification id is an unsigned header: trusted only where nothing is signed anyway.
	const notificationId = authentication === 'hmac' ? undefined : headerOf('zuora-notification-id')?.slice(0, 200) || undefined;
	return accept({ events, notificationId });
}

/** Every event's time within Max Event Age (HMAC callouts must carry a signed one): a captured callout cannot be replayed later. */
export function checkFreshness(this: IWebhookFunctions, events: CalloutEvent[], paths: FieldPaths): Verdict<true> {
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const maxAge = options.maxEventAgeMinutes === undefined ? DEFAULT_MAX_EVENT_AGE_MINUTES : Number(options.maxEventAgeMinutes);
	if (!(Number.isFinite(maxAge) && maxAge > 0)) return accept(true);
	const hmacMode = this.getNodeParameter('authentication', 'basic') === 'hmac';
	for (const event of events) {
		const raw = pick(event.trusted, paths.timestamp ?? DEFAULT_PATHS.timestamp);
		const text = raw === undefined || raw === null ? null : String(raw);
		const fresh = freshness(text, maxAge);
		if (fresh === 'missing' && hmacMode) {
			return refused(401, 'The signed data carries no event time (map the Timestamp field, e.g. {{Event.Timestamp}}), so a replay could not be told apart');
		}
		if (fresh === 'stale' || fresh === 'future') {
			return refused(401, `The callout's event time ${toIso(text)} is ${fresh === 'stale' ? `older than ${maxAge} minutes` : 'in the future'}`);
		}
	}
	return accept(true);
}

/**
 * Nothing to call: Zuora calls us. Checks that the credential holds a
 * usable secret for at least one authentication method.
 */
export async function zuoraCalloutAuthTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const { user, password, hmacSecret, urlSecret } = credentialText(credential, 'user', 'password', 'hmacSecret', 'urlSecret');
	if (Boolean(user) !== Boolean(password)) {
		return { status: 'Error', message: 'Basic auth needs both a user and a password' };
	}
	if (!password && !hmacSecret && !urlSecret) {
		return { status: 'Error', message: 'Fill in a Basic auth pair, an HMAC secret key or a URL secret' };
	}
	const weak = [
		password && password.length < 12 ? 'Basic Auth Password' : '',
		hmacSecret && hmacSecret.length < 16 ? 'HMAC Secret Key' : '',
		urlSecret && urlSecret.length < 24 ? 'URL Secret' : '',
	].filter(Boolean);
	if (weak.length > 0) {
		return { status: 'Error', message: `Too short to be safe: ${weak.join(', ')} (use a long random value)` };
	}
	return { status: 'OK', message: 'Secrets are set; Zuora will be checked when its callouts arrive' };
}
