/** Custom API Request: which paths may carry the Kommo credential (nodes/Kommo/resources/customApiRequest/path.ts). */
import { checkCustomPath } from '../../../nodes/Kommo/resources/customApiRequest/path';

const base = 'https://acme.kommo.com';

describe('checkCustomPath', () => {
	it.each([
		['/api/v4/leads', '/api/v4/leads', ''],
		['api/v4/leads/123', '/api/v4/leads/123', ''],
		['  /api/v4/leads?with=contacts  ', '/api/v4/leads', 'with=contacts'],
		['https://acme.kommo.com/api/v4/leads/pipelines?x=1', '/api/v4/leads/pipelines', 'x=1'],
		['HTTPS://ACME.KOMMO.COM/api/v4/account', '/api/v4/account', ''],
	])('accepts %s', (raw, path, query) => {
		expect(checkCustomPath(raw, base)).toEqual({ ok: true, path, query });
	});

	it.each([
		['', 'The path is empty'],
		['https://evil.example/api/v4/leads', 'Refused to send the Kommo credential to https://evil.example'],
		['http://acme.kommo.com/api/v4/leads', 'Refused to send the Kommo credential to http://acme.kommo.com'],
		['https://acme.kommo.com.evil.example/api/v4/leads', 'Refused to send the Kommo credential'],
		['//evil.example/api/v4/leads', 'Refused to send the Kommo credential to https://evil.example'],
		['javascript:alert(1)', 'Refused to send the Kommo credential'],
		['/oauth2/access_token', 'is not under /api/v4/'],
		['/api/v4/', 'is not under /api/v4/'],
		['/api/v2/leads', 'is not under /api/v4/'],
		['/api/v4/../../oauth2/access_token', '"." or ".."'],
		['/api/v4/%2E%2E/oauth2', '"." or ".."'],
		['/api/v4/leads/%5C..%5Cx', '"." or ".."'],
		['/api/v4/%zz', 'is not a valid path'],
	])('refuses %s', (raw, message) => {
		const result = checkCustomPath(raw, base);
		expect(result.ok).toBe(false);
		if (!result.ok) {
			expect(result.error).toContain(message);
			expect(result.hint).toContain('/api/v4/');
		}
	});
});
