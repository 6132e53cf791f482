/**
 * Notification → Replay (`POST /notifications/{id}/replay`, spec operation replay-notification):
 * Paddle creates a new notification (origin `replay`) for the same event and delivers it again,
 * signed at the time of sending. The event keeps its `event_id`, so a flow that dedupes on it
 * (Billing Event Dedupe on normalized.dedupeKey = paddle:<event ID>) drops the replay unless that
 * key was released first (docs/paddle.md, "Catching up missed events").
 *
 * Not repeated on an unclear failure (POST): a second replay is only another delivery of the same
 * event, which the dedupe drops, but it is not ours to send blindly.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requirePaddleId } from '../../helpers';
import { paddleData } from '../../transport';
import { forOperation } from '../common';
import { notificationIdField } from './shared';

export const description: INodeProperties[] = forOperation('notification', 'replay', [
	{
		...notificationIdField,
		description:
			'The notification to send again (ntf_…). Paddle replays only delivered or failed notifications that came from an event, not a replay.',
	},
	{
		displayName:
			'A replay keeps the event ID. A workflow that dedupes on it (the shipped Paddle events workflow does) drops the replay unless you first run Billing Event Dedupe → Release in that workflow with the key paddle: followed by the event ID.',
		name: 'replayNotice',
		type: 'notice',
		default: '',
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('notificationId', itemIndex), 'ntf', 'Notification ID', itemIndex);
	const data = (await paddleData.call(this, {
		method: 'POST',
		path: `/notifications/${encodeURIComponent(id)}/replay`,
		itemIndex,
	})) as IDataObject;
	return { notification_id: data.notification_id, replayed_notification_id: id };
}
