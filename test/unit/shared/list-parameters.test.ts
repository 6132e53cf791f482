import { ChargebeeBilling } from '../../../nodes/ChargebeeBilling/ChargebeeBilling.node';
import { PaddleBilling } from '../../../nodes/PaddleBilling/PaddleBilling.node';
import { returnAllAndLimit } from '../../../nodes/shared/list-parameters';

describe('returnAllAndLimit', () => {
	it('shows Limit only while Return All is off, within the operation', () => {
		const [returnAll, limit] = returnAllAndLimit({ show: { resource: ['customer'], operation: ['findByEmail'] } });
		expect(returnAll).toMatchObject({ name: 'returnAll', default: false, displayOptions: { show: { resource: ['customer'], operation: ['findByEmail'] } } });
		expect(limit).toMatchObject({ name: 'limit', default: 50, displayOptions: { show: { resource: ['customer'], operation: ['findByEmail'], returnAll: [false] } } });
		expect(returnAllAndLimit()[0].displayOptions).toBeUndefined();
	});

	it.each([
		['Chargebee', new ChargebeeBilling().description.properties, ['customer:findByEmail', 'itemPrice:list', 'subscription:listForCustomer']],
		['Paddle', new PaddleBilling().description.properties, ['price:list', 'event:getAll', 'notification:getAll']],
	])('every %s list operation has one Limit, shown only without Return All', (_vendor, properties, operations) => {
		for (const op of operations) {
			const [resource, operation] = op.split(':');
			const within = properties.filter((p) => p.displayOptions?.show?.resource?.includes(resource) && p.displayOptions?.show?.operation?.includes(operation));
			expect(within.filter((p) => p.name === 'returnAll')).toHaveLength(1);
			const limits = within.filter((p) => p.name === 'limit');
			expect(limits).toHaveLength(1);
			expect(limits[0].displayOptions?.show?.returnAll).toEqual([false]);
		}
	});
});
