/**
 * Zuora node, Subscription operations (Orders API), in-process against the
 * Zuora sandbox — including retries that must not provision twice.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	NodeApiError,
	resetZuoraProcessState,
	runZuora,
	runZuoraError,
	startZuora,
	zuoraCredentials,
} from '../../helpers/zuora';
import type { ZuoraAccount, ZuoraSandbox } from '../../../dev/sandbox/zuora';

const PRO_MONTHLY = '8ad09be48db5aba7018db5plan00pro-m';
const PRO_ANNUAL = '8ad09be48db5aba7018db5plan00pro-a';
const ENT_MONTHLY = '8ad09be48db5aba7018db5plan00ent-m';
const API_USAGE = '8ad09be48db5aba7018db5plan00api-u';

let sandbox: ZuoraSandbox;
let account: ZuoraAccount;
beforeAll(async () => {
	sandbox = await startZuora();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	resetZuoraProcessState();
	account = sandbox.seedAccount({ name: 'Hopper Computing', crmId: '31337', currency: 'USD' });
});

// Kommo's closed_at for 2025-03-14T18:00:00Z.
const WON_AT = 1741975200;

function createParams(extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'subscription',
		operation: 'create',
		accountNumber: account.accountNumber,
		productRatePlanId: PRO_MONTHLY,
		contractEffectiveDate: String(WON_AT),
		termType: 'TERMED',
		initialTerm: 12,
		initialTermPeriodType: 'Month',
		autoRenew: true,
		...extra,
	};
}

describe('Subscription → Create (Orders API)', () => {
	it('orders a CreateSubscription with the Won date and returns the subscription with money', async () => {
		const [sub] = await runZuora(sandbox, createParams());
		expect(sub).toMatchObject({
			subscriptionNumber: 'A-S00000001',
			accountNumber: account.accountNumber,
			status: 'Active',
			termType: 'TERMED',
			initialTerm: 12,
			initialTermPeriodType: 'Month',
			autoRenew: true,
			contractEffectiveDate: '2025-03-14',
			termEndDate: '2026-03-14',
			contractedMrr: 49,
			created: true,
			order: { orderNumber: 'O-00000001', status: 'Completed', subscriptionNumbers: ['A-S00000001'] },
			money: { minor: '4900', decimal: '49.00', currency: 'USD', formatted: '49.00 USD' },
		});
		const [post] = sandbox.requestsTo('POST', '/v1/orders');
		expect(post.body).toEqual({
			orderDate: '2025-03-14',
			existingAccountNumber: account.accountNumber,
			subscriptions: [
				{
					orderActions: [
						{
							type: 'CreateSubscription',
							triggerDates: [{ name: 'ContractEffective', triggerDate: '2025-03-14' }],
							createSubscription: {
								terms: {
									initialTerm: { termType: 'TERMED', period: 12, periodType: 'Month', startDate: '2025-03-14' },
									autoRenew: true,
									renewalSetting: 'RENEW_WITH_SPECIFIC_TERM',
									renewalTerms: [{ period: 12, periodType: 'Month' }],
								},
								subscribeToRatePlans: [{ productRatePlanId: PRO_MONTHLY }],
							},
						},
					],
				},
			],
		});
		expect(post.headers['idempotency-key']).toMatch(/^n8n-kb-order-create-[0-9a-f]{40}$/);
	});

	it('a re-run (next execution) with a Subscription Number yields one subscription: order first, read on the refusal', async () => {
		const params = createParams({ additionalFields: { subscriptionNumber: 'KL-31337' } });
		const [first] = await runZuora(sandbox, params);
		const [again] = await runZuora(sandbox, params);
		expect(again).toMatchObject({ subscriptionNumber: first.subscriptionNumber, alreadyExisted: true });
		expect(sandbox.subscriptions).toHaveLength(1);
		expect(sandbox.counters.order).toBe(1);
	});

	it('a first Create sends the order first and reads nothing before it: POST, then one GET of the new subscription', async () => {
		const [sub] = await runZuora(sandbox, createParams({ additionalFields: { subscriptionNumber: 'KL-31337' } }));
		expect(sub).toMatchObject({ subscriptionNumber: 'KL-31337', created: true });
		const calls = sandbox.requests.filter((r) => r.path.startsWith('/v1/')).map((r) => `${r.method} ${r.path}`);
		expect(calls).toEqual(['POST /v1/orders', 'GET /v1/subscriptions/KL-31337']);
	});

	it('a refusal other than a rule restriction (here: unknown account, category 40) is reported without reading the subscription', async () => {
		const error = await runZuoraError(sandbox, createParams({ accountNumber: 'A99999999', additionalFields: { subscriptionNumber: 'KL-31337' } }));
		expect(error.message).toContain('Cannot find account');
		expect(sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/subscriptions/'))).toHaveLength(0);
	});

	it('Zuora stores a 5xx under the key (24 h): the transport\'s retries get it replayed, a re-run reaches Zuora afresh', async () => {
		// Zuora's own 500, answered inside its idempotency layer (developer.zuora.com guides/idempotent-requests)
		sandbox.internalFaults.push({ method: 'POST', path: '/v1/orders', status: 500, times: 1, body: { success: false, processId: 'P500', reasons: [{ code: '50000010', message: 'Operation failed due to an unexpected error' }] } });
		const params = createParams({ additionalFields: { subscriptionNumber: 'KL-31337' } });
		const error = await runZuoraError(sandbox, params);
		expect(error.message).toContain('unexpected error');
		const failed = sandbox.requestsTo('POST', '/v1/orders');
		expect(new Set(failed.map((r) => r.headers['idempotency-key'])).size).toBe(1); // all replays of the stored 500
		expect(sandbox.subscriptions).toHaveLength(0);

		const [sub] = await runZuora(sandbox, params); // the user runs it again
		expect(sub).toMatchObject({ subscriptionNumber: 'KL-31337', created: true });
		const [rerun] = sandbox.requestsTo('POST', '/v1/orders').slice(failed.length);
		expect(rerun.headers['idempotency-key']).not.toBe(failed[0].headers['idempotency-key']);
		expect(sandbox.subscriptions).toHaveLength(1);
	}, 30_000);

	it('a business failure is not replayed to the re-run after the fix (same input, same execution retry or new execution)', async () => {
		const gbp = sandbox.seedAccount({ name: 'UK Ltd', currency: 'GBP' });
		const params = createParams({ accountNumber: gbp.accountNumber });
		const sameExecution = 'retry-on-fail-execution';
		const refused = await runZuoraError(sandbox, params, { executionId: sameExecution });
		expect(refused.message).toContain('The currency GBP');
		// the merchant adds GBP pricing in Zuora, then n8n's Retry On Fail (same execution) runs the node again
		sandbox.findRatePlan(PRO_MONTHLY)?.plan.productRatePlanCharges[0].pricing.push({ currency: 'GBP', price: 39 });
		const [sub] = await runZuora(sandbox, params, { executionId: sameExecution });
		expect(sub).toMatchObject({ created: true, accountNumber: gbp.accountNumber });
		const keys = sandbox.requestsTo('POST', '/v1/orders').map((r) => r.headers['idempotency-key']);
		expect(keys[1]).toBe(`${keys[0]}-r1`);
	});

	it('a Create whose answer is lost (500 after the order landed) is retried with the same key: one subscription', async () => {
		sandbox.faults.push({ method: 'POST', path: '/v1/orders', status: 500, afterEffect: true, times: 1 });
		const [sub] = await runZuora(sandbox, createParams());
		const posts = sandbox.requestsTo('POST', '/v1/orders');
		expect(posts).toHaveLength(2);
		expect(posts[0].headers['idempotency-key']).toBe(posts[1].headers['idempotency-key']);
		expect(sub.subscriptionNumber).toBe('A-S00000001');
		expect(sandbox.subscriptions).toHaveLength(1);
	});

	it('a dropped connection after the order landed is retried safely too', async () => {
		sandbox.faults.push({ method: 'POST', path: '/v1/orders', drop: true, afterEffect: true, times: 1 });
		const [sub] = await runZuora(sandbox, createParams());
		expect(sub.subscriptionNumber).toBe('A-S00000001');
		expect(sandbox.subscriptions).toHaveLength(1);
	});

	it('one attempt sent twice at once (same execution and key): Zuora answers 409 to one, it retries and gets the replay', async () => {
		sandbox.processingDelayMs = 400;
		const credentials = zuoraCredentials(sandbox);
		const [[a], [b]] = await Promise.all([
			runZuora(sandbox, createParams(), { credentials, executionId: 'same' }),
			runZuora(sandbox, createParams(), { credentials, executionId: 'same' }),
		]);
		expect(sandbox.requestsTo('POST', '/v1/orders').map((r) => r.status)).toContain(409);
		expect(a.subscriptionNumber).toBe(b.subscriptionNumber);
		expect(sandbox.subscriptions).toHaveLength(1);
	});

	it('the same key with another body is refused with 422 and reported, not retried', async () => {
		await runZuora(sandbox, createParams({ additionalFields: { idempotencyKey: 'lead-31337-won' } }));
		const error = await runZuoraError(
			sandbox,
			createParams({ productRatePlanId: ENT_MONTHLY, additionalFields: { idempotencyKey: 'lead-31337-won' } }),
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Zuora 422 (50000022): The Idempotency-Key has already been used with a different request body [item 0]');
		expect(sandbox.requestsTo('POST', '/v1/orders')).toHaveLength(2);
		expect(sandbox.subscriptions).toHaveLength(1);
	});

	it('with a Subscription Number, an existing subscription is returned instead of ordering again (any time later)', async () => {
		const params = createParams({ additionalFields: { subscriptionNumber: 'KL-31337' } });
		const [first] = await runZuora(sandbox, params);
		expect(first).toMatchObject({ subscriptionNumber: 'KL-31337', created: true });
		// Zuora's Orders API (/work/shared/specs/zuora, CreateOrderCreateSubscription.subscriptionNumber):
		// the NEW subscription's number rides on the CreateSubscription action; subscriptions[].subscriptionNumber
		// would name an existing subscription to change.
		const [post] = sandbox.requestsTo('POST', '/v1/orders');
		const [entry] = (post.body as IDataObject).subscriptions as IDataObject[];
		expect(entry).not.toHaveProperty('subscriptionNumber');
		expect((entry.orderActions as IDataObject[])[0]).toMatchObject({
			type: 'CreateSubscription',
			createSubscription: { subscriptionNumber: 'KL-31337' },
		});
		sandbox.idempotency.clear(); // Zuora forgot the key (after 24 h)
		const [later] = await runZuora(sandbox, params);
		expect(later).toMatchObject({ subscriptionNumber: 'KL-31337', created: false, alreadyExisted: true });
		// the order goes first; Zuora refuses the taken number (53200030, a rule restriction) and the node reads it
		const posts = sandbox.requestsTo('POST', '/v1/orders');
		expect(posts).toHaveLength(2);
		expect(sandbox.subscriptions).toHaveLength(1);
	});

	it('two executions racing with the same Subscription Number: one creates, the other finds it after Zuora refuses the duplicate', async () => {
		sandbox.processingDelayMs = 300;
		const credentials = zuoraCredentials(sandbox);
		const params = createParams({ additionalFields: { subscriptionNumber: 'KL-RACE' } });
		const [[a], [b]] = await Promise.all([runZuora(sandbox, params, { credentials }), runZuora(sandbox, params, { credentials })]);
		expect([a, b].map((s) => s.created).sort()).toEqual([false, true]);
		expect(sandbox.subscriptions).toHaveLength(1);
	});

	it('a Subscription Number taken by another account is an error, not a silent reuse', async () => {
		const other = sandbox.seedAccount({ name: 'Other', crmId: '1' });
		await runZuora(sandbox, createParams({ accountNumber: other.accountNumber, additionalFields: { subscriptionNumber: 'KL-1' } }));
		const error = await runZuoraError(sandbox, createParams({ additionalFields: { subscriptionNumber: 'KL-1' } }));
		expect(error.message).toBe(`Subscription KL-1 already exists on account ${other.accountNumber}, not ${account.accountNumber} [item 0]`);
	});

	it('evergreen with add-ons; Zuora rejects a plan not priced in the account currency (HTTP 200 error)', async () => {
		const [sub] = await runZuora(
			sandbox,
			createParams({ termType: 'EVERGREEN', contractEffectiveDate: '2025-04-01', additionalFields: { addOnRatePlanIds: [API_USAGE] } }),
		);
		expect(sub).toMatchObject({ termType: 'EVERGREEN', contractEffectiveDate: '2025-04-01' });
		expect(sub.termEndDate ?? null).toBeNull(); // left out: the spec types it as a string, not nullable
		expect((sub.ratePlans as IDataObject[]).map((rp) => rp.productRatePlanId)).toEqual([PRO_MONTHLY, API_USAGE]);

		const gbp = sandbox.seedAccount({ name: 'UK Ltd', currency: 'GBP' });
		const error = await runZuoraError(sandbox, createParams({ accountNumber: gbp.accountNumber }));
		expect(error.message).toBe(
			`Zuora 200 (53200020): The currency GBP of account ${gbp.accountNumber} is not available in product rate plan 'Pro Monthly' [item 0]`,
		);
	});

	it('a tenant that requires service activation / customer acceptance: the subscription comes back Pending, said clearly', async () => {
		sandbox.requireServiceActivation = true;
		const [pending] = await runZuora(sandbox, createParams({ additionalFields: { subscriptionNumber: 'KL-1' } }));
		expect(pending).toMatchObject({ status: 'Pending Activation', pending: true, order: { status: 'Pending' } });
		expect(pending.pendingReason).toContain('Service Activation');
		const [active] = await runZuora(sandbox, createParams({ additionalFields: { subscriptionNumber: 'KL-2', serviceActivationDate: '2025-03-20' } }));
		expect(active).toMatchObject({ status: 'Active', pending: false, pendingReason: null });

		sandbox.requireServiceActivation = false;
		sandbox.requireCustomerAcceptance = true;
		const [acceptance] = await runZuora(sandbox, createParams({ additionalFields: { subscriptionNumber: 'KL-3' } }));
		expect(acceptance).toMatchObject({ status: 'Pending Acceptance', pending: true, order: { status: 'Pending', subscriptionNumbers: ['KL-3'] } });
		// a re-run finds it and still says it is pending
		const [again] = await runZuora(sandbox, createParams({ additionalFields: { subscriptionNumber: 'KL-3' } }));
		expect(again).toMatchObject({ alreadyExisted: true, pending: true, status: 'Pending Acceptance' });
	});

	it('RENEW_TO_EVERGREEN sends no renewalTerms (Zuora: only applicable with RENEW_WITH_SPECIFIC_TERM)', async () => {
		await runZuora(sandbox, createParams({ additionalFields: { renewalSetting: 'RENEW_TO_EVERGREEN', renewalTerm: 6 } }));
		const [post] = sandbox.requestsTo('POST', '/v1/orders');
		const action = (((post.body as IDataObject).subscriptions as IDataObject[])[0].orderActions as IDataObject[])[0];
		const terms = (action.createSubscription as IDataObject).terms as IDataObject;
		expect(terms.renewalSetting).toBe('RENEW_TO_EVERGREEN');
		expect(terms).not.toHaveProperty('renewalTerms');
	});

	it('an unreadable Won date stops with a message naming the field', async () => {
		const error = await runZuoraError(sandbox, createParams({ contractEffectiveDate: 'last Tuesday' }));
		expect(error.message).toBe('"Contract Effective Date" is not a date: "last Tuesday" [item 0]');
		expect(sandbox.requestsTo('POST', '/v1/orders')).toHaveLength(0);
	});
});

/** Product rate plans still on the subscription (Zuora keeps removed ones, marked Remove). */
function activePlans(sub: IDataObject): string[] {
	return (sub.ratePlans as IDataObject[]).filter((rp) => rp.lastChangeType !== 'Remove').map((rp) => String(rp.productRatePlanId));
}

describe('Subscription → Get, Cancel, Change Plan', () => {
	async function subscribe(extra: INodeParameters = {}): Promise<string> {
		const [sub] = await runZuora(sandbox, createParams(extra));
		return sub.subscriptionNumber as string;
	}

	it('Get returns the subscription with money; an unknown number is a clear error', async () => {
		const number = await subscribe();
		const [sub] = await runZuora(sandbox, { resource: 'subscription', operation: 'get', subscriptionNumber: number, simplify: false });
		expect(sub).toMatchObject({ subscriptionNumber: number, money: { decimal: '49.00', currency: 'USD' } });
		const error = await runZuoraError(sandbox, { resource: 'subscription', operation: 'get', subscriptionNumber: 'A-S404' });
		expect(error.message).toBe("Zuora 200 (50000040): Cannot find entity by key: 'A-S404'. [item 0]");
	});

	it('Cancel at the end of the term; cancelling again does nothing', async () => {
		const number = await subscribe();
		const [cancelled] = await runZuora(sandbox, {
			resource: 'subscription',
			operation: 'cancel',
			subscriptionNumber: number,
			cancellationPolicy: 'EndOfCurrentTerm',
		});
		expect(cancelled).toMatchObject({ status: 'Cancelled', subscriptionEndDate: '2026-03-14', alreadyCancelled: false });
		const [post] = sandbox.requestsTo('POST', '/v1/orders').slice(-1);
		expect((post.body as IDataObject).subscriptions).toEqual([
			{
				subscriptionNumber: number,
				orderActions: [
					{
						type: 'CancelSubscription',
						triggerDates: [{ name: 'ContractEffective', triggerDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }],
						cancelSubscription: { cancellationPolicy: 'EndOfCurrentTerm' },
					},
				],
			},
		]);
		const orders = sandbox.counters.order;
		const [again] = await runZuora(sandbox, {
			resource: 'subscription',
			operation: 'cancel',
			subscriptionNumber: number,
			cancellationPolicy: 'EndOfCurrentTerm',
		});
		expect(again).toMatchObject({ status: 'Cancelled', alreadyCancelled: true });
		expect(sandbox.counters.order).toBe(orders);
	});

	it('Cancel on a specific date; end-of-term on an evergreen subscription is Zuora\'s error, surfaced', async () => {
		const termed = await subscribe();
		const [cancelled] = await runZuora(sandbox, {
			resource: 'subscription',
			operation: 'cancel',
			subscriptionNumber: termed,
			cancellationPolicy: 'SpecificDate',
			cancellationEffectiveDate: '2025-06-30',
		});
		expect(cancelled).toMatchObject({ status: 'Cancelled', subscriptionEndDate: '2025-06-30' });

		const evergreen = await subscribe({ termType: 'EVERGREEN', productRatePlanId: PRO_ANNUAL });
		const error = await runZuoraError(sandbox, {
			resource: 'subscription',
			operation: 'cancel',
			subscriptionNumber: evergreen,
			cancellationPolicy: 'EndOfCurrentTerm',
		});
		expect(error.message).toBe(
			'Zuora 200 (53200030): EndOfCurrentTerm cannot be used for an evergreen subscription; use SpecificDate [item 0]',
		);
	});

	it('Change Plan removes the old and adds the new rate plan in one order; running it again changes nothing', async () => {
		const number = await subscribe({ additionalFields: { addOnRatePlanIds: [API_USAGE] } });
		const params = {
			resource: 'subscription',
			operation: 'changePlan',
			subscriptionNumber: number,
			addRatePlanIds: [ENT_MONTHLY],
			removeMode: 'selected',
			removeRatePlanIds: [PRO_MONTHLY],
			effectiveDate: '2025-05-01',
		};
		const [changed] = await runZuora(sandbox, params);
		expect(activePlans(changed).sort()).toEqual([API_USAGE, ENT_MONTHLY].sort());
		expect(changed).toMatchObject({
			alreadyApplied: false,
			contractedMrr: 199,
			money: { decimal: '199.00' },
			previousRatePlans: [
				{ productRatePlanId: PRO_MONTHLY, ratePlanName: 'Pro Monthly' },
				{ productRatePlanId: API_USAGE, ratePlanName: 'API Calls (pay as you go)' },
			],
		});
		const [post] = sandbox.requestsTo('POST', '/v1/orders').slice(-1);
		const actions = ((post.body as IDataObject).subscriptions as IDataObject[])[0].orderActions as IDataObject[];
		expect(actions.map((a) => a.type)).toEqual(['RemoveProduct', 'AddProduct']);
		expect(actions[1]).toMatchObject({ addProduct: { productRatePlanId: ENT_MONTHLY }, triggerDates: [{ name: 'ContractEffective', triggerDate: '2025-05-01' }] });

		const orders = sandbox.counters.order;
		const [again] = await runZuora(sandbox, params);
		expect(again.alreadyApplied).toBe(true);
		expect(sandbox.counters.order).toBe(orders);
	});

	it('Cancel and Change Plan order on the invoice owner\'s account when it differs from the subscription owner', async () => {
		const number = await subscribe();
		const payer = sandbox.seedAccount({ name: 'Parent Co (pays)' });
		const stored = sandbox.findSubscription(number);
		if (stored) stored.invoiceOwnerAccountNumber = payer.accountNumber;
		await runZuora(sandbox, { resource: 'subscription', operation: 'changePlan', subscriptionNumber: number, addRatePlanIds: [ENT_MONTHLY], removeMode: 'allOthers', effectiveDate: '2025-05-01' });
		const [cancelled] = await runZuora(sandbox, { resource: 'subscription', operation: 'cancel', subscriptionNumber: number, cancellationPolicy: 'EndOfCurrentTerm' });
		expect(cancelled.status).toBe('Cancelled');
		for (const post of sandbox.requestsTo('POST', '/v1/orders').slice(1)) {
			expect((post.body as IDataObject).existingAccountNumber).toBe(payer.accountNumber);
		}
	});

	it('Change Plan "all other rate plans" replaces the whole plan', async () => {
		const number = await subscribe({ additionalFields: { addOnRatePlanIds: [API_USAGE] } });
		const [changed] = await runZuora(sandbox, {
			resource: 'subscription',
			operation: 'changePlan',
			subscriptionNumber: number,
			addRatePlanIds: [PRO_ANNUAL],
			removeMode: 'allOthers',
			effectiveDate: '2025-05-01',
		});
		expect(activePlans(changed)).toEqual([PRO_ANNUAL]);
		expect(changed.money).toMatchObject({ decimal: '40.83', currency: 'USD' });
	});

	it('two consecutive plan changes succeed, and a change back to the first plan is applied (removed plans are kept, marked Remove)', async () => {
		const number = await subscribe();
		const change = (plan: string) => ({
			resource: 'subscription',
			operation: 'changePlan',
			subscriptionNumber: number,
			addRatePlanIds: [plan],
			removeMode: 'allOthers',
			effectiveDate: '2025-05-01',
		});
		const [first] = await runZuora(sandbox, change(ENT_MONTHLY));
		expect(activePlans(first)).toEqual([ENT_MONTHLY]);
		// Zuora lists the removed plan in the new version, marked (spec GETSubscriptionRatePlanType.lastChangeType)
		expect((first.ratePlans as IDataObject[]).find((rp) => rp.productRatePlanId === PRO_MONTHLY)).toMatchObject({ lastChangeType: 'Remove' });

		const [second] = await runZuora(sandbox, change(PRO_ANNUAL));
		expect(second.alreadyApplied).toBe(false);
		expect(activePlans(second)).toEqual([PRO_ANNUAL]);
		const [post] = sandbox.requestsTo('POST', '/v1/orders').slice(-1);
		const actions = ((post.body as IDataObject).subscriptions as IDataObject[])[0].orderActions as IDataObject[];
		expect(actions.map((a) => a.type)).toEqual(['RemoveProduct', 'AddProduct']); // not the already-removed Pro Monthly again

		const [back] = await runZuora(sandbox, change(PRO_MONTHLY));
		expect(back.alreadyApplied).toBe(false);
		expect(activePlans(back)).toEqual([PRO_MONTHLY]);
		expect(back.money).toMatchObject({ decimal: '49.00' });
	});
});
