/**
 * A generated fuzz pass over the Paddle Billing Trigger (issue 16 deliverable), through n8n-core's
 * real WebhookContext: random and mutated real Paddle payloads (test/fixtures/paddle), huge and
 * deep bodies, odd encodings, junk headers. Every case ends either with a 2xx and a well-formed
 * item ({normalized, event} with a vendor and a category), or a 4xx and no item. None throws,
 * none hangs (each case is time-boxed), none starts a run on a 4xx.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject, IWebhookResponseData } from 'n8n-workflow';

import { PaddleBillingTrigger } from '../../nodes/PaddleBilling/PaddleBillingTrigger.node';
import { buildSignatureHeader } from '../../nodes/PaddleBilling/trigger/verify';
import { BILLING_CATEGORIES } from '../../nodes/shared/billing-event';
import { createWebhookContext, fakeHttpExchange } from '../helpers/n8n-context';
import { credentialTypes } from '../integration/paddle/helpers';
import { seededRandom as rng } from '../helpers/prng';

const KEY = 'pdl_ntfset_01fuzzfuzzfuzzfuzzfuzzfuzzfu_fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz';
const trigger = new PaddleBillingTrigger();
const FIXTURES = path.join(__dirname, '../fixtures/paddle');
const CASE_MS = 2_000;


/** Every body in the corpus; the SDK's entity fixtures (`data` only) wrapped as SOURCES.md says. */
const real = readdirSync(FIXTURES)
	.filter((f) => f.endsWith('.json') || f.endsWith('.body'))
	.map((f) => {
		const text = readFileSync(path.join(FIXTURES, f), 'utf8').replace(/\n$/, '');
		const entity = /entity-data-only__(.+)\.json$/.exec(f);
		if (!entity) return text;
		return JSON.stringify({ data: JSON.parse(text), event_id: 'evt_01hv8x2axb33yr5y238zfwcn5p', event_type: entity[1], occurred_at: '2024-04-12T10:18:50.155553Z', notification_id: 'ntf_01hv8x2af22vrrz7k67g06x1kq' });
	})
	.filter((text) => {
		try {
			return typeof (JSON.parse(text) as IDataObject).event_type === 'string';
		} catch {
			return false;
		}
	});

function mutate(random: () => number, value: unknown, depth = 0): unknown {
	const r = random();
	if (value && typeof value === 'object' && depth < 6) {
		const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as object) };
		for (const key of Object.keys(out)) {
			if (random() < 0.15) (out as Record<string, unknown>)[key] = mutate(random, (out as Record<string, unknown>)[key], depth + 1);
		}
		if (r < 0.05 && !Array.isArray(out)) (out as Record<string, unknown>)['__proto__'] = { polluted: 1 };
		return out;
	}
	const junk: unknown[] = [null, '', 'x'.repeat(5000), -1, 1e308, '9'.repeat(300), [], {}, true, '\u0000\uffff', 'constructor', '1.5', '٣'];
	return junk[Math.floor(random() * junk.length)];
}

interface Case {
	label: string;
	raw: Buffer;
	header?: string | string[];
}

function cases(): Case[] {
	const random = rng(20261204);
	const now = Math.floor(Date.now() / 1000);
	const signed = (label: string, raw: Buffer): Case => ({ label, raw, header: buildSignatureHeader([KEY], raw, now) });
	const out: Case[] = [];
	for (const [i, text] of real.entries()) {
		out.push(signed(`real #${i}`, Buffer.from(text)));
		for (let k = 0; k < 8; k++) out.push(signed(`mutated #${i}.${k}`, Buffer.from(JSON.stringify(mutate(random, JSON.parse(text))))));
		out.push({ label: `real #${i}, unsigned`, raw: Buffer.from(text) });
		out.push({ label: `real #${i}, forged`, raw: Buffer.from(text), header: `ts=${now};h1=${createHash('sha256').update(text).digest('hex')}` });
	}
	const deep = `${'['.repeat(20000)}${']'.repeat(20000)}`;
	const deepObject = `{"event_type":"transaction.completed","data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
	out.push(signed('deeply nested array', Buffer.from(deep)));
	out.push(signed('deeply nested object', Buffer.from(deepObject)));
	out.push(signed('5 MB of one string', Buffer.from(JSON.stringify({ event_type: 'transaction.completed', event_id: 'evt_1', data: { id: 'txn_1', custom_data: { kommo_lead_id: '9'.repeat(5_000_000) } } }))));
	out.push(signed('huge amount', Buffer.from(JSON.stringify({ event_type: 'transaction.completed', event_id: 'evt_2', data: { id: 'txn_2', details: { totals: { grand_total: '1'.repeat(200_000), currency_code: 'USD' } } } }))));
	out.push(signed('UTF-16LE body', Buffer.from(real[0], 'utf16le')));
	out.push(signed('BOM + JSON', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(real[0])])));
	out.push(signed('invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
	out.push(signed('empty body', Buffer.alloc(0)));
	for (let k = 0; k < 30; k++) out.push(signed(`random bytes #${k}`, Buffer.from(Array.from({ length: 1 + Math.floor(random() * 400) }, () => Math.floor(random() * 256)))));
	const body = Buffer.from(real[0]);
	for (const header of [
		'ts=;h1=',
		`ts=${now};h1=${'g'.repeat(64)}`,
		`ts=${'9'.repeat(5000)};h1=${'a'.repeat(64)}`,
		`${'ts=1;'.repeat(2000)}`,
		`ts=${now};${'h1=' + 'a'.repeat(64) + ';'.repeat(1)}`.repeat(100),
		`ts=-1;h1=${'a'.repeat(64)}`,
		`ts=1e9;h1=${'a'.repeat(64)}`,
		'\u0000',
	]) {
		out.push({ label: `junk header ${header.slice(0, 24)}`, raw: body, header });
	}
	return out;
}

async function deliver(c: Case) {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	const exchange = fakeHttpExchange({ headers, rawBody: c.raw, body: {} });
	if (c.header !== undefined) (exchange.request.headers as Record<string, unknown>)['paddle-signature'] = c.header;
	const ctx = createWebhookContext(
		{ nodeType: trigger, parameters: { mode: 'manual', responseMode: 'onReceived', events: ['*'] }, staticData: {}, credentials: { paddleWebhookApi: { secretKey: KEY } as never }, credentialTypes },
		exchange,
	);
	const started = Date.now();
	let timer: ReturnType<typeof setTimeout> | undefined;
	try {
		const result: IWebhookResponseData = await Promise.race([
			trigger.webhook.call(ctx),
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new Error(`hung over ${CASE_MS} ms`)), CASE_MS);
			}),
		]);
		return { result, status: exchange.response.statusCode, ms: Date.now() - started };
	} finally {
		clearTimeout(timer);
	}
}

const all = cases();

test(`the fuzz corpus is non-trivial (${all.length} cases, ${real.length} real Paddle bodies)`, () => {
	expect(real.length).toBeGreaterThanOrEqual(25);
	expect(all.length).toBeGreaterThan(300);
});

test('a signed body nested deeper than any Paddle event is refused before parsing (400 too_deep)', async () => {
	const deep = Buffer.from(`{"event_type":"transaction.completed","data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);
	const { result, status } = await deliver({ label: 'deep', raw: deep, header: buildSignatureHeader([KEY], deep, Math.floor(Date.now() / 1000)) });
	expect(status).toBe(400);
	expect(result.workflowData).toBeUndefined();
});

test.each(all.map((c) => [c.label, c] as const))('%s: 2xx with a well-formed item, or 4xx and nothing runs', async (_label, c) => {
	const { result, status, ms } = await deliver(c);
	expect(ms).toBeLessThan(CASE_MS);
	expect(({} as IDataObject).polluted).toBeUndefined();
	if (result.workflowData) {
		expect(status === undefined || (status >= 200 && status < 300)).toBe(true);
		const [[item]] = result.workflowData;
		const normalized = item.json.normalized as IDataObject;
		expect(normalized.vendor).toBe('paddle');
		expect(BILLING_CATEGORIES).toContain(normalized.category);
		expect(typeof (item.json.event as IDataObject).event_type).toBe('string');
		expect(JSON.stringify(item.json).length).toBeGreaterThan(0);
	} else if (result.webhookResponse) {
		// a signed event the node does not subscribe to: acknowledged, nothing runs
		expect(status === undefined || status < 300).toBe(true);
	} else {
		expect(result.noWebhookResponse).toBe(true);
		expect(status).toBeGreaterThanOrEqual(400);
		expect(status).toBeLessThan(500);
	}
});
