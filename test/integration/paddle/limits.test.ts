/**
 * Paddle limits the sandbox enforces as Paddle documents them, and what the node makes of them
 * (issue 15 item 10):
 *  - at most 10 active notification destinations (developer.paddle.com changelog 2024
 *    "notification-settings-pagination": "Only ten notification settings may be active at once";
 *    error page notifications/notification_maximum_active_settings_reached, 400);
 *  - manual (invoice) collection only in USD, EUR, GBP (spec `currency_code`; error page
 *    transactions/transaction_currency_code_not_valid_for_manual, 400);
 *  - a default payment link for every transaction, "including manually-collected transactions"
 *    (developer.paddle.com/build/transactions/default-payment-link).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { PaddleBillingTrigger } from '../../../nodes/PaddleBilling/PaddleBillingTrigger.node';
import { createHookContext } from '../../helpers/n8n-context';
import { PaddleSandbox } from '../../../dev/sandbox/paddle';
import { apiCredentials, credentialTypes, items, runner, useSandbox } from './helpers';

jest.setTimeout(30_000);
let sandbox: PaddleSandbox;
const node = runner(() => sandbox);
useSandbox({ subscriptionDelayMs: 0, started: (s) => (sandbox = s) });

const setting = (i: number) => ({ description: `d${i}`, type: 'url', destination: `https://example.test/hook/${i}`, subscribed_events: ['transaction.completed'] });

describe('10 active notification destinations', () => {
	it('the sandbox refuses an 11th active one as Paddle does, and allows it once one is deactivated', () => {
		const made = Array.from({ length: 10 }, (_, i) => sandbox.createNotificationSetting(setting(i)));
		expect(() => sandbox.createNotificationSetting(setting(10))).toThrow(expect.objectContaining({ code: 'notification_maximum_active_settings_reached', status: 400 }));
		(made[0] as IDataObject).active = false;
		expect(sandbox.createNotificationSetting(setting(10)).active).toBe(true);
	});

	it("the trigger's activation error says that Paddle allows at most 10 and what to do", async () => {
		for (let i = 0; i < 10; i++) sandbox.createNotificationSetting(setting(i));
		const trigger = new PaddleBillingTrigger();
		const staticData: IDataObject = {};
		const context = createHookContext({ nodeType: trigger, parameters: { mode: 'automatic', events: ['*'] }, staticData, credentials: { paddleBillingApi: apiCredentials(sandbox) as never }, credentialTypes });
		const error = (await trigger.webhookMethods.default.create.call(context).catch((e: unknown) => e)) as Error & { description?: string };
		expect(error.message).toContain('at most 10 active notification destinations');
		expect(error.description).toContain('Deactivate or delete a destination');
		expect(staticData['node:Paddle Billing Trigger'] ?? {}).toEqual({});
	});
});

describe('manual collection currencies', () => {
	const customer = () => {
		const c = sandbox.addCustomer({ email: `m${Math.random().toString(36).slice(2)}@example.com`, name: 'Ada' });
		const a = sandbox.createAddressFor(c.id as string, 'JP');
		return { customerId: c.id as string, addressId: a.id as string };
	};
	const params = (ids: IDataObject, price: string, additionalFields: Record<string, string> = {}): INodeParameters => ({
		resource: 'subscription',
		operation: 'createByInvoice',
		...ids,
		items: items([price, 1]),
		paymentTermsInterval: 'day',
		paymentTermsFrequency: 14,
		waitSeconds: 0,
		additionalFields,
	});

	it('Currency Code JPY is refused before any request, naming the three currencies', async () => {
		const error = await node.error(params(customer(), sandbox.seed.monthlyJpy, { currencyCode: 'jpy' }));
		expect(error.message).toContain('Currency Code "JPY" cannot be invoiced');
		expect(error.message).toContain('USD, EUR, GBP');
		expect(sandbox.requestsTo('POST', '/transactions')).toHaveLength(0);
	});

	it("a JPY price without Currency Code: the sandbox refuses like Paddle, the node's error explains", async () => {
		const error = await node.error(params(customer(), sandbox.seed.monthlyJpy));
		expect(error.message).toContain('transaction_currency_code_not_valid_for_manual');
		expect(error.description).toContain('only in USD, EUR, GBP');
		expect(sandbox.transactions.size).toBe(0);
	});

	it('EUR invoices are fine', async () => {
		const out = await node.one(params(customer(), sandbox.seed.monthlyEur, { currencyCode: 'EUR' }));
		expect(out.status).toBe('billed');
	});
});

describe('default payment link', () => {
	it('is required for a manually collected transaction too (the sandbox refuses without it)', async () => {
		sandbox.checkoutBaseUrl = null;
		const c = sandbox.addCustomer({ email: 'n@example.com', name: 'Ada' });
		const a = sandbox.createAddressFor(c.id as string, 'US');
		const error = await node.error({
			resource: 'subscription',
			operation: 'createByInvoice',
			customerId: c.id as string,
			addressId: a.id as string,
			items: items([sandbox.seed.monthlyUsd, 1]),
			paymentTermsInterval: 'day',
			paymentTermsFrequency: 14,
			waitSeconds: 0,
			additionalFields: {},
		});
		expect(error.message).toContain('transaction_default_checkout_url_not_set');
		expect(sandbox.transactions.size).toBe(0);
	});
});
