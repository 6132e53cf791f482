/**
 * What the Chargebee Billing Trigger checks before an event may start the workflow, beyond
 * Basic auth itself: where the generated pair is kept (a digest only), and how old an event
 * may be.
 */
import type { IDataObject } from 'n8n-workflow';

import { basicAuthDigest } from '../../shared/crypto';

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
