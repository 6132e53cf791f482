/**
 * Every Chargebee webhook body in /work/shared/payloads/chargebee (real events from Chargebee
 * sites, Product Catalog 1.0, see its SOURCES.md) goes through the Chargebee Billing Trigger
 * in-process (n8n-core's WebhookContext) and is accepted and normalised with the expected type,
 * customer and amount. They are years old, so the replay limit is off here (Maximum Event Age 0).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { ChargebeeWebhookAuthApi } from '../../../credentials/ChargebeeWebhookAuthApi.credentials';
import { ChargebeeBillingTrigger } from '../../../nodes/ChargebeeBilling/ChargebeeBillingTrigger.node';
import { createWebhookContext, fakeHttpExchange } from '../../helpers/n8n-context';

const DIR = path.join(__dirname, '../../fixtures/chargebee-payloads');
const PAIR = { user: 'chargebee-hook', password: 'a-long-random-webhook-password' };
const AUTH = `Basic ${Buffer.from(`${PAIR.user}:${PAIR.password}`).toString('base64')}`;

// file suffix → [event type, category, customer id, amount (decimal currency) or null, plan id]
const EXPECTED: Array<[string, string, string, string, string | null, string | null]> = [
	['credit_note_created', 'credit_note_created', 'credit_note', '3Nl7oGgQqGFprj9', '8.71 USD', null],
	['customer_created', 'customer_created', 'customer', '16CHTnSAxXWqMAg8', null, null],
	['invoice_generated', 'invoice_generated', 'invoice', '16CHTpRzjKx2O7mo', '5000.00 USD', null],
	['invoice_updated', 'invoice_updated', 'invoice', '16CHTpRzjKx2O7mo', '5000.00 USD', null],
	['payment_failed', 'payment_failed', 'payment_failed', '3Nl7oGgQqGFprj9', '2.24 USD', 'no_trial'],
	// the refund transaction (0.02 USD), not the refunded invoice's total (9.95 USD)
	['payment_refunded', 'payment_refunded', 'other', '3Nl7oGgQqGFprj9', '0.02 USD', 'no_trial'],
	['payment_succeeded', 'payment_succeeded', 'payment_succeeded', '16BjsrSIh4AdLqkD', '4500.00 USD', 'contract-plan'],
	['subscription_activated', 'subscription_activated', 'other', '3Nl7oGgQqGFprj9', '9.95 USD', 'basic'],
	['subscription_cancelled', 'subscription_cancelled', 'cancelled', '16CHTnSAxXWqMAg8', null, 'test-company-custom-pro-plan'],
	['subscription_changed', 'subscription_changed', 'plan_changed', 'AzZlzTSI7x16Ufzr', null, '__TEST__plan_1'],
	['subscription_created', 'subscription_created', 'subscription_created', '16CHTnSAxXWqMAg8', null, 'test-company-custom-pro-plan'],
	['subscription_paused', 'subscription_paused', 'paused', '3Nl7oGgQqGFprj9', null, 'no_trial'],
	['subscription_renewed', 'subscription_renewed', 'renewal', '169yKyRvVEpMaX5Y', '25.00 USD', 'pro-monthly'],
	['subscription_resumed', 'subscription_resumed', 'resumed', '3Nl7oGgQqGFprj9', null, 'no_trial'],
	['subscription_started', 'subscription_started', 'other', '3Nl7oGgQqGFprj9', null, 'basic'],
];

async function deliver(body: IDataObject) {
	const trigger = new ChargebeeBillingTrigger();
	const raw = JSON.stringify(body);
	const exchange = fakeHttpExchange({ headers: { 'content-type': 'application/json', authorization: AUTH }, body, rawBody: raw });
	const ctx = createWebhookContext(
		{
			nodeType: trigger,
			parameters: { mode: 'manual', events: ['*'], options: { maxEventAgeHours: 0 } },
			credentials: { chargebeeWebhookAuthApi: PAIR },
			credentialTypes: [new ChargebeeWebhookAuthApi()],
		},
		exchange,
	);
	return { result: await trigger.webhook.call(ctx), status: exchange.response.statusCode };
}

// the corpus ships in the repository (test/fixtures), so it is never skipped
const corpus = describe;

corpus('Chargebee payload corpus through the trigger', () => {
	test.each(EXPECTED)('%s', async (suffix, type, category, customerId, amount, planId) => {
		const body = JSON.parse(readFileSync(path.join(DIR, `bonusly-mock_chargebee__${suffix}.json`), 'utf8')) as IDataObject;
		const { result, status } = await deliver(body);
		expect(status).toBe(200);
		expect(result.workflowData).toHaveLength(1);
		const normalized = result.workflowData?.[0][0].json.normalized as IDataObject;
		expect(normalized).toMatchObject({ eventId: body.id, eventType: type, category, customerId, planId });
		expect(normalized.amount === null ? null : (normalized.amount as IDataObject).formatted).toBe(amount);
		expect(result.workflowData?.[0][0].json.warnings).toBeUndefined();
	});

	test('the 2012 legacy event (no api_version, no currency on the transaction) is accepted without an amount', async () => {
		const body = JSON.parse(readFileSync(path.join(DIR, 'chargebee-go__tests_sample_data_eventData.LEGACY-2012.json'), 'utf8')) as IDataObject;
		const { result } = await deliver(body);
		const normalized = result.workflowData?.[0][0].json.normalized as IDataObject;
		expect(normalized).toMatchObject({ eventType: 'payment_succeeded', customerId: '8avPlNabxST86', amount: null, planId: 'no_trial' });
	});
});
