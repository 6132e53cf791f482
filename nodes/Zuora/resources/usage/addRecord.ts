import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forOperation, text, toZuoraDate } from '../../helpers';
import { idempotencyKeyFor, stableIdempotencyKey, zuoraRequest } from '../../transport';
import type { ItemOperation } from '../types';

/** ISO date-time for Zuora's CRUD API from a date, date-time or Unix time. */
export function toDateTime(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const raw = String(value).trim();
	if (/^\d{9,13}$/.test(raw)) return new Date(raw.length <= 11 ? Number(raw) * 1000 : Number(raw)).toISOString();
	if (!/^\d{4}-\d{2}-\d{2}(?:$|[T ]\d{2}:\d{2})/.test(raw) || toZuoraDate(raw) === undefined) return undefined;
	if (raw.length === 10) return `${raw}T00:00:00`;
	return Number.isNaN(Date.parse(raw.replace(' ', 'T'))) ? undefined : raw.replace(' ', 'T');
}

/**
 * Usage → Add Record: one usage record (`POST /v1/object/usage`). The
 * Idempotency-Key comes from the record (and the optional Record ID), so a
 * retried execution does not count the same usage twice.
 */
export const addRecord: ItemOperation = {
	kind: 'item',
	description: forOperation('usage', 'addRecord', [
		{
			displayName: 'Account Number',
			name: 'accountNumber',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'A00000001',
		},
		{
			displayName: 'Unit of Measure',
			name: 'uom',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'API Call',
			description: 'A unit of measure defined in the tenant (Settings → Billing → Units of Measure)',
		},
		{
			displayName: 'Quantity',
			name: 'quantity',
			type: 'number',
			required: true,
			default: 0,
		},
		{
			displayName: 'Start Date-Time',
			name: 'startDateTime',
			type: 'string',
			required: true,
			default: '',
			placeholder: '2025-01-31T10:00:00',
			description: 'When the usage happened: ISO date or date-time, or Unix seconds',
		},
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				{ displayName: 'Charge Number', name: 'chargeNumber', type: 'string', default: '' },
				{ displayName: 'Description', name: 'description', type: 'string', default: '' },
				{ displayName: 'End Date-Time', name: 'endDateTime', type: 'string', default: '' },
				{
					displayName: 'Idempotency Key',
					name: 'idempotencyKey',
					type: 'string',
					default: '',
					description: 'Overrides the key derived from the record',
				},
				{
					displayName: 'Record ID',
					name: 'recordId',
					type: 'string',
					default: '',
					description:
						'Your ID of this usage event: the same Record ID is recorded once, also when a later execution sends it again (for 24 h). Without it, every execution records its items.',
				},
				{ displayName: 'Subscription Number', name: 'subscriptionNumber', type: 'string', default: '' },
			],
		},
	]),

	async execute(this: IExecuteFunctions, itemIndex: number) {
		const accountNumber = text(this.getNodeParameter('accountNumber', itemIndex));
		const uom = text(this.getNodeParameter('uom', itemIndex));
		const quantity = Number(this.getNodeParameter('quantity', itemIndex));
		const startRaw = this.getNodeParameter('startDateTime', itemIndex);
		const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
		const problem = (message: string, description?: string) =>
			new NodeOperationError(this.getNode(), message, { itemIndex, description });
		if (!accountNumber) throw problem('Account Number is empty');
		if (!uom) throw problem('Unit of Measure is empty', 'Use a unit defined in Zuora, e.g. "API Call".');
		if (!Number.isFinite(quantity)) throw problem(`Quantity ${JSON.stringify(this.getNodeParameter('quantity', itemIndex))} is not a number`);
		const start = toDateTime(startRaw);
		if (!start) throw problem(`Start Date-Time ${JSON.stringify(startRaw)} is not a date`, 'Use 2025-01-31, 2025-01-31T10:00:00 or Unix seconds.');
		const body: IDataObject = { AccountNumber: accountNumber, UOM: uom, Quantity: quantity, StartDateTime: start };
		if (text(additional.endDateTime)) {
			const end = toDateTime(additional.endDateTime);
			if (!end) throw problem(`End Date-Time ${JSON.stringify(additional.endDateTime)} is not a date`);
			body.EndDateTime = end;
		}
		if (text(additional.subscriptionNumber)) body.SubscriptionNumber = text(additional.subscriptionNumber);
		if (text(additional.chargeNumber)) body.ChargeNumber = text(additional.chargeNumber);
		if (text(additional.description)) body.Description = text(additional.description);
		const idempotencyKey =
			text(additional.idempotencyKey) ||
			(text(additional.recordId)
				? stableIdempotencyKey('usage', { body, recordId: text(additional.recordId) })
				: idempotencyKeyFor.call(this, 'usage', body, itemIndex));
		const result = await zuoraRequest.call(this, {
			method: 'POST',
			path: '/v1/object/usage',
			body,
			idempotencyKey,
			itemIndex,
		});
		return { id: result.Id ?? null, success: true, ...body };
	},
};
