import { sleep } from 'n8n-workflow';

export interface RateLimit {
	/** How many requests may arrive at the server… */
	requests: number;
	/** …within any window of this many milliseconds. */
	windowMs: number;
}

export interface PermitOptions {
	/** A permit not released this long after its grant is taken back as if released then (default: never). */
	leaseMs?: number;
	now?: () => number;
	sleep?: (ms: number) => Promise<void>;
}

interface Waiter {
	resolve: (release: () => void) => void;
	reject: (error: Error) => void;
	signal?: AbortSignal;
}

interface Held {
	grantedAt: number;
	done: boolean;
}

/** Why acquire() gave up: its signal was aborted before a permit was free. */
export class PermitAbortedError extends Error {
	constructor() {
		super('Waiting for a rate-limit permit was aborted');
		this.name = 'PermitAbortedError';
	}
}

/**
 * Keeps the requests that ARRIVE at a server to at most `requests` in any
 * window of `windowMs`, the way a server counting arrivals sees it.
 *
 * Counting our own send times is not enough: connection set-up delays some
 * requests more than others, so ones sent a full window apart can arrive
 * closer together (seen against the sandbox: 14 arrivals in one second from
 * sends spaced for 7). Instead there are `requests` permits. A request holds
 * one from before it is sent until its response is in; by default the permit
 * is usable again one window after that. A request's arrival lies between its
 * send and its response, so two requests that used the same permit arrive at
 * least a window apart, and no window can hold more than `requests` arrivals.
 *
 * The cost is the round trip: with 100 ms latency Kommo's 7/s becomes about
 * 7 per 1.1 s. (Counting reuse from the grant plus a margin instead was measured to let 14
 * arrivals into one second when a process stalled: docs/scaling.md.)
 * Waiters are served first come, first served; everything is in-process, so
 * concurrent executions in one n8n process share it (the Kommo Rate Budget
 * node shares one across processes).
 */
export class PermitLimiter {
	/** Times at which the free permits become usable, earliest first. */
	private readonly readyAt: number[];
	private readonly held = new Set<Held>();
	private readonly waiters: Waiter[] = [];
	private readonly now: () => number;
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly leaseMs: number | undefined;
	/** The pump that is sleeping, and until when (undefined: none). */
	private pumpToken = 0;
	private wakeAt: number | undefined;

	constructor(
		readonly limit: RateLimit,
		options: PermitOptions = {},
	) {
		if (!(limit.requests >= 1) || !(limit.windowMs > 0)) {
			throw new Error(
				`Invalid rate limit ${limit.requests}/${limit.windowMs} ms: need at least 1 request per positive window`,
			);
		}
		this.leaseMs = options.leaseMs;
		this.now = options.now ?? Date.now;
		this.sleep = options.sleep ?? sleep;
		this.readyAt = Array.from({ length: Math.floor(limit.requests) }, () => 0);
	}

	/**
	 * Waits for a permit; call the returned function once the response (or failure) is in.
	 * Rejects with PermitAbortedError when `signal` aborts first (the place in line is given up).
	 */
	async acquire(signal?: AbortSignal): Promise<() => void> {
		if (signal?.aborted) throw new PermitAbortedError();
		const granted = new Promise<() => void>((resolve, reject) => {
			const waiter: Waiter = { resolve, reject, signal };
			this.waiters.push(waiter);
			signal?.addEventListener(
				'abort',
				() => {
					const index = this.waiters.indexOf(waiter);
					if (index < 0) return;
					this.waiters.splice(index, 1);
					reject(new PermitAbortedError());
				},
				{ once: true },
			);
		});
		if (this.wakeAt === undefined) this.pump();
		return await granted;
	}

	/** Requests waiting for a permit (for diagnostics). */
	get queued(): number {
		return this.waiters.length;
	}

	/** Permits granted and neither released nor expired (for diagnostics). */
	get inUse(): number {
		return this.held.size;
	}

	private giveBack(held: Held, releasedAt: number): void {
		if (held.done) return;
		held.done = true;
		this.held.delete(held);
		const at = releasedAt + this.limit.windowMs;
		let i = this.readyAt.length;
		while (i > 0 && this.readyAt[i - 1] > at) i--;
		this.readyAt.splice(i, 0, at);
	}

	private reclaimExpired(now: number): void {
		const lease = this.leaseMs;
		if (lease === undefined) return;
		for (const held of [...this.held]) {
			if (held.grantedAt + lease <= now) this.giveBack(held, held.grantedAt + lease);
		}
	}

	/** Hands out permits in order; sleeps (n8n's sleep: no timers to cancel) until one is ready. */
	private pump(): void {
		const token = ++this.pumpToken;
		this.wakeAt = undefined;
		void this.run(token);
	}

	private async run(token: number): Promise<void> {
		while (token === this.pumpToken) {
			const now = this.now();
			this.reclaimExpired(now);
			if (this.waiters.length === 0) return;
			let wakeAt: number | undefined;
			if (this.readyAt.length > 0 && this.readyAt[0] <= now) {
				this.readyAt.shift();
				const waiter = this.waiters.shift() as Waiter;
				const held: Held = { grantedAt: now, done: false };
				this.held.add(held);
				waiter.resolve(() => {
					if (!held.done) {
						this.giveBack(held, this.now());
						if (this.wakeAt === undefined || (this.readyAt[0] ?? Infinity) < this.wakeAt) this.pump();
					}
				});
				continue;
			}
			if (this.readyAt.length > 0) wakeAt = this.readyAt[0];
			if (this.leaseMs !== undefined && this.held.size > 0) {
				const expiry = Math.min(...[...this.held].map((h) => h.grantedAt)) + this.leaseMs;
				wakeAt = Math.min(wakeAt ?? Infinity, expiry);
			}
			if (wakeAt === undefined) return; // a release starts the pump again
			this.wakeAt = wakeAt;
			await this.sleep(Math.max(0, wakeAt - now));
			if (token !== this.pumpToken) return;
			this.wakeAt = undefined;
		}
	}
}

const limiters = new Map<string, PermitLimiter>();

/**
 * One limiter per key for the whole process (module state survives between
 * executions because n8n loads a node package once). Keys name the vendor and
 * the remote host (one Kommo account = one host), so every credential and
 * every workflow that talks to the same account shares the budget.
 * A changed limit for the same key replaces the limiter.
 */
export function getLimiter(key: string, limit: RateLimit): PermitLimiter {
	const existing = limiters.get(key);
	if (
		existing &&
		existing.limit.requests === limit.requests &&
		existing.limit.windowMs === limit.windowMs
	) {
		return existing;
	}
	const limiter = new PermitLimiter(limit);
	limiters.set(key, limiter);
	return limiter;
}

/** For tests: forget every limiter. */
export function resetLimiters(): void {
	limiters.clear();
}
