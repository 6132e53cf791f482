import { checkBasicAuth, hmac, parseBasicAuth, randomSecret, safeEqual } from '../../../nodes/shared/crypto';
import { redactDeep, redactString, secretValues } from '../../../nodes/shared/redact';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('constant-time helpers', () => {
	it('compares strings of any length without throwing', () => {
		expect(safeEqual('abc', 'abc')).toBe(true);
		expect(safeEqual('abc', 'abcd')).toBe(false);
		expect(safeEqual(undefined, 'abc')).toBe(false);
		expect(safeEqual('', '')).toBe(false); // an empty expected secret never matches
	});

	it('checks Basic auth pairs', () => {
		expect(checkBasicAuth(basic('cb', 'p:w'), 'cb', 'p:w')).toBe(true);
		expect(checkBasicAuth(basic('cb', 'wrong'), 'cb', 'p:w')).toBe(false);
		expect(checkBasicAuth(undefined, 'cb', 'p:w')).toBe(false);
		expect(checkBasicAuth('Bearer x', 'cb', 'p:w')).toBe(false);
		expect(parseBasicAuth('Basic !!!')).toBeUndefined();
	});

	it('computes HMACs and random secrets', () => {
		expect(hmac('sha256', 'key', 'data')).toBe('5031fe3d989c6d1537a013fa6e739da23463fdaec3b70137d828e36ace221bd0');
		expect(randomSecret()).toMatch(/^[A-Za-z0-9_-]{32}$/);
		expect(randomSecret()).not.toBe(randomSecret());
	});
});

describe('redaction', () => {
	const secrets = secretValues({ subdomain: 'acme', apiKey: 'test_abc123', nested: { token: 'tok-999' } });

	it('collects secret values but not host fields', () => {
		expect(secrets).toEqual(expect.arrayContaining(['test_abc123', 'tok-999']));
		expect(secrets).not.toContain('acme');
	});

	it('removes secrets in plain, URL-encoded and Basic-auth forms', () => {
		const basicForm = Buffer.from('test_abc123:').toString('base64');
		const text = `key test_abc123 in ${encodeURIComponent('test_abc123')} and Basic ${basicForm}`;
		const out = redactString(text, secrets);
		expect(out).not.toContain('test_abc123');
		expect(out).not.toContain(basicForm);
	});

	it('redacts deep values and secret-named keys', () => {
		expect(redactDeep({ a: ['x tok-999'], authorization: 'Bearer zzz' }, secrets)).toEqual({
			a: ['x [redacted]'],
			authorization: '[redacted]',
		});
	});
});
