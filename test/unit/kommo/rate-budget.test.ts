/**
 * Kommo's budget shared by all queue-mode workers: the permit limiter's reuse rules, leases and
 * aborts (nodes/shared/rate-limiter.ts), the broker behind the Kommo Rate Budget node, the
 * node's webhook (secret, no execution), and the worker side with its fail-safe fallback.
 */
import type { IDataObject, INode, IWebhookFunctions } from 'n8n-workflow';

import { budgetLimiter, resetRateBudget, type RateBudget } from '../../../nodes/Kommo/rate-budget';
import { rateBudgetOf } from '../../../nodes/Kommo/transport';
import { HOLD_MS, LEASE_MS, PermitBroker } from '../../../nodes/KommoRateBudget/broker';
import { KommoRateBudget } from '../../../nodes/KommoRateBudget/KommoRateBudget.node';
import { PermitAbortedError, PermitLimiter, resetLimiters } from '../../../nodes/shared/rate-limiter';

/** A clock the test moves: sleep() resolves when advance() passes its time. */
class FakeClock {
	t = 1_000_000;
	private timers: Array<{ at: number; resolve: () => void }> = [];
	now = () => this.t;
	sleep = async (ms: number) => await new Promise<void>((resolve) => this.timers.push({ at: this.t + ms, resolve }));
	async advance(ms: number): Promise<void> {
		const end = this.t + ms;
		for (;;) {
			await flush();
			const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
			if (!next) break;
			this.t = Math.max(this.t, next.at);
			this.timers = this.timers.filter((x) => x !== next);
			next.resolve();
		}
		this.t = end;
		await flush();
	}
}

async function flush(): Promise<void> {
	for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Resolves to the release function once granted; `granted` says whether it is yet. */
function track(p: Promise<() => void>) {
	const state: { granted: boolean; release?: () => void; error?: unknown } = { granted: false };
	p.then(
		(release) => {
			state.granted = true;
			state.release = release;
		},
		(error) => (state.error = error),
	);
	return state;
}

describe('PermitLimiter', () => {
	it('a permit is usable again one window after its release', async () => {
		const clock = new FakeClock();
		const limiter = new PermitLimiter({ requests: 2, windowMs: 1000 }, { now: clock.now, sleep: clock.sleep });
		const a = track(limiter.acquire());
		const b = track(limiter.acquire());
		const c = track(limiter.acquire());
		await flush();
		expect([a.granted, b.granted, c.granted]).toEqual([true, true, false]);
		await clock.advance(100);
		a.release!();
		await clock.advance(999);
		expect(c.granted).toBe(false);
		await clock.advance(1);
		expect(c.granted).toBe(true);
		expect(limiter.inUse).toBe(2);
	});

	it('takes back a permit that is not released within its lease (as if released then)', async () => {
		const clock = new FakeClock();
		const limiter = new PermitLimiter({ requests: 1, windowMs: 1000 }, { leaseMs: 60_000, now: clock.now, sleep: clock.sleep });
		const a = track(limiter.acquire());
		const b = track(limiter.acquire());
		await flush();
		expect(a.granted).toBe(true);
		await clock.advance(60_999);
		expect(b.granted).toBe(false);
		await clock.advance(1);
		expect(b.granted).toBe(true);
		a.release!(); // late: ignored, the permit is b's now
		expect(limiter.inUse).toBe(1);
	});

	it('an aborted wait leaves the line and the permit goes to the next', async () => {
		const clock = new FakeClock();
		const limiter = new PermitLimiter({ requests: 1, windowMs: 1000 }, { now: clock.now, sleep: clock.sleep });
		const a = track(limiter.acquire());
		const controller = new AbortController();
		const b = track(limiter.acquire(controller.signal));
		const c = track(limiter.acquire());
		await flush();
		controller.abort();
		await flush();
		expect(b.error).toBeInstanceOf(PermitAbortedError);
		expect(limiter.queued).toBe(1);
		a.release!();
		await clock.advance(1000);
		expect(c.granted).toBe(true);
	});
});

const settings = { requestsPerSecond: 7 };

describe('PermitBroker', () => {
	it('grants 7 permits per host at once, releases them, and ignores unknown permits', async () => {
		const clock = new FakeClock();
		const broker = new PermitBroker(clock.now, clock.sleep);
		const answers = await Promise.all(Array.from({ length: 7 }, async () => await broker.acquire('acme.kommo.com', settings)));
		expect(answers.every((a) => a.status === 200 && typeof a.body.permit === 'string')).toBe(true);
		expect(answers[0].body.leaseMs).toBe(LEASE_MS);
		// another account has its own 7
		expect((await broker.acquire('other.kommo.com', settings)).body.permit).toEqual(expect.any(String));
		const eighth = broker.acquire('acme.kommo.com', settings);
		expect(broker.release(answers[0].body.permit)).toEqual({ status: 200, body: { released: true } });
		expect(broker.release(answers[0].body.permit).body.released).toBe(false);
		expect(broker.release('nope').body.released).toBe(false);
		await clock.advance(1000);
		expect((await eighth).body.permit).toEqual(expect.any(String));
		expect(broker.status()).toEqual({
			hosts: { 'acme.kommo.com': { granted: 8, inUse: 7, queued: 0 }, 'other.kommo.com': { granted: 1, inUse: 1, queued: 0 } },
			permitsOut: 8,
		});
	});

	it('answers retry after holding a request HOLD_MS, 499 when the asker hangs up, 400 for a bad host', async () => {
		const clock = new FakeClock();
		const broker = new PermitBroker(clock.now, clock.sleep);
		await Promise.all(Array.from({ length: 7 }, async () => await broker.acquire('acme.kommo.com', settings)));
		const held = broker.acquire('acme.kommo.com', settings);
		await clock.advance(HOLD_MS);
		expect(await held).toEqual({ status: 200, body: { retry: true } });
		const controller = new AbortController();
		const left = broker.acquire('acme.kommo.com', settings, controller.signal);
		controller.abort();
		expect((await left).status).toBe(499);
		expect((await broker.acquire('acme.kommo.com/x?y', settings)).status).toBe(400);
		expect((await broker.acquire(undefined, settings)).status).toBe(400);
	});

	it('takes back a permit whose holder never returns it after the 60 s lease', async () => {
		const clock = new FakeClock();
		const broker = new PermitBroker(clock.now, clock.sleep);
		const one = { ...settings, requestsPerSecond: 1 };
		const first = await broker.acquire('acme.kommo.com', one);
		const second = broker.acquire('acme.kommo.com', one);
		await clock.advance(HOLD_MS);
		expect((await second).body.retry).toBe(true);
		await clock.advance(LEASE_MS - HOLD_MS);
		// taken back as if released at the end of its lease: usable one window later
		const third = broker.acquire('acme.kommo.com', one);
		await clock.advance(1000);
		expect((await third).body.permit).toEqual(expect.any(String));
		expect(broker.release(first.body.permit).body.released).toBe(false);
	});
});

function webhookContext(options: { authorization?: string; body: IDataObject; secret?: string; params?: IDataObject }) {
	const sent: { status?: number; body?: unknown } = {};
	const response = {
		writableEnded: false,
		status(code: number) {
			sent.status = code;
			return response;
		},
		json(body: unknown) {
			sent.body = body;
			response.writableEnded = true;
			return response;
		},
		on: jest.fn(),
	};
	const params: IDataObject = { authentication: 'longLivedToken', requestsPerSecond: 7, ...options.params };
	const ctx = {
		getNodeParameter: (name: string, fallback?: unknown) => params[name] ?? fallback,
		getCredentials: jest.fn(async () => ({ rateBudgetSecret: options.secret ?? 'budget-secret-0123456789' })),
		getHeaderData: () => (options.authorization ? { authorization: options.authorization } : {}),
		getBodyData: () => options.body,
		getResponseObject: () => response,
		logger: { warn: jest.fn() },
	} as unknown as IWebhookFunctions;
	return { ctx, sent };
}

describe('Kommo Rate Budget node', () => {
	const node = new KommoRateBudget();

	it('refuses a wrong or missing secret with 401 and starts no execution', async () => {
		for (const authorization of [undefined, 'Bearer wrong-secret-0123456789', 'Basic YTpi']) {
			const { ctx, sent } = webhookContext({ authorization, body: { action: 'acquire', host: 'acme.kommo.com' } });
			const result = await node.webhook.call(ctx);
			expect(result).toEqual({ noWebhookResponse: true });
			expect(result.workflowData).toBeUndefined();
			expect(sent).toEqual({ status: 401, body: { error: 'unauthorized' } });
		}
	});

	it('refuses every request while the credential has no secret of 16+ characters', async () => {
		const { ctx, sent } = webhookContext({ authorization: 'Bearer short', secret: 'short', body: { action: 'acquire', host: 'acme.kommo.com' } });
		await node.webhook.call(ctx);
		expect(sent.status).toBe(503);
	});

	it('hands out and takes back a permit with the right secret, without workflowData', async () => {
		const auth = 'Bearer budget-secret-0123456789';
		const host = `node-test-${Date.now()}.kommo.com`;
		const acquired = webhookContext({ authorization: auth, body: { action: 'acquire', host } });
		const result = await node.webhook.call(acquired.ctx);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(acquired.sent.status).toBe(200);
		const permit = (acquired.sent.body as IDataObject).permit;
		expect(permit).toEqual(expect.any(String));
		const released = webhookContext({ authorization: auth, body: { action: 'release', permit } });
		await node.webhook.call(released.ctx);
		expect(released.sent).toEqual({ status: 200, body: { released: true } });
	});
});

describe('worker side (budgetLimiter)', () => {
	const budget: RateBudget = { url: 'http://main:5678/webhook/x/permit', secret: 'budget-secret-0123456789', fallback: { requests: 1, windowMs: 1000 } };
	const node = { name: 'Kommo', type: 'kommo', typeVersion: 1, id: '1', position: [0, 0], parameters: {} } as INode;

	beforeEach(() => {
		resetRateBudget();
		resetLimiters();
	});

	function ctxWith(httpRequest: jest.Mock) {
		return { getNode: () => node, helpers: { httpRequest } } as never;
	}

	it('asks the broker with the Bearer secret and returns the permit when done', async () => {
		const httpRequest = jest.fn(async (o: { body: IDataObject }) =>
			o.body.action === 'acquire' ? { statusCode: 200, body: { permit: 'p1' } } : { statusCode: 200, body: { released: true } },
		);
		const release = await budgetLimiter(ctxWith(httpRequest), budget, 'acme.kommo.com').acquire();
		expect(httpRequest.mock.calls[0][0]).toMatchObject({
			method: 'POST',
			url: budget.url,
			headers: { Authorization: `Bearer ${budget.secret}` },
			body: { action: 'acquire', host: 'acme.kommo.com' },
		});
		release();
		release();
		expect(httpRequest).toHaveBeenCalledTimes(2);
		expect(httpRequest.mock.calls[1][0]).toMatchObject({ body: { action: 'release', permit: 'p1' } });
	});

	it('asks again when the broker says retry', async () => {
		const httpRequest = jest
			.fn()
			.mockResolvedValueOnce({ statusCode: 200, body: { retry: true } })
			.mockResolvedValueOnce({ statusCode: 200, body: { permit: 'p2' } });
		await budgetLimiter(ctxWith(httpRequest), budget, 'acme.kommo.com').acquire();
		expect(httpRequest).toHaveBeenCalledTimes(2);
	});

	it('fails safe when the broker cannot be reached: its own limiter at the fallback rate, broker retried later', async () => {
		const httpRequest = jest.fn(async () => {
			throw new Error('connect ECONNREFUSED');
		});
		const limiter = budgetLimiter(ctxWith(httpRequest), budget, 'acme.kommo.com');
		const started = Date.now();
		(await limiter.acquire())();
		(await limiter.acquire())(); // 1 per second: waits for the first permit's window
		expect(Date.now() - started).toBeGreaterThanOrEqual(990);
		expect(httpRequest).toHaveBeenCalledTimes(1); // not asked again within RECHECK_MS
	});

	it('a 500 or a nonsense answer also falls back; a refused secret fails the request', async () => {
		const broken = jest.fn(async () => ({ statusCode: 500, body: 'oops' }));
		await budgetLimiter(ctxWith(broken), budget, 'acme.kommo.com').acquire();
		resetRateBudget();
		const refused = jest.fn(async () => ({ statusCode: 401, body: { error: 'unauthorized' } }));
		await expect(budgetLimiter(ctxWith(refused), budget, 'acme.kommo.com').acquire()).rejects.toThrow(
			'The Kommo Rate Budget refused the permit request (401)',
		);
	});

	it('reads the credential: no URL, no budget; fallback defaults to 1 per second', () => {
		expect(rateBudgetOf({ rateBudgetUrl: '' })).toBeUndefined();
		expect(rateBudgetOf({ rateBudgetUrl: ' http://x/permit ', rateBudgetSecret: 's' })).toEqual({
			url: 'http://x/permit',
			secret: 's',
			fallback: { requests: 1, windowMs: 1000 },
		});
		expect(rateBudgetOf({ rateBudgetUrl: 'http://x', rateBudgetFallback: 0.5 })?.fallback).toEqual({ requests: 1, windowMs: 2000 });
	});
});
