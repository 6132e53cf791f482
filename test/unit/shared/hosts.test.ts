/**
 * One host normalisation for credentials and nodes (issue 14 items 3-4; issue 16 L8): the
 * TypeScript function and the n8n expression built from its source give the same URL for every
 * input, evaluated by n8n-workflow's own expression engine (what the credential test and the
 * OAuth token exchange use).
 */
import type { INodeTypes } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { CHARGEBEE_HOST, hostExpression, KOMMO_HOST, vendorHost, type HostSpec } from '../../../nodes/shared/hosts';

const nodeTypes = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [], inputs: [], outputs: [] } }),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;
const workflow = new Workflow({
	nodes: [{ id: '1', name: 'N', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} }],
	connections: {},
	active: false,
	nodeTypes,
});

function evaluate(expression: string, key: '$credentials' | '$self', data: Record<string, unknown>): unknown {
	return workflow.expression.getParameterValue(`={{ ${expression} }}`, null, 0, 0, 'N', [], 'internal', { [key]: data } as never);
}

const KOMMO: Array<[Record<string, unknown>, string | RegExp]> = [
	[{ subdomain: 'acme', domain: 'kommo.com' }, 'https://acme.kommo.com'],
	[{ subdomain: 'acme.kommo.com', domain: 'kommo.com' }, 'https://acme.kommo.com'],
	[{ subdomain: ' https://ACME.kommo.com/leads/ ', domain: 'kommo.com' }, 'https://acme.kommo.com'],
	[{ subdomain: 'acme.amocrm.ru', domain: 'kommo.com' }, 'https://acme.amocrm.ru'],
	[{ subdomain: 'acme', domain: 'amocrm.com' }, 'https://acme.amocrm.com'],
	[{ subdomain: 'evil.example/#', domain: 'kommo.com' }, /is not a subdomain name/],
	[{ subdomain: 'evil.example', domain: 'kommo.com' }, /is not a subdomain name/],
	[{ subdomain: 'acme@evil.example', domain: 'kommo.com' }, /is not a subdomain name/],
	[{ subdomain: 'www', domain: 'kommo.com' }, /is not a subdomain name/],
	[{ subdomain: '', domain: 'kommo.com' }, /subdomain is empty/],
	[{ subdomain: 'acme', baseUrl: 'https://acme.kommo.com/api/v4/' }, 'https://acme.kommo.com'],
	[{ subdomain: 'acme', baseUrl: 'http://127.0.0.1:8080' }, /turn on "Custom Host or Proxy"/],
	[{ subdomain: 'acme', baseUrl: 'https://evil.example' }, /turn on "Custom Host or Proxy"/],
	[{ subdomain: 'acme', baseUrl: 'http://acme.kommo.com' }, /turn on "Custom Host or Proxy"/],
	[{ subdomain: 'acme', baseUrl: 'http://127.0.0.1:8080/', customHost: true }, 'http://127.0.0.1:8080'],
	[{ subdomain: 'acme', baseUrl: 'https://proxy.example/kommo/api/v4', customHost: true }, 'https://proxy.example/kommo'],
	[{ subdomain: 'acme', baseUrl: 'ftp://x', customHost: true }, /not an http\(s\) URL/],
	[{ subdomain: 'acme', baseUrl: 'https://user@evil.example', customHost: true }, /not an http\(s\) URL/],
	[{ subdomain: 'acme', customHost: true }, /override is empty/],
];
const CHARGEBEE: Array<[Record<string, unknown>, string | RegExp]> = [
	[{ site: 'acme-test' }, 'https://acme-test.chargebee.com/api/v2'],
	[{ site: 'acme-test.chargebee.com' }, 'https://acme-test.chargebee.com/api/v2'],
	[{ site: 'https://acme-test.chargebee.com/d/customers' }, 'https://acme-test.chargebee.com/api/v2'],
	[{ site: 'evil.example/#' }, /is not a site name/],
	[{ site: 'acme', baseUrl: 'https://acme.chargebee.com/api/v2' }, 'https://acme.chargebee.com/api/v2'],
	[{ site: 'acme', baseUrl: 'http://127.0.0.1:4010/api/v2/', customHost: true }, 'http://127.0.0.1:4010/api/v2'],
	[{ site: 'acme', baseUrl: 'http://127.0.0.1:4010' }, /turn on "Custom Host or Proxy"/],
];

describe.each([
	['Kommo', KOMMO_HOST, KOMMO],
	['Chargebee', CHARGEBEE_HOST, CHARGEBEE],
] as Array<[string, HostSpec, typeof KOMMO]>)('%s hosts', (_vendor, spec, cases) => {
	it.each(cases)('%j → %s, the same in TypeScript and in the n8n expression', (credential, expected) => {
		const result = vendorHost(credential, spec, 'base');
		if (typeof expected === 'string') expect(result).toEqual({ ok: true, url: expected });
		else expect(result.ok ? result.url : result.error).toMatch(expected);
		const viaExpression = evaluate(hostExpression(spec, '$credentials', 'base', '/x'), '$credentials', credential);
		expect(viaExpression).toBe(result.ok ? `${result.url}/x` : `https://${spec.vendor.toLowerCase()}-credential-is-invalid-see-its-fields.invalid`);
		expect(evaluate(hostExpression(spec, '$self', 'base'), '$self', credential)).toBe(result.ok ? result.url : `https://${spec.vendor.toLowerCase()}-credential-is-invalid-see-its-fields.invalid`);
	});
});

it('Kommo consent page: www on the account domain, or the custom host', () => {
	expect(vendorHost({ subdomain: 'acme.amocrm.ru' }, KOMMO_HOST, 'consent')).toEqual({ ok: true, url: 'https://www.amocrm.ru/oauth' });
	expect(vendorHost({ subdomain: 'acme', baseUrl: 'http://127.0.0.1:9', customHost: true }, KOMMO_HOST, 'consent')).toEqual({ ok: true, url: 'http://127.0.0.1:9/oauth' });
});

describe('the credentials use it (what n8n evaluates for the credential test and the OAuth exchange)', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { KommoOAuth2Api } = require('../../../credentials/KommoOAuth2Api.credentials') as typeof import('../../../credentials/KommoOAuth2Api.credentials');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { KommoApi } = require('../../../credentials/KommoApi.credentials') as typeof import('../../../credentials/KommoApi.credentials');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { ChargebeeBillingApi } = require('../../../credentials/ChargebeeBillingApi.credentials') as typeof import('../../../credentials/ChargebeeBillingApi.credentials');
	const prop = (props: Array<{ name: string; default: unknown }>, name: string) => String(props.find((p) => p.name === name)!.default);
	const run = (expression: string, key: '$credentials' | '$self', data: Record<string, unknown>) =>
		workflow.expression.getParameterValue(expression, null, 0, 0, 'N', [], 'internal', { [key]: data } as never);

	it('Kommo OAuth2: a pasted host is not doubled in the token URL; consent uses mode=post_message', () => {
		const oauth = new KommoOAuth2Api();
		const self = { subdomain: 'acme.kommo.com', domain: 'kommo.com', baseUrl: '' };
		expect(run(prop(oauth.properties, 'accessTokenUrl'), '$self', self)).toBe('https://acme.kommo.com/oauth2/access_token');
		expect(run(prop(oauth.properties, 'authUrl'), '$self', self)).toBe('https://www.kommo.com/oauth');
		expect(prop(oauth.properties, 'authQueryParameters')).toBe('mode=post_message');
		// `evil.example/#` used to send the client secret and code to evil.example.
		expect(run(prop(oauth.properties, 'accessTokenUrl'), '$self', { subdomain: 'evil.example/#', domain: 'kommo.com' })).toMatch(/\.invalid$/);
	});

	it('Kommo long-lived token test request: same host as the nodes', () => {
		const baseURL = String(new KommoApi().test.request.baseURL);
		expect(run(baseURL, '$credentials', { subdomain: 'https://acme.amocrm.ru/', domain: 'kommo.com' })).toBe('https://acme.amocrm.ru');
	});

	it('Chargebee test request: a pasted host or an override ending in /api/v2 is not doubled', () => {
		const test = new ChargebeeBillingApi().test.request;
		expect(test.url).toBe('/item_prices');
		expect(run(String(test.baseURL), '$credentials', { site: 'acme-test.chargebee.com' })).toBe('https://acme-test.chargebee.com/api/v2');
		expect(run(String(test.baseURL), '$credentials', { site: 'x', baseUrl: 'https://acme.chargebee.com/api/v2' })).toBe('https://acme.chargebee.com/api/v2');
	});
});
