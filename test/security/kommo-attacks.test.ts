/**
 * Regressions for the Kommo findings of ../shared/reviews/security.md (M2, M3, L5), turned from
 * the proofs in ../shared/reviews/security-poc/kommo-attacks.test.ts into assertions. Each runs
 * the Kommo Trigger's webhook() in n8n-core's real WebhookContext.
 */
import type { IDataObject, IWebhookResponseData } from 'n8n-workflow';

import { KommoApi } from '../../credentials/KommoApi.credentials';
import { secretDigest } from '../../nodes/Kommo/trigger/verify';
import { KommoTrigger } from '../../nodes/Kommo/KommoTrigger.node';
import { decodeKommoWebhook, MAX_BODY_BYTES } from '../../nodes/Kommo/trigger/normalize';
import { createWebhookContext, fakeHttpExchange } from '../helpers/n8n-context';

const SECRET = 'kommo-secret-abcdefghijklmnopqrstuvwx';
const ACCOUNT = 29000001;
const stored = (extra: IDataObject = {}): IDataObject => ({ secretDigest: secretDigest(SECRET), accountId: ACCOUNT, accountSubdomain: 'acme', ...extra });

async function call(raw: string, query: Record<string, unknown>, node: IDataObject = stored(), params: IDataObject = {}, credential: IDataObject = {}) {
	const trigger = new KommoTrigger();
	const exchange = fakeHttpExchange({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: {}, rawBody: raw, query: query as Record<string, string> });
	const warnings: string[] = [];
	const ctx = createWebhookContext(
		{
			nodeType: trigger,
			parameters: { events: ['status_lead', 'add_lead', 'update_lead'], ...params },
			credentials: { kommoApi: { subdomain: 'acme', domain: 'kommo.com', accessToken: 'tok-xyz', ...credential } },
			credentialTypes: [new KommoApi()],
			staticData: { 'node:Kommo Trigger': node },
		},
		exchange,
	);
	const logger = ctx.logger as { warn: (m: string) => void };
	const warn = logger.warn.bind(logger);
	logger.warn = (m: string) => {
		warnings.push(m);
		warn(m);
	};
	const result: IWebhookResponseData = await trigger.webhook.call(ctx);
	return { result, exchange, warnings };
}
const base = `account[id]=${ACCOUNT}&account[subdomain]=acme`;
const won = `leads[status][0][id]=5&leads[status][0][status_id]=142&leads[status][0][pipeline_id]=1&${base}`;

describe('secret (M2: only a digest at rest)', () => {
	it.each([
		['no secret', {}],
		['wrong secret', { secret: 'x' }],
		['array secret', { secret: [SECRET, SECRET] }],
		['object secret', { secret: { a: SECRET } }],
		['the stored digest itself', { secret: secretDigest(SECRET) }],
	])('%s -> 401, nothing runs', async (_l, q) => {
		const { result, exchange } = await call(won, q);
		expect(exchange.response.statusCode).toBe(401);
		expect(result.workflowData).toBeUndefined();
	});
	it('right secret -> the item', async () => {
		expect((await call(won, { secret: SECRET })).result.workflowData?.[0]).toHaveLength(1);
	});
});

describe('account check (M3: must not pass when the account is unknown)', () => {
	it('accountId null and Kommo unreachable: another account is NOT accepted (503, retry later)', async () => {
		const other = won.replace(`account[id]=${ACCOUNT}`, 'account[id]=1');
		// A closed loopback port stands for an unreachable Kommo.
		const unreachable = { customHost: true, baseUrl: 'http://127.0.0.1:9' };
		const { result, exchange } = await call(other, { secret: SECRET }, stored({ accountId: null, accountSubdomain: null }), {}, unreachable);
		expect(result.workflowData).toBeUndefined();
		expect([403, 503]).toContain(exchange.response.statusCode);
	}, 60_000);
	it('another account id -> 403; a subdomain-only body from another subdomain -> 403', async () => {
		expect((await call(won.replace(`account[id]=${ACCOUNT}`, 'account[id]=1'), { secret: SECRET })).exchange.response.statusCode).toBe(403);
		const subOnly = won.replace(`account[id]=${ACCOUNT}&`, '').replace('subdomain]=acme', 'subdomain]=evil');
		expect((await call(subOnly, { secret: SECRET })).exchange.response.statusCode).toBe(403);
	});
});

describe('prototype pollution (kept solid)', () => {
	it.each([
		`__proto__[polluted]=1&${base}`,
		`leads[status][0][__proto__][polluted]=1&leads[status][0][id]=1&${base}`,
		`constructor[prototype][polluted]=1&${base}`,
		`leads[status][0][id]=1&${base}&account[__proto__][polluted]=1`,
	])('%s -> 400, no pollution', async (raw) => {
		const { exchange, result } = await call(raw, { secret: SECRET });
		expect(exchange.response.statusCode).toBe(400);
		expect(result.workflowData).toBeUndefined();
		expect(({} as IDataObject).polluted).toBeUndefined();
	});
});

describe('decoder robustness (L5)', () => {
	it('index "01" next to "1" no longer merges two entities: refused', () => {
		const r = decodeKommoWebhook(`leads[status][01][id]=100&leads[status][1][id]=200&${base}`);
		expect(r).toMatchObject({ ok: false, status: 400 });
	});

	it('huge indexes keep their order and entities (no precision collapse)', () => {
		const r = decodeKommoWebhook(`leads[add][100000000000001][id]=2&leads[add][100000000000000][id]=1&${base}`);
		expect(r.ok && r.items.map((i) => i.id)).toEqual([1, 2]);
	});

	it('group names like toString / valueOf give plain text, never a function', () => {
		const r = decodeKommoWebhook(`toString[add][0][id]=1&valueOf[add][0][id]=2&hasOwnProperty[add][0][id]=3&${base}`);
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		for (const item of r.items) {
			expect(typeof item.entity).toBe('string');
			expect(item.event).toMatch(/^add_(toString|valueOf|hasOwnProperty)$/);
		}
	});

	it('ids and prices above 2^53 are kept exact, as text', () => {
		const r = decodeKommoWebhook(`leads[status][0][id]=9007199254740993&leads[status][0][price]=12345678901234567890&${base}`);
		expect(r.ok && [r.items[0].id, r.items[0].price, r.items[0].lead_id]).toEqual(['9007199254740993', '12345678901234567890', '9007199254740993']);
	});

	it('the body cannot rename its own event or account', () => {
		const r = decodeKommoWebhook(`leads[status][0][id]=5&leads[status][0][event]=add_lead&leads[status][0][account]=x&${base}`);
		expect(r.ok && [r.items[0].event, (r.items[0].account as IDataObject).id]).toEqual(['status_lead', ACCOUNT]);
	});

	it('an 8 MB body is refused before it is parsed: fast, and without hundreds of MB', async () => {
		const many = 'a&'.repeat(4 * 1024 * 1024);
		global.gc?.();
		const before = process.memoryUsage().heapUsed;
		const t = Date.now();
		const { exchange, result } = await call(many, { secret: SECRET });
		expect(exchange.response.statusCode).toBe(413);
		expect(result.workflowData).toBeUndefined();
		// a bound against pathological (quadratic, minutes-long) paths, not a speed target: speed lives
		// in bench/; 500 ms failed on a loaded 2-core CI machine
		expect(Date.now() - t).toBeLessThan(5000);
		expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
	});

	it('just under the size cap, a body of empty keys stops at the field limit without materialising every pair', () => {
		const body = 'a&'.repeat(Math.floor((MAX_BODY_BYTES - 2) / 2));
		const t = Date.now();
		expect(decodeKommoWebhook(body)).toMatchObject({ ok: false, status: 413 });
		// against pathological paths, not a speed target (see above)
		expect(Date.now() - t).toBeLessThan(5000);
	});

	it('a newline in a key cannot forge a log line or reach the answer raw', async () => {
		const { exchange, warnings } = await call(`leads%0A2026-01-01%20ERROR%20fake%5B=1&${won}`, { secret: SECRET });
		expect(exchange.response.statusCode).toBe(200);
		const out = [...warnings, JSON.stringify(exchange.response.sent ?? '')];
		for (const line of warnings) expect(line).not.toMatch(/[\n\r]/);
		expect(out.join(' ')).not.toContain('\n2026-01-01 ERROR');
		expect(warnings.join(' ')).toContain('\\u000a2026-01-01');
	});

	it('JSON nested 200k deep: refused, no crash', () => {
		const deep = `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`;
		expect(decodeKommoWebhook(deep).ok).toBe(false);
	});
});
