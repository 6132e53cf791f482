// Security review M1 (../shared/reviews/security.md): `toMinor` stripped trailing zeros with
// /0+$/, which backtracks quadratically on "1." + "0"×n + "1": 256,000 digits blocked n8n's
// event loop for 33 s, and a Zuora callout could carry far more. Amounts now have a length
// bound and the strip is linear.
import { CurrencyError, fromMinor, MAX_AMOUNT_LENGTH, toMinor } from '../../nodes/shared/money';

describe('money: hostile amount lengths', () => {
	it('refuses a 1 MB amount in milliseconds, naming its length but not echoing it', () => {
		const hostile = `1.${'0'.repeat(1_000_000)}1`;
		const started = process.hrtime.bigint();
		let error: unknown;
		try {
			toMinor(hostile, 'USD');
		} catch (caught) {
			error = caught;
		}
		const ms = Number(process.hrtime.bigint() - started) / 1e6;
		expect(error).toBeInstanceOf(CurrencyError);
		expect((error as Error).message).toMatch(/1000003 characters/);
		expect((error as Error).message.length).toBeLessThan(200);
		// generous for a loaded shared machine: the old regex needed about 9 minutes for this input
		expect(ms).toBeLessThan(5000);
	});

	it('the trailing-zero strip is linear even inside the length bound', () => {
		// 38 characters of zeros: the old regex would still be fine here, so also prove the result
		expect(toMinor(`1.${'0'.repeat(MAX_AMOUNT_LENGTH - 2)}`, 'USD')).toBe('100');
		expect(() => toMinor(`1.${'0'.repeat(MAX_AMOUNT_LENGTH - 3)}1`, 'USD')).toThrow(/more decimals than USD allows/);
	});

	it('bounds minor-unit amounts too', () => {
		expect(() => fromMinor('9'.repeat(100_000), 'USD')).toThrow(/longer than 40 characters/);
		expect(fromMinor('9'.repeat(30), 'USD').decimal).toBe(`${'9'.repeat(28)}.99`);
	});
});
