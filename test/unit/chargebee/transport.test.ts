import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { CHARGEBEE_EVENT_TYPES, CHARGEBEE_SDK_VERSION } from '../../../nodes/ChargebeeBilling/trigger/event-types';
import {
	chargebeeBaseUrl,
	deriveIdempotencyKey,
	encodeForm,
	parseChargebeeError,
	toFormPairs,
} from '../../../nodes/ChargebeeBilling/transport';
import { readSdkEventTypes, render } from '../../../tools/chargebee-event-types';
import { decodeChargebeeForm } from '../../../dev/sandbox/chargebee/form';

describe('form encoding (Chargebee shape)', () => {
	it('puts the index last for lists of objects, encodes meta_data as JSON, keeps cf_ keys flat', () => {
		const form = {
			id: 'kommo-lead-1',
			subscription_items: [
				{ item_price_id: 'pro-USD-monthly', quantity: 2, unit_price: 2550 },
				{ item_price_id: 'seats-USD-monthly', quantity: 3, billing_cycles: undefined },
			],
			enabled_events: ['payment_succeeded', 'subscription_cancelled'],
			billing_address: { first_name: 'Ana', country: 'BR' },
			meta_data: { kommo_lead_id: 1 },
			cf_kommo_lead_id: '1',
			end_of_term: false,
			skipped: undefined,
			nothing: null,
		};
		expect(toFormPairs(form)).toEqual([
			['id', 'kommo-lead-1'],
			['subscription_items[item_price_id][0]', 'pro-USD-monthly'],
			['subscription_items[quantity][0]', '2'],
			['subscription_items[unit_price][0]', '2550'],
			['subscription_items[item_price_id][1]', 'seats-USD-monthly'],
			['subscription_items[quantity][1]', '3'],
			['enabled_events[0]', 'payment_succeeded'],
			['enabled_events[1]', 'subscription_cancelled'],
			['billing_address[first_name]', 'Ana'],
			['billing_address[country]', 'BR'],
			['meta_data', '{"kommo_lead_id":1}'],
			['cf_kommo_lead_id', '1'],
			['end_of_term', 'false'],
		]);
		// The sandbox's decoder (what Chargebee's server does) reads it back into the documented shape.
		expect(decodeChargebeeForm(encodeForm(form))).toEqual({
			id: 'kommo-lead-1',
			subscription_items: [
				{ item_price_id: 'pro-USD-monthly', quantity: '2', unit_price: '2550' },
				{ item_price_id: 'seats-USD-monthly', quantity: '3' },
			],
			enabled_events: ['payment_succeeded', 'subscription_cancelled'],
			billing_address: { first_name: 'Ana', country: 'BR' },
			meta_data: '{"kommo_lead_id":1}',
			cf_kommo_lead_id: '1',
			end_of_term: 'false',
		});
	});

	it('encodes special characters and refuses nesting Chargebee has no encoding for', () => {
		expect(encodeForm({ company: 'A&B = C+D', email: 'a+b@x.io' })).toBe('company=A%26B+%3D+C%2BD&email=a%2Bb%40x.io');
		expect(() => toFormPairs({ list: [{ deep: { x: 1 } }] } as never)).toThrow('Cannot form-encode nested value list[deep][0]');
	});
});

describe('idempotency keys', () => {
	const form = { subscription_items: [{ item_price_id: 'p', quantity: 1 }], meta_data: { kommo_lead_id: 5 } };
	it('are stable for the same request, differ for another, fit in 100 characters', () => {
		const a = deriveIdempotencyKey('subscription-create', '/customers/c/subscription_for_items', form);
		expect(a).toBe(deriveIdempotencyKey('subscription-create', '/customers/c/subscription_for_items', { meta_data: { kommo_lead_id: 5 }, subscription_items: [{ quantity: 1, item_price_id: 'p' }] }));
		expect(a).not.toBe(deriveIdempotencyKey('subscription-create', '/customers/d/subscription_for_items', form));
		expect(a).not.toBe(deriveIdempotencyKey('subscription-create', '/customers/c/subscription_for_items', { ...form, meta_data: { kommo_lead_id: 6 } }));
		expect(a.length).toBeLessThanOrEqual(100);
	});
});

describe('base URL', () => {
	it.each([
		[{ site: 'acme-test' }, 'https://acme-test.chargebee.com/api/v2'],
		[{ site: ' Acme-Test.chargebee.com ' }, 'https://acme-test.chargebee.com/api/v2'],
		[{ site: 'https://acme.chargebee.com/d/invoices' }, 'https://acme.chargebee.com/api/v2'],
		[{ site: 'x', baseUrl: 'http://127.0.0.1:4010', customHost: true }, 'http://127.0.0.1:4010/api/v2'],
		[{ site: 'x', baseUrl: 'http://127.0.0.1:4010/api/v2/', customHost: true }, 'http://127.0.0.1:4010/api/v2'],
		[{ site: 'x', baseUrl: 'https://x.chargebee.com/api/v2' }, 'https://x.chargebee.com/api/v2'],
	])('%j → %s', (credentials, url) => {
		expect(chargebeeBaseUrl(credentials)).toBe(url);
	});

	it('names a bad site or override', () => {
		expect(() => chargebeeBaseUrl({ site: 'acme test' })).toThrow('Chargebee credential: "acme test" is not a site name');
		expect(() => chargebeeBaseUrl({ site: 'evil.example/#' })).toThrow('is not a site name');
		expect(() => chargebeeBaseUrl({ site: '' })).toThrow('the site is empty');
		expect(() => chargebeeBaseUrl({ site: 'a', baseUrl: 'ftp://x', customHost: true })).toThrow('is not an http(s) URL');
		expect(() => chargebeeBaseUrl({ site: 'a', baseUrl: 'not a url', customHost: true })).toThrow('is not an http(s) URL');
		// Loopback and other hosts only with the explicit choice (issue 16, L8).
		expect(() => chargebeeBaseUrl({ site: 'a', baseUrl: 'http://127.0.0.1:4010' })).toThrow('turn on "Custom Host or Proxy"');
	});
});

describe('error bodies', () => {
	it('reads message, api_error_code and param, and adds what to do', () => {
		expect(
			parseChargebeeError(400, {
				message: 'id : The value kommo-lead-1 is already present.',
				type: 'invalid_request',
				api_error_code: 'duplicate_entry',
				param: 'id',
				http_status_code: 400,
			}),
		).toEqual({
			message: 'id : The value kommo-lead-1 is already present.',
			code: 'duplicate_entry',
			field: 'id',
			description: 'Something with this id already exists. Use Get or Find-or-create, or choose a different id. Error type: invalid_request.',
		});
		expect(parseChargebeeError(400, { message: 'x', api_error_code: 'param_wrong_value', param: 'email' }).description).toContain('"email"');
		expect(parseChargebeeError(402, { message: 'declined', type: 'payment', api_error_code: 'payment_processing_failed' }).description).toContain('gateway');
		expect(parseChargebeeError(502, '<html>Bad gateway</html>')).toEqual({ message: '<html>Bad gateway</html>', code: undefined, field: undefined, description: undefined });
		expect(parseChargebeeError(500, undefined).message).toBe('HTTP 500');
		expect(parseChargebeeError(400, { error_msg: 'old style', error_code: 'x', error_param: 'p' })).toMatchObject({ message: 'old style', code: 'x', field: 'p' });
	});
});

describe('event types', () => {
	it('the static list equals what the installed chargebee SDK declares (regenerate after an upgrade)', () => {
		const sdk = readSdkEventTypes();
		expect(CHARGEBEE_SDK_VERSION).toBe(sdk.version);
		expect([...CHARGEBEE_EVENT_TYPES]).toEqual(sdk.types);
		expect(readFileSync(join(__dirname, '../../../nodes/ChargebeeBilling/trigger/event-types.ts'), 'utf8')).toBe(render(sdk));
		for (const required of ['payment_succeeded', 'payment_failed', 'invoice_generated', 'subscription_created', 'subscription_renewed', 'subscription_changed', 'subscription_cancelled', 'subscription_paused', 'credit_note_created']) {
			expect(CHARGEBEE_EVENT_TYPES).toContain(required);
		}
	});

	it('no node or credential file loads the SDK (or anything but n8n-workflow, zod, crypto and relative paths)', () => {
		const files: string[] = [];
		const walk = (dir: string) => {
			for (const name of readdirSync(dir)) {
				const path = join(dir, name);
				if (statSync(path).isDirectory()) walk(path);
				else if (path.endsWith('.ts')) files.push(path);
			}
		};
		walk(join(__dirname, '../../../nodes/ChargebeeBilling'));
		walk(join(__dirname, '../../../credentials'));
		for (const file of files) {
			const imports = [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
			for (const spec of imports) expect([file, spec]).toEqual([file, expect.stringMatching(/^(n8n-workflow|zod|crypto|node:crypto|\.{1,2}\/.*)$/)]);
		}
	});
});
