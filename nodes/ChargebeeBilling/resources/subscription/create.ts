import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { InputError, KOMMO_META_KEY, jsonObject, parseLeadId, unixSeconds } from '../../helpers';
import {
	attempt,
	chargebeeErrorCode,
	chargebeeRequest,
	chargebeeRequestFull,
	deriveIdempotencyKey,
	idPath,
	type FormObject,
} from '../../transport';
import { checkCustomerId } from '../customer/fields';
import { locator, locatorValue } from '../../locators';
import { show } from '../types';
import { buildItems, itemsProperty, subscriptionOutput } from './fields';

const displayOptions = show('subscription', ['create']);

export const description: INodeProperties[] = [
	locator('customer', 'customerId', 'The existing customer who gets the subscription (Find or Create gives it)', displayOptions),
	itemsProperty(displayOptions),
	{
		displayName: 'Subscription ID',
		name: 'subscriptionId',
		type: 'string',
		default: '',
		placeholder: '=kommo-lead-{{ $json.leadId }}',
		description:
			'Optional ID of your choice. A deterministic ID protects against a second subscription even after the 30-minute idempotency window. Leave empty to let Chargebee choose.',
		displayOptions,
	},
	{
		displayName: 'Kommo Lead ID',
		name: 'kommoLeadId',
		type: 'string',
		default: '',
		description: 'Stored in the subscription\'s meta_data as kommo_lead_id, so that its events lead back to the Kommo lead',
		displayOptions,
	},
	{
		displayName: 'Start Date',
		name: 'startDate',
		type: 'dateTime',
		default: '',
		description: 'Start later than now (the subscription stays "future" until then). Leave empty to start now.',
		displayOptions,
	},
	additionalFieldsCollection(
		[
			{
				displayName: 'Auto Collection',
				name: 'autoCollection',
				type: 'options',
				options: [
					{ name: 'On', value: 'on' },
					{ name: 'Off', value: 'off' },
				],
				default: 'on',
				description: 'Whether invoices are charged automatically; default is the customer\'s setting',
			},
			{
				displayName: 'Coupon IDs',
				name: 'couponIds',
				type: 'string',
				default: '',
				description: 'Comma-separated coupon IDs to apply',
			},
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				description:
					'Sent as chargebee-idempotency-key (max 100 characters). By default it is derived from the request (customer, items, dates, meta data), so a retried run within 30 minutes gets the first subscription back instead of a second one.',
			},
			{
				displayName: 'If Subscription ID Already Exists',
				name: 'ifExists',
				type: 'options',
				options: [
					{ name: 'Stop With an Error', value: 'error' },
					{ name: 'Return the Existing Subscription', value: 'returnExisting', description: 'Only if it belongs to the same customer' },
				],
				default: 'returnExisting',
			},
			{
				displayName: 'Invoice Notes',
				name: 'invoiceNotes',
				type: 'string',
				default: '',
			},
			{
				displayName: 'Meta Data (JSON)',
				name: 'metaData',
				type: 'json',
				default: '{}',
				description: 'Extra meta_data; kommo_lead_id from the field above is added to it',
			},
			{
				displayName: 'PO Number',
				name: 'poNumber',
				type: 'string',
				default: '',
			},
			{
				displayName: 'Trial End',
				name: 'trialEnd',
				type: 'dateTime',
				default: '',
			},
		],
		displayOptions,
	),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const customerId = checkCustomerId(locatorValue.call(this, 'customerId', i, 'Customer', 'customer'));
	const subscriptionIdRaw = (this.getNodeParameter('subscriptionId', i, '') as string).trim();
	const subscriptionId = subscriptionIdRaw ? checkCustomerId(subscriptionIdRaw, 'Subscription ID') : undefined;
	const additional = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const leadId = parseLeadId(this.getNodeParameter('kommoLeadId', i, '') as string);

	const meta = { ...(jsonObject(additional.metaData, 'Meta Data (JSON)') ?? {}) };
	if (leadId !== undefined) meta[KOMMO_META_KEY] = leadId;
	const coupons = String(additional.couponIds ?? '')
		.split(',')
		.map((c) => c.trim())
		.filter(Boolean);

	const form: FormObject = {
		...(subscriptionId ? { id: subscriptionId } : {}),
		subscription_items: await buildItems.call(this, i, true),
		start_date: unixSeconds(this.getNodeParameter('startDate', i, ''), 'Start Date'),
		trial_end: unixSeconds(additional.trialEnd, 'Trial End'),
		auto_collection: additional.autoCollection as string | undefined,
		po_number: (additional.poNumber as string) || undefined,
		invoice_notes: (additional.invoiceNotes as string) || undefined,
		...(coupons.length > 0 ? { coupon_ids: coupons } : {}),
		...(Object.keys(meta).length > 0 ? { meta_data: meta } : {}),
	};
	const path = idPath('/customers/{id}/subscription_for_items', customerId);
	const key = String(additional.idempotencyKey ?? '').trim() || deriveIdempotencyKey('subscription-create', path, form);
	if (key.length > 100) throw new InputError('Idempotency Key is longer than Chargebee\'s 100 characters');

	const created = await attempt(
		chargebeeRequestFull.call(this, { method: 'POST', path, form, idempotencyKey: key, itemIndex: i }),
	);
	if (created.ok) {
		const replayed = created.value.headers['chargebee-idempotency-replayed'] === 'true';
		return subscriptionOutput(created.value.body as IDataObject, { outcome: replayed ? 'replayed' : 'created' });
	}
	// A deterministic Subscription ID that already exists: an earlier run (or person) made it.
	const ifExists = String(additional.ifExists ?? 'returnExisting');
	if (!subscriptionId || ifExists !== 'returnExisting' || chargebeeErrorCode(created.error) !== 'duplicate_entry') {
		throw created.error;
	}
	const body = (await chargebeeRequest.call(this, {
		method: 'GET',
		path: idPath('/subscriptions/{id}', subscriptionId),
		itemIndex: i,
	})) as IDataObject;
	const existing = body.subscription as IDataObject;
	if (existing.customer_id !== customerId) {
		throw new InputError(
			`Subscription ID "${subscriptionId}" already exists for another customer (${String(existing.customer_id)})`,
			'Choose a different Subscription ID; nothing was created.',
		);
	}
	return subscriptionOutput({ subscription: existing }, { outcome: 'already_exists' });
}
