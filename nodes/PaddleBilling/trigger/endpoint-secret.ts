/**
 * Where automatic mode keeps a destination's endpoint secret key: in process memory only.
 *
 * Workflow static data is plain JSON that n8n's public API, exports and backups return, so a key
 * stored there lets anyone who can read the workflow forge correctly signed Paddle events
 * (security review M2). Paddle returns the key on `GET /notification-settings/{id}`, so a
 * process that does not know it (restart, another queue-mode worker) reads it from Paddle:
 * at most once a minute per destination, and concurrent misses share one request.
 *
 * Rotation: when Paddle answers with a different key, the previous one stays accepted for a
 * bounded grace period (deliveries signed just before the rotation may still be in flight), then
 * never again.
 */
export const SECRET_REFETCH_MS = 60_000;
export const ROTATION_GRACE_MS = 60 * 60_000;

interface Entry {
	current?: string;
	previous?: { key: string; until: number };
	/** When Paddle was last asked (successfully or not); 0 = never. */
	askedAt: number;
	inflight?: Promise<RefreshResult>;
}

export type RefreshResult = 'fetched' | 'throttled' | 'failed';

const cache = new Map<string, Entry>();

function entry(settingId: string): Entry {
	let e = cache.get(settingId);
	if (!e) {
		e = { askedAt: 0 };
		cache.set(settingId, e);
	}
	return e;
}

/** Learns the key Paddle gave (create, checkExists, or a fetch); a different key starts the grace period of the old one. */
export function rememberSecret(settingId: string, key: string, now = Date.now()): void {
	if (!key) return;
	const e = entry(settingId);
	if (e.current && e.current !== key) e.previous = { key: e.current, until: now + ROTATION_GRACE_MS };
	e.current = key;
}

export function forgetSecret(settingId: string): void {
	cache.delete(settingId);
}

/** The keys a delivery may be signed with now: the current one, and the previous one during its grace period. */
export function candidateSecrets(settingId: string, now = Date.now()): string[] {
	const e = cache.get(settingId);
	if (!e) return [];
	const out = e.current ? [e.current] : [];
	if (e.previous && e.previous.until > now) out.push(e.previous.key);
	return out;
}

/** Asks Paddle for the key unless it was asked in the last minute; concurrent callers share one request. */
export async function refreshSecret(settingId: string, fetchKey: () => Promise<string | undefined>, now = Date.now()): Promise<RefreshResult> {
	const e = entry(settingId);
	if (e.inflight) return await e.inflight;
	if (e.askedAt !== 0 && now - e.askedAt < SECRET_REFETCH_MS) return 'throttled';
	e.askedAt = now;
	e.inflight = (async (): Promise<RefreshResult> => {
		try {
			const key = await fetchKey();
			if (!key) return 'failed';
			rememberSecret(settingId, key, Date.now());
			return 'fetched';
		} catch {
			return 'failed';
		} finally {
			e.inflight = undefined;
		}
	})();
	return await e.inflight;
}

/** For tests: forget every key and throttle. */
export function resetEndpointSecrets(): void {
	cache.clear();
}
