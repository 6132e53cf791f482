/**
 * The permit broker behind the Kommo Rate Budget node: one PermitLimiter per Kommo host for the
 * whole n8n process it runs in (the main process in queue mode), handed out over HTTP to every
 * worker. A worker asks for a permit before each Kommo request and returns it when the answer is
 * in; a permit nobody returns is taken back after LEASE_MS (a Kommo request times out after 30 s,
 * so by then it has arrived or never will).
 */
import { randomUUID } from 'crypto';
import { sleep, type IDataObject } from 'n8n-workflow';

import { PermitAbortedError, PermitLimiter, type PermitOptions, type RateLimit } from '../shared/rate-limiter';

/** An unreturned permit is taken back this long after its grant. */
export const LEASE_MS = 60_000;
/** The longest the broker keeps a permit request open; then it answers `{ retry: true }`. */
export const HOLD_MS = 20_000;
/** More hosts than this are refused (each costs a limiter; one n8n talks to a few Kommo accounts). */
const MAX_HOSTS = 1000;
const HOST = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?$/i;

export interface BrokerSettings {
	/** Kommo requests per second per host (7 is Kommo's limit). */
	requestsPerSecond: number;
}

export interface BrokerAnswer {
	status: number;
	body: IDataObject;
}

interface Grant {
	release: () => void;
	expiresAt: number;
}

export class PermitBroker {
	private readonly limiters = new Map<string, { requests: number; limiter: PermitLimiter }>();
	private readonly grants = new Map<string, Grant>();
	/** Permits granted per host since the process started (for the status answer). */
	private readonly granted = new Map<string, number>();

	constructor(
		private readonly now: () => number = Date.now,
		private readonly wait: (ms: number) => Promise<void> = sleep,
	) {}

	/** The limiter for a host; changed settings replace it (permits of the old one still return to it). */
	limiterFor(host: string, settings: BrokerSettings): PermitLimiter {
		const requests = Math.max(1, Math.min(7, Math.floor(settings.requestsPerSecond) || 7));
		const limit: RateLimit = { requests, windowMs: 1000 };
		const options: PermitOptions = {
			leaseMs: LEASE_MS,
			now: this.now,
			sleep: this.wait,
		};
		const existing = this.limiters.get(host);
		if (existing?.requests === requests) return existing.limiter;
		const limiter = new PermitLimiter(limit, options);
		this.limiters.set(host, { requests, limiter });
		return limiter;
	}

	/** Waits for a permit for `host` (at most HOLD_MS); `signal` aborts when the asker hangs up. */
	async acquire(host: unknown, settings: BrokerSettings, signal?: AbortSignal): Promise<BrokerAnswer> {
		if (typeof host !== 'string' || !HOST.test(host)) return { status: 400, body: { error: 'host must be a host name' } };
		const name = host.toLowerCase();
		if (!this.limiters.has(name) && this.limiters.size >= MAX_HOSTS) return { status: 429, body: { error: 'too many hosts' } };
		this.prune();
		const limiter = this.limiterFor(name, settings);
		const controller = new AbortController();
		signal?.addEventListener('abort', () => controller.abort(), { once: true });
		let timedOut = false;
		// n8n's sleep cannot be cancelled: when a permit comes first this wakes later and does nothing
		void this.wait(HOLD_MS).then(() => {
			timedOut = true;
			controller.abort();
		});
		try {
			const release = await limiter.acquire(controller.signal);
			const permit = randomUUID();
			this.grants.set(permit, { release, expiresAt: this.now() + LEASE_MS });
			this.granted.set(name, (this.granted.get(name) ?? 0) + 1);
			return { status: 200, body: { permit, leaseMs: LEASE_MS } };
		} catch (error) {
			if (!(error instanceof PermitAbortedError)) return { status: 500, body: { error: (error as Error).message } };
			return timedOut ? { status: 200, body: { retry: true } } : { status: 499, body: { error: 'the request was closed' } };
		}
	}

	/** Returns a permit; unknown or expired ones are ignored. */
	release(permit: unknown): BrokerAnswer {
		const grant = typeof permit === 'string' ? this.grants.get(permit) : undefined;
		if (!grant) return { status: 200, body: { released: false } };
		this.grants.delete(permit as string);
		grant.release();
		return { status: 200, body: { released: true } };
	}

	/** For diagnostics: per host the permits granted so far, out now, and requests waiting. */
	status(): IDataObject {
		this.prune();
		const hosts: IDataObject = {};
		for (const [host, { limiter }] of this.limiters) {
			hosts[host] = { granted: this.granted.get(host) ?? 0, inUse: limiter.inUse, queued: limiter.queued };
		}
		return { hosts, permitsOut: this.grants.size };
	}

	private prune(): void {
		const now = this.now();
		for (const [id, grant] of this.grants) if (grant.expiresAt <= now) this.grants.delete(id);
	}
}

/** The broker of this process (module state: n8n loads the package once per process). */
export const broker = new PermitBroker();
