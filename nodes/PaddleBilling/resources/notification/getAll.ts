/**
 * Notification → Get Many (`GET /notifications`, spec operation list-notifications): the
 * deliveries of the last 90 days, with the filters the spec offers (status,
 * notification_setting_id, search, filter, from, to; `after` cursor; per_page ≤ 200). Newest first
 * (the default `order_by=id[DESC]`).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { filtersCollection } from '../../../shared/descriptions';
import { requirePaddleId, requireString } from '../../helpers';
import { paddleList } from '../../transport';
import { forOperation } from '../common';
import { isoDate } from '../subscription/pause';
import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';
import { simplifyFieldSinceV11, simplifyMany } from '../simplify';

export const description: INodeProperties[] = forOperation('notification', 'getAll', [
	...returnAllAndLimit(),
	simplifyFieldSinceV11,
	filtersCollection(
		[
			{
				displayName: 'After Notification ID',
				name: 'afterNotificationId',
				type: 'string',
				default: '',
				placeholder: 'ntf_01hv97zsr34dfd2e6wd9cswxmr',
				description: "Paddle's cursor: only notifications listed after this one (older, as the list is newest first)",
			},
			{
				displayName: 'Destination IDs',
				name: 'notificationSettingIds',
				type: 'string',
				default: '',
				placeholder: 'ntfset_01gt21c5pdx9q1e4mh1xrsjjn6',
				description: 'Only notifications sent to these notification destinations (ntfset_…), comma-separated',
			},
			{
				displayName: 'Entity ID',
				name: 'entityId',
				type: 'string',
				default: '',
				placeholder: 'sub_01gw4rrmfrqcwkhjm04hr3ah4n',
				description: 'Only notifications about this transaction, customer or subscription (txn_…, ctm_… or sub_…)',
			},
			{
				displayName: 'From',
				name: 'from',
				type: 'dateTime',
				default: '',
				description: 'Only notifications from this time on',
			},
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				description: 'Text to look for in the notification ID and event type (at most 100 characters)',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: [
					{ name: 'Delivered', value: 'delivered', description: 'Delivered successfully' },
					{ name: 'Failed', value: 'failed', description: 'Not delivered, and Paddle no longer retries (after 3 days in live)' },
					{ name: 'Needs Retry', value: 'needs_retry', description: 'Not delivered yet; Paddle will try again' },
					{ name: 'Not Attempted', value: 'not_attempted', description: 'Paddle has not tried to deliver it yet' },
				],
				default: [],
			},
			{
				displayName: 'To',
				name: 'to',
				type: 'dateTime',
				default: '',
				description: 'Only notifications up to this time',
			},
		],
	),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = listLimit(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs: IDataObject = { per_page: 200 };
	const statuses = ((filters.status ?? []) as string[]).filter(Boolean);
	if (statuses.length > 0) qs.status = statuses.join(',');
	const settings = String(filters.notificationSettingIds ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
	settings.forEach((s, i) => requirePaddleId.call(this, s, 'ntfset', `Destination IDs[${i + 1}]`, itemIndex));
	if (settings.length > 0) qs.notification_setting_id = settings.join(',');
	if (filters.search) {
		const search = requireString.call(this, filters.search, 'Search', itemIndex, 'Enter text or remove the filter.');
		if (search.length > 100) {
			// spec `search_query`: maxLength 100
			throw new NodeOperationError(this.getNode(), `Search has ${search.length} characters; Paddle allows at most 100.`, { itemIndex });
		}
		qs.search = search;
	}
	if (filters.entityId) qs.filter = String(filters.entityId).trim();
	const from = isoDate.call(this, filters.from, 'From', itemIndex);
	if (from) qs.from = from;
	const to = isoDate.call(this, filters.to, 'To', itemIndex);
	if (to) qs.to = to;
	if (filters.afterNotificationId) {
		qs.after = requirePaddleId.call(this, filters.afterNotificationId, 'ntf', 'After Notification ID', itemIndex);
	}
	const notifications = (await paddleList.call(this, { method: 'GET', path: '/notifications', qs, itemIndex }, limit)) as IDataObject[];
	return simplifyMany.call(this, itemIndex, 'notification', notifications);
}
