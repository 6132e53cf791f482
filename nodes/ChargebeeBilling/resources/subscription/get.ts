import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { locator, locatorValue } from '../../locators';
import { maybeSimplify, simplifyProperty } from '../../simplify';
import { chargebeeRequest, idPath } from '../../transport';
import { show } from '../types';
import { subscriptionOutput } from './fields';

const displayOptions = show('subscription', ['get']);

export const description: INodeProperties[] = [
	locator('subscription', 'subscriptionId', "The subscription to read. List for Customer gives the IDs of a customer's subscriptions.", displayOptions),
	simplifyProperty(displayOptions, 1.1),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = locatorValue.call(this, 'subscriptionId', i, 'Subscription', 'subscription');
	const body = (await chargebeeRequest.call(this, {
		method: 'GET',
		path: idPath('/subscriptions/{id}', id),
		itemIndex: i,
	})) as IDataObject;
	return maybeSimplify.call(this, i, 'subscription', subscriptionOutput({ subscription: body.subscription }));
}
