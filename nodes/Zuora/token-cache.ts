/**
 * Zuora OAuth access tokens, cached per credential and shared by every
 * execution in this n8n process.
 *
 * Zuora's token endpoint is rate-limited per IP, so a token is fetched once
 * and reused until shortly before it expires. Three layers work together:
 *
 *  1. This process-wide cache (module state: n8n loads the package once, and
 *     the credential file and the node files share this module). Keyed by
 *     base URL + client id + a hash of the secret, so a changed secret never
 *     reuses a token. Concurrent callers share one in-flight request
 *     (single flight): N executions starting together cause ONE token request.
 *  2. The credential's expirable hidden property (`accessToken`, with
 *     `expiresAt` / `refreshAt` / `obtainedAt` beside it), which n8n persists in its
 *     database after `preAuthentication`. A worker or a restarted process that
 *     finds a stored token that is still fresh seeds its cache from it instead
 *     of asking Zuora again (queue mode shares the token this way).
 *  3. n8n's own 401 handling: a 401 makes n8n call `preAuthentication` again;
 *     `renewRejected` then replaces exactly the token that was refused (or
 *     hands out the replacement another request already fetched), so a burst
 *     of 401s still costs one token request, and n8n retries the call once.
 *
 * Nothing here does HTTP: the caller passes the fetcher (transport.ts).
 */
import { createHash } from 'crypto';

export interface TokenRecord {
	accessToken: string;
	/** ms since epoch: Zuora stops accepting the token here. */
	expiresAt: number;
	/** ms since epoch: fetch a new token from here on ("shortly before expiry"). */
	refreshAt: number;
	obtainedAt: number;
}

export interface TokenIdentity {
	baseUrl: string;
	clientId: string;
	clientSecret: string;
}

export type TokenFetcher = () => Promise<{ accessToken: string; expiresInSeconds: number }>;

/** Refresh this long before expiry, but never more than a quarter of the token's life. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export function refreshPoint(obtainedAt: number, expiresInSeconds: number): { expiresAt: number; refreshAt: number } {
	const lifetime = Math.max(0, expiresInSeconds * 1000);
	const margin = Math.min(REFRESH_MARGIN_MS, lifetime / 4);
	return { expiresAt: obtainedAt + lifetime, refreshAt: obtainedAt + lifetime - margin };
}

export function cacheKey(identity: TokenIdentity): string {
	const secretHash = createHash('sha256').update(identity.clientSecret, 'utf8').digest('hex').slice(0, 16);
	return `${identity.baseUrl.replace(/\/+$/, '')}|${identity.clientId}|${secretHash}`;
}

export class TokenCache {
	private readonly entries = new Map<string, TokenRecord>();
	private readonly inflight = new Map<string, Promise<TokenRecord>>();
	/** Token requests actually sent, for diagnostics and tests. */
	fetches = 0;

	constructor(private readonly now: () => number = Date.now) {}

	/** The cached token while Zuora still accepts it (used to sign requests). */
	current(identity: TokenIdentity): TokenRecord | undefined {
		const entry = this.entries.get(cacheKey(identity));
		return entry && this.now() < entry.expiresAt ? entry : undefined;
	}

	/**
	 * A token that is not due for refresh: the cached one, else a still-fresh
	 * stored one (seeded into the cache), else one fetched now (single flight).
	 */
	async fresh(identity: TokenIdentity, fetcher: TokenFetcher, stored?: TokenRecord): Promise<TokenRecord> {
		const key = cacheKey(identity);
		const cached = this.entries.get(key);
		if (cached && this.now() < cached.refreshAt) return cached;
		if (stored?.accessToken && this.now() < stored.refreshAt) {
			if (!cached || stored.obtainedAt >= cached.obtainedAt) this.entries.set(key, stored);
			return stored;
		}
		return await this.fetch(key, fetcher);
	}

	/**
	 * After Zuora refused `rejected` (a 401): hand out a different valid token
	 * if another request already replaced it, otherwise drop it and fetch one.
	 */
	async renewRejected(identity: TokenIdentity, rejected: string, fetcher: TokenFetcher): Promise<TokenRecord> {
		const key = cacheKey(identity);
		const running = this.inflight.get(key);
		if (running) return await running;
		const cached = this.entries.get(key);
		if (cached && cached.accessToken !== rejected && this.now() < cached.expiresAt) return cached;
		if (cached?.accessToken === rejected) this.entries.delete(key);
		return await this.fetch(key, fetcher);
	}

	private async fetch(key: string, fetcher: TokenFetcher): Promise<TokenRecord> {
		const running = this.inflight.get(key);
		if (running) return await running;
		const promise = (async () => {
			this.fetches++;
			const obtainedAt = this.now();
			const { accessToken, expiresInSeconds } = await fetcher();
			const record: TokenRecord = { accessToken, obtainedAt, ...refreshPoint(obtainedAt, expiresInSeconds) };
			this.entries.set(key, record);
			return record;
		})();
		this.inflight.set(key, promise);
		try {
			return await promise;
		} finally {
			this.inflight.delete(key);
		}
	}

	/** For tests: forget every token. */
	clear(): void {
		this.entries.clear();
		this.inflight.clear();
		this.fetches = 0;
	}
}

/** The one cache of this process. */
export const zuoraTokenCache = new TokenCache();

/** Reads the token that n8n stored with the credential, if any. */
export function storedToken(credentials: Record<string, unknown>): TokenRecord | undefined {
	const accessToken = typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
	const expiresAt = Number(credentials.expiresAt);
	const refreshAt = Number(credentials.refreshAt);
	if (!accessToken || !Number.isFinite(expiresAt) || !Number.isFinite(refreshAt)) return undefined;
	return { accessToken, expiresAt, refreshAt, obtainedAt: Number(credentials.obtainedAt) || 0 };
}
