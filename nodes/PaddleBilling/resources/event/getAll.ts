/**
 * Event → Get Many: Paddle's event stream (`GET /events`, spec operation list-events), for catching
 * up on events the webhook did not deliver (Paddle retries a delivery for 3 days in live, then the
 * notification is `failed`; events are kept 90 days).
 *
 * What the API offers and what is done here:
 *  - `GET /events` takes only `after`, `order_by` (`id`, i.e. event_id) and `per_page` (≤ 200). It
 *    has no event-type or time filter, so both are applied here, to the events read.
 *  - Event ids sort by creation, so with `order_by=id[DESC]` (newest first) reading stops at the
 *    first page that reaches events older than Occurred Since (with a few minutes' margin, as
 *    `occurred_at` and id order may differ slightly). "Oldest First" since a time reads newest
 *    first down to that time and returns the events reversed, instead of paging through all 90 days.
 *  - `after` is Paddle's cursor, relative to the order: with id[ASC] it returns events newer than
 *    that event (the checkpoint to continue from), with id[DESC] older ones.
 */
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { filtersCollection } from '../../../shared/descriptions';
import { requirePaddleId } from '../../helpers';
import { normalizePaddleEvent } from '../../trigger/normalize';
import { paddleData, paddlePages } from '../../transport';
import { forOperation } from '../common';
import { isoDate } from '../subscription/pause';
import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';

/** `occurred_at` and event-id order may differ a little: keep reading this far past Occurred Since. */
export const ORDER_MARGIN_MS = 5 * 60_000;

export const description: INodeProperties[] = forOperation('event', 'getAll', [
	...returnAllAndLimit(),
	{
		displayName: 'Order',
		name: 'order',
		type: 'options',
		options: [
			{ name: 'Oldest First', value: 'oldestFirst', description: 'In the order the events occurred: the order to process a catch-up in' },
			{ name: 'Newest First', value: 'newestFirst', description: "Paddle's default order" },
		],
		default: 'oldestFirst',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'Normalized Billing Events',
				value: 'normalized',
				description:
					'{ normalized, event } per event, as the Paddle Billing Trigger emits, so a catch-up can feed the same Dedupe and Kommo steps (normalized.dedupeKey is paddle: plus the event ID, the key the webhook flow claims)',
			},
			{ name: 'Raw Events', value: 'raw', description: 'The events as Paddle returns them' },
		],
		default: 'normalized',
	},
	filtersCollection(
		[
			{
				displayName: 'After Event ID',
				name: 'afterEventId',
				type: 'string',
				default: '',
				placeholder: 'evt_01hv97725sakkxq0yqdqef4m6p',
				description:
					"Paddle's cursor: with Oldest First, only events after this one (store the last event ID you processed and continue from it); with Newest First, only events before it",
			},
			{
				displayName: 'Event Type Names or IDs',
				name: 'eventTypes',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getEventTypes' },
				default: [],
				description:
					'Only events of these types; none selected returns every type. Paddle\'s event list has no type filter, so the node reads all events and keeps these. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Occurred Since',
				name: 'occurredSince',
				type: 'dateTime',
				default: '',
				description:
					'Only events that occurred at or after this time (Paddle keeps events for 90 days). Paddle has no time filter: the node reads newest first and stops once the events are older.',
			},
		],
	),
]);

function occurredMs(event: IDataObject): number {
	const ms = Date.parse(String(event.occurred_at ?? ''));
	return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = listLimit(this, itemIndex);
	const oldestFirst = this.getNodeParameter('order', itemIndex, 'oldestFirst') === 'oldestFirst';
	const output = this.getNodeParameter('output', itemIndex, 'normalized') as string;
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const types = new Set(((filters.eventTypes ?? []) as string[]).filter(Boolean));
	const sinceText = isoDate.call(this, filters.occurredSince, 'Occurred Since', itemIndex);
	const since = sinceText === undefined ? undefined : Date.parse(sinceText);
	const after = filters.afterEventId
		? requirePaddleId.call(this, filters.afterEventId, 'evt', 'After Event ID', itemIndex)
		: undefined;

	const wanted = (event: IDataObject) =>
		(types.size === 0 || types.has(String(event.event_type))) && (since === undefined || occurredMs(event) >= since);
	// Oldest first since a time: read newest first down to that time, then reverse (see above).
	const readNewestFirst = !oldestFirst || (since !== undefined && after === undefined);
	const qs: IDataObject = { order_by: readNewestFirst ? 'id[DESC]' : 'id[ASC]', per_page: 200 };
	if (after) qs.after = after;
	// Newest first with a limit stops at the limit; reversed reading needs every event since the time.
	const stopAtLimit = !readNewestFirst || !oldestFirst;

	let events: IDataObject[] = [];
	pages: for await (const page of paddlePages.call(this, { method: 'GET', path: '/events', qs, itemIndex }) as AsyncGenerator<IDataObject[]>) {
		for (const event of page) {
			if (readNewestFirst && since !== undefined && occurredMs(event) < since - ORDER_MARGIN_MS) break pages;
			if (!wanted(event)) continue;
			events.push(event);
			if (stopAtLimit && events.length >= limit) break pages;
		}
	}
	// Always in event-id order (Paddle's order, the one the After Event ID cursor follows).
	if (oldestFirst && readNewestFirst) events.reverse();
	events = events.slice(0, limit);
	if (output === 'raw') return events;
	return events.map((event) => ({ normalized: normalizePaddleEvent(event) as unknown as IDataObject, event }));
}

/** Dropdown: Paddle's event types (`GET /event-types`, which needs no key permission). */
export async function getEventTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const types = (await paddleData.call(this, { method: 'GET', path: '/event-types' })) as IDataObject[];
	return (types ?? [])
		.map((t) => ({ name: String(t.name), value: String(t.name), description: typeof t.description === 'string' ? t.description : undefined }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
