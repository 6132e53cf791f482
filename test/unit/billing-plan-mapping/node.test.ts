/**
 * The node in a real n8n-core execution context (no HTTP: the mapping needs no API call at run
 * time): parameters with their defaults and expressions, the two outputs, paired items, and
 * continue-on-fail items on the Unmapped side.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { BillingPlanMapping } from '../../../nodes/BillingPlanMapping/BillingPlanMapping.node';
import { executeNode } from '../../helpers/n8n-context';

const lead = (id: number, plan: unknown, extra: IDataObject = {}): INodeExecutionData => ({
	json: { id, name: `Deal ${id}`, custom_fields_map: plan === undefined ? {} : { Plan: plan, 'Billing system': 'Chargebee' }, ...extra },
});

const MAPPINGS = {
	mapping: [
		{ kommoPlan: 'Pro', priceId: 'pro-USD-monthly', quantity: 1 },
		{ kommoPlan: 'Enterprise', priceId: 'enterprise-USD-monthly', quantity: '={{ $json.custom_fields_map.Seats ?? 1 }}' },
	],
};

async function run(parameters: INodeParameters, items: INodeExecutionData[], continueOnFail = false) {
	return await executeNode({
		nodeType: new BillingPlanMapping(),
		nodeName: 'Plan mapping',
		parameters: { billingSystem: 'chargebee', mappings: MAPPINGS, ...parameters },
		items,
		continueOnFail,
	});
}

describe('Billing Plan Mapping node', () => {
	test('declares Mapped and Unmapped outputs and Kommo + vendor credentials', () => {
		const { description } = new BillingPlanMapping();
		expect(description.name).toBe('billingPlanMapping');
		expect(description.outputNames).toEqual(['Mapped', 'Unmapped']);
		expect(description.credentials?.map((c) => c.name)).toEqual([
			'kommoApi',
			'kommoOAuth2Api',
			'chargebeeBillingApi',
			'paddleBillingApi',
			'zuoraOAuth2Api',
		]);
	});

	test('by default reads the plan from the Get lead output and splits the items by outcome', async () => {
		const items = [
			lead(1, 'Pro'),
			lead(2, 'Starter'),
			{ json: { ...lead(3, 'Enterprise').json, custom_fields_map: { Plan: 'Enterprise', Seats: 12 } } },
			lead(4, undefined),
		];
		const [mapped, unmapped] = await run({}, items);
		expect(mapped.map((i) => [i.json.id, i.json.plan])).toEqual([
			[1, { kommoPlan: 'Pro', vendor: 'chargebee', priceId: 'pro-USD-monthly', quantity: 1 }],
			[3, { kommoPlan: 'Enterprise', vendor: 'chargebee', priceId: 'enterprise-USD-monthly', quantity: 12 }],
		]);
		expect(mapped.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(unmapped.map((i) => [i.json.id, i.json.plan])).toEqual([
			[2, { kommoPlan: 'Starter', vendor: 'chargebee', priceId: null, reason: 'Plan "Starter" has no mapping to Chargebee. Open the "Plan mapping" node and add it.' }],
			[4, { kommoPlan: null, vendor: 'chargebee', priceId: null, reason: 'The deal has no plan: its "Plan" field is empty. Choose the plan in Kommo, then move the deal to Won again.' }],
		]);
		expect(unmapped.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 3 }]);
		// the input item is kept as it was, plus `plan`
		expect(mapped[0].json).toMatchObject({ id: 1, name: 'Deal 1', custom_fields_map: { Plan: 'Pro' } });
	});

	test('the default plan expression follows the chosen plan field', async () => {
		const items = [{ json: { id: 7, custom_fields_map: { Plan: 'Pro', Tariff: 'Enterprise' } } }];
		const [mapped] = await run({ planField: 'Tariff' }, items);
		expect(mapped[0].json.plan).toMatchObject({ kommoPlan: 'Enterprise', priceId: 'enterprise-USD-monthly' });
	});

	test('an item that is not a lead (no custom_fields_map) is an empty plan, not an expression error', async () => {
		const [mapped, unmapped] = await run({}, [{ json: { something: 'else' } }]);
		expect(mapped).toEqual([]);
		expect((unmapped[0].json.plan as IDataObject).kommoPlan).toBeNull();
	});

	test('the vendor decides the words of the reason', async () => {
		const [, unmapped] = await run({ billingSystem: 'paddle', mappings: {} }, [lead(1, 'Pro')]);
		expect((unmapped[0].json.plan as IDataObject).reason).toBe('Plan "Pro" has no mapping to Paddle. Open the "Plan mapping" node and add it.');
		expect((unmapped[0].json.plan as IDataObject).vendor).toBe('paddle');
	});

	test('a mapping mistake fails the item; with Continue On Fail it leaves on Unmapped as {error, details}', async () => {
		const mappings = { mapping: [...MAPPINGS.mapping, { kommoPlan: 'Pro', priceId: 'pro-USD-yearly', quantity: 1 }] };
		await expect(run({ mappings }, [lead(1, 'Pro')])).rejects.toThrow(
			'The Kommo plan "Pro" is mapped twice, to pro-USD-monthly and to pro-USD-yearly',
		);
		const [mapped, unmapped] = await run({ mappings }, [lead(1, 'Pro')], true);
		expect(mapped).toEqual([]);
		expect(unmapped).toEqual([
			{
				json: {
					error: 'The Kommo plan "Pro" is mapped twice, to pro-USD-monthly and to pro-USD-yearly [item 0]',
					details: 'Keep one row per Kommo plan, so that a deal can only get one price.',
				},
				// the item's own error routes it to the error output in n8n 1.x as well
				error: expect.objectContaining({ message: 'The Kommo plan "Pro" is mapped twice, to pro-USD-monthly and to pro-USD-yearly [item 0]' }),
				pairedItem: { item: 0 },
			},
		]);
	});

	test('a quantity expression that gives no whole number is a mistake of that item only', async () => {
		const items = [
			{ json: { id: 1, custom_fields_map: { Plan: 'Enterprise', Seats: 'lots' } } },
			{ json: { id: 2, custom_fields_map: { Plan: 'Enterprise', Seats: 3 } } },
		];
		const [mapped, unmapped] = await run({}, items, true);
		expect(mapped.map((i) => (i.json.plan as IDataObject).quantity)).toEqual([3]);
		expect(unmapped[0].json.error).toBe('Mapping 2 ("Enterprise"): quantity must be a whole number of at least 1, got "lots" [item 0]');
	});
});
