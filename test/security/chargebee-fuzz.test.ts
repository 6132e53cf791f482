/**
 * A generated fuzz pass over the Chargebee Billing Trigger (issue 16, "hostile-input test suite"):
 * mutated vendor payloads (every body in /work/shared/payloads/chargebee plus the unit fixtures),
 * random values, huge and deep bodies and odd encodings, each through webhook() in n8n-core's
 * real WebhookContext. Every case must end in either a 2xx with one well-formed item
 * ({normalized, event} with a known category) or a 4xx and no item; none may throw or take long.
 * Deterministic: a seeded generator, so a failure names a reproducible case number.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject, IWebhookResponseData } from 'n8n-workflow';

import { ChargebeeWebhookAuthApi } from '../../credentials/ChargebeeWebhookAuthApi.credentials';
import { ChargebeeBillingTrigger } from '../../nodes/ChargebeeBilling/ChargebeeBillingTrigger.node';
import { BILLING_CATEGORIES } from '../../nodes/shared/billing-event';
import { createWebhookContext, fakeHttpExchange } from '../helpers/n8n-context';
import { paymentSucceeded } from '../unit/chargebee/fixtures';
import { seededRandom as rng } from '../helpers/prng';

const PAIR = { user: 'chargebee-hook', password: 'a-long-random-webhook-password' };
const AUTH = `Basic ${Buffer.from(`${PAIR.user}:${PAIR.password}`).toString('base64')}`;
const PAYLOADS = path.join(__dirname, '../fixtures/chargebee-payloads');
const CASES = 400;
const PER_CASE_MS = 500;


function seeds(): IDataObject[] {
	const out: IDataObject[] = [paymentSucceeded];
	let files: string[] = [];
	try {
		files = readdirSync(PAYLOADS).filter((f) => f.endsWith('.json'));
	} catch {
		// the corpus lives beside the project; the fixtures alone still fuzz
	}
	for (const file of files) {
		const parsed = JSON.parse(readFileSync(path.join(PAYLOADS, file), 'utf8')) as unknown;
		for (const candidate of Array.isArray(parsed) ? parsed : [parsed]) {
			const ev = (candidate as IDataObject)?.event ?? candidate;
			if (ev && typeof ev === 'object') out.push(ev as IDataObject);
		}
	}
	return out.map((e) => ({ ...e, occurred_at: Math.floor(Date.now() / 1000) - 60 }));
}

const HOSTILE: unknown[] = [
	null, true, 0, -1, 1e308, -0, 2 ** 53 + 1, 12.5, '', ' ', '0', '__proto__', 'constructor', 'toString',
	'x'.repeat(100_000), '9'.repeat(5000), '\u0000', '\ud800', '<script>', '../../etc/passwd', '%00', 'ZZZ', 'usd',
	[], [null], {}, { __proto__: { polluted: true } }, { constructor: { prototype: { x: 1 } } },
];

function deep(levels: number): unknown {
	let v: unknown = 'bottom';
	for (let i = 0; i < levels; i++) v = i % 2 ? { nested: v } : [v];
	return v;
}

function pathsOf(value: unknown, prefix: string[] = [], out: string[][] = [], depth = 0): string[][] {
	if (depth > 6 || !value || typeof value !== 'object') return out;
	for (const key of Object.keys(value as object)) {
		out.push([...prefix, key]);
		pathsOf((value as IDataObject)[key], [...prefix, key], out, depth + 1);
	}
	return out;
}

function mutate(base: IDataObject, random: () => number): { body: unknown; raw?: string; contentType?: string } {
	const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
	const copy = JSON.parse(JSON.stringify(base)) as IDataObject;
	const kind = Math.floor(random() * 8);
	if (kind === 0) return { body: {}, raw: pick(['', '{', 'null', '[]', '"x"', '\ufeff{}', '{"id":', 'id=1&event_type=x']) };
	if (kind === 1) return { body: copy, raw: Buffer.from(JSON.stringify(copy), 'utf16le').toString('latin1'), contentType: 'application/json; charset=utf-16' };
	if (kind === 2) return { body: { ...copy, content: deep(200 + Math.floor(random() * 300)) } };
	if (kind === 3) return { body: pick(HOSTILE) };
	const paths = pathsOf(copy);
	const mutations = 1 + Math.floor(random() * 4);
	for (let m = 0; m < mutations && paths.length > 0; m++) {
		const target = pick(paths);
		let parent: IDataObject = copy;
		for (const key of target.slice(0, -1)) {
			const next = parent?.[key];
			if (!next || typeof next !== 'object') break;
			parent = next as IDataObject;
		}
		const last = target[target.length - 1];
		if (!parent || typeof parent !== 'object') continue;
		if (kind === 4) delete parent[last];
		else parent[last] = pick(HOSTILE) as IDataObject[string];
	}
	return { body: copy };
}

async function run(body: unknown, raw: string | undefined, contentType = 'application/json') {
	const trigger = new ChargebeeBillingTrigger();
	const exchange = fakeHttpExchange({ headers: { 'content-type': contentType, authorization: AUTH }, body, rawBody: raw });
	const ctx = createWebhookContext(
		{
			nodeType: trigger,
			parameters: { mode: 'manual', events: ['*'], options: { maxEventAgeHours: 0 } },
			credentials: { chargebeeWebhookAuthApi: PAIR },
			credentialTypes: [new ChargebeeWebhookAuthApi()],
		},
		exchange,
	);
	const result: IWebhookResponseData = await trigger.webhook.call(ctx);
	return { result, status: exchange.response.statusCode };
}

describe('Chargebee Billing Trigger fuzz pass', () => {
	test(`${CASES} generated cases: a well-formed item or a 4xx, never a crash or a hang`, async () => {
		const random = rng(0xc0ffee);
		const bases = seeds();
		const outcomes = { accepted: 0, refused: 0 };
		const started = Date.now();
		for (let i = 0; i < CASES; i++) {
			const { body, raw, contentType } = mutate(bases[i % bases.length], random);
			const t0 = Date.now();
			let outcome: Awaited<ReturnType<typeof run>>;
			try {
				outcome = await run(body, raw, contentType);
			} catch (error) {
				throw new Error(`case ${i} threw: ${(error as Error).message}`);
			}
			const took = Date.now() - t0;
			if (took > PER_CASE_MS) throw new Error(`case ${i} took ${took} ms`);
			const items = outcome.result.workflowData;
			if (items) {
				expect(outcome.status).toBeLessThan(300);
				expect(items).toHaveLength(1);
				expect(items[0]).toHaveLength(1);
				const json = items[0][0].json as IDataObject;
				const normalized = json.normalized as IDataObject;
				expect(typeof normalized.eventId).toBe('string');
				expect(BILLING_CATEGORIES).toContain(normalized.category);
				expect(normalized.dedupeKey).toBe(`chargebee:${String(normalized.eventId)}`);
				expect(String(normalized.dedupeKey).length).toBeLessThanOrEqual(110);
				outcomes.accepted++;
			} else {
				expect(outcome.result).toEqual({ noWebhookResponse: true });
				expect(outcome.status).toBeGreaterThanOrEqual(200);
				expect(outcome.status).toBeLessThan(500);
				outcomes.refused++;
			}
		}
		// both sides were exercised, and the whole pass is bounded
		expect(outcomes.accepted).toBeGreaterThan(20);
		expect(outcomes.refused).toBeGreaterThan(20);
		expect(Date.now() - started).toBeLessThan(60_000);
		expect(({} as IDataObject).polluted).toBeUndefined();
	}, 90_000);
});
