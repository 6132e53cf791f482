import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { buildCustomData, findLeadTransaction, itemsBody, parseJsonObject, parseLeadId, readItems, requirePaddleId } from '../../helpers';
import { asNodeError, paddleCreate } from '../../transport';
import { currencyCodeField, customDataField, customerIdField, forOperation, itemsField, kommoLeadIdField } from '../common';
import { explainManualCollectionError } from '../subscription/shared';
import { transactionOutput } from './shared';

export const description: INodeProperties[] = forOperation('transaction', 'create', [
	{
		...customerIdField,
		description:
			'The customer to bill (ctm_…). Customer → Find or Create returns it. For subscriptions prefer Subscription → Create by Invoice or Create Checkout Link, which also wait for the subscription.',
	},
	itemsField,
	{
		displayName: 'Collection Mode',
		name: 'collectionMode',
		type: 'options',
		options: [
			{ name: 'Automatic (Card Checkout)', value: 'automatic', description: 'The customer pays through the checkout link Paddle returns' },
			{ name: 'Manual (Invoice)', value: 'manual', description: 'Paddle invoices the customer with payment terms (USD, EUR or GBP only)' },
		],
		default: 'automatic',
	},
	{
		displayName: 'Payment Terms (Days)',
		name: 'paymentTermsDays',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		default: 14,
		displayOptions: { show: { collectionMode: ['manual'] } },
		description: 'Days the customer has to pay the invoice (net 14)',
	},
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Ready or Draft', value: 'draft', description: 'Paddle decides: ready when it has a customer, address and items' },
			{ name: 'Billed', value: 'billed', description: 'Issue it now (for invoices: sends the invoice; it can no longer be changed)' },
		],
		default: 'draft',
	},
	kommoLeadIdField,
	additionalFieldsCollection(
		[
			{ displayName: 'Address ID', name: 'addressId', type: 'string', default: '', placeholder: 'add_…', description: "The customer's address (add_…); Paddle needs one to bill" },
			{ displayName: 'Business ID', name: 'businessId', type: 'string', default: '', placeholder: 'biz_…' },
			currencyCodeField,
			{ displayName: 'Discount ID', name: 'discountId', type: 'string', default: '', placeholder: 'dsc_…', description: 'A discount from Discount → Get Many or Create' },
		],
	),
	customDataField,
]);

/**
 * POST /transactions (needs transaction.write). Not repeated blindly: with a Kommo Lead ID, a
 * failure that may have landed is checked against the customer's transactions for that lead.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requirePaddleId.call(this, this.getNodeParameter('customerId', itemIndex), 'ctm', 'Customer', itemIndex);
	const mode = this.getNodeParameter('collectionMode', itemIndex, 'automatic') as 'automatic' | 'manual';
	const leadId = parseLeadId.call(this, this.getNodeParameter('kommoLeadId', itemIndex, ''), itemIndex);
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = { items: itemsBody(readItems.call(this, itemIndex)), customer_id: customerId, collection_mode: mode };
	if (additional.addressId) body.address_id = requirePaddleId.call(this, additional.addressId, 'add', 'Address ID', itemIndex);
	if (additional.businessId) body.business_id = requirePaddleId.call(this, additional.businessId, 'biz', 'Business ID', itemIndex);
	if (additional.discountId) body.discount_id = requirePaddleId.call(this, additional.discountId, 'dsc', 'Discount ID', itemIndex);
	if (additional.currencyCode) body.currency_code = String(additional.currencyCode).trim().toUpperCase();
	if (mode === 'manual') {
		body.billing_details = { payment_terms: { interval: 'day', frequency: Number(this.getNodeParameter('paymentTermsDays', itemIndex, 14)) } };
	}
	if (this.getNodeParameter('status', itemIndex, 'draft') === 'billed') body.status = 'billed';
	const customData = buildCustomData(
		parseJsonObject.call(this, this.getNodeParameter('customData', itemIndex, '{}'), 'Additional Custom Data (JSON)', itemIndex),
		leadId,
	);
	if (customData) body.custom_data = customData;
	try {
		const { data } = await paddleCreate.call(this, { method: 'POST', path: '/transactions', body, itemIndex }, async () =>
			leadId === undefined ? undefined : await findLeadTransaction.call(this, customerId, leadId, mode, itemIndex),
		);
		return transactionOutput(data);
	} catch (error) {
		explainManualCollectionError(error, customerId);
		throw asNodeError(this.getNode(), error);
	}
}
