/**
 * The Kommo sandbox itself, over plain HTTP: it must be a faithful stand-in
 * (auth, 204s, rate limit and IP block, validation errors, OAuth token
 * endpoint with rotating refresh tokens, real webhook deliveries with timing),
 * and the node's OAuth2 path through n8n-core must refresh an expired token.
 */
import { createServer, type Server } from 'node:http';
import type { IDataObject } from 'n8n-workflow';
import type { AddressInfo } from 'node:net';

import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { KommoSandbox, WON_STATUS_ID } from '../../../dev/sandbox/kommo';
import { byId, runKommo } from './helpers';

let kommo: KommoSandbox;

beforeAll(async () => {
	kommo = await new KommoSandbox().start();
});
afterAll(async () => kommo.stop());
beforeEach(() => {
	kommo.resetLog();
	kommo.webhooks.length = 0;
	kommo.setRequestsPerSecond(7);
	kommo.blockAfterViolations = 20;
	resetLimiters();
});

const api = (path: string, init: RequestInit = {}, token = kommo.longLivedToken) =>
	fetch(`${kommo.url}${path}`, {
		...init,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
	});

describe('KommoSandbox wire format', () => {
	it('answers 401 problem+json without a valid Bearer token', async () => {
		const res = await api('/api/v4/account', {}, 'nope');
		expect(res.status).toBe(401);
		expect(res.headers.get('content-type')).toBe('application/problem+json');
		expect(await res.json()).toMatchObject({ title: 'Unauthorized', status: 401 });
	});

	it('answers 204 with an empty body for empty lists and unknown ids', async () => {
		const empty = await api('/api/v4/leads?query=nothing-matches-this');
		expect(empty.status).toBe(204);
		expect(await empty.text()).toBe('');
		expect((await api('/api/v4/leads/123')).status).toBe(204);
		expect((await api('/api/v4/webhooks')).status).toBe(204);
	});

	it('returns HAL with _embedded, _links and pages', async () => {
		for (let i = 0; i < 3; i++) kommo.addLead({ name: `Paged ${i}` });
		const res = await api('/api/v4/leads?limit=2&page=1');
		expect(res.headers.get('content-type')).toBe('application/hal+json');
		const body = (await res.json()) as { _page: number; _links: { next?: unknown }; _embedded: { leads: unknown[] } };
		expect(body._page).toBe(1);
		expect(body._embedded.leads).toHaveLength(2);
		expect(body._links.next).toBeDefined();
	});

	it('answers 429 with retry_after above 7 requests per second, then 403 for everything once blocked', async () => {
		kommo.blockAfterViolations = 5;
		const statuses: number[] = [];
		for (let i = 0; i < 14; i++) statuses.push((await api('/api/v4/account')).status);
		expect(statuses.slice(0, 7)).toEqual([200, 200, 200, 200, 200, 200, 200]);
		expect(statuses[7]).toBe(429);
		expect(statuses.slice(11)).toEqual([403, 403, 403]);
		const limited = await api('/api/v4/account');
		expect(limited.status).toBe(403);
		expect(kommo.blocked).toBe(true);
		await new Promise((r) => setTimeout(r, 1100));
		expect((await api('/api/v4/account')).status).toBe(403); // still blocked after the window
	});

	it('puts retry_after in the 429 body', async () => {
		kommo.setRequestsPerSecond(1);
		await api('/api/v4/account');
		const res = await api('/api/v4/account');
		expect(res.status).toBe(429);
		expect(await res.json()).toEqual({ title: 'Too Many Requests', type: 'https://httpstatus.es/429', status: 429, detail: 'Too many requests', retry_after: 1 });
	});

	it('rejects invalid writes with validation-errors naming the path', async () => {
		const lead = kommo.addLead();
		const plan = kommo.field('leads', 'Plan');
		const res = await api(`/api/v4/leads/${lead.id}`, {
			method: 'PATCH',
			body: JSON.stringify({ price: 'x', custom_fields_values: [{ field_id: plan.id, values: [{ enum_id: 1 }] }] }),
		});
		expect(res.status).toBe(400);
		const body = (await res.json()) as Record<string, unknown>;
		expect(body['validation-errors']).toEqual([
			{
				request_id: '0',
				errors: [
					{ code: 'InvalidType', path: 'price', detail: 'This value should be of type int.' },
					{ code: 'NotSupportedChoice', path: 'custom_fields_values.0.values.0.enum_id', detail: 'The value you selected is not a valid choice.' },
				],
			},
		]);
	});

	it('issues OAuth tokens for a code and rotates the refresh token on every refresh', async () => {
		kommo.registerOAuthClient('client-1', 'secret-1', 'http://127.0.0.1/cb');
		const code = kommo.issueAuthorizationCode('client-1');
		const post = (body: Record<string, string>) =>
			fetch(`${kommo.url}/oauth2/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const first = (await (await post({ client_id: 'client-1', client_secret: 'secret-1', grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1/cb' })).json()) as Record<string, string>;
		expect(first).toMatchObject({ token_type: 'Bearer', expires_in: 86_400 });
		expect((await api('/api/v4/account', {}, first.access_token)).status).toBe(200);
		const refreshed = (await (await post({ client_id: 'client-1', client_secret: 'secret-1', grant_type: 'refresh_token', refresh_token: first.refresh_token })).json()) as Record<string, string>;
		expect(refreshed.refresh_token).not.toBe(first.refresh_token);
		const reused = await post({ client_id: 'client-1', client_secret: 'secret-1', grant_type: 'refresh_token', refresh_token: first.refresh_token });
		expect(reused.status).toBe(400);
		expect((await post({ client_id: 'client-1', client_secret: 'wrong', grant_type: 'refresh_token', refresh_token: refreshed.refresh_token })).status).toBe(401);
	});
});

describe('KommoSandbox webhooks', () => {
	let receiver: Server;
	let receiverUrl = '';
	const received: Array<{ url: string; body: string; contentType: string }> = [];
	let delayMs = 0;
	let answer = 200;

	beforeAll(async () => {
		receiver = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				received.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'] ?? '' });
				setTimeout(() => {
					res.statusCode = answer;
					res.end('ok');
				}, delayMs);
			});
		});
		await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
		receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
	});
	afterAll(() => new Promise<void>((r) => receiver.close(() => r())));
	beforeEach(() => {
		received.length = 0;
		delayMs = 0;
		answer = 200;
	});

	it('registers, lists, upserts and deletes webhooks through the API', async () => {
		const destination = `${receiverUrl}?secret=abc`;
		const created = await api('/api/v4/webhooks', { method: 'POST', body: JSON.stringify({ destination, settings: ['status_lead'] }) });
		expect(await created.json()).toMatchObject({ destination, settings: ['status_lead'], disabled: false });
		await api('/api/v4/webhooks', { method: 'POST', body: JSON.stringify({ destination, settings: ['status_lead', 'add_lead'] }) });
		const list = (await (await api(`/api/v4/webhooks?filter[destination]=${encodeURIComponent(destination)}`)).json()) as { _embedded: { webhooks: Array<{ settings: string[] }> } };
		expect(list._embedded.webhooks).toHaveLength(1);
		expect(list._embedded.webhooks[0].settings).toEqual(['status_lead', 'add_lead']);
		const bad = await api('/api/v4/webhooks', { method: 'POST', body: JSON.stringify({ destination, settings: ['won'] }) });
		expect(bad.status).toBe(400);
		expect((await api('/api/v4/webhooks', { method: 'DELETE', body: JSON.stringify({ destination }) })).status).toBe(204);
		expect(kommo.webhooks).toHaveLength(0);
	});

	it('fires form-urlencoded v2 bodies with several entities and records 2xx-within-2s', async () => {
		kommo.webhooks.push({ id: 1, destination: `${receiverUrl}?secret=s1`, settings: ['status_lead'], created_at: 0, updated_at: 0, account_id: kommo.account.id, created_by: 0, sort: 1, disabled: false });
		const a = kommo.addLead({ customFields: { Plan: 'Pro' } });
		const b = kommo.addLead();
		const deliveries = await kommo.fire('status_lead', [a.id, b.id]);
		expect(deliveries).toHaveLength(1);
		expect(deliveries[0]).toMatchObject({ status: 200, ok: true });
		expect(received[0].url).toBe('/hook?secret=s1');
		expect(received[0].contentType).toBe('application/x-www-form-urlencoded');
		const form = new URLSearchParams(received[0].body);
		expect(form.get('leads[status][0][id]')).toBe(String(a.id));
		expect(form.get('leads[status][1][id]')).toBe(String(b.id));
		expect(form.get('leads[status][0][custom_fields][0][name]')).toBe('Plan');
		expect(form.get('leads[status][0][custom_fields][0][values][0][value]')).toBe('Pro');
		expect(form.get('leads[status][0][custom_fields][0][values][0][enum]')).toBe(String(kommo.field('leads', 'Plan').enums![1].id));
		expect(form.get('account[id]')).toBe(String(kommo.account.id));
		expect(form.get('account[subdomain]')).toBe('acme');

		delayMs = 2100;
		const [slow] = await kommo.moveLead(a.id, WON_STATUS_ID);
		expect(slow.status).toBe(200);
		expect(slow.ok).toBe(false); // too slow for Kommo's 2 seconds
		expect(slow.ms).toBeGreaterThanOrEqual(2000);
		delayMs = 0;
		answer = 500;
		const [failed] = await kommo.fire('status_lead', [a.id]);
		expect(failed).toMatchObject({ status: 500, ok: false });
	});

	it('only delivers to loopback destinations', async () => {
		kommo.webhooks.push({ id: 2, destination: 'https://example.com/hook', settings: ['add_lead'], created_at: 0, updated_at: 0, account_id: kommo.account.id, created_by: 0, sort: 1, disabled: false });
		const [d] = await kommo.fire('add_lead', [kommo.addLead().id]);
		expect(d).toMatchObject({ status: 0, ok: false, error: 'sandbox only delivers to loopback' });
	});

	it('can fire webhooks for changes made through the API, as Kommo does', async () => {
		kommo.emitWebhooksForApiChanges = true;
		try {
			kommo.webhooks.push({ id: 3, destination: `${receiverUrl}?secret=s3`, settings: ['status_lead'], created_at: 0, updated_at: 0, account_id: kommo.account.id, created_by: 0, sort: 1, disabled: false });
			const lead = kommo.addLead();
			const old = lead.status_id;
			await api(`/api/v4/leads/${lead.id}`, { method: 'PATCH', body: JSON.stringify({ status_id: WON_STATUS_ID }) });
			await kommo.settle();
			const form = new URLSearchParams(received[0].body);
			expect(form.get('leads[status][0][status_id]')).toBe(String(WON_STATUS_ID));
			expect(form.get('leads[status][0][old_status_id]')).toBe(String(old));
		} finally {
			kommo.emitWebhooksForApiChanges = false;
		}
	});
});

describe('OAuth2 credential through n8n-core', () => {
	it('sends the access token as Bearer and refreshes it after a 401', async () => {
		kommo.registerOAuthClient('n8n-client', 'n8n-secret', 'http://127.0.0.1/rest/oauth2-credential/callback');
		const tokens = (await (
			await fetch(`${kommo.url}/oauth2/access_token`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ client_id: 'n8n-client', client_secret: 'n8n-secret', grant_type: 'authorization_code', code: kommo.issueAuthorizationCode('n8n-client'), redirect_uri: 'x' }),
			})
		).json()) as Record<string, unknown>;
		const lead = kommo.addLead({ name: 'OAuth deal' });
		const oauth = {
			subdomain: 'acme',
			domain: 'kommo.com',
			customHost: true,
			baseUrl: kommo.url,
			grantType: 'authorizationCode',
			authUrl: `${kommo.url}/oauth`,
			accessTokenUrl: `${kommo.url}/oauth2/access_token`,
			clientId: 'n8n-client',
			clientSecret: 'n8n-secret',
			scope: '',
			authentication: 'body',
			oauthTokenData: tokens as IDataObject,
		};
		const run = () =>
			runKommo(kommo, { authentication: 'oAuth2', resource: 'lead', operation: 'get', leadId: byId(lead.id), includeContacts: false }, undefined, {
				credentials: { kommoOAuth2Api: oauth },
			});
		const [first] = await run();
		expect(first.json.name).toBe('OAuth deal');
		expect(kommo.requestsTo('GET', `/api/v4/leads/${lead.id}`)[0].headers.authorization).toBe(`Bearer ${String(tokens.access_token)}`);

		kommo.expireAccessTokens();
		kommo.resetLog();
		const [second] = await run();
		expect(second.json.name).toBe('OAuth deal');
		expect(kommo.requestsTo('POST', '/oauth2/access_token')).toHaveLength(1);
		const calls = kommo.requestsTo('GET', `/api/v4/leads/${lead.id}`);
		expect(calls.map((c) => c.status)).toEqual([401, 200]);
		expect(calls[1].headers.authorization).not.toBe(`Bearer ${String(tokens.access_token)}`);
	});
});
