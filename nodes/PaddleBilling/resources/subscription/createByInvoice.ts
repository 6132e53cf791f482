import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import {
	buildCustomData,
	findLeadTransaction,
	getTransaction,
	itemsBody,
	parseJsonObject,
	parseLeadId,
	readItems,
	requirePaddleId,
	transactionMoney,
} from '../../helpers';
import { asNodeError, paddleCreate, paddleData, paddleErrorInfo } from '../../transport';
import { currencyCodeField, customDataField, customerIdField, forOperation, itemsField, kommoLeadIdField } from '../common';
import { explainManualCollectionError, hasRecurringItems, MANUAL_COLLECTION_CURRENCIES, subscriptionOrNull, waitForSubscriptionId } from './shared';

export const description: INodeProperties[] = forOperation('subscription', 'createByInvoice', [
	customerIdField,
	{
		displayName: 'Address ID',
		name: 'addressId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'add_…',
		description: "The customer's billing address (add_…). Paddle can only bill a transaction that has one.",
	},
	itemsField,
	{
		displayName: 'Payment Terms Interval',
		name: 'paymentTermsInterval',
		type: 'options',
		options: [
			{ name: 'Day', value: 'day' },
			{ name: 'Week', value: 'week' },
			{ name: 'Month', value: 'month' },
			{ name: 'Year', value: 'year' },
		],
		default: 'day',
		description: 'Unit of the time the customer has to pay the invoice',
	},
	{
		displayName: 'Payment Terms Frequency',
		name: 'paymentTermsFrequency',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		default: 14,
		description: 'How many intervals the customer has to pay, e.g. 14 days (net 14)',
	},
	kommoLeadIdField,
	{
		displayName: 'Wait for Subscription (Seconds)',
		name: 'waitSeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 60 },
		default: 10,
		description:
			'Paddle creates the subscription shortly after the invoice is billed. How long to poll for its ID; 0 returns at once (subscription_id may then be null — the subscription.created webhook brings it).',
	},
	additionalFieldsCollection(
		[
			{
				displayName: 'Additional Information',
				name: 'additionalInformation',
				type: 'string',
				default: '',
				description: 'Notes printed on the invoice',
			},
			{ displayName: 'Business ID', name: 'businessId', type: 'string', default: '', placeholder: 'biz_…' },
			{ ...currencyCodeField, description: 'USD, EUR or GBP: Paddle invoices (manual collection) only in these. Leave empty to let Paddle choose from the prices and address.' },
			{
				displayName: 'Enable Checkout',
				name: 'enableCheckout',
				type: 'boolean',
				default: false,
				description: 'Whether the invoice also carries a link to pay by card',
			},
			{ displayName: 'Purchase Order Number', name: 'purchaseOrderNumber', type: 'string', default: '' },
		],
	),
	customDataField,
]);

/**
 * Invoiced (B2B) subscription, the way Paddle Billing makes one:
 *  1. POST /transactions with collection_mode "manual", billing_details and
 *     payment terms, custom_data.kommo_lead_id;
 *  2. PATCH /transactions/{id} {status: "billed"} — Paddle issues the invoice
 *     and then creates the subscription (subscription.created);
 *  3. poll the transaction briefly for its subscription_id.
 * With a Kommo Lead ID a repeated run finds the transaction made for the
 * lead (same customer, manual, not canceled) and continues from its state
 * instead of invoicing twice.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requirePaddleId.call(this, this.getNodeParameter('customerId', itemIndex), 'ctm', 'Customer ID', itemIndex);
	const addressId = requirePaddleId.call(this, this.getNodeParameter('addressId', itemIndex), 'add', 'Address ID', itemIndex);
	const items = readItems.call(this, itemIndex);
	const leadId = parseLeadId.call(this, this.getNodeParameter('kommoLeadId', itemIndex, ''), itemIndex);
	const interval = this.getNodeParameter('paymentTermsInterval', itemIndex, 'day') as string;
	const frequency = Number(this.getNodeParameter('paymentTermsFrequency', itemIndex, 14));
	if (!Number.isInteger(frequency) || frequency < 1) {
		throw new NodeOperationError(this.getNode(), `Payment Terms Frequency "${String(frequency)}" must be a whole number of at least 1.`, { itemIndex });
	}
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const billingDetails: IDataObject = {
		payment_terms: { interval, frequency },
		enable_checkout: additional.enableCheckout === true,
	};
	if (additional.purchaseOrderNumber) billingDetails.purchase_order_number = String(additional.purchaseOrderNumber);
	if (additional.additionalInformation) billingDetails.additional_information = String(additional.additionalInformation);
	const body: IDataObject = {
		items: itemsBody(items),
		customer_id: customerId,
		address_id: addressId,
		collection_mode: 'manual',
		billing_details: billingDetails,
	};
	if (additional.businessId) {
		body.business_id = requirePaddleId.call(this, additional.businessId, 'biz', 'Business ID', itemIndex);
	}
	if (additional.currencyCode) {
		const currency = String(additional.currencyCode).trim().toUpperCase();
		if (!(MANUAL_COLLECTION_CURRENCIES as readonly string[]).includes(currency)) {
			throw new NodeOperationError(
				this.getNode(),
				`Currency Code "${currency}" cannot be invoiced: Paddle's manual (invoice) collection works only in ${MANUAL_COLLECTION_CURRENCIES.join(', ')}.`,
				{ itemIndex, description: 'Pick USD, EUR or GBP (with prices in that currency), or send a card checkout link (Create Checkout Link) for other currencies.' },
			);
		}
		body.currency_code = currency;
	}
	const customData = buildCustomData(
		parseJsonObject.call(this, this.getNodeParameter('customData', itemIndex, '{}'), 'Additional Custom Data (JSON)', itemIndex),
		leadId,
	);
	if (customData) body.custom_data = customData;

	const findForLead = async () =>
		leadId === undefined ? undefined : await findLeadTransaction.call(this, customerId, leadId, 'manual', itemIndex);

	let transaction = await findForLead();
	const reusedExisting = transaction !== undefined;
	if (!transaction) {
		try {
			transaction = (await paddleCreate.call(this, { method: 'POST', path: '/transactions', body, itemIndex }, findForLead)).data;
		} catch (error) {
			explainManualCollectionError(error, customerId);
			throw asNodeError(this.getNode(), error);
		}
	}

	const id = transaction.id as string;
	if (transaction.status === 'draft') {
		throw new NodeOperationError(
			this.getNode(),
			`Transaction ${id} is still a draft, so Paddle cannot bill it: it needs a customer, an address and items.`,
			{ itemIndex, description: 'Check Customer ID and Address ID (the address must belong to the customer).' },
		);
	}
	if (transaction.status === 'ready') {
		try {
			transaction = (await paddleData.call(this, {
				method: 'PATCH',
				path: `/transactions/${encodeURIComponent(id)}`,
				body: { status: 'billed' },
				itemIndex,
			})) as IDataObject;
		} catch (error) {
			// Billed by an earlier, interrupted run? Then carry on from there.
			const { code } = paddleErrorInfo(error);
			const again = code === 'transaction_invalid_status_change' || code === 'transaction_immutable'
				? await getTransaction.call(this, id, itemIndex)
				: undefined;
			if (!again || !['billed', 'paid', 'completed', 'past_due'].includes(String(again.status))) {
				explainManualCollectionError(error, customerId);
				throw asNodeError(this.getNode(), error);
			}
			transaction = again;
		}
	}

	const waitMs = Math.max(0, Number(this.getNodeParameter('waitSeconds', itemIndex, 10))) * 1000;
	if (!transaction.subscription_id && waitMs > 0 && hasRecurringItems(transaction)) {
		transaction = await waitForSubscriptionId.call(this, transaction, waitMs, itemIndex);
	}
	return {
		...transaction,
		subscription: await subscriptionOrNull.call(this, transaction.subscription_id, itemIndex),
		money: transactionMoney(transaction) as unknown as IDataObject,
		reusedExisting,
	};
}
