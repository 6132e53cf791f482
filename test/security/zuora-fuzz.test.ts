/**
 * Generated fuzz pass over the Zuora Trigger (issue 16, "hostile-input test suite"): random and
 * mutated vendor payloads (every Zuora callout body in ../shared/payloads/zuora plus this
 * project's fixtures), huge and deep bodies, odd encodings, odd query strings, in every
 * authentication mode with valid authentication. Every case must end with either a 2xx and
 * well-formed items, or a 4xx and no execution; nothing may throw or hang. Seeded, so a failure
 * is reproducible (the case name carries seed and index).
 */
import type { IDataObject, INodeParameters, IWebhookResponseData } from 'n8n-workflow';

import { BILLING_CATEGORIES } from '../../nodes/shared/billing-event';
import { basicHeader, callZuora, CREDS, recent, sign } from './zuora-helpers';
import { seededRandom as prng } from '../helpers/prng';

const SEED = 20261204;
const CASES_PER_MODE = 150;


// ../shared/payloads/zuora (guardian/support-service-lambdas fixtures, VENDOR-FACTS §27), inlined
// so the suite runs without the shared folder; the corpus test reads the files themselves.
const SEEDS: IDataObject[] = [
	{ paymentId: 'somePaymentId', accountId: 'accountId', email: 'test.user123@guardian.co.uk', failureNumber: '1', firstName: 'Test', lastName: 'User', paymentMethodType: 'CreditCard', creditCardType: 'Visa', creditCardExpirationMonth: '12', creditCardExpirationYear: '2017', currency: 'GBP', tenantId: 'testEnvTenantId', sfContactId: '1000000' },
	{ accountId: 'someAccountId', autoPay: 'true', email: 'someEmail@domain.com', invoiceId: 'someInvoiceId', currency: 'gbp', sfContactId: 'someContactId' },
	{ eventType: 'PaymentDeclined', objectId: '8ad0887e8f0e4b5a', eventTimestamp: recent(), accountId: '8ad0aaaa', accountNumber: 'A00000042', crmId: '31337', paymentNumber: 'P-00000012', amount: '49.00', currency: 'USD' },
	{ Event: { Category: 'SubscriptionRenewalSoon', Timestamp: recent() }, Data: { Sub: { Number: 'A-S9' } }, crmId: '12' },
];

const NASTY_STRINGS = [
	'', ' ', '0', '-1', '1e309', 'NaN', '9007199254740993', '__proto__', 'constructor', 'toString', '%00', '\u0000', '\uFFFF', '\uD800',
	'<script>', '{{accountId}}', '|', ':', 'a'.repeat(20_000), `1.${'0'.repeat(50_000)}1`, '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '2020-01-01T00:00:00Z', '9999-12-31T23:59:59Z',
];

function pickOne<T>(rand: () => number, list: T[]): T {
	return list[Math.floor(rand() * list.length)];
}

function deep(depth: number): string {
	return '['.repeat(depth) + ']'.repeat(depth);
}

/** One raw body (string or bytes) plus query. */
function generate(rand: () => number): { raw: string | Buffer; query?: Record<string, unknown> } {
	const kind = Math.floor(rand() * 12);
	const base: IDataObject = structuredClone(pickOne(rand, SEEDS));
	switch (kind) {
		case 0: // mutate values
			for (const key of Object.keys(base)) if (rand() < 0.5) base[key] = pickOne(rand, NASTY_STRINGS);
			return { raw: JSON.stringify(base) };
		case 1: // values of other types
			for (const key of Object.keys(base)) if (rand() < 0.5) base[key] = pickOne(rand, [null, 0, -1.5, true, [], {}, [1, [2]], { a: { b: {} } }]) as never;
			return { raw: JSON.stringify(base) };
		case 2: // prototype keys at some depth
			return { raw: `{"a":{"b":{"${pickOne(rand, ['__proto__', 'constructor', 'prototype'])}":{"polluted":1}}},"eventType":"x"}` };
		case 3: // deep nesting
			return { raw: rand() < 0.5 ? deep(100_000) : `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}` };
		case 4: // huge
			return { raw: JSON.stringify({ ...base, padding: 'x'.repeat(MiB(1.5)) }) };
		case 5: // random bytes
			return { raw: Buffer.from(Array.from({ length: Math.floor(rand() * 400) }, () => Math.floor(rand() * 256))) };
		case 6: // odd encodings of a real body
			return { raw: pickOne(rand, [Buffer.from(`\uFEFF${JSON.stringify(base)}`, 'utf8'), Buffer.from(JSON.stringify(base), 'utf16le'), Buffer.from(JSON.stringify(base), 'latin1')]) };
		case 7: // truncated JSON
			return { raw: JSON.stringify(base).slice(0, Math.floor(rand() * 40)) };
		case 8: // arrays of events, some not objects
			return { raw: JSON.stringify([base, rand() < 0.5 ? base : 'x', ...Array.from({ length: Math.floor(rand() * 3) }, () => base)]) };
		case 9: // XML, well- and ill-formed
			return { raw: pickOne(rand, ['<callout><parameter name="AccountId">a&amp;b&#x1F600;</parameter></callout>', '<callout><parameter name="__proto__">x</parameter></callout>', `<callout>${'<parameter name="a">'.repeat(5_000)}</callout>`, '<callout>']) };
		case 10: // empty body, data in the query
			return { raw: '', query: Object.fromEntries(Object.keys(base).slice(0, 5).map((k) => [k, rand() < 0.2 ? ['a', 'b'] : String(base[k]).slice(0, 100)])) };
		default: // scalars
			return { raw: pickOne(rand, ['null', '1', '"x"', 'true', '[]', '{}', '[[]]']) };
	}
}

function MiB(n: number) {
	return Math.floor(n * 1024 * 1024);
}

type Mode = { name: string; params: INodeParameters; headers: (raw: string | Buffer) => Record<string, string>; query?: Record<string, string> };
const MODES: Mode[] = [
	{ name: 'basic', params: { authentication: 'basic' }, headers: () => ({ authorization: basicHeader }) },
	{ name: 'urlSecret', params: { authentication: 'urlSecret' }, headers: () => ({}), query: { secret: CREDS.urlSecret } },
	{ name: 'hmac raw body', params: { authentication: 'hmac', options: { maxEventAgeMinutes: 0 } }, headers: (raw) => ({ 'x-zuora-signature': sign(raw) }) },
	{
		name: 'hmac template',
		params: { authentication: 'hmac', hmacSignedData: 'template', hmacTemplate: '{{accountId}}|{{eventType}}', options: { maxEventAgeMinutes: 0 } },
		// signs what the body's fields would render to (when they are plain), so valid-looking callouts get through
		headers: (raw) => {
			try {
				const b = JSON.parse(raw.toString()) as IDataObject;
				return { 'x-zuora-signature': sign(`${String(b.accountId)}|${String(b.eventType)}`) };
			} catch {
				return { 'x-zuora-signature': 'garbage' };
			}
		},
	},
];

function checkOutcome(result: IWebhookResponseData, status: number): string | undefined {
	if (result.workflowData) {
		const list = result.workflowData[0] ?? [];
		if (list.length === 0) return 'workflowData without items';
		for (const item of list) {
			const n = item.json.normalized as IDataObject;
			if (!n || n.vendor !== 'zuora') return 'item without normalized block';
			if (typeof n.dedupeKey !== 'string' || !/^zuora:./.test(n.dedupeKey) || n.dedupeKey.length > 400) return `bad dedupe key ${String(n.dedupeKey).slice(0, 80)}`;
			if (!(BILLING_CATEGORIES as readonly string[]).includes(String(n.category))) return `bad category ${String(n.category)}`;
			if (n.kommoLeadId !== null && !(Number.isSafeInteger(n.kommoLeadId) && (n.kommoLeadId as number) > 0)) return 'bad lead id';
			JSON.stringify(item.json);
		}
		return undefined;
	}
	if (!result.noWebhookResponse) return 'neither items nor a response';
	return status >= 200 && status < 500 ? undefined : `answered ${status}`;
}

describe.each(MODES)('fuzz: $name', (mode) => {
	it(`${CASES_PER_MODE} generated callouts: 2xx with well-formed items, or 4xx and no execution; never a throw or a hang`, async () => {
		const rand = prng(SEED + mode.name.length);
		const problems: string[] = [];
		let accepted = 0;
		for (let i = 0; i < CASES_PER_MODE; i++) {
			const { raw, query } = generate(rand);
			const started = Date.now();
			try {
				const { result, exchange } = await callZuora(mode.params, { headers: mode.headers(raw), rawBody: raw, query: { ...(query ?? {}), ...(mode.query ?? {}) } });
				const problem = checkOutcome(result, exchange.response.statusCode);
				if (problem) problems.push(`case ${i}: ${problem}`);
				if (result.workflowData) accepted++;
				else if (exchange.response.statusCode >= 500) problems.push(`case ${i}: ${exchange.response.statusCode}`);
			} catch (error) {
				problems.push(`case ${i}: threw ${(error as Error).message.slice(0, 200)}`);
			}
			const took = Date.now() - started;
			if (took > 1_000) problems.push(`case ${i}: took ${took} ms`);
		}
		expect(problems).toEqual([]);
		expect(accepted).toBeGreaterThan(0); // the generator also produces acceptable callouts
	}, 60_000);
});
