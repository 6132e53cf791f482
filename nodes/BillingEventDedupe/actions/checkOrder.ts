/**
 * Check Order: one mechanism, for every vendor, that keeps a stale event (late, or redelivered
 * out of order) from overwriting newer state. Vendors deliver webhooks out of order and more
 * than once (Chargebee: docs "Webhooks" → out of order delivery; Paddle and Zuora likewise).
 *
 * The last applied version of each billing object lives where the state lives: on the Kommo
 * deal, in a text field (default "Billing versions") holding a small JSON map
 * {"chargebee:subscription:sub-1": "1735689600123", …}. The node compares the event's
 * `normalized.ordering` ({object, version}) with the map (compareOrderingVersions) and routes
 * the item to Current (apply it, and write `order.appliedVersions` back with the state) or
 * Stale (a newer version was applied: acknowledge, note at most). No store of its own: the
 * same field works in every worker of a queue-mode n8n.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { compareOrderingVersions, type BillingEventOrdering } from '../../shared/billing-event';
import { tagItem } from '../../shared/item-error';

const show = { show: { operation: ['checkOrder'] } };

/** The map keeps at most this many objects (most recent first): a deal has few subscriptions. */
const MAX_OBJECTS = 20;
const MAX_TEXT = 4000;

export const description: INodeProperties[] = [
	{
		displayName: 'Ordering',
		name: 'ordering',
		type: 'json',
		default: '={{ $json.normalized.ordering }}',
		displayOptions: show,
		description: 'The event\'s ordering key {object, version} (our triggers put it in normalized.ordering; null when the vendor gives none)',
	},
	{
		displayName: 'Applied Versions',
		name: 'appliedVersions',
		type: 'string',
		default: "={{ $json.custom_fields_map?.['Billing versions'] ?? '' }}",
		displayOptions: show,
		description: 'What the deal\'s "Billing versions" field holds (JSON written by this node before; empty at first)',
	},
];

export type OrderStatus = 'current' | 'stale' | 'unordered';

export interface OrderDecision extends IDataObject {
	status: OrderStatus;
	object: string | null;
	version: string | null;
	/** The version applied before, when there was one. */
	applied: string | null;
	/** What to write back to the deal's field together with the state (unchanged when stale). */
	appliedVersions: string;
}

function readMap(text: unknown): Record<string, string> {
	if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TEXT) return {};
	try {
		const parsed = JSON.parse(text) as unknown;
		if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
		const out: Record<string, string> = {};
		for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) if (typeof value === 'string') out[key] = value;
		return out;
	} catch {
		return {};
	}
}

function readOrdering(value: unknown): BillingEventOrdering | null {
	let v = value;
	if (typeof v === 'string') {
		if (v.trim() === '' || v.trim() === 'null') return null;
		try {
			v = JSON.parse(v) as unknown;
		} catch {
			return null;
		}
	}
	if (!v || typeof v !== 'object') return null;
	const { object, version, source } = v as IDataObject;
	if (typeof object !== 'string' || typeof version !== 'string' || object === '' || version === '' || object.length > 200 || version.length > 40) return null;
	return { object, version, source: source as BillingEventOrdering['source'] };
}

/** The decision for one event against the deal's field (pure; exported for tests). */
export function decideOrder(ordering: unknown, appliedText: unknown): OrderDecision {
	const order = readOrdering(ordering);
	const map = readMap(appliedText);
	const unchanged = typeof appliedText === 'string' ? appliedText : '';
	if (!order) return { status: 'unordered', object: null, version: null, applied: null, appliedVersions: unchanged };
	const applied = Object.prototype.hasOwnProperty.call(map, order.object) ? map[order.object] : null;
	if (applied !== null && compareOrderingVersions(order.version, applied) < 0) {
		return { status: 'stale', object: order.object, version: order.version, applied, appliedVersions: unchanged };
	}
	const next: Record<string, string> = { [order.object]: order.version };
	for (const [key, value] of Object.entries(map)) {
		if (key !== order.object && Object.keys(next).length < MAX_OBJECTS) next[key] = value;
	}
	return { status: 'current', object: order.object, version: order.version, applied, appliedVersions: JSON.stringify(next) };
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const current: INodeExecutionData[] = [];
	const stale: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		let decision: OrderDecision;
		try {
			decision = decideOrder(this.getNodeParameter('ordering', i, null), this.getNodeParameter('appliedVersions', i, ''));
		} catch (error) {
			throw tagItem(new NodeOperationError(this.getNode(), error as Error, { itemIndex: i }), i);
		}
		const out = { json: { ...items[i].json, order: decision }, pairedItem: { item: i } };
		(decision.status === 'stale' ? stale : current).push(out);
	}
	return [current, stale];
}
