import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { chargebeeRequest, idPath } from '../../transport';
import { checkCustomerId } from '../customer/fields';
import { show } from '../types';
import { subscriptionOutput } from './fields';

export const description: INodeProperties[] = [
	{
		displayName: 'Subscription ID',
		name: 'subscriptionId',
		type: 'string',
		required: true,
		default: '',
		displayOptions: show('subscription', ['get']),
	},
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = checkCustomerId(this.getNodeParameter('subscriptionId', i) as string, 'Subscription ID');
	const body = (await chargebeeRequest.call(this, {
		method: 'GET',
		path: idPath('/subscriptions/{id}', id),
		itemIndex: i,
	})) as IDataObject;
	return subscriptionOutput({ subscription: body.subscription });
}
