/**
 * The mapping dropdowns against the sandboxes, in real n8n-core LoadOptionsContexts: the Kommo
 * side lists the plan field's options, the vendor side lists Chargebee plan item prices,
 * Paddle prices or Zuora product rate plans, through the vendors' own transports.
 */
import type { INodeParameters } from 'n8n-workflow';

import { ChargebeeBillingApi } from '../../../credentials/ChargebeeBillingApi.credentials';
import { KommoApi } from '../../../credentials/KommoApi.credentials';
import { KommoOAuth2Api } from '../../../credentials/KommoOAuth2Api.credentials';
import { PaddleBillingApi } from '../../../credentials/PaddleBillingApi.credentials';
import { ZuoraOAuth2Api } from '../../../credentials/ZuoraOAuth2Api.credentials';
import { BillingPlanMapping } from '../../../nodes/BillingPlanMapping/BillingPlanMapping.node';
import { loadOptions } from '../../helpers/n8n-context';
import { resetZuoraProcessState, startZuora, zuoraCredentials } from '../../helpers/zuora';
import { ChargebeeSandbox } from '../../../dev/sandbox/chargebee';
import { KommoSandbox } from '../../../dev/sandbox/kommo';
import { PaddleSandbox, SANDBOX_API_KEY, SEED_IDS } from '../../../dev/sandbox/paddle';
import type { ZuoraSandbox } from '../../../dev/sandbox/zuora';

let kommo: KommoSandbox;
let chargebee: ChargebeeSandbox;
let paddle: PaddleSandbox;
let zuora: ZuoraSandbox;

beforeAll(async () => {
	[kommo, chargebee, paddle, zuora] = await Promise.all([
		new KommoSandbox().start(),
		new ChargebeeSandbox().start(),
		new PaddleSandbox().start(),
		startZuora(),
	]);
});

afterAll(async () => {
	await Promise.all([kommo?.stop(), chargebee?.stop(), paddle?.stop(), zuora?.stop()]);
});

beforeEach(() => resetZuoraProcessState());

async function options(method: string, parameters: INodeParameters = {}) {
	return await loadOptions(
		{
			nodeType: new BillingPlanMapping(),
			parameters: { authentication: 'longLivedToken', billingSystem: 'chargebee', ...parameters },
			credentials: {
				kommoApi: { subdomain: 'acme', domain: 'kommo.com', customHost: true, baseUrl: kommo.url, accessToken: kommo.longLivedToken, requestsPerSecond: 7 },
				chargebeeBillingApi: { site: chargebee.site, apiKey: chargebee.apiKey, customHost: true, baseUrl: chargebee.url, requestsPerMinute: 0 },
				paddleBillingApi: { apiKey: SANDBOX_API_KEY, environment: 'custom', baseUrl: paddle.url },
				zuoraOAuth2Api: zuoraCredentials(zuora),
			},
			credentialTypes: [new KommoApi(), new KommoOAuth2Api(), new ChargebeeBillingApi(), new PaddleBillingApi(), new ZuoraOAuth2Api()],
		},
		method,
	);
}

describe('Kommo side', () => {
	test('the plan field dropdown lists the lead fields that have options', async () => {
		const fields = await options('getPlanFields');
		expect(fields.map((f) => f.value)).toEqual(['Plan', 'Billing system', 'Add-ons', 'Payment method']);
		expect(fields[0]).toEqual({
			name: 'Plan',
			value: 'Plan',
			description: `select, ID ${kommo.field('leads', 'Plan').id}; options: Starter, Pro, Enterprise`,
		});
	});

	test('the Kommo plan dropdown lists the options of the plan field, in Kommo\'s order', async () => {
		const plans = await options('getKommoPlans');
		const enums = kommo.field('leads', 'Plan').enums!;
		expect(plans).toEqual(enums.map((e) => ({ name: e.value, value: e.value, description: `Option ID ${e.id}` })));
		expect(plans.map((p) => p.value)).toEqual(['Starter', 'Pro', 'Enterprise']);
		// an option added in Kommo shows up at once
		kommo.field('leads', 'Plan').enums!.push({ id: 999_001, value: 'Legacy', sort: 100 });
		expect((await options('getKommoPlans')).map((p) => p.value)).toEqual(['Starter', 'Pro', 'Enterprise', 'Legacy']);
		kommo.field('leads', 'Plan').enums!.pop();
	});

	test('another plan field, by name, gives its own options; a field without options is refused', async () => {
		expect((await options('getKommoPlans', { planField: 'Billing system' })).map((p) => p.value)).toEqual(['Chargebee', 'Paddle', 'Zuora']);
		await expect(options('getKommoPlans', { planField: 'Subscription ID' })).rejects.toThrow(
			'The Kommo field "Subscription ID" has no options (it is a text field)',
		);
		await expect(options('getKommoPlans', { planField: 'Tariff' })).rejects.toThrow('Unknown lead custom field "Tariff"');
	});
});

describe('billing system side', () => {
	test('Chargebee: active plan item prices with price and period (no addons, charges or archived prices)', async () => {
		const before = chargebee.requests.length;
		const prices = await options('getBillingPrices', { billingSystem: 'chargebee' });
		expect(prices.map((p) => p.value).sort()).toEqual(
			['basic-JPY-monthly', 'enterprise-USD-monthly', 'pro-EUR-monthly', 'pro-USD-monthly', 'pro-USD-yearly'].sort(),
		);
		expect(prices.find((p) => p.value === 'pro-USD-monthly')).toEqual({
			name: 'Pro USD Monthly (plan)',
			value: 'pro-USD-monthly',
			description: 'pro-USD-monthly · 30.00 USD / 1 month',
		});
		expect(prices.find((p) => p.value === 'basic-JPY-monthly')?.description).toBe('basic-JPY-monthly · 3000 JPY / 1 month');
		const calls = chargebee.requests.slice(before).filter((r) => r.path === '/api/v2/item_prices');
		expect(calls).toHaveLength(1);
		expect(calls[0].query).toMatchObject({ 'status[is]': 'active', 'item_type[is]': 'plan' });
	});

	test('Paddle: active prices labelled with product, price and cycle', async () => {
		const prices = await options('getBillingPrices', { billingSystem: 'paddle' });
		expect(prices.find((p) => p.value === SEED_IDS.monthlyUsd)).toEqual({
			name: 'Kommo Pro — Monthly (30.00 USD / 1 month)',
			value: SEED_IDS.monthlyUsd,
			description: SEED_IDS.monthlyUsd,
		});
		expect(prices.map((p) => p.value)).toEqual(expect.arrayContaining(Object.values(SEED_IDS).filter((id) => id.startsWith('pri_'))));
	});

	test('Zuora: active product rate plans', async () => {
		const plans = await options('getBillingPrices', { billingSystem: 'zuora' });
		expect(plans).toContainEqual({ name: 'Pro – Pro Monthly', value: '8ad09be48db5aba7018db5plan00pro-m', description: 'Recurring: 49 USD, 45 EUR, 7000 JPY' });
		expect(plans.map((p) => p.value)).not.toContain('8ad09be48db5aba7018db5plan00ent-old');
	});

	test("a vendor's error reaches the dropdown with the vendor's words", async () => {
		const body = { message: 'Sorry, authentication failed. Invalid api key', type: 'invalid_request', api_error_code: 'api_authentication_failed', http_status_code: 401 };
		// n8n asks the credential once more after a 401, so the fault answers twice
		chargebee.faults.push({ path: '/api/v2/item_prices', status: 401, times: 2, body });
		await expect(options('getBillingPrices', { billingSystem: 'chargebee' })).rejects.toThrow(/authentication failed/);
		chargebee.faults = [];
	});
});
