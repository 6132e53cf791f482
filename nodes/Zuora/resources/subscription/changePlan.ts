import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forOperation, requireDate, text } from '../../helpers';
import type { ItemOperation } from '../types';
import {
	getSubscription,
	orderOptions,
	orderSummary,
	ratePlanLoadOptions,
	requireSubscriptionNumber,
	subscriptionNumberField,
	triggerDates,
	postOrder,
} from './common';

/**
 * Subscription → Change Plan: one order with `RemoveProduct` actions for the
 * old rate plans and `AddProduct` actions for the new ones, all effective on
 * the same date. Computed against the subscription as it is now: plans that
 * are already gone are not removed again and plans already present are not
 * added again, so running the same change twice changes nothing
 * (`alreadyApplied: true`).
 */
export const changePlan: ItemOperation = {
	kind: 'item',
	description: forOperation('subscription', 'changePlan', [
		subscriptionNumberField,
		{
			displayName: 'New Rate Plan Names or IDs',
			name: 'addRatePlanIds',
			type: 'multiOptions',
			typeOptions: ratePlanLoadOptions,
			required: true,
			default: [],
			description:
				'Product rate plans to add. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Remove',
			name: 'removeMode',
			type: 'options',
			options: [
				{ name: 'All Other Rate Plans', value: 'allOthers', description: 'Replace the whole plan' },
				{ name: 'Selected Rate Plans', value: 'selected' },
				{ name: 'Nothing', value: 'none', description: 'Only add (e.g. an add-on)' },
			],
			default: 'allOthers',
		},
		{
			displayName: 'Rate Plans to Remove Names or IDs',
			name: 'removeRatePlanIds',
			type: 'multiOptions',
			typeOptions: ratePlanLoadOptions,
			default: [],
			displayOptions: { show: { removeMode: ['selected'] } },
			description:
				'Product rate plans to take off the subscription. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Effective Date',
			name: 'effectiveDate',
			type: 'string',
			required: true,
			default: '',
			placeholder: '2025-01-01',
			description: 'When the change takes effect (yyyy-mm-dd, ISO date-time or Unix seconds)',
		},
		orderOptions('Defaults to the effective date'),
	]),

	async execute(this: IExecuteFunctions, itemIndex: number) {
		const number = requireSubscriptionNumber.call(this, itemIndex);
		const list = (name: string) => {
			const raw = this.getNodeParameter(name, itemIndex, []) as string[] | string;
			return (Array.isArray(raw) ? raw : String(raw).split(',')).map(text).filter(Boolean);
		};
		const add = list('addRatePlanIds');
		const removeMode = this.getNodeParameter('removeMode', itemIndex) as string;
		const removeSelected = removeMode === 'selected' ? list('removeRatePlanIds') : [];
		if (add.length === 0 && removeSelected.length === 0) {
			throw new NodeOperationError(this.getNode(), 'Nothing to change: no rate plan to add or remove', { itemIndex });
		}
		const both = removeSelected.filter((id) => add.includes(id));
		if (both.length > 0) {
			throw new NodeOperationError(this.getNode(), `Rate plan ${both.join(', ')} is both added and removed`, { itemIndex });
		}
		const effective = requireDate(this, this.getNodeParameter('effectiveDate', itemIndex), 'Effective Date', itemIndex);
		const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
		const orderDate = text(additional.orderDate) ? requireDate(this, additional.orderDate, 'Order Date', itemIndex) : effective;

		const current = await getSubscription.call(this, number, itemIndex);
		if (current.status === 'Cancelled') {
			throw new NodeOperationError(this.getNode(), `Subscription ${number} is cancelled; its plan cannot change`, { itemIndex });
		}
		// Zuora keeps removed rate plans in later subscription versions, marked
		// lastChangeType "Remove" (spec GETSubscriptionRatePlanType.lastChangeType: Add | Update | Remove):
		// they are neither present (so switching back adds them again) nor removable a second time.
		const ratePlans = ((current.ratePlans ?? []) as IDataObject[]).filter((rp) => rp.lastChangeType !== 'Remove');
		const present = new Set(ratePlans.map((rp) => String(rp.productRatePlanId)));
		const toRemove = ratePlans.filter((rp) => {
			const id = String(rp.productRatePlanId);
			if (removeMode === 'allOthers') return !add.includes(id);
			return removeSelected.includes(id);
		});
		const toAdd = add.filter((id) => !present.has(id));
		const previous = ratePlans.map((rp) => ({ productRatePlanId: rp.productRatePlanId, ratePlanName: rp.ratePlanName }));
		if (toRemove.length === 0 && toAdd.length === 0) {
			return { ...current, alreadyApplied: true, previousRatePlans: previous };
		}
		const dates = triggerDates({ contractEffective: effective });
		const body: IDataObject = {
			orderDate,
			// Zuora: existingAccountNumber "actually specifies the invoice owner account" (POSTOrderRequestType);
			// GET /v1/subscriptions returns it apart from the subscription owner.
			existingAccountNumber: current.invoiceOwnerAccountNumber ?? current.accountNumber,
			subscriptions: [
				{
					subscriptionNumber: number,
					orderActions: [
						...toRemove.map((rp) => ({ type: 'RemoveProduct', triggerDates: dates, removeProduct: { ratePlanId: rp.id } })),
						...toAdd.map((id) => ({ type: 'AddProduct', triggerDates: dates, addProduct: { productRatePlanId: id } })),
					],
				},
			],
		};
		const order = await postOrder.call(this, body, 'order-change', additional.idempotencyKey, itemIndex);
		const after = await getSubscription.call(this, number, itemIndex);
		return { ...after, alreadyApplied: false, previousRatePlans: previous, order: orderSummary(order) };
	},
};
