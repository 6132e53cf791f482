/**
 * What the Chargebee Billing Trigger checks before an event may start the workflow: Basic auth
 * (where the generated pair is kept: a digest only), Chargebee's own copy of the event, and how
 * old an event may be.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { basicAuthDigest, checkBasicAuth, checkBasicAuthDigest } from '../../shared/crypto';
import { accept, notYetActive, reject, type Verdict } from '../../shared/webhook';
import { attempt, chargebeeRequest, idPath, isNotFound } from '../transport';
import { chargebeeEventSchema } from './normalize';

/** What automatic mode keeps in the node's static data. */
export interface RegistrationData extends IDataObject {
	webhookEndpointId?: string;
	webhookUrl?: string;
	/** sha256 of the generated pair ({@link basicAuthDigest}); the pair itself is never stored. */
	basicAuthDigest?: string;
	/** Older installs kept the pair in clear; {@link migrateStoredPair} replaces it with the digest. */
	basicAuthUser?: string;
	basicAuthPassword?: string;
	registeredEvents?: string[];
}

/**
 * Replaces a pair kept in clear by an older version with its digest (in place). Returns true
 * when it changed the data. Static data is plain JSON in n8n's database, its public API and
 * exports: whoever reads it must not be able to forge events.
 */
export function migrateStoredPair(data: RegistrationData): boolean {
	if (typeof data.basicAuthUser !== 'string' && typeof data.basicAuthPassword !== 'string') return false;
	if (data.basicAuthUser && data.basicAuthPassword && !data.basicAuthDigest) {
		data.basicAuthDigest = basicAuthDigest(data.basicAuthUser, data.basicAuthPassword);
	}
	delete data.basicAuthUser;
	delete data.basicAuthPassword;
	return true;
}

/**
 * Chargebee retries a failed webhook 7 times over about 3 days 7 hours (2 min, 6 min, 30 min,
 * 1 h, 5 h, 1 d, 2 d: support.chargebee.com article 257941; API-FACTS "Delivery"). An event older
 * than that, plus a margin, is not a retry but a replay, so it is refused by default.
 */
export const DEFAULT_MAX_EVENT_AGE_HOURS = 96;

/** Why the event is too old, or undefined when it is fresh enough (maxAgeHours 0 = no limit). */
export function tooOld(occurredAt: unknown, maxAgeHours: number, nowMs = Date.now()): string | undefined {
	if (!(maxAgeHours > 0)) return undefined;
	const seconds = Number(occurredAt);
	if (!Number.isFinite(seconds)) return 'occurred_at is not a time';
	const ageHours = (nowMs / 1000 - seconds) / 3600;
	if (ageHours <= maxAgeHours) return undefined;
	return `the event occurred ${Math.floor(ageHours)} hours ago, beyond the ${maxAgeHours}-hour limit (Chargebee stops retrying after about 3.5 days): refused as a replay`;
}

export const WEBHOOK_AUTH_CREDENTIAL = 'chargebeeWebhookAuthApi';
const REALM = 'Basic realm="Chargebee Billing Trigger", charset="UTF-8"';

/**
 * Re-fetching is on by default in automatic mode, which already holds a full-access key: a
 * captured or forged body (Chargebee does not sign webhooks) then cannot invent events.
 */
export function refetchOn(options: IDataObject, mode: string): boolean {
	return typeof options.refetchEvent === 'boolean' ? options.refetchEvent : mode === 'automatic';
}

/** Who is calling: Basic auth, compared in constant time, before anything else. */
export async function authenticate(this: IWebhookFunctions, mode: string): Promise<Verdict<true>> {
	const authorization = this.getHeaderData().authorization;
	let authenticated = false;
	if (mode === 'manual') {
		const credentials = await this.getCredentials(WEBHOOK_AUTH_CREDENTIAL);
		if (credentials.user && credentials.password) {
			authenticated = checkBasicAuth(authorization, String(credentials.user), String(credentials.password));
		}
	} else {
		const data = this.getWorkflowStaticData('node') as RegistrationData;
		// an install from before the digest: n8n saves the migrated static data after this call
		migrateStoredPair(data);
		if (!data.basicAuthDigest) return { ok: false, refusal: notYetActive() };
		authenticated = checkBasicAuthDigest(authorization, data.basicAuthDigest);
	}
	return authenticated ? accept(true) : reject(401, 'unauthorized', 'Unauthorized', { 'WWW-Authenticate': REALM });
}

/** Chargebee's own copy of the event (default in automatic mode), and not a replay of an old one. */
export async function confirmEvent(this: IWebhookFunctions, event: IDataObject, options: IDataObject, mode: string): Promise<Verdict<IDataObject>> {
	if (refetchOn(options, mode)) {
		const fetched = await attempt(
			chargebeeRequest.call(this, { method: 'GET', path: idPath('/events/{id}', String(event.id)), quick: true }),
		);
		if (!fetched.ok) {
			if (isNotFound(fetched.error)) return reject(400, 'unknown_event', 'Unknown event: Chargebee has no event with this id');
			// Chargebee retries non-2xx answers, so a temporary failure here loses nothing.
			return reject(503, 'unverified', 'Could not verify the event with Chargebee; retry later', { 'Retry-After': '60' });
		}
		const copy = chargebeeEventSchema.safeParse((fetched.value as IDataObject).event);
		if (!copy.success || copy.data.event_type !== event.event_type) {
			return reject(400, 'mismatch', 'The event does not match Chargebee\'s copy');
		}
		event = copy.data as IDataObject;
	}
	const maxAge = options.maxEventAgeHours === undefined ? DEFAULT_MAX_EVENT_AGE_HOURS : Number(options.maxEventAgeHours);
	const stale = tooOld(event.occurred_at, maxAge);
	return stale ? reject(400, 'replay', `Event refused: ${stale}`) : accept(event);
}
