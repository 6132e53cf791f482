/**
 * Shape rules of the Chargebee Billing node's description (issue #18): every operation says what
 * it does for an AI choosing a tool, every list has one Return All / Limit pair, every get and
 * list has Simplify (default on), and the id locators open on "From list".
 */
import type { INodeProperties } from 'n8n-workflow';

import { ChargebeeBilling } from '../../../nodes/ChargebeeBilling/ChargebeeBilling.node';

const node = new ChargebeeBilling();
const properties = node.description.properties;
const resources = (properties.find((p) => p.name === 'resource')?.options ?? []) as Array<{ value: string }>;

function operationsOf(resource: string) {
	const selector = properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource));
	return (selector?.options ?? []) as Array<{ value: string; action?: string; description?: string }>;
}

function within(resource: string, operation: string): INodeProperties[] {
	return properties.filter((p) => p.displayOptions?.show?.resource?.includes(resource) && p.displayOptions?.show?.operation?.includes(operation));
}

const all = resources.flatMap((r) => operationsOf(r.value).map((o) => [r.value, o.value, o] as const));

describe('Chargebee Billing description', () => {
	it('has the issue #18 resources and operations', () => {
		const names = all.map(([r, o]) => `${r}:${o}`);
		for (const op of [
			'subscription:pause',
			'subscription:resume',
			'subscription:reactivate',
			'creditNote:list',
			'creditNote:get',
			'creditNote:create',
			'customer:createPortalSession',
			'customer:createPaymentMethodPage',
			'subscription:createCheckout',
			'invoice:recordPayment',
			'invoice:listForCustomer',
			'event:list',
			'customApi:request',
			'itemPrice:get',
		]) {
			expect(names).toContain(op);
		}
	});

	it.each(all)('%s:%s has an action and a description of at least a few words', (_r, _o, option) => {
		expect(option.action).toBeTruthy();
		expect(String(option.description).split(' ').length).toBeGreaterThanOrEqual(4);
	});

	it.each(all.filter(([, o]) => /^(get|list|listForCustomer|findByEmail)$/.test(o)))('%s:%s has Simplify, default on', (resource, operation) => {
		const simplify = within(resource, operation).filter((p) => p.name === 'simplify');
		expect(simplify).toHaveLength(1);
		expect(simplify[0]).toMatchObject({ type: 'boolean', default: true, displayName: 'Simplify' });
	});

	it.each(all.filter(([, o]) => /^(list|listForCustomer|findByEmail)$/.test(o)))('%s:%s has one Return All and one Limit shown only without it', (resource, operation) => {
		const props = within(resource, operation);
		expect(props.filter((p) => p.name === 'returnAll')).toHaveLength(1);
		const limit = props.filter((p) => p.name === 'limit');
		expect(limit).toHaveLength(1);
		expect(limit[0].displayOptions?.show?.returnAll).toEqual([false]);
	});

	it('customer, subscription and item price locators open on From list, with a search method the node has', () => {
		const locators = properties.filter((p) => p.type === 'resourceLocator');
		expect(locators.length).toBeGreaterThan(10);
		for (const p of locators) {
			expect(p.default).toEqual({ mode: 'list', value: '' });
			const method = p.modes?.find((m) => m.name === 'list')?.typeOptions?.searchListMethod as string;
			expect(Object.keys(node.methods.listSearch)).toContain(method);
		}
		const subscriptionUrl = locators.find((p) => p.name === 'subscriptionId')?.modes?.find((m) => m.name === 'url');
		expect(subscriptionUrl?.extractValue).toEqual({ type: 'regex', regex: '/d/subscriptions/([A-Za-z0-9_\\-.@~]+)' });
	});
});
