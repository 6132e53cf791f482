/**
 * Billing Event Dedupe → Check Order: a stale event (older version of the same billing object
 * than the one applied to the deal) goes to Stale; anything else to Current with the map to
 * write back. Vendors deliver out of order (Chargebee docs "Webhooks": "it is very much possible
 * and even likely that webhooks reach your application out-of-order").
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { BillingEventDedupe } from '../../nodes/BillingEventDedupe/BillingEventDedupe.node';
import { decideOrder } from '../../nodes/BillingEventDedupe/actions/checkOrder';
import { executeNode } from '../helpers/n8n-context';

const SUB = 'chargebee:subscription:sub-1';
const at = (object: string, version: string, source = 'resource_version') => ({ object, version, source });

describe('decideOrder', () => {
	test('a late subscription_resumed after subscription_cancelled is stale; the cancel stays applied', () => {
		const cancelled = decideOrder(at(SUB, '1735689600200'), '');
		expect(cancelled).toMatchObject({ status: 'current', applied: null });
		const resumedLate = decideOrder(at(SUB, '1735689600100'), cancelled.appliedVersions);
		expect(resumedLate).toEqual({ status: 'stale', object: SUB, version: '1735689600100', applied: '1735689600200', appliedVersions: cancelled.appliedVersions });
	});

	test('newer or equal versions are current (a redelivery of the applied event changes nothing)', () => {
		const first = decideOrder(at(SUB, '5'), '');
		expect(decideOrder(at(SUB, '6'), first.appliedVersions)).toMatchObject({ status: 'current', applied: '5', appliedVersions: JSON.stringify({ [SUB]: '6' }) });
		expect(decideOrder(at(SUB, '5'), first.appliedVersions).status).toBe('current');
	});

	test('versions beyond 2^53 and ISO times compare exactly', () => {
		const big = decideOrder(at(SUB, '9007199254740993'), JSON.stringify({ [SUB]: '9007199254740992' }));
		expect(big.status).toBe('current');
		const t = decideOrder(at(SUB, '2025-01-01T00:00:00.000001Z', 'occurred_at'), JSON.stringify({ [SUB]: '2025-01-01T00:00:00.000002Z' }));
		expect(t.status).toBe('stale');
	});

	test('other objects are kept; no ordering or an unreadable field never drops an event', () => {
		const two = decideOrder(at('paddle:subscription:sub_2', '2025-01-01T00:00:00Z', 'occurred_at'), JSON.stringify({ [SUB]: '7' }));
		expect(JSON.parse(two.appliedVersions)).toEqual({ 'paddle:subscription:sub_2': '2025-01-01T00:00:00Z', [SUB]: '7' });
		expect(decideOrder(null, '{"x":"1"}')).toEqual({ status: 'unordered', object: null, version: null, applied: null, appliedVersions: '{"x":"1"}' });
		expect(decideOrder(at(SUB, '1'), 'not json').status).toBe('current');
		expect(decideOrder(at(SUB, '1'), '{"__proto__":"9"}').status).toBe('current');
		expect(decideOrder(at(SUB, '1'), JSON.stringify({ constructor: '9' })).status).toBe('current');
	});
});

describe('Check Order in the node', () => {
	test('routes to Current and Stale and adds the decision to the item', async () => {
		const applied = JSON.stringify({ [SUB]: '200' });
		const items: INodeExecutionData[] = [
			{ json: { normalized: { eventType: 'subscription_resumed', ordering: at(SUB, '100') }, custom_fields_map: { 'Billing versions': applied } } },
			{ json: { normalized: { eventType: 'subscription_paused', ordering: at(SUB, '300') }, custom_fields_map: { 'Billing versions': applied } } },
		];
		const [current, stale] = await executeNode({
			nodeType: new BillingEventDedupe(),
			parameters: { operation: 'checkOrder', ordering: '={{ $json.normalized.ordering }}', appliedVersions: "={{ $json.custom_fields_map?.['Billing versions'] ?? '' }}" },
			items,
		});
		expect(stale.map((i) => (i.json.normalized as IDataObject).eventType)).toEqual(['subscription_resumed']);
		expect(current.map((i) => (i.json.normalized as IDataObject).eventType)).toEqual(['subscription_paused']);
		expect(current[0].json.order).toMatchObject({ status: 'current', appliedVersions: JSON.stringify({ [SUB]: '300' }) });
		expect(stale[0].pairedItem).toEqual({ item: 0 });
	});
});
