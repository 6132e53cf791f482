/**
 * Money in minor units (what the billing APIs send) and as a decimal string
 * with its currency (what a person reads in a Kommo note). Exact: no floats
 * on the way, BigInt for the arithmetic.
 */

/** ISO 4217 currencies whose minor unit is not 1/100, as the billing vendors use them. */
const EXPONENT_OVERRIDES: Record<string, number> = {
	BIF: 0, CLP: 0, DJF: 0, GNF: 0, JPY: 0, KMF: 0, KRW: 0, MGA: 0, PYG: 0, RWF: 0,
	UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0, ISK: 0,
	BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

export class CurrencyError extends Error {}

/** Digits after the decimal point for a currency; throws for a code that is not ISO 4217. */
export function currencyExponent(currency: string): number {
	const code = String(currency ?? '').trim().toUpperCase();
	if (!/^[A-Z]{3}$/.test(code)) {
		throw new CurrencyError(`"${currency}" is not a currency code: expected three letters such as USD or EUR`);
	}
	if (code in EXPONENT_OVERRIDES) return EXPONENT_OVERRIDES[code];
	try {
		const digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
			.maximumFractionDigits;
		if (typeof digits === 'number' && Intl.supportedValuesOf?.('currency').includes(code)) return digits;
	} catch {
		// fall through
	}
	throw new CurrencyError(
		`Unknown currency "${code}": its minor unit is not known, so the amount cannot be converted safely`,
	);
}

export interface Money {
	/** Integer amount in minor units, as a string (exact for any size). */
	minor: string;
	/** Decimal amount, e.g. "30.00" (USD) or "3000" (JPY). */
	decimal: string;
	/** Upper-case ISO 4217 code. */
	currency: string;
	/** "30.00 USD" */
	formatted: string;
}

/** `3000`/`"3000"` USD → 30.00 USD. Throws on a non-integer or an unknown currency. */
export function fromMinor(amount: string | number | bigint, currency: string): Money {
	const exponent = currencyExponent(currency);
	const text = String(amount).trim();
	if (text.length > MAX_AMOUNT_LENGTH) {
		throw new CurrencyError(
			`Amount "${preview(text)}" is longer than ${MAX_AMOUNT_LENGTH} characters: not a real amount`,
		);
	}
	if (!/^-?\d+$/.test(text)) {
		throw new CurrencyError(`Amount "${preview(amount)}" is not a whole number of minor units`);
	}
	const value = BigInt(text);
	const negative = value < 0n;
	const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0');
	const whole = digits.slice(0, digits.length - exponent) || '0';
	const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
	const decimal = `${negative ? '-' : ''}${whole}${fraction}`;
	const code = currency.trim().toUpperCase();
	return { minor: value.toString(), decimal, currency: code, formatted: `${decimal} ${code}` };
}

/**
 * Longest amount text accepted (sign, digits, point). Far above any real amount (a 30-digit
 * integer part is 10^30 minor units), far below what could cost time: every step is linear,
 * and the bound keeps even that from reaching n8n's event loop with a megabyte of digits.
 */
export const MAX_AMOUNT_LENGTH = 40;

/** An amount as short readable text for an error message (never the whole hostile value). */
function preview(amount: unknown): string {
	const text = String(amount);
	return text.length > 24 ? `${text.slice(0, 20)}… (${text.length} characters)` : text;
}

/** "30", "30.5", 30.5 USD → "3050". Rejects more decimals than the currency has. */
export function toMinor(amount: string | number, currency: string): string {
	const exponent = currencyExponent(currency);
	const text = typeof amount === 'number' ? amount.toString() : String(amount).trim();
	if (text.length > MAX_AMOUNT_LENGTH) {
		throw new CurrencyError(
			`Amount "${preview(text)}" is longer than ${MAX_AMOUNT_LENGTH} characters: not a real amount`,
		);
	}
	const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
	if (!match) throw new CurrencyError(`Amount "${preview(amount)}" is not a decimal number`);
	const [, sign, whole, fraction = ''] = match;
	// Trailing zeros stripped by a linear scan: the regex /0+$/ backtracks quadratically on
	// "1.000…0001" (security review M1: 256,000 digits blocked the event loop for 33 s).
	let end = fraction.length;
	while (end > 0 && fraction.charCodeAt(end - 1) === 48) end--;
	const trimmed = fraction.slice(0, end);
	if (trimmed.length > exponent) {
		throw new CurrencyError(
			`Amount "${amount}" has more decimals than ${currency.toUpperCase()} allows (${exponent})`,
		);
	}
	const minor = BigInt(`${whole}${trimmed.padEnd(exponent, '0')}`);
	return (sign === '-' ? -minor : minor).toString();
}
