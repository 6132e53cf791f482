import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { backoffDelay, parseRetryAfter } from '../../../nodes/shared/http';
import { PermitLimiter, resetLimiters } from '../../../nodes/shared/rate-limiter';
import { executeNode } from '../../helpers/n8n-context';
import { Probe, ProbeApi } from '../../helpers/probe-node';
import { bearerToken, SandboxServer } from '../../../dev/sandbox/kit';

const SECRET = 'sk_live_VERY-SECRET-token-123';

class EchoSandbox extends SandboxServer {
	constructor() {
		super('echo');
		this.route('GET', '/ok', (_req, res) => res.json(200, { ok: true }));
		this.route('POST', '/create', (req, res) => res.json(201, { created: true, body: req.body }));
		this.route('GET', '/echo-auth', (req, res) =>
			res.json(400, { message: `token ${bearerToken(req)} is not allowed here`, field: 'token' }),
		);
		this.route('GET', '/empty', (_req, res) => res.empty(204));
	}
}

let sandbox: EchoSandbox;

beforeAll(async () => {
	sandbox = await new EchoSandbox().start();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.resetLog();
	resetLimiters();
});

function run(items: Array<Record<string, unknown>>): Promise<INodeExecutionData[][]> {
	return executeNode({
		nodeType: new Probe(),
		parameters: {},
		credentials: { probeApi: { baseUrl: sandbox.url, token: SECRET } },
		credentialTypes: [new ProbeApi()],
		items: items.map((json) => ({ json: json as IDataObject })),
	});
}

async function runError(items: Array<Record<string, unknown>>): Promise<NodeApiError> {
	try {
		await run(items);
	} catch (error) {
		return error as NodeApiError;
	}
	throw new Error('expected the node to fail');
}

describe('vendorRequest through a real n8n-core ExecuteContext', () => {
	it('sends the credential and returns the parsed body', async () => {
		const [[item]] = await run([{ path: '/ok' }]);
		expect(item.json).toEqual({ ok: true });
		expect(sandbox.requests[0].headers.authorization).toBe(`Bearer ${SECRET}`);
	});

	it('treats 204 No Content as an empty result, not an error', async () => {
		const [[item]] = await run([{ path: '/empty' }]);
		expect(item.json).toEqual({});
	});

	it('waits for Retry-After on 429 and then succeeds', async () => {
		sandbox.faults.push({ path: '/ok', status: 429, headers: { 'retry-after': '1' }, times: 1 });
		const started = Date.now();
		const [[item]] = await run([{ path: '/ok' }]);
		const elapsed = Date.now() - started;
		expect(item.json).toEqual({ ok: true });
		expect(sandbox.requestsTo('GET', '/ok')).toHaveLength(2);
		expect(elapsed).toBeGreaterThanOrEqual(950);
	});

	it("honours a retry_after hint in the body (Kommo's style)", async () => {
		sandbox.faults.push({ path: '/ok', status: 429, body: { retry_after: 1 }, times: 1 });
		const started = Date.now();
		await run([{ path: '/ok' }]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(sandbox.requestsTo('GET', '/ok')).toHaveLength(2);
	});

	it('retries 5xx up to the bound, then throws a NodeApiError with the vendor message', async () => {
		sandbox.faults.push({ path: '/ok', status: 503, body: { message: 'maintenance window', code: 'down' } });
		const error = await runError([{ path: '/ok' }]);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('Probe 503 (down): maintenance window');
		expect(error.httpCode).toBe('503');
		expect(sandbox.requestsTo('GET', '/ok')).toHaveLength(4); // maxAttempts
	});

	it('does not retry a POST without an idempotency key after a 5xx', async () => {
		sandbox.faults.push({ path: '/create', status: 500, body: { message: 'boom' } });
		const error = await runError([{ method: 'POST', path: '/create', body: { a: 1 } }]);
		expect(sandbox.requestsTo('POST', '/create')).toHaveLength(1);
		expect(error.description).toContain('not idempotent');
	});

	it('does not retry a POST without a key after a dropped connection', async () => {
		sandbox.faults.push({ path: '/create', drop: true });
		const error = await runError([{ method: 'POST', path: '/create', body: { a: 1 } }]);
		expect(sandbox.requestsTo('POST', '/create')).toHaveLength(1);
		expect(error.message).toContain('could not complete POST');
		expect(error.description).toContain('Not retried automatically');
	});

	it('retries a POST that carries an idempotency key, sending the key each time', async () => {
		sandbox.faults.push({ path: '/create', status: 502, times: 2 });
		const [[item]] = await run([{ method: 'POST', path: '/create', body: { a: 1 }, idempotencyKey: 'k-1' }]);
		expect(item.json).toMatchObject({ created: true });
		const posts = sandbox.requestsTo('POST', '/create');
		expect(posts).toHaveLength(3);
		expect(posts.map((p) => p.headers['idempotency-key'])).toEqual(['k-1', 'k-1', 'k-1']);
	});

	it('retries a GET after a dropped connection', async () => {
		sandbox.faults.push({ path: '/ok', drop: true, times: 1 });
		const [[item]] = await run([{ path: '/ok' }]);
		expect(item.json).toEqual({ ok: true });
	});

	it('retries a POST on 429 even without a key (the server refused it unprocessed)', async () => {
		sandbox.faults.push({ path: '/create', status: 429, headers: { 'retry-after': '0' }, times: 1 });
		await run([{ method: 'POST', path: '/create', body: { a: 1 } }]);
		expect(sandbox.requestsTo('POST', '/create')).toHaveLength(2);
	});

	it('never puts a credential secret into the thrown error, even when the vendor echoes it', async () => {
		const error = await runError([{ path: '/echo-auth' }]);
		const everything = JSON.stringify({
			message: error.message,
			description: error.description,
			context: error.context,
			cause: error.cause,
			errorResponse: (error as unknown as { errorResponse?: unknown }).errorResponse,
			stack: error.stack,
		});
		expect(everything).not.toContain(SECRET);
		expect(error.message).toContain('[redacted]');
		expect(error.message).toContain('[field: token]');
	});

	it('keeps 50 concurrent calls at ≤7 per second as the sandbox counts them', async () => {
		const started = Date.now();
		await run(Array.from({ length: 50 }, () => ({ path: '/ok' })));
		const elapsed = Date.now() - started;
		expect(sandbox.requestsTo('GET', '/ok')).toHaveLength(50);
		expect(sandbox.maxInWindow(1000)).toBeLessThanOrEqual(7);
		// 50 calls at 7/s need at least 6 full windows.
		expect(elapsed).toBeGreaterThanOrEqual(6 * 1000 - 50);
	}, 20_000);
});

describe('retry helpers', () => {
	it('parses Retry-After seconds and HTTP dates', () => {
		expect(parseRetryAfter('2')).toBe(2000);
		expect(parseRetryAfter(new Date(Date.now() + 3000).toUTCString(), Date.now())).toBeGreaterThan(1000);
		expect(parseRetryAfter('soon')).toBeUndefined();
		expect(parseRetryAfter(undefined)).toBeUndefined();
	});

	it('backs off exponentially with jitter and a cap', () => {
		const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxTotalWaitMs: 10_000 };
		expect(backoffDelay(1, policy, () => 0)).toBe(50);
		expect(backoffDelay(1, policy, () => 1)).toBe(100);
		expect(backoffDelay(3, policy, () => 1)).toBe(400);
		expect(backoffDelay(10, policy, () => 1)).toBe(1000);
	});

	it('the permit limiter keeps arrivals within any window at N, whatever the round-trip time', async () => {
		const limiter = new PermitLimiter({ requests: 3, windowMs: 100 });
		const arrivals: number[] = [];
		await Promise.all(
			Array.from({ length: 15 }, async () => {
				const release = await limiter.acquire();
				const sent = Date.now();
				const roundTrip = Math.random() * 30;
				// The server sees the request somewhere between send and response.
				arrivals.push(sent + Math.random() * roundTrip);
				await new Promise((r) => setTimeout(r, roundTrip));
				release();
			}),
		);
		arrivals.sort((a, b) => a - b);
		for (let i = 0; i + 3 < arrivals.length; i++) expect(arrivals[i + 3] - arrivals[i]).toBeGreaterThanOrEqual(99);
	});
});
