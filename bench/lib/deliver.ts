/**
 * Webhook delivery the way billing vendors do it: every event is posted until the receiver
 * answers 2xx (Chargebee retries for ~3 days, Paddle up to 60 times, Zuora a few times), with
 * growing pauses, and with at most `concurrency` requests in flight. The pauses are compressed
 * (seconds instead of minutes) so a run ends in minutes; the retry itself is what matters: an
 * event answered 5xx, or not answered at all because n8n was down, must still land once.
 */
import type { DeliveryResult } from '../../dev/sandbox/kit';

export interface Delivery {
	/** Stable id of the event (for reports). */
	id: string;
	/** One attempt; a vendor sandbox posts the (freshly signed) event. Never throws. */
	send(attempt: number): Promise<DeliveryResult>;
	/** The vendor emits the event at this moment (ms since epoch), not before: a steady stream instead of a burst. */
	startAt?: number;
}

export interface DeliveryOutcome {
	id: string;
	attempts: number;
	statuses: number[];
	/** First attempt sent (ms since epoch). */
	firstAt: number;
	/** 2xx received (ms since epoch), or undefined when it never came. */
	ackAt?: number;
	ok: boolean;
	lastError?: string;
}

export interface DeliveryOptions {
	concurrency: number;
	/** Pause before retry n (1-based; the last value repeats). */
	retryDelaysMs?: number[];
	/** Give up on an event after this many attempts. */
	maxAttempts?: number;
	/** Stop retrying anything after this moment (ms since epoch). */
	deadline?: number;
	/** Checked before every attempt: true ends the run (nothing more can land). */
	shouldStop?: () => boolean;
	/** Called after every attempt (progress, fault schedules). */
	onAttempt?: (id: string, result: DeliveryResult, attempt: number) => void;
}

export const VENDOR_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 10_000];

/** Counting semaphore. */
class Slots {
	private waiting: Array<() => void> = [];
	constructor(private free: number) {}
	async take(): Promise<void> {
		if (this.free > 0) {
			this.free--;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}
	give(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.free++;
	}
}

/** Delivers every event until it is answered 2xx (or attempts / the deadline run out). */
export async function deliverAll(deliveries: Delivery[], options: DeliveryOptions): Promise<DeliveryOutcome[]> {
	const slots = new Slots(options.concurrency);
	const delays = options.retryDelaysMs ?? VENDOR_RETRY_DELAYS_MS;
	const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
	return await Promise.all(
		deliveries.map(async (delivery) => {
			const outcome: DeliveryOutcome = { id: delivery.id, attempts: 0, statuses: [], firstAt: 0, ok: false };
			if (delivery.startAt !== undefined && delivery.startAt > Date.now()) await new Promise((resolve) => setTimeout(resolve, delivery.startAt! - Date.now()));
			for (;;) {
				if (options.shouldStop?.()) return outcome;
				await slots.take();
				// a run that ended while this delivery waited for a slot sends nothing more
				if (options.shouldStop?.()) {
					slots.give();
					return outcome;
				}
				let result: DeliveryResult;
				try {
					if (outcome.attempts === 0) outcome.firstAt = Date.now();
					outcome.attempts++;
					result = await delivery.send(outcome.attempts);
				} finally {
					slots.give();
				}
				outcome.statuses.push(result.status);
				if (result.error) outcome.lastError = result.error;
				options.onAttempt?.(delivery.id, result, outcome.attempts);
				if (result.status >= 200 && result.status < 300) {
					outcome.ok = true;
					outcome.ackAt = Date.now();
					return outcome;
				}
				const pause = delays[Math.min(outcome.attempts - 1, delays.length - 1)];
				if (outcome.attempts >= maxAttempts) return outcome;
				if (options.deadline !== undefined && Date.now() + pause > options.deadline) return outcome;
				await new Promise((resolve) => setTimeout(resolve, pause));
			}
		}),
	);
}
