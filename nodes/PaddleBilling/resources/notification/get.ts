import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requirePaddleId } from '../../helpers';
import { paddleData } from '../../transport';
import { forOperation } from '../common';
import { notificationIdField } from './shared';

export const description: INodeProperties[] = forOperation('notification', 'get', [notificationIdField]);

/** GET /notifications/{id}: the notification with its payload (the event, payload.event_id). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('notificationId', itemIndex), 'ntf', 'Notification ID', itemIndex);
	return (await paddleData.call(this, { method: 'GET', path: `/notifications/${encodeURIComponent(id)}`, itemIndex })) as IDataObject;
}
