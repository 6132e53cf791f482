/**
 * The Zuora Trigger's `webhook()`: authenticate, read the callout from the bytes that arrived (and
 * the query string), keep only what may be trusted, check freshness, normalise.
 *
 * Every refusal answers 4xx (or 500 for a trigger that is not configured) with
 * `noWebhookResponse`, so no execution starts (security review, "two facts about n8n").
 * Zuora retries only 1xx, 403, 408, 429, 5xx (payloads/VENDOR-FACTS.md §23): a 400/401/413 is final.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { HmacAlgorithm } from '../../shared/crypto';
import { safeEqual } from '../../shared/crypto';
import {
	basicChallenge,
	type CalloutCategory,
	DEFAULT_PATHS,
	normalizeCallout,
	type NormalizedField,
	pick,
	splitList,
	toIso,
	verifyBasic,
	verifyHmac,
} from './normalize';
import { MAX_CALLOUT_BYTES, parseCalloutBody, queryFields } from './callout-body';
import { compileTemplate, renderSigned } from './callout-template';

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

function reject(context: IWebhookFunctions, status: number, body: IDataObject, headers: Record<string, string> = {}): IWebhookResponseData {
	const res = context.getResponseObject();
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

export interface CalloutSettings {
	mappable: NormalizedField[];
}

export async function handleCallout(this: IWebhookFunctions, settings: CalloutSettings): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	const authentication = this.getNodeParameter('authentication', 'basic') as string;
	const credentials = await this.getCredentials('zuoraCalloutAuthApi');
	const rawBody: Buffer | undefined = (req as unknown as { rawBody?: Buffer }).rawBody;
	const headerOf = (name: string) => {
		const value = req.headers[name.toLowerCase()];
		return Array.isArray(value) ? value[0] : value;
	};
	const misconfigured = (what: string) => reject(this, 500, { error: `Zuora Trigger is not configured: ${what}` });
	if (rawBody && rawBody.length > MAX_CALLOUT_BYTES) {
		return reject(this, 413, { error: `The callout body is larger than ${MAX_CALLOUT_BYTES} bytes` });
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
			return reject(this, 401, { error: result === 'missing' ? 'Authentication required' : 'Invalid credentials' }, { 'WWW-Authenticate': basicChallenge(realm) });
		}
	} else if (authentication === 'urlSecret') {
		const secret = String(credentials.urlSecret ?? '');
		if (!secret) return misconfigured('the credential has no URL Secret');
		const given = (this.getQueryData() as IDataObject)[queryName];
		if (typeof given !== 'string' || !safeEqual(given, secret)) return reject(this, 401, { error: 'Unauthorized' });
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
		return reject(this, 401, { error: 'Invalid signature' });
	}

	// 2. What it says: the bytes that arrived (never n8n's Content-Type-dependent parse), plus the query.
	const body = parseCalloutBody(rawBody ?? (typeof req.body === 'string' ? req.body : undefined));
	if (!body.ok) return reject(this, body.status, { error: body.error });
	const query = queryFields(this.getQueryData(), authentication === 'urlSecret' ? [queryName] : []);
	if (!query.ok) return reject(this, query.status, { error: query.error });
	const queryHasData = Object.keys(query.fields).length > 0;

	// 3. What may be trusted. HMAC: only what the signature covers; the rest is `unverified`.
	type Event = { trusted: IDataObject; unverified?: IDataObject; hashSource: string | Buffer };
	let events: Event[];
	if (hmacMode === 'template') {
		const compiled = compileTemplate(this.getNodeParameter('hmacTemplate', '') as string);
		if (!compiled.ok) return misconfigured(compiled.problem);
		const received = body.events ?? (queryHasData ? [query.fields] : []);
		if (received.length !== 1) return reject(this, 400, { error: 'Template-signed callouts must carry exactly one event' });
		const full = { ...query.fields, ...received[0] };
		const signed = renderSigned(compiled.template, full);
		if (!signed.ok) return reject(this, 401, { error: `Invalid signature: ${signed.problem}` });
		if (!checkHmac(signed.data)) return reject(this, 401, { error: 'Invalid signature' });
		events = [{ trusted: signed.view, unverified: full, hashSource: signed.data }];
	} else if (hmacMode === 'rawBody') {
		if (!body.events) return reject(this, 400, { error: 'The signed callout body is empty' });
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
		return reject(this, 400, { error: 'The callout carries no data: put merge fields in the request body (JSON) or in the callout URL' });
	}
	// The notification id is an unsigned header: trusted only where nothing is signed anyway.
	const notificationId = authentication === 'hmac' ? undefined : headerOf('zuora-notification-id')?.slice(0, 200) || undefined;

	// 4. Normalise, check freshness, filter.
	const eventField = (this.getNodeParameter('eventField', '') as string).trim();
	const mapping = this.getNodeParameter('fieldMapping', {}) as Record<string, string>;
	const paths: Partial<Record<NormalizedField, string[]>> = {};
	for (const field of settings.mappable) if (mapping[field]) paths[field] = splitList(mapping[field]);
	if (eventField) paths.eventType = splitList(eventField);
	const overrides: Record<string, CalloutCategory> = {};
	const overrideList = (this.getNodeParameter('categoryOverrides', {}) as { override?: Array<{ event: string; category: CalloutCategory }> }).override ?? [];
	for (const o of overrideList) if (o.event) overrides[o.event.trim()] = o.category;
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const maxAge = options.maxEventAgeMinutes === undefined ? DEFAULT_MAX_EVENT_AGE_MINUTES : Number(options.maxEventAgeMinutes);

	const filter = splitList(this.getNodeParameter('eventFilter', '')).map((e) => e.toLowerCase());
	const items: INodeExecutionData[] = [];
	for (const event of events) {
		const normalized = normalizeCallout(event.trusted, { paths, categoryOverrides: overrides, hashSource: event.hashSource, notificationId });
		if (Number.isFinite(maxAge) && maxAge > 0) {
			const raw = pick(event.trusted, paths.timestamp ?? DEFAULT_PATHS.timestamp);
			const fresh = freshness(raw === undefined || raw === null ? null : String(raw), maxAge);
			if (fresh === 'missing' && authentication === 'hmac') {
				return reject(this, 401, { error: 'The signed data carries no event time (map the Timestamp field, e.g. {{Event.Timestamp}}), so a replay could not be told apart' });
			}
			if (fresh === 'stale' || fresh === 'future') {
				return reject(this, 401, { error: `The callout's event time ${normalized.occurredAt} is ${fresh === 'stale' ? `older than ${maxAge} minutes` : 'in the future'}` });
			}
		}
		if (filter.length > 0 && !filter.includes(String(normalized.eventType ?? '').toLowerCase())) continue;
		const json: IDataObject = { normalized: normalized as unknown as IDataObject, event: event.trusted };
		if (event.unverified) json.unverified = event.unverified;
		items.push({ json });
	}
	if (items.length === 0) {
		const res = this.getResponseObject();
		res.status(200).json({ received: true, ignored: 'event not selected in the Zuora Trigger' });
		return { noWebhookResponse: true };
	}
	return { workflowData: [items] };
}
