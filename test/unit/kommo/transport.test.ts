/** Kommo error mapping, retry hints, rate-limit settings and account addresses. */
import type { INode } from 'n8n-workflow';

import {
	buildQuery,
	kommoBaseUrl,
	parseKommoError,
	rateLimitFor,
	retryAfterFromKommoBody,
	validationErrorsOf,
} from '../../../nodes/Kommo/transport';

const node = { name: 'Kommo', type: 'kommo', typeVersion: 1, id: '1', position: [0, 0], parameters: {} } as INode;

describe('parseKommoError', () => {
	it('turns validation-errors into a message naming the field, and a line per error', () => {
		const body = {
			'validation-errors': [
				{
					request_id: '0',
					errors: [
						{ code: 'NotSupportedChoice', path: 'custom_fields_values.2.values.0.enum_id', detail: 'The value you selected is not a valid choice.' },
						{ code: 'InvalidType', path: 'price', detail: 'This value should be of type int.' },
					],
				},
			],
			title: 'Bad Request',
			type: 'https://httpstatus.es/400',
			status: 400,
			detail: 'Request validation failed',
		};
		const details = parseKommoError(400, body);
		expect(details.message).toBe(
			'Bad Request: custom_fields_values.2.values.0.enum_id: The value you selected is not a valid choice.; price: This value should be of type int.',
		);
		expect(details.field).toBe('custom_fields_values.2.values.0.enum_id');
		expect(details.code).toBe('NotSupportedChoice');
		expect(details.description).toContain('entity 0: price — This value should be of type int. (InvalidType)');
	});

	it('reads problem+json title and detail', () => {
		expect(parseKommoError(401, { title: 'Unauthorized', type: 'https://httpstatus.es/401', status: 401, detail: 'Unauthorized' })).toMatchObject({
			message: 'Unauthorized',
			field: undefined,
		});
		expect(parseKommoError(402, { title: 'Payment Required', status: 402, detail: 'Account is not paid' }).message).toBe(
			'Payment Required: Account is not paid',
		);
	});

	it('adds what to do for 401, 402 and 403 (including the IP block)', () => {
		expect(parseKommoError(401, {}).description).toContain('reconnect the credential');
		expect(parseKommoError(402, {}).description).toContain('not paid');
		expect(parseKommoError(403, {}).description).toContain('blocked this IP address after repeated rate-limit violations');
	});

	it('copes with legacy, text and empty bodies', () => {
		expect(parseKommoError(400, { response: { error: 'Lead not found', error_code: 213 } }).message).toBe('Lead not found');
		expect(parseKommoError(502, '<html>Bad gateway</html>').message).toBe('<html>Bad gateway</html>');
		expect(parseKommoError(500, undefined).message).toBe('HTTP 500');
	});

	it('flattens validation errors of a batch with their request ids', () => {
		expect(
			validationErrorsOf({
				'validation-errors': [
					{ request_id: '3', errors: [{ code: 'NotFound', path: 'entity_id', detail: 'Lead 9 not found' }] },
					{ request_id: '5', errors: [{ code: 'NotBlank', path: 'params.text', detail: 'This value should not be blank.' }] },
				],
			}),
		).toEqual([
			{ requestId: '3', code: 'NotFound', path: 'entity_id', detail: 'Lead 9 not found' },
			{ requestId: '5', code: 'NotBlank', path: 'params.text', detail: 'This value should not be blank.' },
		]);
		expect(validationErrorsOf('nope')).toEqual([]);
	});
});

describe('retry_after', () => {
	it('reads seconds, and a Unix timestamp as time from now', () => {
		expect(retryAfterFromKommoBody({ title: 'Too Many Requests', status: 429, retry_after: 2 })).toBe(2);
		const future = Date.now() / 1000 + 3;
		expect(retryAfterFromKommoBody({ retry_after: future })).toBeGreaterThan(2);
		expect(retryAfterFromKommoBody({ retry_after: future })).toBeLessThanOrEqual(3);
		expect(retryAfterFromKommoBody({})).toBeUndefined();
		expect(retryAfterFromKommoBody({ retry_after: 'soon' })).toBeUndefined();
	});
});

describe('rate limit from "Max Requests per Second"', () => {
	it('keeps Kommo’s 7/s by default and never goes above it', () => {
		expect(rateLimitFor(undefined)).toEqual({ requests: 7, windowMs: 1000 });
		expect(rateLimitFor(7)).toEqual({ requests: 7, windowMs: 1000 });
		expect(rateLimitFor(20)).toEqual({ requests: 7, windowMs: 1000 });
	});

	it('splits the budget for several workers, fractions included', () => {
		expect(rateLimitFor(3.5)).toEqual({ requests: 3, windowMs: 857 });
		expect(rateLimitFor(1)).toEqual({ requests: 1, windowMs: 1000 });
		expect(rateLimitFor(0.5)).toEqual({ requests: 1, windowMs: 2000 });
	});
});

describe('account address', () => {
	it('builds https://{subdomain}.{domain} and accepts a pasted host', () => {
		expect(kommoBaseUrl({ subdomain: 'acme', domain: 'kommo.com' }, node)).toBe('https://acme.kommo.com');
		expect(kommoBaseUrl({ subdomain: 'Acme', domain: 'amocrm.ru' }, node)).toBe('https://acme.amocrm.ru');
		expect(kommoBaseUrl({ subdomain: 'https://acme.amocrm.com/leads', domain: 'kommo.com' }, node)).toBe('https://acme.amocrm.com');
	});

	it('uses a custom-host base URL override as is (without a trailing slash or /api/v4)', () => {
		expect(kommoBaseUrl({ subdomain: 'acme', baseUrl: 'http://127.0.0.1:8080/', customHost: true }, node)).toBe('http://127.0.0.1:8080');
		expect(kommoBaseUrl({ subdomain: 'acme', baseUrl: 'https://acme.kommo.com/api/v4' }, node)).toBe('https://acme.kommo.com');
	});

	it('refuses www, empty and odd subdomains, a non-URL override, and another host without "Custom Host or Proxy"', () => {
		expect(() => kommoBaseUrl({ subdomain: 'www', domain: 'kommo.com' }, node)).toThrow('"www" is not a subdomain name');
		expect(() => kommoBaseUrl({ subdomain: '', domain: 'kommo.com' }, node)).toThrow('the subdomain is empty');
		expect(() => kommoBaseUrl({ subdomain: 'a b', domain: 'kommo.com' }, node)).toThrow('is not a subdomain name');
		expect(() => kommoBaseUrl({ subdomain: 'evil.example/#', domain: 'kommo.com' }, node)).toThrow('is not a subdomain name');
		expect(() => kommoBaseUrl({ baseUrl: 'ftp://x', customHost: true }, node)).toThrow('is not an http(s) URL');
		expect(() => kommoBaseUrl({ subdomain: 'acme', baseUrl: 'http://127.0.0.1:8080' }, node)).toThrow('turn on "Custom Host or Proxy"');
	});
});

describe('buildQuery', () => {
	it('keeps Kommo filter keys exact and repeats array values', () => {
		expect(decodeURIComponent(buildQuery({ with: 'contacts', 'filter[id][]': [1, 2], query: undefined, page: 1 }))).toBe(
			'with=contacts&filter[id][]=1&filter[id][]=2&page=1',
		);
	});
});
