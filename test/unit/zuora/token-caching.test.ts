/**
 * Zuora OAuth token caching, through n8n-core's real request helpers and the
 * credential's preAuthentication / authenticate (n8n's expirable-token
 * mechanism), against the sandbox's token endpoint that counts requests.
 */
import type { IDataObject } from 'n8n-workflow';

import { TokenCache, refreshPoint } from '../../../nodes/Zuora/token-cache';
import { zuoraTokenCache } from '../../../nodes/Zuora/token-cache';
import {
	CLIENT_SECRET,
	resetZuoraProcessState,
	runZuora,
	runZuoraError,
	startZuora,
	zuoraCredentials,
} from '../../helpers/zuora';
import type { ZuoraSandbox } from '../../../dev/sandbox/zuora';

let sandbox: ZuoraSandbox;
beforeAll(async () => {
	sandbox = await startZuora();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	resetZuoraProcessState();
	sandbox.seedAccount({ name: 'Token Test', crmId: '1' });
});

const getAccount = { resource: 'account', operation: 'get', accountKey: 'A00000001' };
const bearers = (s: ZuoraSandbox) =>
	s.requestsTo('GET', '/v1/accounts/A00000001').map((r) => r.headers.authorization);

describe('token caching across executions', () => {
	it('N concurrent executions cause ONE token request and all use that token', async () => {
		const credentials = zuoraCredentials(sandbox); // one credential, as stored in n8n
		const runs = Array.from({ length: 12 }, () => runZuora(sandbox, getAccount, { credentials }));
		const results = await Promise.all(runs);
		expect(results.every(([a]) => a.accountNumber === 'A00000001')).toBe(true);
		expect(sandbox.tokenRequests).toBe(1);
		expect(new Set(bearers(sandbox)).size).toBe(1);
		// n8n stored the token with the credential (preAuthentication output)
		expect(credentials.accessToken).toMatch(/^[0-9a-f]{48}$/);
		expect(Number(credentials.expiresAt)).toBeGreaterThan(Date.now());
		expect(Number(credentials.refreshAt)).toBeLessThan(Number(credentials.expiresAt));
	});

	it('N concurrent executions with separate credential copies (several workflows) still share one request', async () => {
		const runs = Array.from({ length: 6 }, () => runZuora(sandbox, getAccount, { credentials: zuoraCredentials(sandbox) }));
		await Promise.all(runs);
		expect(sandbox.tokenRequests).toBe(1);
	});

	it('reuses the token until shortly before expires_in, then fetches a new one ahead of expiry', async () => {
		sandbox.tokenTtlSeconds = 2; // refresh margin: a quarter of the life = 0.5 s
		const credentials = zuoraCredentials(sandbox);
		await runZuora(sandbox, getAccount, { credentials });
		await new Promise((r) => setTimeout(r, 700));
		await runZuora(sandbox, getAccount, { credentials });
		expect(sandbox.tokenRequests).toBe(1);
		await new Promise((r) => setTimeout(r, 1000)); // 1.7 s: past refreshAt (1.5 s), before expiry (2 s)
		await runZuora(sandbox, getAccount, { credentials });
		expect(sandbox.tokenRequests).toBe(2);
		const used = bearers(sandbox);
		expect(used[0]).toBe(used[1]);
		expect(used[2]).not.toBe(used[1]);
		// no request was ever refused: the refresh happened before expiry
		expect(sandbox.requests.filter((r) => r.status === 401)).toHaveLength(0);
	});

	it('another process (empty cache) reuses the token stored with the credential', async () => {
		const credentials = zuoraCredentials(sandbox);
		await runZuora(sandbox, getAccount, { credentials });
		zuoraTokenCache.clear(); // a queue-mode worker or a restarted n8n
		await runZuora(sandbox, getAccount, { credentials });
		expect(sandbox.tokenRequests).toBe(1);
	});

	it('a 401 refreshes the token once and the call succeeds', async () => {
		const credentials = zuoraCredentials(sandbox);
		await runZuora(sandbox, getAccount, { credentials });
		const before = credentials.accessToken;
		sandbox.revokeTokens(); // Zuora dropped the token early
		const [account] = await runZuora(sandbox, getAccount, { credentials });
		expect(account.accountNumber).toBe('A00000001');
		expect(sandbox.tokenRequests).toBe(2);
		expect(sandbox.requestsTo('GET', '/v1/accounts/A00000001').map((r) => r.status)).toEqual([200, 401, 200]);
		expect(credentials.accessToken).not.toBe(before);
	});

	it('a burst of 401s from concurrent executions still costs one new token', async () => {
		const credentials = zuoraCredentials(sandbox);
		await runZuora(sandbox, getAccount, { credentials });
		sandbox.revokeTokens();
		await Promise.all(Array.from({ length: 8 }, () => runZuora(sandbox, getAccount, { credentials })));
		expect(sandbox.tokenRequests).toBe(2);
		const statuses = sandbox.requestsTo('GET', '/v1/accounts/A00000001').map((r) => r.status);
		expect(statuses.filter((s) => s === 401)).toHaveLength(8);
		expect(statuses.filter((s) => s === 200)).toHaveLength(9);
	});

	it('a 401 that persists after the refresh surfaces as an error (refreshes once, no loop)', async () => {
		sandbox.faults.push({ path: '/v1/accounts/A00000001', status: 401, body: { message: 'Authentication error' } });
		const error = await runZuoraError(sandbox, getAccount);
		expect(error.message).toBe('Zuora 401: Authentication error [item 0]');
		expect(sandbox.requestsTo('GET', '/v1/accounts/A00000001')).toHaveLength(2);
		expect(sandbox.tokenRequests).toBe(2);
	});

	it('a wrong client secret is a clear error without the secret', async () => {
		const wrong = 'definitely-not-the-secret-value';
		const error = await runZuoraError(sandbox, getAccount, {
			credentials: zuoraCredentials(sandbox, { clientSecret: wrong }),
		});
		expect(error.message).toBe('Zuora refused the OAuth client credentials (HTTP 401 invalid_client: Bad client credentials) [item 0]');
		expect(error.description).toContain('client ID and secret');
		expect(JSON.stringify({ m: error.message, d: error.description, c: error.context })).not.toContain(wrong);
	});

	it('waits out a 429 from the per-IP token limit (Retry-After) instead of failing', async () => {
		await sandbox.stop();
		const { ZuoraSandbox } = await import('../../../dev/sandbox/zuora');
		const limited = await new ZuoraSandbox({ tokenRateLimit: { limit: 1, windowMs: 1000 } })
			.addClient('aaaaaaaa-0000-4000-8000-00000000000a', 'secret-a-secret-a')
			.addClient('bbbbbbbb-0000-4000-8000-00000000000b', 'secret-b-secret-b')
			.start();
		try {
			limited.seedAccount({ name: 'Limited' });
			const creds = (clientId: string, clientSecret: string): IDataObject =>
				zuoraCredentials(limited, { clientId, clientSecret });
			await runZuora(limited, getAccount, { credentials: creds('aaaaaaaa-0000-4000-8000-00000000000a', 'secret-a-secret-a') as never });
			const started = Date.now();
			await runZuora(limited, getAccount, { credentials: creds('bbbbbbbb-0000-4000-8000-00000000000b', 'secret-b-secret-b') as never });
			expect(Date.now() - started).toBeGreaterThanOrEqual(900);
			expect(limited.stats.rateLimited).toBe(1);
		} finally {
			await limited.stop();
			sandbox = await startZuora();
		}
	});

	it('the base URL override and environment decide where tokens come from', async () => {
		const error = await runZuoraError(sandbox, getAccount, {
			credentials: zuoraCredentials(sandbox, { baseUrl: '', environment: 'custom' }),
		});
		expect(error.message).toBe('The Zuora credential has no base URL [item 0]');
		expect(JSON.stringify(error.description)).not.toContain(CLIENT_SECRET);
	});
});

describe('TokenCache (pure)', () => {
	const identity = { baseUrl: 'https://rest.zuora.com', clientId: 'c', clientSecret: 's' };

	it('refreshes a quarter of the lifetime early, at most five minutes', () => {
		expect(refreshPoint(0, 3600)).toEqual({ expiresAt: 3_600_000, refreshAt: 3_300_000 });
		expect(refreshPoint(0, 60)).toEqual({ expiresAt: 60_000, refreshAt: 45_000 });
	});

	it('single flight: concurrent callers share one fetch; a failed fetch is not cached', async () => {
		let now = 0;
		const cache = new TokenCache(() => now);
		let calls = 0;
		let fail = true;
		const fetcher = async () => {
			calls++;
			await new Promise((r) => setTimeout(r, 20));
			if (fail) throw new Error('boom');
			return { accessToken: `t${calls}`, expiresInSeconds: 3600 };
		};
		const failing = await Promise.allSettled([cache.fresh(identity, fetcher), cache.fresh(identity, fetcher)]);
		expect(failing.map((r) => r.status)).toEqual(['rejected', 'rejected']);
		expect(calls).toBe(1);
		fail = false;
		const tokens = await Promise.all(Array.from({ length: 5 }, () => cache.fresh(identity, fetcher)));
		expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['t2']));
		expect(calls).toBe(2);
		now = 3_300_000; // refresh point reached
		expect((await cache.fresh(identity, fetcher)).accessToken).toBe('t3');
	});

	it('renewRejected replaces only the refused token', async () => {
		const cache = new TokenCache(() => 0);
		let n = 0;
		const fetcher = async () => ({ accessToken: `t${++n}`, expiresInSeconds: 3600 });
		await cache.fresh(identity, fetcher); // t1
		expect((await cache.renewRejected(identity, 't1', fetcher)).accessToken).toBe('t2');
		// a late 401 for t1 gets the replacement, not a third token
		expect((await cache.renewRejected(identity, 't1', fetcher)).accessToken).toBe('t2');
		expect(n).toBe(2);
	});

	it('a different secret never reuses a token', async () => {
		const cache = new TokenCache(() => 0);
		let n = 0;
		const fetcher = async () => ({ accessToken: `t${++n}`, expiresInSeconds: 3600 });
		await cache.fresh(identity, fetcher);
		await cache.fresh({ ...identity, clientSecret: 'rotated' }, fetcher);
		expect(n).toBe(2);
	});
});
