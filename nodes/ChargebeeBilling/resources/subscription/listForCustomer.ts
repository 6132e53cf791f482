import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { subscriptionMoney } from '../../helpers';
import { chargebeeList } from '../../transport';
import { maybeSimplifyAll, simplifyProperty } from '../../simplify';
import { locator, locatorValue } from '../../locators';
import { show } from '../types';
import { returnAllAndLimit } from '../../../shared/list-parameters';

const displayOptions = show('subscription', ['listForCustomer']);

export const description: INodeProperties[] = [
	locator('customer', 'customerId', 'The customer whose subscriptions are listed (Find by Email or Get give customer IDs)', displayOptions),
	{
		displayName: 'Status',
		name: 'status',
		type: 'multiOptions',
		options: [
			{ name: 'Active', value: 'active' },
			{ name: 'Cancelled', value: 'cancelled' },
			{ name: 'Future', value: 'future' },
			{ name: 'In Trial', value: 'in_trial' },
			{ name: 'Non Renewing', value: 'non_renewing' },
			{ name: 'Paused', value: 'paused' },
		],
		default: [],
		description: 'Only subscriptions in these states; none selected returns all',
		displayOptions,
	},
	...returnAllAndLimit(displayOptions),
	simplifyProperty(displayOptions, 1.1),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const customerId = locatorValue.call(this, 'customerId', i, 'Customer', 'customer');
	const status = this.getNodeParameter('status', i, []) as string[];
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const subscriptions = await chargebeeList.call(this, '/subscriptions', 'subscription', {
		query: {
			'customer_id[is]': customerId,
			...(status.length > 0 ? { 'status[in]': JSON.stringify(status) } : {}),
			'sort_by[desc]': 'created_at',
		},
		returnAll,
		limit: returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number),
		itemIndex: i,
	});
	return maybeSimplifyAll.call(this, i, 'subscription', subscriptions.map((s) => ({ ...s, money: subscriptionMoney(s) as unknown as IDataObject })));
}
