import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { returnAllAndLimit } from '../../../shared/list-parameters';
import { CHARGEBEE_EVENT_TYPES } from '../../trigger/event-types';
import { InputError, unixSeconds } from '../../helpers';
import { maybeSimplifyAll, simplifyProperty } from '../../simplify';
import { chargebeeList } from '../../transport';
import { show } from '../types';

const displayOptions = show('event', ['list']);

const EVENT_OPTIONS: INodePropertyOptions[] = [...CHARGEBEE_EVENT_TYPES]
	.sort()
	.map((type) => ({ name: type.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()), value: type }));

export const description: INodeProperties[] = [
	{
		displayName: 'Occurred After',
		name: 'occurredAfter',
		type: 'dateTime',
		required: true,
		default: '',
		description: 'Only events after this moment (exclusive). To catch up, pass the occurred_at of the last event handled; Chargebee keeps events for a limited time.',
		displayOptions,
	},
	{
		displayName: 'Event Types',
		name: 'eventTypes',
		type: 'multiOptions',
		options: EVENT_OPTIONS,
		default: [],
		description: 'Only these event types; none selected returns every type',
		displayOptions,
	},
	...returnAllAndLimit(displayOptions),
	simplifyProperty(displayOptions),
];

/**
 * GET /events?occurred_at[after]=…&event_type[in]=[…]&sort_by[asc]=occurred_at: events oldest
 * first, so a flow that missed webhooks (downtime, a disabled endpoint) can replay them in order.
 * Each event carries its `id`: pass it through Billing Event Dedupe to skip what the trigger handled.
 */
export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const after = unixSeconds(this.getNodeParameter('occurredAfter', i, ''), 'Occurred After');
	if (after === undefined) throw new InputError('Occurred After is empty', 'Give the moment to catch up from, e.g. {{ $json.occurred_at }} of the last event handled.');
	const types = this.getNodeParameter('eventTypes', i, []) as string[];
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const events = await chargebeeList.call(this, '/events', 'event', {
		query: {
			'occurred_at[after]': String(after),
			...(types.length > 0 ? { 'event_type[in]': JSON.stringify(types) } : {}),
			'sort_by[asc]': 'occurred_at',
		},
		returnAll,
		limit: returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number),
		itemIndex: i,
	});
	return maybeSimplifyAll.call(this, i, 'event', events);
}
