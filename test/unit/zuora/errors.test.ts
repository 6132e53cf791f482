/**
 * Zuora answers many errors with HTTP 200: `{success: false, reasons}` (REST),
 * `{Success: false, Errors}` (CRUD and actions). They must never pass as
 * success, and the error must name Zuora's code and message.
 */
import { NodeApiError } from 'n8n-workflow';

import { isZuoraErrorBody, parseZuoraError } from '../../../nodes/Zuora/transport';
import { CLIENT_SECRET, resetZuoraProcessState, runZuora, runZuoraError, startZuora } from '../../helpers/zuora';
import type { ZuoraSandbox } from '../../../dev/sandbox/zuora';

describe('reading Zuora error bodies', () => {
	it('treats success:false and Success:false as errors, whatever the HTTP status', () => {
		expect(isZuoraErrorBody({ success: false, reasons: [] })).toBe(true);
		expect(isZuoraErrorBody({ Success: false, Errors: [] })).toBe(true);
		expect(isZuoraErrorBody('{"success":false}')).toBe(true);
		expect(isZuoraErrorBody({ success: true })).toBe(false);
		expect(isZuoraErrorBody({ records: [], done: true })).toBe(false);
		expect(isZuoraErrorBody(undefined)).toBe(false);
	});

	it('names code, message, field and processId from reasons[]', () => {
		expect(
			parseZuoraError(200, {
				success: false,
				processId: 'ABC123',
				reasons: [
					{ code: 53100022, message: "'billToContact.lastName' is required" },
					{ code: 53100020, message: 'Invalid value for field currency' },
				],
			}),
		).toEqual({
			message: "'billToContact.lastName' is required",
			code: '53100022',
			field: 'billToContact.lastName',
			description:
				"All reasons: [53100022] 'billToContact.lastName' is required; [53100020] Invalid value for field currency. Zuora processId ABC123 (quote it to Zuora support).",
		});
	});

	it('reads the CRUD shape, OAuth errors, SOAP-style faults and plain messages', () => {
		expect(parseZuoraError(200, { Success: false, Errors: [{ Code: 'INVALID_VALUE', Message: 'bad' }] })).toMatchObject({
			code: 'INVALID_VALUE',
			message: 'bad',
		});
		// spec ProxyBadRequestResponse: the CRUD API's HTTP 400 answer, lower-case keys
		expect(
			parseZuoraError(400, { success: false, errors: [{ code: 'INVALID_VALUE', message: "StartDateTime '2025-01-31T00:00:00' is not a date-time" }] }),
		).toMatchObject({ code: 'INVALID_VALUE', message: "StartDateTime '2025-01-31T00:00:00' is not a date-time" });
		// spec CommonResponse: reasons[].code is a string
		expect(parseZuoraError(400, { success: false, processId: 'P', reasons: [{ code: '50000020', message: 'bad' }] })).toMatchObject({
			code: '50000020',
			message: 'bad',
		});
		expect(parseZuoraError(401, { error: 'invalid_client', error_description: 'Bad client credentials' })).toEqual({
			message: 'Bad client credentials',
			code: 'invalid_client',
			description: undefined,
		});
		expect(parseZuoraError(200, { faultcode: 'fns:MALFORMED_QUERY', faultstring: 'syntax' })).toMatchObject({
			code: 'fns:MALFORMED_QUERY',
			message: 'syntax',
		});
		expect(parseZuoraError(404, { message: 'Not found' }).message).toBe('Not found');
		expect(parseZuoraError(502, '')).toEqual({ message: 'HTTP 502' });
		expect(parseZuoraError(200, { success: false })).toEqual({ message: 'Zuora reported a failure without a reason' });
	});
});

describe('HTTP-200 errors through the node', () => {
	let sandbox: ZuoraSandbox;
	beforeAll(async () => {
		sandbox = await startZuora();
	});
	afterAll(async () => sandbox.stop());
	beforeEach(() => {
		sandbox.reset();
		resetZuoraProcessState();
	});

	it('an order refused with success:false under HTTP 200 fails the node; nothing is retried', async () => {
		const account = sandbox.seedAccount({ name: 'X', currency: 'USD' });
		const error = await runZuoraError(sandbox, {
			resource: 'subscription',
			operation: 'create',
			accountNumber: account.accountNumber,
			productRatePlanId: 'no-such-plan',
			contractEffectiveDate: '2025-01-01',
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBe('200');
		expect(error.message).toBe(
			"Zuora 200 (53200040): Invalid value for field 'subscriptions[0].orderActions[0].createSubscription.subscribeToRatePlans[0].productRatePlanId': no product rate plan 'no-such-plan' [field: subscriptions[0].orderActions[0].createSubscription.subscribeToRatePlans[0].productRatePlanId] [item 0]",
		);
		expect(sandbox.requestsTo('POST', '/v1/orders')).toHaveLength(1);
		expect(sandbox.subscriptions).toHaveLength(0);
	});

	it('an injected success:false body on a GET is an error too, and secrets stay out of it', async () => {
		sandbox.faults.push({
			path: '/v1/catalog/products',
			status: 200,
			body: { success: false, processId: 'P1', reasons: [{ code: 50000060, message: `internal error for ${CLIENT_SECRET}` }] },
		});
		const error = await runZuoraError(sandbox, { resource: 'productRatePlan', operation: 'list' });
		expect(error.message).toBe('Zuora 200 (50000060): internal error for [redacted] [item 0]');
		expect(JSON.stringify({ m: error.message, d: error.description, c: error.context })).not.toContain(CLIENT_SECRET);
	});

	it('continueOnFail gives an error item with Zuora\'s words', async () => {
		const out = await runZuora(
			sandbox,
			{ resource: 'account', operation: 'get', accountKey: 'nope' },
			{ continueOnFail: true },
		);
		expect(out).toEqual([
			{
				error: "Zuora 200 (50000040): Cannot find entity by key: 'nope'. [item 0]",
				details: expect.stringMatching(/^Zuora has no such object in this tenant\. /),
			},
		]);
	});
});
