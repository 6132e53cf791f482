import { CurrencyError, currencyExponent, fromMinor, toMinor } from '../../../nodes/shared/money';

describe('money', () => {
	it('formats minor units with the currency exponent', () => {
		expect(fromMinor('3000', 'usd')).toEqual({ minor: '3000', decimal: '30.00', currency: 'USD', formatted: '30.00 USD' });
		expect(fromMinor(5, 'EUR').decimal).toBe('0.05');
		expect(fromMinor(-1999, 'GBP').decimal).toBe('-19.99');
		expect(fromMinor('3000', 'JPY').decimal).toBe('3000');
		expect(fromMinor('1500', 'KWD').decimal).toBe('1.500');
		expect(fromMinor('12345678901234567890', 'USD').decimal).toBe('123456789012345678.90');
	});

	it('converts decimals to minor units exactly', () => {
		expect(toMinor('30', 'USD')).toBe('3000');
		expect(toMinor(30.5, 'USD')).toBe('3050');
		expect(toMinor('0.10', 'EUR')).toBe('10');
		expect(toMinor('3000', 'JPY')).toBe('3000');
		expect(toMinor('-1.5', 'USD')).toBe('-150');
	});

	it('refuses what it cannot convert safely, saying why', () => {
		expect(() => toMinor('30.5', 'JPY')).toThrow(/more decimals than JPY allows \(0\)/);
		expect(() => fromMinor('30.5', 'USD')).toThrow(/not a whole number/);
		expect(() => currencyExponent('dollars')).toThrow(CurrencyError);
		expect(() => currencyExponent('XYZ')).toThrow(/Unknown currency "XYZ"/);
		expect(() => toMinor('abc', 'USD')).toThrow(/not a decimal number/);
	});
});
