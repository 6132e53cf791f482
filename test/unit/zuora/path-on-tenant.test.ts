/**
 * The host check shared by Custom API Request and the invoice PDF download: the OAuth token
 * must only ever go to the credential's own Zuora host.
 */
import type { INode } from 'n8n-workflow';

import { pathOnTenant } from '../../../nodes/Zuora/download';

const context = { getNode: () => ({ name: 'Zuora', type: 'zuora', typeVersion: 1.1, position: [0, 0], parameters: {} }) as unknown as INode };
const base = 'https://rest.apisandbox.zuora.com';

describe('pathOnTenant', () => {
	it.each([
		['/v1/accounts/A1', '/v1/accounts/A1'],
		['v1/accounts/A1', '/v1/accounts/A1'],
		['  /v1/payments?page=2  ', '/v1/payments?page=2'],
		['https://rest.apisandbox.zuora.com/v1/files/abc', '/v1/files/abc'],
		['//rest.apisandbox.zuora.com/v1/files/abc', '/v1/files/abc'],
	])('%s → %s', (input, expected) => {
		expect(pathOnTenant(context, base, input, 0)).toBe(expected);
	});

	it.each([
		'https://evil.example/v1/accounts',
		'https://rest.apisandbox.zuora.com.evil.example/v1',
		'http://rest.apisandbox.zuora.com/v1/accounts',
		'//evil.example/v1',
		'javascript:alert(1)',
	])('refuses %s', (input) => {
		expect(() => pathOnTenant(context, base, input, 3)).toThrow(/is not on the Zuora host rest\.apisandbox\.zuora\.com/);
	});

	it('a path cannot move to another host through user-info tricks', () => {
		expect(pathOnTenant(context, base, '/@evil.example/v1', 0)).toBe('/@evil.example/v1');
		expect(new URL(`${base}${pathOnTenant(context, base, '/@evil.example/v1', 0)}`).host).toBe('rest.apisandbox.zuora.com');
	});
});
