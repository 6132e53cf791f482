import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getSubscription, itemsBody, readItems, requirePaddleId } from '../../helpers';
import { paddleData } from '../../transport';
import { forOperation, itemsField, subscriptionIdField } from '../common';
import { subscriptionOutput } from './shared';

/** The parameters of Change Items, also used by Preview Change Items. */
export const changeItemsProperties: INodeProperties[] = [
	subscriptionIdField,
	{ ...itemsField, description: 'The new items. Paddle replaces the whole list unless "Keep Other Items" is on.' },
	{
		displayName: 'Proration Billing Mode',
		name: 'prorationBillingMode',
		type: 'options',
		options: [
			{ name: 'Do Not Bill', value: 'do_not_bill', description: 'Change items without charging or crediting' },
			{ name: 'Full Immediately', value: 'full_immediately', description: 'Charge the full new price now' },
			{ name: 'Full Next Billing Period', value: 'full_next_billing_period', description: 'Charge the full new price on the next renewal' },
			{ name: 'Prorated Immediately', value: 'prorated_immediately', description: 'Charge or credit the prorated difference now' },
			{ name: 'Prorated Next Billing Period', value: 'prorated_next_billing_period', description: 'Add the prorated difference to the next renewal' },
		],
		default: 'prorated_immediately',
		description: 'How Paddle bills the change (required by Paddle whenever items change)',
	},
	{
		displayName: 'Keep Other Items',
		name: 'keepOtherItems',
		type: 'boolean',
		default: false,
		description: 'Whether to keep the subscription items not listed here (listed prices get the given quantity)',
	},
	{
		displayName: 'On Payment Failure',
		name: 'onPaymentFailure',
		type: 'options',
		options: [
			{ name: 'Prevent Change', value: 'prevent_change', description: 'Keep the old items if an immediate charge fails' },
			{ name: 'Apply Change', value: 'apply_change', description: 'Apply the new items even if the charge fails' },
		],
		default: 'prevent_change',
	},
];

export const description: INodeProperties[] = forOperation('subscription', 'changeItems', changeItemsProperties);

/** The PATCH body (items, proration_billing_mode, on_payment_failure); Preview Change Items sends the same. */
export async function changeItemsBody(this: IExecuteFunctions, id: string, itemIndex: number): Promise<IDataObject> {
	let items = itemsBody(readItems.call(this, itemIndex));
	if (this.getNodeParameter('keepOtherItems', itemIndex, false) as boolean) {
		const current = await getSubscription.call(this, id, itemIndex);
		const listed = new Set(items.map((i) => i.price_id));
		const kept = ((current.items ?? []) as IDataObject[])
			.map((i) => ({ price_id: ((i.price ?? {}) as IDataObject).id as string, quantity: i.quantity as number }))
			.filter((i) => i.price_id && !listed.has(i.price_id));
		items = [...kept, ...items];
	}
	return {
		items,
		proration_billing_mode: this.getNodeParameter('prorationBillingMode', itemIndex),
		on_payment_failure: this.getNodeParameter('onPaymentFailure', itemIndex, 'prevent_change'),
	};
}

/** PATCH /subscriptions/{id} with items and proration_billing_mode (sets a state, so safe to repeat). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('subscriptionId', itemIndex), 'sub', 'Subscription ID', itemIndex);
	const body = await changeItemsBody.call(this, id, itemIndex);
	const data = (await paddleData.call(this, {
		method: 'PATCH',
		path: `/subscriptions/${encodeURIComponent(id)}`,
		body,
		itemIndex,
	})) as IDataObject;
	return subscriptionOutput(data);
}
