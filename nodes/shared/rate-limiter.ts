import { sleep } from 'n8n-workflow';

export interface RateLimit {
	/** How many requests may arrive at the server… */
	requests: number;
	/** …within any window of this many milliseconds. */
	windowMs: number;
}

/**
 * Keeps the requests that ARRIVE at a server to at most `requests` in any
 * window of `windowMs`, the way a server counting arrivals sees it.
 *
 * Counting our own send times is not enough: connection set-up delays some
 * requests more than others, so ones sent a full window apart can arrive
 * closer together (seen against the sandbox: 14 arrivals in one second from
 * sends spaced for 7). Instead there are `requests` permits. A request holds
 * one from before it is sent until its response is in; the permit is usable
 * again one window after that. A request's arrival lies between its send and
 * its response, so two requests that used the same permit arrive at least a
 * window apart, and no window can hold more than `requests` arrivals.
 *
 * The cost is the round trip: with 100 ms latency Kommo's 7/s becomes about
 * 7 per 1.1 s. Waiters are served first come, first served; everything is
 * in-process, so concurrent executions in one n8n process share it.
 */
export class PermitLimiter {
	private readonly readyAt: number[];
	private readonly waiters: Array<(readyAt: number) => void> = [];

	constructor(
		readonly limit: RateLimit,
		private readonly now: () => number = Date.now,
	) {
		if (!(limit.requests >= 1) || !(limit.windowMs > 0)) {
			throw new Error(
				`Invalid rate limit ${limit.requests}/${limit.windowMs} ms: need at least 1 request per positive window`,
			);
		}
		this.readyAt = Array.from({ length: Math.floor(limit.requests) }, () => 0);
	}

	/** Waits for a permit; call the returned function once the response (or failure) is in. */
	async acquire(): Promise<() => void> {
		let readyAt: number;
		if (this.readyAt.length > 0) {
			// Permits are returned in time order, so the first is the earliest ready.
			readyAt = this.readyAt.shift() as number;
		} else {
			readyAt = await new Promise<number>((resolve) => this.waiters.push(resolve));
		}
		const wait = readyAt - this.now();
		if (wait > 0) await sleep(wait);
		let released = false;
		return () => {
			if (released) return;
			released = true;
			const next = this.now() + this.limit.windowMs;
			const waiter = this.waiters.shift();
			if (waiter) waiter(next);
			else this.readyAt.push(next);
		};
	}

	/** Requests waiting for a permit (for diagnostics). */
	get queued(): number {
		return this.waiters.length;
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
