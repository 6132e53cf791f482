import {
	buildSignatureHeader,
	computeSignature,
	DEFAULT_TOLERANCE_SECONDS,
	MAX_TOLERANCE_SECONDS,
	parseSignatureHeader,
	resolveTolerance,
	splitSecrets,
	verifyPaddleSignature,
} from '../../../nodes/PaddleBilling/trigger/verify';
import { PaddleSandbox } from '../../../dev/sandbox/paddle';

const SECRET = 'pdl_ntfset_01hv8x2af22vrrz7k67g06x1kq_AbCdEfGhIjKlMnOpQrStUvWxYz012345';
const OLD_SECRET = 'pdl_ntfset_01hv8x2af22vrrz7k67g06x1kq_ZyXwVuTsRqPoNmLkJiHgFeDcBa987654';
const BODY = '{"event_id":"evt_01hv8x2acma2gz7he8kg2s0hna","event_type":"transaction.completed","occurred_at":"2024-04-12T10:18:49.621022Z","notification_id":"ntf_01hv8x2af22vrrz7k67g06x1kq","data":{"id":"txn_01hv8wptq8987qeep44cyrewp9","custom_data":{"kommo_lead_id":4242}}}';
const NOW = Date.UTC(2024, 3, 12, 10, 18, 50);
const TS = Math.floor(NOW / 1000);

function verify(header: string | string[] | undefined, secrets = [SECRET], options: { body?: string | Buffer; now?: number; tolerance?: number } = {}) {
	return verifyPaddleSignature({
		rawBody: options.body ?? Buffer.from(BODY),
		header,
		secrets,
		now: options.now ?? NOW,
		toleranceSeconds: options.tolerance,
	});
}

describe('Paddle-Signature verification', () => {
	it('accepts a valid signature over the raw body', () => {
		const header = `ts=${TS};h1=${computeSignature(SECRET, TS, BODY)}`;
		expect(verify(header)).toEqual({ valid: true, ts: TS, ageSeconds: 0 });
		expect(verify(header, [SECRET], { now: NOW + 2500 })).toEqual({ valid: true, ts: TS, ageSeconds: 2.5 });
	});

	it('agrees with the sandbox signer (an independent implementation)', () => {
		const header = PaddleSandbox.signatureHeader([SECRET], BODY, TS);
		expect(header).toBe(buildSignatureHeader([SECRET], BODY, TS));
		expect(verify(header).valid).toBe(true);
	});

	it.each([0, 1, 2])('accepts several h1 values when the one at position %i matches', (position) => {
		const junk = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];
		junk[position] = computeSignature(SECRET, TS, BODY);
		const header = `ts=${TS};${junk.map((h) => `h1=${h}`).join(';')}`;
		expect(verify(header).valid).toBe(true);
	});

	it('rejects several h1 values when none matches', () => {
		const header = `ts=${TS};h1=${'a'.repeat(64)};h1=${computeSignature(OLD_SECRET, TS, BODY)}`;
		expect(verify(header)).toMatchObject({ valid: false, reason: 'signature_mismatch' });
	});

	it('accepts either of two secrets during a rotation, and only those', () => {
		const signedWithOld = `ts=${TS};h1=${computeSignature(OLD_SECRET, TS, BODY)}`;
		const signedWithNew = `ts=${TS};h1=${computeSignature(SECRET, TS, BODY)}`;
		expect(verify(signedWithOld, [SECRET, OLD_SECRET]).valid).toBe(true);
		expect(verify(signedWithNew, [SECRET, OLD_SECRET]).valid).toBe(true);
		expect(verify(signedWithOld, [SECRET])).toMatchObject({ valid: false, reason: 'signature_mismatch' });
		// Paddle-style overlap: one h1 per secret in the same header.
		const both = buildSignatureHeader([SECRET, OLD_SECRET], BODY, TS);
		expect(verify(both, [OLD_SECRET]).valid).toBe(true);
		expect(verify(both, [SECRET]).valid).toBe(true);
		expect(verify(both, ['pdl_ntfset_other']).valid).toBe(false);
	});

	it('rejects a tampered body, even a single changed space', () => {
		const header = buildSignatureHeader([SECRET], BODY, TS);
		expect(verify(header, [SECRET], { body: BODY.replace('4242', '4243') })).toMatchObject({ reason: 'signature_mismatch' });
		expect(verify(header, [SECRET], { body: BODY.replace('"data":{', '"data": {') })).toMatchObject({ reason: 'signature_mismatch' });
		expect(verify(header, [SECRET], { body: `${BODY}\n` })).toMatchObject({ reason: 'signature_mismatch' });
	});

	it('rejects a signature whose timestamp was changed (ts is part of the signed payload)', () => {
		const h1 = computeSignature(SECRET, TS - 100, BODY);
		expect(verify(`ts=${TS};h1=${h1}`)).toMatchObject({ valid: false, reason: 'signature_mismatch' });
	});

	it("rejects a stale timestamp beyond the tolerance (default: Paddle's 3-day retry window + 1 h) and honours a configured tolerance", () => {
		const at = (ts: number) => buildSignatureHeader([SECRET], BODY, ts);
		expect(DEFAULT_TOLERANCE_SECONDS).toBe(3 * 86400 + 3600);
		expect(verify(at(TS - 3 * 86400), [SECRET], { now: TS * 1000 }).valid).toBe(true);
		expect(verify(at(TS - DEFAULT_TOLERANCE_SECONDS - 1), [SECRET], { now: TS * 1000 })).toMatchObject({ valid: false, reason: 'stale_timestamp' });
		expect(verify(at(TS - 5), [SECRET], { now: TS * 1000, tolerance: 5 }).valid).toBe(true);
		expect(verify(at(TS - 6), [SECRET], { now: TS * 1000, tolerance: 5 })).toMatchObject({ valid: false, reason: 'stale_timestamp' });
		expect(verify(at(TS - 30), [SECRET], { now: TS * 1000, tolerance: 60 }).valid).toBe(true);
		expect(verify(at(TS - 61), [SECRET], { now: TS * 1000, tolerance: 60 })).toMatchObject({ reason: 'stale_timestamp' });
	});

	it('rejects a timestamp too far in the future (unlike the official SDK)', () => {
		const header = buildSignatureHeader([SECRET], BODY, TS + 3600);
		expect(verify(header, [SECRET], { now: TS * 1000, tolerance: 60 })).toMatchObject({ valid: false, reason: 'future_timestamp' });
		expect(verify(buildSignatureHeader([SECRET], BODY, TS + 3), [SECRET], { now: TS * 1000, tolerance: 60 }).valid).toBe(true);
	});

	it.each([
		['absent', undefined],
		['empty', ''],
		['an empty list', []],
	])('rejects a missing header (%s)', (_label, header) => {
		expect(verify(header as string | undefined)).toMatchObject({ valid: false, reason: 'missing_header' });
	});

	const good = computeSignature(SECRET, TS, BODY);
	it.each([
		['no key/value pairs', 'invalid_header'],
		['only h1', `h1=${good}`],
		['only ts', `ts=${TS}`],
		['ts not a number', `ts=yesterday;h1=${good}`],
		['two timestamps', `ts=${TS};ts=${TS};h1=${good}`],
		['h1 not hex', `ts=${TS};h1=invalid_signature`],
		['h1 too short', `ts=${TS};h1=${good.slice(0, 63)}`],
		['missing key', `ts=${TS};=${good}`],
		['a bare token', `ts=${TS};h1=${good};garbage`],
		['two Paddle-Signature headers', [`ts=${TS};h1=${good}`, `ts=${TS};h1=${good}`]],
		['an absurdly long header', `ts=${TS};${`h1=${good};`.repeat(100)}`],
		['binary junk', '\u0000\u0001ts=\u0002'],
	])('rejects a malformed header: %s', (_label, header) => {
		expect(verify(header)).toMatchObject({ valid: false, reason: 'malformed_header' });
	});

	it('ignores unknown schemes (h2=…) beside a valid h1, and tolerates spaces and upper-case hex', () => {
		expect(verify(`ts=${TS}; h1=${good.toUpperCase()} ; h2=RANDOM_HASH`).valid).toBe(true);
	});

	it('fails closed without a secret or without the raw body', () => {
		const header = buildSignatureHeader([SECRET], BODY, TS);
		expect(verify(header, [])).toMatchObject({ valid: false, reason: 'no_secret_configured' });
		expect(verify(header, [''])).toMatchObject({ valid: false, reason: 'no_secret_configured' });
		expect(verifyPaddleSignature({ rawBody: undefined, header, secrets: [SECRET], now: NOW })).toMatchObject({
			valid: false,
			reason: 'missing_body',
		});
	});

	it('verifies bytes, not re-encoded text (a body that is not valid UTF-8 keeps its exact bytes)', () => {
		const bytes = Buffer.from([0x7b, 0x22, 0x78, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
		const h1 = computeSignature(SECRET, TS, bytes);
		expect(verify(`ts=${TS};h1=${h1}`, [SECRET], { body: bytes }).valid).toBe(true);
		expect(verify(`ts=${TS};h1=${h1}`, [SECRET], { body: bytes.toString('utf8') }).valid).toBe(false);
	});
});

/**
 * Test vectors from the official Node SDK's own suite
 * (PaddleHQ/paddle-node-sdk, src/__tests__/notifications/webhooks-validator.node.test.ts).
 * The published package ships no tests, so the vectors are restated here as
 * data: the SDK's verdict at 2023-11-01T00:00:00Z, with our verifier's.
 */
describe("the official SDK's signed fixtures", () => {
	const SDK_NOW = Date.UTC(2023, 10, 1, 0, 0, 0);
	const SDK_SECRET = 'VALID_SECRET';
	const SIG_A = 'ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9';
	const cases: Array<[string, string, string, string, boolean]> = [
		['valid signature', '{"data": ["1", "2"]}', SIG_A, SDK_SECRET, true],
		[
			'valid signature with multiple hashes (and an h2)',
			'{"data": "value"}',
			'ts=1698796800;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261;h2=RANDOM_HASH',
			SDK_SECRET,
			true,
		],
		['invalid secret', '{"data": ["1", "2"]}', SIG_A, 'INVALID_VALID_SECRET', false],
		['invalid timestamp', '{"data": ["1", "2"]}', 'ts=9876;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9', SDK_SECRET, false],
		['body with more spaces', '{ "data": [ "1", "2" ]}', SIG_A, SDK_SECRET, false],
		['invalid signature', '{"data": ["1", "2"]}', 'ts=1234;h1=invalid_signature', SDK_SECRET, false],
	];
	it.each(cases)('%s', (_label, body, header, secret, expected) => {
		expect(verifyPaddleSignature({ rawBody: body, header, secrets: [secret], now: SDK_NOW }).valid).toBe(expected);
	});

	it.each([
		['missing ts and h1', 'invalid_header'],
		['missing ts', 'h1=invalid_header'],
		['missing h1', 'ts=1234;h2=invalid_header'],
	])('rejects the header fixture "%s"', (_label, header) => {
		expect(verifyPaddleSignature({ rawBody: '{"data": ["1", "2"]}', header, secrets: [SDK_SECRET], now: SDK_NOW })).toMatchObject({
			valid: false,
			reason: 'malformed_header',
		});
	});

	// The SDK's own 5-second cases, with the SDK's tolerance configured.
	it.each([
		['1 s after signing', Date.UTC(2023, 10, 1, 0, 0, 1), true],
		['5 s after signing (the edge)', Date.UTC(2023, 10, 1, 0, 0, 5), true],
		['6 s after signing', Date.UTC(2023, 10, 1, 0, 0, 6), false],
		['days later', Date.UTC(2023, 10, 5), false],
	])('time window (5 s configured): %s', (_label, now, expected) => {
		expect(verifyPaddleSignature({ rawBody: '{"data": ["1", "2"]}', header: SIG_A, secrets: [SDK_SECRET], now, toleranceSeconds: 5 }).valid).toBe(expected);
	});

	// The default: a retry that keeps the first attempt's ts survives Paddle's 3-day retry window.
	it.each([
		['6 s after signing', Date.UTC(2023, 10, 1, 0, 0, 6), true],
		['3 days after signing (last live retry)', Date.UTC(2023, 10, 4), true],
		['3 days + 2 h after signing', Date.UTC(2023, 10, 4, 2), false],
	])('time window (default): %s', (_label, now, expected) => {
		expect(verifyPaddleSignature({ rawBody: '{"data": ["1", "2"]}', header: SIG_A, secrets: [SDK_SECRET], now }).valid).toBe(expected);
	});

	it.each([
		['NaN', Number.NaN],
		['text', 'five'],
		['zero', 0],
		['negative', -10],
		['Infinity', Number.POSITIVE_INFINITY],
	])('a tolerance that is not a number of at least 1 (%s) fails closed, never open', (_label, tolerance) => {
		const header = buildSignatureHeader([SECRET], BODY, TS - 365 * 86400);
		expect(verify(header, [SECRET], { tolerance: tolerance as number })).toMatchObject({ valid: false, reason: 'invalid_tolerance' });
		expect(resolveTolerance(tolerance)).toBeUndefined();
	});

	it('a tolerance above the maximum is clamped to 7 days: a year-old signature is refused', () => {
		expect(resolveTolerance(10 ** 9)).toBe(MAX_TOLERANCE_SECONDS);
		expect(MAX_TOLERANCE_SECONDS).toBe(7 * 86400);
		const header = buildSignatureHeader([SECRET], BODY, TS - 365 * 86400);
		expect(verify(header, [SECRET], { tolerance: 10 ** 9 })).toMatchObject({ valid: false, reason: 'stale_timestamp' });
		expect(verify(buildSignatureHeader([SECRET], BODY, TS - 6 * 86400), [SECRET], { tolerance: 10 ** 9 }).valid).toBe(true);
	});
});

describe('header parsing and secret lists', () => {
	it('parses every h1 and the timestamp text', () => {
		expect(parseSignatureHeader(`ts=0012;h1=${'a'.repeat(64)};h1=${'B'.repeat(64)}`)).toEqual({
			ts: 12,
			tsText: '0012',
			h1: ['a'.repeat(64), 'b'.repeat(64)],
		});
	});

	it('signs the timestamp exactly as sent', () => {
		const header = `ts=0${TS};h1=${computeSignature(SECRET, `0${TS}`, BODY)}`;
		expect(verify(header).valid).toBe(true);
	});

	it('splits secrets on commas, spaces and new lines, dropping blanks and duplicates', () => {
		expect(splitSecrets('a1, b2\nc3', undefined, ' a1 ', '')).toEqual(['a1', 'b2', 'c3']);
	});
});
