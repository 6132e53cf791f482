import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getSubscription, requirePaddleId } from '../../helpers';
import { forOperation, subscriptionIdField } from '../common';
import { simplifyFieldSinceV11, simplifyOne } from '../simplify';
import { subscriptionOutput } from './shared';

export const description: INodeProperties[] = forOperation('subscription', 'get', [subscriptionIdField, simplifyFieldSinceV11]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('subscriptionId', itemIndex), 'sub', 'Subscription ID', itemIndex);
	return simplifyOne.call(this, itemIndex, 'subscription', subscriptionOutput(await getSubscription.call(this, id, itemIndex)));
}
