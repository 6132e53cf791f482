import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import {
	buildCustomData,
	findLeadTransaction,
	itemsBody,
	parseJsonObject,
	parseLeadId,
	readItems,
	requirePaddleId,
	transactionMoney,
} from '../../helpers';
import { paddleCreate } from '../../transport';
import { currencyCodeField, customDataField, forOperation, itemsField, kommoLeadIdField } from '../common';

export const description: INodeProperties[] = forOperation('subscription', 'createCheckoutLink', [
	{
		displayName: 'Customer ID',
		name: 'customerId',
		type: 'string',
		default: '',
		placeholder: 'ctm_…',
		description:
			'Optional. With a customer (and a Kommo Lead ID) a repeated run returns the link made for the lead instead of a second transaction.',
	},
	itemsField,
	kommoLeadIdField,
	additionalFieldsCollection(
		[
			{ displayName: 'Address ID', name: 'addressId', type: 'string', default: '', placeholder: 'add_…' },
			{ displayName: 'Business ID', name: 'businessId', type: 'string', default: '', placeholder: 'biz_…' },
			{
				displayName: 'Checkout Page URL',
				name: 'checkoutUrl',
				type: 'string',
				default: '',
				placeholder: 'https://example.com/pay',
				description:
					'A page on an approved domain that loads Paddle.js. Leave empty to use the default payment link set in Paddle.',
			},
			{ ...currencyCodeField },
			{ displayName: 'Discount ID', name: 'discountId', type: 'string', default: '', placeholder: 'dsc_…' },
		],
	),
	customDataField,
]);

/**
 * Card payers: an automatically-collected transaction whose checkout.url is
 * sent to the customer. The first card payment cannot be made through the
 * API; Paddle creates the subscription when the checkout is paid
 * (transaction.completed, then subscription.created).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const rawCustomer = String(this.getNodeParameter('customerId', itemIndex, '') ?? '').trim();
	const customerId = rawCustomer ? requirePaddleId.call(this, rawCustomer, 'ctm', 'Customer ID', itemIndex) : undefined;
	const items = readItems.call(this, itemIndex);
	const leadId = parseLeadId.call(this, this.getNodeParameter('kommoLeadId', itemIndex, ''), itemIndex);
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = { items: itemsBody(items), collection_mode: 'automatic' };
	if (customerId) body.customer_id = customerId;
	if (additional.addressId) body.address_id = requirePaddleId.call(this, additional.addressId, 'add', 'Address ID', itemIndex);
	if (additional.businessId) body.business_id = requirePaddleId.call(this, additional.businessId, 'biz', 'Business ID', itemIndex);
	if (additional.discountId) body.discount_id = requirePaddleId.call(this, additional.discountId, 'dsc', 'Discount ID', itemIndex);
	if (additional.currencyCode) body.currency_code = String(additional.currencyCode).trim().toUpperCase();
	if (additional.checkoutUrl) body.checkout = { url: String(additional.checkoutUrl).trim() };
	const customData = buildCustomData(
		parseJsonObject.call(this, this.getNodeParameter('customData', itemIndex, '{}'), 'Additional Custom Data (JSON)', itemIndex),
		leadId,
	);
	if (customData) body.custom_data = customData;

	const findForLead = async () =>
		customerId && leadId !== undefined
			? await findLeadTransaction.call(this, customerId, leadId, 'automatic', itemIndex)
			: undefined;
	let transaction = await findForLead();
	const reusedExisting = transaction !== undefined;
	if (!transaction) {
		transaction = (await paddleCreate.call(this, { method: 'POST', path: '/transactions', body, itemIndex }, findForLead)).data;
	}
	const checkout = (transaction.checkout ?? {}) as IDataObject;
	return {
		...transaction,
		checkoutUrl: (checkout.url as string | undefined) ?? null,
		money: transactionMoney(transaction) as unknown as IDataObject,
		reusedExisting,
	};
}
