/** Custom API Request's path rule and the resource-locator value reader (pure functions). */
import { locatorValue } from '../../../nodes/PaddleBilling/helpers';
import { checkPath } from '../../../nodes/PaddleBilling/resources/customApiRequest/request';

const ID = 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4';

describe('Custom API Request path', () => {
	const base = 'https://sandbox-api.paddle.com';

	it('keeps relative paths and adds a missing leading slash', () => {
		expect(checkPath('/products', base)).toBe('/products');
		expect(checkPath('products?status=active', base)).toBe('/products?status=active');
	});

	it("accepts an absolute URL only on the credential's host", () => {
		expect(checkPath(`${base}/customers/${ID}`, base)).toBe(`/customers/${ID}`);
		for (const other of ['https://api.paddle.com/products', 'https://evil.example/products', '//evil.example/x', 'http://sandbox-api.paddle.com/products', 'file:///etc/passwd']) {
			expect(checkPath(other, base)).toEqual({ refused: expect.stringMatching(/not to this credential's Paddle API|not a valid URL/) });
		}
	});
});

describe('locatorValue', () => {
	it('reads plain strings, locator objects and dashboard URLs', () => {
		expect(locatorValue(ID, 'ctm')).toBe(ID);
		expect(locatorValue({ __rl: true, mode: 'list', value: ID }, 'ctm')).toBe(ID);
		expect(locatorValue({ __rl: true, mode: 'url', value: `https://sandbox-vendors.paddle.com/customers-v2/${ID}?x=1` }, 'ctm')).toBe(ID);
		// a URL without such an id stays as typed, so the id check names it
		expect(locatorValue('https://vendors.paddle.com/customers-v2/', 'ctm')).toBe('https://vendors.paddle.com/customers-v2/');
	});
});
