/**
 * Generated fuzz pass over the Kommo Trigger (issue 16, hostile-input suite): the real bodies of
 * ../shared/payloads/kommo, randomly mutated (flipped, cut, duplicated and reordered pairs,
 * broken percent escapes, odd encodings), plus huge and deep bodies. Every case, with the right
 * secret, must end in either a 2xx with well-formed items, or a 4xx and no execution; none may
 * throw, hang (each case is time-boxed) or answer 5xx. Seeded, so a failure replays.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import type { IDataObject, IWebhookResponseData } from 'n8n-workflow';

import { KommoApi } from '../../credentials/KommoApi.credentials';
import { secretDigest } from '../../nodes/Kommo/trigger/verify';
import { KommoTrigger } from '../../nodes/Kommo/KommoTrigger.node';
import { TRIGGER_EVENTS } from '../../nodes/Kommo/trigger/filters';
import { createWebhookContext, fakeHttpExchange } from '../helpers/n8n-context';
import { seededRandom as rng } from '../helpers/prng';

const DIR = join(__dirname, '../fixtures/kommo-payloads');
const CORPUS = readdirSync(DIR).filter((f) => f.endsWith('.body') || f.endsWith('.txt')).map((f) => readFileSync(join(DIR, f), 'utf8'));
const SECRET = 'fuzz-secret-0123456789abcdefghij';
const ACCOUNT = 29000001;
const CASES = 400;
const PER_CASE_MS = 1500;


const withAccount = (body: string) =>
	body.replace(/(account(?:%5B|\[)id(?:%5D|\])=)\d+/, `$1${ACCOUNT}`).replace(/(account(?:%5B|\[)subdomain(?:%5D|\])=)[^&]+/, '$1acme');

function mutate(body: string, r: () => number): { label: string; body: string | Buffer } {
	const pick = <T>(list: T[]) => list[Math.floor(r() * list.length)];
	const pairs = body.split('&');
	const kind = Math.floor(r() * 12);
	switch (kind) {
		case 0: {
			const i = Math.floor(r() * body.length);
			return { label: 'byte flip', body: body.slice(0, i) + String.fromCharCode(Math.floor(r() * 256)) + body.slice(i + 1) };
		}
		case 1:
			return { label: 'truncated', body: body.slice(0, Math.floor(r() * body.length)) };
		case 2:
			return { label: 'pair duplicated', body: [...pairs, pick(pairs)].join('&') };
		case 3:
			return { label: 'pairs shuffled', body: [...pairs].sort(() => r() - 0.5).join('&') };
		case 4:
			return { label: 'broken escape', body: body.replace(/%5D/, '%5').replace(/%[0-9A-F]{2}/, '%ZZ') };
		case 5:
			return { label: 'value becomes group', body: `${body}&${pick(pairs).split('=')[0]}%5Bx%5D=1` };
		case 6:
			return { label: 'index with leading zero', body: body.replace(/%5B0%5D/, '%5B00%5D') };
		case 7:
			return { label: 'latin1 bytes', body: Buffer.from(decodeURIComponent(body.replace(/\+/g, ' ').slice(0, 2000)), 'latin1') };
		case 8:
			return { label: 'utf-16', body: Buffer.from(body, 'utf16le') };
		case 9:
			return { label: 'deep key', body: `${body}&leads${'%5Ba%5D'.repeat(1 + Math.floor(r() * 30))}=1` };
		case 10:
			return { label: 'huge value', body: `${body}&leads%5Badd%5D%5B0%5D%5Bname%5D=${'x'.repeat(Math.floor(r() * 1_500_000))}` };
		default:
			return { label: 'as JSON', body: JSON.stringify(Object.fromEntries(new URLSearchParams(body))) };
	}
}

async function deliver(body: string | Buffer) {
	const trigger = new KommoTrigger();
	const exchange = fakeHttpExchange({
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: {},
		rawBody: body,
		query: { secret: SECRET },
	});
	const ctx = createWebhookContext(
		{
			nodeType: trigger,
			parameters: { events: TRIGGER_EVENTS.map((e) => e.value), targetStatus: 'any' },
			credentials: { kommoApi: { subdomain: 'acme', domain: 'kommo.com', accessToken: 'tok', customHost: true, baseUrl: 'http://127.0.0.1:9' } },
			credentialTypes: [new KommoApi()],
			staticData: { 'node:Kommo Trigger': { secretDigest: secretDigest(SECRET), accountId: ACCOUNT, accountSubdomain: 'acme', currentUserId: null } },
		},
		exchange,
	);
	(ctx.logger as { warn: (m: string) => void }).warn = () => undefined;
	let timer: NodeJS.Timeout | undefined;
	const result = await Promise.race([
		trigger.webhook.call(ctx),
		new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error('hung')), PER_CASE_MS);
		}),
	]).finally(() => clearTimeout(timer));
	return { result: result as IWebhookResponseData, status: exchange.response.statusCode };
}

function checkOutcome(label: string, result: IWebhookResponseData, status: number | undefined): void {
	if (result.workflowData) {
		// A 2xx with items: every item is well-formed.
		expect(status ?? 200).toBeLessThan(300);
		for (const { json } of result.workflowData[0]) {
			expect([label, typeof json.event, typeof json.entity, typeof json.action]).toEqual([label, 'string', 'string', 'string']);
			expect(json.id === null || typeof json.id === 'number' || (typeof json.id === 'string' && /^-?\d+$/.test(json.id))).toBe(true);
			expect(typeof json.account).toBe('object');
		}
		return;
	}
	if (result.noWebhookResponse) {
		// A refusal: a 4xx (never 5xx), and nothing runs.
		expect([label, status! >= 400 && status! < 500]).toEqual([label, true]);
		return;
	}
	// Acknowledged, nothing matched: a 2xx answer.
	expect(result.webhookResponse).toBeDefined();
}

describe('Kommo Trigger fuzz', () => {
	it(`${CASES} mutated real bodies: 2xx with well-formed items, or 4xx and no execution`, async () => {
		const r = rng(20261204);
		const seen = new Map<string, number>();
		for (let i = 0; i < CASES; i++) {
			const { label, body } = mutate(withAccount(CORPUS[i % CORPUS.length]), r);
			const { result, status } = await deliver(body);
			checkOutcome(`${label} #${i}`, result, status);
			seen.set(label, (seen.get(label) ?? 0) + 1);
		}
		expect(seen.size).toBe(12);
	}, 120_000);

	it.each([
		['3 MB body', () => `a=${'x'.repeat(3 * 1024 * 1024)}`],
		['20 001 fields', () => `${Array.from({ length: 20_001 }, (_, i) => `leads[add][${i}][id]=${i}`).join('&')}&account[id]=${ACCOUNT}`],
		['JSON nested 100k deep', () => `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`],
		['only separators', () => '&'.repeat(1_000_000)],
		['NUL bytes', () => `leads[add][0][id]=1\u0000&account[id]=${ACCOUNT}`],
		['empty', () => ''],
	])('%s: ends in time without 5xx', async (label, make) => {
		const { result, status } = await deliver(make());
		checkOutcome(label, result, status);
	}, 20_000);
});
