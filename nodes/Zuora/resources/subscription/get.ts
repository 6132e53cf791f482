import type { IExecuteFunctions } from 'n8n-workflow';

import { forOperation } from '../../helpers';
import { simplified, simplifyProperties } from '../../simplify';
import type { ItemOperation } from '../types';
import { getSubscription, requireSubscriptionNumber, subscriptionNumberField } from './common';

/** Subscription → Get: GET /v1/subscriptions/{number or id}, with `money` for the MRR. */
export const get: ItemOperation = {
	kind: 'item',
	description: [...forOperation('subscription', 'get', [subscriptionNumberField]), ...simplifyProperties('subscription', 'get')],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const subscription = await getSubscription.call(this, requireSubscriptionNumber.call(this, itemIndex), itemIndex);
		return simplified(this, itemIndex, 'subscription', subscription);
	},
};
