import type { IExecuteFunctions } from 'n8n-workflow';

import { forOperation } from '../../helpers';
import type { ItemOperation } from '../types';
import { getSubscription, requireSubscriptionNumber, subscriptionNumberField } from './common';

/** Subscription → Get: GET /v1/subscriptions/{number or id}, with `money` for the MRR. */
export const get: ItemOperation = {
	kind: 'item',
	description: forOperation('subscription', 'get', [
		{ ...subscriptionNumberField, displayName: 'Subscription Number or ID' },
	]),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		return await getSubscription.call(this, requireSubscriptionNumber.call(this, itemIndex), itemIndex);
	},
};
