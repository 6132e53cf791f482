/**
 * The two ways a won deal can be billed in Chargebee, against a sandbox whose customers start
 * card-less, as on a real site:
 *  - a paid, non-trial subscription with auto collection on for a card-less customer is refused
 *    with 400 payment_method_not_present (type payment), as real Chargebee does (sources in
 *    dev/sandbox/chargebee/index.ts at paymentMethodNotPresent; /work/shared/API-FACTS.md,
 *    "Corrections": "Invoice customers need auto_collection=off. Card customers pay through a hosted page.");
 *  - invoice: auto collection off → the subscription is active, its first invoice waits for payment;
 *  - card: Create Checkout Link → a hosted checkout page; when the customer pays, Chargebee creates
 *    the subscription (source hosted_page) and charges the card.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { ChargebeeSandbox } from '../../../dev/sandbox/chargebee';
import { runNode, runNodeError } from './helpers';

let sandbox: ChargebeeSandbox;

beforeAll(async () => {
	sandbox = await new ChargebeeSandbox().start();
});
afterAll(async () => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	resetLimiters();
});

const run = (parameters: IDataObject) => runNode(sandbox, parameters as INodeParameters);
const items = (...list: IDataObject[]) => ({ item: list }) as unknown as INodeParameters;

async function customer(autoCollection?: 'on' | 'off') {
	await run({
		resource: 'customer',
		operation: 'create',
		customerId: 'kommo-lead-7',
		email: 'buyer@example.com',
		kommoLeadId: '7',
		additionalFields: autoCollection ? { autoCollection } : {},
	});
}

describe('Chargebee payment paths against a card-less customer', () => {
	test('auto collection on (Chargebee\'s default): 400 payment_method_not_present, nothing created', async () => {
		await customer();
		const error = await runNodeError(sandbox, {
			resource: 'subscription',
			operation: 'create',
			customerId: 'kommo-lead-7',
			items: items({ itemPriceId: 'pro-USD-monthly' }),
			subscriptionId: 'kommo-lead-7',
		});
		expect(error.message).toContain('payment_method_not_present');
		expect(error.httpCode).toBe('400');
		expect(sandbox.subscriptions.size).toBe(0);
		// the wire answer, as Chargebee's error handling doc shapes it
		const raw = await fetch(`${sandbox.url}/api/v2/customers/kommo-lead-7/subscription_for_items`, {
			method: 'POST',
			headers: { authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'subscription_items[item_price_id][0]=pro-USD-monthly',
		});
		expect(raw.status).toBe(400);
		expect(await raw.json()).toMatchObject({ type: 'payment', api_error_code: 'payment_method_not_present', http_status_code: 400 });
	});

	test('a trial needs no card', async () => {
		await customer();
		const trialEnd = new Date(Date.now() + 14 * 86400_000).toISOString();
		const [trial] = await run({
			resource: 'subscription',
			operation: 'create',
			customerId: 'kommo-lead-7',
			items: items({ itemPriceId: 'pro-USD-monthly' }),
			additionalFields: { trialEnd },
		});
		expect(trial.status).toBe('in_trial');
	});

	test('invoice path: auto collection off on the customer → active, first invoice payment_due', async () => {
		await customer('off');
		const [out] = await run({
			resource: 'subscription',
			operation: 'create',
			customerId: 'kommo-lead-7',
			items: items({ itemPriceId: 'pro-USD-monthly' }),
			subscriptionId: 'kommo-lead-7',
		});
		expect(out).toMatchObject({ id: 'kommo-lead-7', status: 'active', auto_collection: 'off' });
		expect((out.invoice as IDataObject).status).toBe('payment_due');
		expect(sandbox.eventsOfType('payment_succeeded')).toHaveLength(0);
	});

	test('invoice path: auto collection off on the subscription alone also works', async () => {
		await customer();
		const [out] = await run({
			resource: 'subscription',
			operation: 'create',
			customerId: 'kommo-lead-7',
			items: items({ itemPriceId: 'pro-USD-monthly' }),
			additionalFields: { autoCollection: 'off' },
		});
		expect(out.status).toBe('active');
	});

	test('card path: a checkout link; Chargebee creates and charges the subscription when the customer pays', async () => {
		await customer();
		const [page] = await run({
			resource: 'subscription',
			operation: 'createCheckout',
			customerId: 'kommo-lead-7',
			items: items({ itemPriceId: 'pro-USD-monthly', quantity: 2 }),
			subscriptionId: 'kommo-lead-7',
			kommoLeadId: '7',
			additionalFields: { redirectUrl: 'https://example.com/thanks' },
		});
		expect(page).toMatchObject({ type: 'checkout_new', state: 'created', object: 'hosted_page', customer_id: 'kommo-lead-7', subscription_id: 'kommo-lead-7' });
		expect(String(page.checkoutUrl)).toBe(page.url);
		const wire = new URLSearchParams(sandbox.requestsTo('POST', '/api/v2/hosted_pages/checkout_new_for_items')[0].rawBody.toString('utf8'));
		expect(wire.get('customer[id]')).toBe('kommo-lead-7');
		expect(wire.get('subscription[id]')).toBe('kommo-lead-7');
		expect(wire.get('subscription_items[item_price_id][0]')).toBe('pro-USD-monthly');
		expect(wire.get('subscription_items[quantity][0]')).toBe('2');
		expect(JSON.parse(wire.get('pass_thru_content') as string)).toEqual({ kommo_lead_id: 7 });
		expect(sandbox.subscriptions.size).toBe(0);

		// the same Won again within the window: the same page, not a second one
		const [again] = await run({
			resource: 'subscription',
			operation: 'createCheckout',
			customerId: 'kommo-lead-7',
			items: items({ itemPriceId: 'pro-USD-monthly', quantity: 2 }),
			subscriptionId: 'kommo-lead-7',
			kommoLeadId: '7',
			additionalFields: { redirectUrl: 'https://example.com/thanks' },
		});
		expect(again.id).toBe(page.id);
		expect(sandbox.hostedPages.size).toBe(1);

		const done = await sandbox.simulateCheckoutCompleted(String(page.id));
		expect(done.state).toBe('succeeded');
		expect(sandbox.subscriptions.get('kommo-lead-7')).toMatchObject({ status: 'active', customer_id: 'kommo-lead-7' });
		const created = sandbox.eventsOfType('subscription_created').pop() as IDataObject;
		expect(created.source).toBe('hosted_page');
		expect(((created.content as IDataObject).customer as IDataObject).cf_kommo_lead_id).toBe('7');
		expect(sandbox.eventsOfType('payment_succeeded')).toHaveLength(1);
	});

	test('card path: bad URLs and unknown item prices are clear errors', async () => {
		await customer();
		const badUrl = await runNodeError(sandbox, {
			resource: 'subscription',
			operation: 'createCheckout',
			customerId: 'kommo-lead-7',
			items: items({ itemPriceId: 'pro-USD-monthly' }),
			additionalFields: { redirectUrl: 'javascript:alert(1)' },
		});
		expect(badUrl.message).toBe('Redirect URL "javascript:alert(1)" is not an http(s) URL [item 0]');
		const unknown = await runNodeError(sandbox, {
			resource: 'subscription',
			operation: 'createCheckout',
			customerId: 'kommo-lead-7',
			items: items({ itemPriceId: 'nope-USD' }),
		});
		expect(unknown.message).toContain('resource_not_found');
	});
});
