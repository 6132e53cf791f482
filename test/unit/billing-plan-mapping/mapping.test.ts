/** The mapping table and look-up: no defaults, clear reasons, configuration mistakes caught. */
import { buildTable, mapPlan, MappingError, normalizePlan, type MappingRow } from '../../../nodes/BillingPlanMapping/mapping';

const ROWS: MappingRow[] = [
	{ kommoPlan: 'Pro', priceId: 'pro-USD-monthly', quantity: 1 },
	{ kommoPlan: 'Enterprise', priceId: 'enterprise-USD-monthly', quantity: 5 },
];
const context = { vendor: 'chargebee' as const, nodeName: 'Plan mapping', planField: 'Plan' };

function errorOf(fn: () => unknown): MappingError {
	try {
		fn();
	} catch (error) {
		return error as MappingError;
	}
	throw new Error('expected an error');
}

describe('buildTable', () => {
	test('indexes rows by plan label, ignoring case and extra spaces', () => {
		const table = buildTable(ROWS);
		expect([...table.keys()]).toEqual(['pro', 'enterprise']);
		expect(table.get(normalizePlan('  ENTERPRISE '))).toEqual({ kommoPlan: 'Enterprise', priceId: 'enterprise-USD-monthly', quantity: 5 });
	});

	test('skips untouched rows and defaults an empty quantity to 1', () => {
		const table = buildTable([{ kommoPlan: '', priceId: '' }, { kommoPlan: 'Pro', priceId: 'p', quantity: '' }]);
		expect([...table.values()]).toEqual([{ kommoPlan: 'Pro', priceId: 'p', quantity: 1 }]);
	});

	test('a plan mapped twice to different prices is a mistake; the same row twice is not', () => {
		const error = errorOf(() => buildTable([...ROWS, { kommoPlan: 'pro', priceId: 'pro-USD-yearly', quantity: 1 }]));
		expect(error).toBeInstanceOf(MappingError);
		expect(error.message).toBe('The Kommo plan "pro" is mapped twice, to pro-USD-monthly and to pro-USD-yearly');
		expect(buildTable([...ROWS, { kommoPlan: 'Pro', priceId: 'pro-USD-monthly', quantity: 1 }]).size).toBe(2);
	});

	test('a price without a plan, and a quantity that is not a whole number ≥ 1, are mistakes', () => {
		expect(errorOf(() => buildTable([{ kommoPlan: '', priceId: 'pro-USD-monthly' }])).message).toBe(
			'Mapping 1 has a price (pro-USD-monthly) but no Kommo plan',
		);
		for (const quantity of [0, -1, 1.5, 'two']) {
			expect(errorOf(() => buildTable([{ kommoPlan: 'Pro', priceId: 'p', quantity }])).message).toBe(
				`Mapping 1 ("Pro"): quantity must be a whole number of at least 1, got "${String(quantity)}"`,
			);
		}
	});
});

describe('mapPlan', () => {
	const table = buildTable([...ROWS, { kommoPlan: 'Starter', priceId: '' }]);

	test('a mapped plan gives the price and quantity of its row', () => {
		expect(mapPlan(' enterprise', table, context)).toEqual({
			mapped: true,
			plan: { kommoPlan: 'Enterprise', vendor: 'chargebee', priceId: 'enterprise-USD-monthly', quantity: 5 },
		});
		// a multiselect with one value is that value
		expect(mapPlan(['Pro'], table, context)).toMatchObject({ mapped: true, plan: { priceId: 'pro-USD-monthly' } });
	});

	test('a plan without a row is unmapped, with a reason that names the node — never a default price', () => {
		expect(mapPlan('Legacy', table, context)).toEqual({
			mapped: false,
			plan: {
				kommoPlan: 'Legacy',
				vendor: 'chargebee',
				priceId: null,
				reason: 'Plan "Legacy" has no mapping to Chargebee. Open the "Plan mapping" node and add it.',
			},
		});
		expect(mapPlan('Legacy', buildTable([]), { ...context, vendor: 'zuora', nodeName: 'Map plans' }).plan).toMatchObject({
			reason: 'Plan "Legacy" has no mapping to Zuora. Open the "Map plans" node and add it.',
			priceId: null,
		});
	});

	test('a row without a price is unmapped too', () => {
		expect(mapPlan('starter', table, { ...context, vendor: 'zuora' }).plan).toEqual({
			kommoPlan: 'Starter',
			vendor: 'zuora',
			priceId: null,
			reason: 'Plan "Starter" is listed in the "Plan mapping" node without a Zuora product rate plan. Open the node and choose one.',
		});
	});

	test('an empty plan and several plans are unmapped with their own reasons', () => {
		for (const empty of [undefined, null, '', '   ', []]) {
			expect(mapPlan(empty, table, context)).toEqual({
				mapped: false,
				plan: {
					kommoPlan: null,
					vendor: 'chargebee',
					priceId: null,
					reason: 'The deal has no plan: its "Plan" field is empty. Choose the plan in Kommo, then move the deal to Won again.',
				},
			});
		}
		expect(mapPlan(['Pro', 'Enterprise'], table, { ...context, vendor: 'paddle', planField: 'Tariff' }).plan).toEqual({
			kommoPlan: 'Pro, Enterprise',
			vendor: 'paddle',
			priceId: null,
			reason: 'The deal has 2 plans in "Tariff" (Pro, Enterprise); a subscription gets one. Keep one plan in Kommo, then move the deal to Won again.',
		});
	});
});
