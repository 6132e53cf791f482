import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { DateTime, IANAZone } from 'luxon';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { forOperation, text, timeZoneOf, toZuoraDate, unixMillis } from '../../helpers';
import { idempotencyKeyFor, stableIdempotencyKey, zuoraRequest } from '../../transport';
import type { ItemOperation } from '../types';

/**
 * A usage date-time as Zuora's spec types it: ProxyCreateUsage.StartDateTime / EndDateTime are
 * `format: date-time`, i.e. RFC 3339 with a UTC offset (OpenAPI 3.0 data types), at most 29
 * characters (Zuora reference, Usage object). Sent as `2025-01-31T10:00:00+01:00`.
 *
 * A date or a date-time without an offset is read in `zone` (an IANA name such as
 * Europe/Berlin: the tenant's time zone keeps a usage on the intended day); one with an offset or
 * `Z`, and Unix seconds/milliseconds, are instants and keep their moment.
 */
export function toDateTime(value: unknown, zone = 'UTC'): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (!IANAZone.isValidZone(zone)) return undefined;
	const raw = String(value).trim();
	let moment: DateTime;
	const ms = unixMillis(raw);
	if (ms !== undefined) {
		moment = DateTime.fromMillis(ms, { zone });
	} else {
		if (!/^\d{4}-\d{2}-\d{2}(?:$|[T ]\d{2}:\d{2})/.test(raw) || toZuoraDate(raw) === undefined) return undefined;
		const iso = raw.replace(' ', 'T');
		const hasOffset = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(iso.slice(10));
		moment = hasOffset ? DateTime.fromISO(iso, { setZone: true }) : DateTime.fromISO(iso, { zone });
	}
	if (!moment.isValid) return undefined;
	return moment.set({ millisecond: 0 }).toISO({ suppressMilliseconds: true, includeOffset: true, extendedZone: false }) ?? undefined;
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
			description: 'The account the usage is billed to (Account → Find by CRM ID or Find or Create gives its number)',
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
			description: 'How many units of the Unit of Measure were used',
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
			description:
				'When the usage happened: ISO date or date-time, or Unix seconds. Sent to Zuora with a UTC offset (2025-01-31T10:00:00+01:00); a value without one is read in the Time Zone below.',
		},
		{
			displayName: 'Time Zone',
			name: 'timeZone',
			type: 'string',
			default: '',
			placeholder: 'Europe/Berlin',
			description:
				"IANA time zone for dates and date-times without an offset; use your Zuora tenant's time zone so a usage lands on the intended day. Empty: the workflow's time zone.",
		},
		additionalFieldsCollection(
			[
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
		),
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
		const zone = timeZoneOf(this, this.getNodeParameter('timeZone', itemIndex, ''), itemIndex);
		const start = toDateTime(startRaw, zone);
		if (!start) throw problem(`Start Date-Time ${JSON.stringify(startRaw)} is not a date`, 'Use 2025-01-31, 2025-01-31T10:00:00 or Unix seconds.');
		const body: IDataObject = { AccountNumber: accountNumber, UOM: uom, Quantity: quantity, StartDateTime: start };
		if (text(additional.endDateTime)) {
			const end = toDateTime(additional.endDateTime, zone);
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
