import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { parseJsonObject, requirePaddleId, requireString } from '../../helpers';
import { paddleData } from '../../transport';
import { forOperation } from '../common';
import { isoDate } from '../subscription/pause';

export const description: INodeProperties[] = forOperation('discount', 'create', [
	{ displayName: 'Description', name: 'description', type: 'string', default: '', required: true, description: 'For your reference; not shown to customers' },
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [
			{ name: 'Percentage', value: 'percentage', description: 'A percent off, e.g. 10' },
			{ name: 'Flat', value: 'flat', description: 'A fixed amount off the total' },
			{ name: 'Flat per Seat', value: 'flat_per_seat', description: 'A fixed amount off per unit of quantity' },
		],
		default: 'percentage',
	},
	{
		displayName: 'Amount',
		name: 'amount',
		type: 'string',
		default: '',
		required: true,
		placeholder: '10',
		description: 'Percentage: 0.01 to 100. Flat: in the lowest denomination of the currency (1000 = 10.00 USD).',
	},
	{
		displayName: 'Currency Code',
		name: 'currencyCode',
		type: 'string',
		default: '',
		placeholder: 'USD',
		displayOptions: { show: { type: ['flat', 'flat_per_seat'] } },
		description: 'Required for flat discounts: the currency of Amount',
	},
	additionalFieldsCollection(
		[
			{ displayName: 'Code', name: 'code', type: 'string', default: '', placeholder: 'WELCOME10', description: 'Code customers enter at checkout (letters and digits, up to 32). Empty: Paddle generates one when the discount is usable at checkout.' },
			{ displayName: 'Custom Data (JSON)', name: 'customData', type: 'json', default: '{}' },
			{ displayName: 'Enabled for Checkout', name: 'enabledForCheckout', type: 'boolean', default: true, description: 'Whether customers can redeem it at checkout' },
			{ displayName: 'Expires At', name: 'expiresAt', type: 'dateTime', default: '', description: 'After this time it can no longer be redeemed' },
			{ displayName: 'Maximum Recurring Intervals', name: 'maximumRecurringIntervals', type: 'number', typeOptions: { minValue: 1, numberPrecision: 0 }, default: 1, description: 'With Recur: for how many billing periods; leave unset to recur forever' },
			{ displayName: 'Recur', name: 'recur', type: 'boolean', default: false, description: 'Whether the discount applies to later billing periods of a subscription too' },
			{ displayName: 'Restrict To', name: 'restrictTo', type: 'string', default: '', placeholder: 'pri_…, pro_…', description: 'Only these prices or products (comma-separated IDs); empty: everything' },
			{ displayName: 'Usage Limit', name: 'usageLimit', type: 'number', typeOptions: { minValue: 1, numberPrecision: 0 }, default: 1, description: 'How often it can be redeemed in total' },
		],
	),
]);

/** POST /discounts (needs discount.write). Rules from the spec's `discount-create`. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const fail = (message: string) => new NodeOperationError(this.getNode(), message, { itemIndex });
	const type = this.getNodeParameter('type', itemIndex) as string;
	const amount = requireString.call(this, this.getNodeParameter('amount', itemIndex, ''), 'Amount', itemIndex, 'Enter the discount amount.');
	const body: IDataObject = {
		description: requireString.call(this, this.getNodeParameter('description', itemIndex, ''), 'Description', itemIndex, 'Paddle requires a description.'),
		type,
		amount,
	};
	if (type === 'percentage') {
		if (!/^\d+(\.\d{1,2})?$/.test(amount) || Number(amount) < 0.01 || Number(amount) > 100) throw fail(`Amount "${amount}" is not a percentage between 0.01 and 100.`);
	} else {
		if (!/^\d+$/.test(amount) || /^0+$/.test(amount)) throw fail(`Amount "${amount}" must be a positive whole number in the lowest denomination (1000 = 10.00 USD).`);
		const currency = String(this.getNodeParameter('currencyCode', itemIndex, '') ?? '').trim().toUpperCase();
		if (!/^[A-Z]{3}$/.test(currency)) throw fail('Currency Code is required for flat discounts: enter a three-letter code such as USD.');
		body.currency_code = currency;
	}
	const extra = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	if (extra.code) {
		const code = String(extra.code).trim();
		if (!/^[a-zA-Z0-9]{1,32}$/.test(code)) throw fail(`Code "${code}" may only have letters and digits, at most 32.`);
		body.code = code;
	}
	if (extra.enabledForCheckout !== undefined) body.enabled_for_checkout = extra.enabledForCheckout === true;
	if (extra.recur !== undefined) body.recur = extra.recur === true;
	if (extra.maximumRecurringIntervals !== undefined) {
		if (body.recur !== true) throw fail('Maximum Recurring Intervals needs Recur on.');
		body.maximum_recurring_intervals = Number(extra.maximumRecurringIntervals);
	}
	if (extra.usageLimit !== undefined) body.usage_limit = Number(extra.usageLimit);
	if (extra.restrictTo) {
		body.restrict_to = String(extra.restrictTo)
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean)
			.map((id, i) => requirePaddleId.call(this, id, id.startsWith('pro_') ? 'pro' : 'pri', `Restrict To[${i + 1}]`, itemIndex));
	}
	const expires = isoDate.call(this, extra.expiresAt, 'Expires At', itemIndex);
	if (expires) body.expires_at = expires;
	const customData = parseJsonObject.call(this, extra.customData, 'Custom Data (JSON)', itemIndex);
	if (Object.keys(customData).length > 0) body.custom_data = customData;
	return (await paddleData.call(this, { method: 'POST', path: '/discounts', body, itemIndex })) as IDataObject;
}
