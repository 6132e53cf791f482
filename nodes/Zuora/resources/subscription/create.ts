import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { asNodeError, forOperation, jsonParameter, requireDate, text } from '../../helpers';
import type { ItemOperation } from '../types';
import { findSubscription, getSubscription, mayHaveCreated, orderSummary, pendingInfo, ratePlanLoadOptions, triggerDates, postOrder } from './common';

/**
 * Subscription → Create through the Orders API (`POST /v1/orders` with a
 * `CreateSubscription` order action). The order goes first; safe to retry:
 *  - the Idempotency-Key is derived from the order body (the order date
 *    defaults to the contract effective date, so the body does not change
 *    from one day to the next), so a retry within 24 h replays the first order;
 *  - with a Subscription Number (e.g. `KL-<lead id>`), Zuora refuses a second
 *    subscription of that number (a rule restriction, category 30); on that
 *    refusal, or when the order's answer was lost, the subscription of that
 *    number is read and returned instead, at any time.
 */
export const create: ItemOperation = {
	kind: 'item',
	description: forOperation('subscription', 'create', [
		{
			displayName: 'Account Number',
			name: 'accountNumber',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'A00000001',
			description: 'The account that owns and pays for the subscription',
		},
		{
			displayName: 'Product Rate Plan Name or ID',
			name: 'productRatePlanId',
			type: 'options',
			typeOptions: ratePlanLoadOptions,
			required: true,
			default: '',
			description:
				'The plan the Kommo deal was won for. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Contract Effective Date (Won Date)',
			name: 'contractEffectiveDate',
			type: 'string',
			required: true,
			default: '',
			placeholder: '={{ $json.closed_at }}',
			description: 'A date as yyyy-mm-dd, an ISO date-time, or Unix seconds (Kommo closed_at, read as UTC)',
		},
		{
			displayName: 'Term Type',
			name: 'termType',
			type: 'options',
			options: [
				{ name: 'Termed', value: 'TERMED', description: 'Runs for an initial term, then renews or ends' },
				{ name: 'Evergreen', value: 'EVERGREEN', description: 'Runs until cancelled' },
			],
			default: 'TERMED',
		},
		{
			displayName: 'Initial Term',
			name: 'initialTerm',
			description: 'Length of the first term, in Initial Term Period units',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 12,
			displayOptions: { show: { termType: ['TERMED'] } },
		},
		{
			displayName: 'Initial Term Period',
			name: 'initialTermPeriodType',
			description: 'Unit of the initial term',
			type: 'options',
			options: [
				{ name: 'Month', value: 'Month' },
				{ name: 'Year', value: 'Year' },
				{ name: 'Week', value: 'Week' },
				{ name: 'Day', value: 'Day' },
			],
			default: 'Month',
			displayOptions: { show: { termType: ['TERMED'] } },
		},
		{
			displayName: 'Auto-Renew',
			name: 'autoRenew',
			type: 'boolean',
			default: true,
			displayOptions: { show: { termType: ['TERMED'] } },
			description: 'Whether the subscription renews automatically at the end of each term',
		},
		additionalFieldsCollection(
			[
				{
					displayName: 'Add-On Rate Plan Names or IDs',
					name: 'addOnRatePlanIds',
					type: 'multiOptions',
					typeOptions: ratePlanLoadOptions,
					default: [],
					description:
						'More product rate plans in the same subscription. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{
					displayName: 'Custom Fields (JSON)',
					name: 'customFields',
					type: 'json',
					default: '',
					description: 'Subscription custom fields, e.g. {"KommoLeadId__c": "123"}',
				},
				{
					displayName: 'Customer Acceptance Date',
					name: 'customerAcceptanceDate',
					type: 'string',
					default: '',
					description: 'Only if the tenant requires it (Settings → Billing → Default Subscription and Order Settings)',
				},
				{
					displayName: 'Idempotency Key',
					name: 'idempotencyKey',
					type: 'string',
					default: '',
					description: 'Overrides the key derived from the order body',
				},
				{ displayName: 'Notes', name: 'notes', type: 'string', default: '' },
				{
					displayName: 'Order Date',
					name: 'orderDate',
					type: 'string',
					default: '',
					description: 'Defaults to the contract effective date',
				},
				{
					displayName: 'Renewal Setting',
					name: 'renewalSetting',
					type: 'options',
					options: [
						{ name: 'Renew With Specific Term', value: 'RENEW_WITH_SPECIFIC_TERM' },
						{ name: 'Renew to Evergreen', value: 'RENEW_TO_EVERGREEN' },
					],
					default: 'RENEW_WITH_SPECIFIC_TERM',
				},
				{
					displayName: 'Renewal Term',
					name: 'renewalTerm',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: 12,
					description: 'Length of each renewal term (default: the initial term)',
				},
				{
					displayName: 'Renewal Term Period',
					name: 'renewalTermPeriodType',
					type: 'options',
					options: [
						{ name: 'Month', value: 'Month' },
						{ name: 'Year', value: 'Year' },
						{ name: 'Week', value: 'Week' },
						{ name: 'Day', value: 'Day' },
					],
					default: 'Month',
				},
				{
					displayName: 'Service Activation Date',
					name: 'serviceActivationDate',
					type: 'string',
					default: '',
					description: 'Only if the tenant requires it',
				},
				{
					displayName: 'Subscription Number',
					name: 'subscriptionNumber',
					type: 'string',
					default: '',
					placeholder: 'KL-12345678',
					description: 'Your own number, e.g. derived from the Kommo lead ID. If Zuora refuses the order because a subscription with this number exists, that subscription is returned.',
				},
			],
		),
	]),

	async execute(this: IExecuteFunctions, itemIndex: number) {
		const accountNumber = text(this.getNodeParameter('accountNumber', itemIndex));
		if (!accountNumber) {
			throw new NodeOperationError(this.getNode(), 'Account Number is empty', {
				itemIndex,
				description: 'Map the accountNumber from the "Account → Find or Create" step.',
			});
		}
		const productRatePlanId = text(this.getNodeParameter('productRatePlanId', itemIndex));
		if (!productRatePlanId) {
			throw new NodeOperationError(this.getNode(), 'No product rate plan chosen', {
				itemIndex,
				description: 'Pick the plan from the list or map its ID; an unmapped Kommo plan must stop here, not fall back to another plan.',
			});
		}
		const contractEffective = requireDate(this, this.getNodeParameter('contractEffectiveDate', itemIndex), 'Contract Effective Date', itemIndex);
		const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
		const optionalDate = (field: string, label: string) =>
			text(additional[field]) ? requireDate(this, additional[field], label, itemIndex) : undefined;
		const orderDate = optionalDate('orderDate', 'Order Date') ?? contractEffective;
		const subscriptionNumber = text(additional.subscriptionNumber);

		const termType = this.getNodeParameter('termType', itemIndex, 'TERMED') as string;
		const terms: IDataObject = {};
		if (termType === 'EVERGREEN') {
			terms.initialTerm = { termType: 'EVERGREEN', startDate: contractEffective };
		} else {
			const period = Number(this.getNodeParameter('initialTerm', itemIndex, 12));
			const periodType = this.getNodeParameter('initialTermPeriodType', itemIndex, 'Month') as string;
			if (!Number.isInteger(period) || period < 1) {
				throw new NodeOperationError(this.getNode(), `Initial Term ${period} is not a positive whole number`, { itemIndex });
			}
			terms.initialTerm = { termType: 'TERMED', period, periodType, startDate: contractEffective };
			terms.autoRenew = this.getNodeParameter('autoRenew', itemIndex, true) as boolean;
			terms.renewalSetting = (additional.renewalSetting as string) || 'RENEW_WITH_SPECIFIC_TERM';
			// Zuora: renewalTerms apply only with RENEW_WITH_SPECIFIC_TERM (CreateSubscriptionTerms).
			if (terms.renewalSetting === 'RENEW_WITH_SPECIFIC_TERM') {
				terms.renewalTerms = [
					{
						period: Number(additional.renewalTerm ?? period),
						periodType: (additional.renewalTermPeriodType as string) ?? periodType,
					},
				];
			}
		}
		const addOns = ((additional.addOnRatePlanIds as string[] | undefined) ?? []).map(text).filter(Boolean);
		const ratePlanIds = [productRatePlanId, ...addOns.filter((id) => id !== productRatePlanId)];
		const createSubscription: IDataObject = {
			terms,
			subscribeToRatePlans: ratePlanIds.map((id) => ({ productRatePlanId: id })),
		};
		// The new subscription's own number belongs to the CreateSubscription action
		// (spec: CreateOrderCreateSubscription.subscriptionNumber). subscriptions[].subscriptionNumber
		// names an EXISTING subscription to change and must stay empty for a new one.
		if (subscriptionNumber) createSubscription.subscriptionNumber = subscriptionNumber;
		if (text(additional.notes)) createSubscription.notes = text(additional.notes);
		const subscription: IDataObject = {
			orderActions: [
				{
					type: 'CreateSubscription',
					triggerDates: triggerDates({
						contractEffective,
						serviceActivation: optionalDate('serviceActivationDate', 'Service Activation Date'),
						customerAcceptance: optionalDate('customerAcceptanceDate', 'Customer Acceptance Date'),
					}),
					createSubscription,
				},
			],
		};
		const customFields = jsonParameter(this, additional.customFields, 'Custom Fields (JSON)', itemIndex);
		if (customFields) subscription.customFields = customFields;
		const body: IDataObject = { orderDate, existingAccountNumber: accountNumber, subscriptions: [subscription] };

		let order: IDataObject;
		try {
			order = await postOrder.call(this, body, 'order-create', additional.idempotencyKey, itemIndex);
		} catch (error) {
			// The number is taken (an earlier run, or another execution meanwhile) or the answer was
			// lost: the subscription of that number is the answer. Any other refusal is reported as is.
			if (!subscriptionNumber || !mayHaveCreated(error)) throw asNodeError(this, error, itemIndex);
			const existing = await findSubscription.call(this, subscriptionNumber, itemIndex);
			if (!existing) throw asNodeError(this, error, itemIndex);
			if (existing.accountNumber !== accountNumber) {
				throw new NodeOperationError(
					this.getNode(),
					`Subscription ${subscriptionNumber} already exists on account ${String(existing.accountNumber)}, not ${accountNumber}`,
					{ itemIndex, description: 'Use another subscription number, or check which account the Kommo lead belongs to.' },
				);
			}
			return { ...existing, created: false, alreadyExisted: true, ...pendingInfo(existing.status) };
		}
		const numbers = (order.subscriptionNumbers as string[] | undefined) ?? [];
		const created = numbers[0] ?? ((order.subscriptions as IDataObject[] | undefined)?.[0]?.subscriptionNumber as string | undefined);
		if (!created) {
			throw new NodeOperationError(this.getNode(), `Zuora completed order ${String(order.orderNumber)} but named no subscription`, {
				itemIndex,
				description: 'Look the order up in Zuora (Orders) before running again.',
			});
		}
		const details = await getSubscription.call(this, created, itemIndex);
		return { ...details, created: true, ...pendingInfo(details.status), order: orderSummary(order) };
	},
};
