import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requirePaddleId } from '../../helpers';
import { paddleData } from '../../transport';
import { forOperation } from '../common';
import { simplifyFieldSinceV11, simplifyOne } from '../simplify';
import { notificationIdField } from './shared';

export const description: INodeProperties[] = forOperation('notification', 'get', [notificationIdField, simplifyFieldSinceV11]);

/** GET /notifications/{id}: the notification (simplified: its event_id; whole: the event under payload). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('notificationId', itemIndex), 'ntf', 'Notification ID', itemIndex);
	const notification = (await paddleData.call(this, { method: 'GET', path: `/notifications/${encodeURIComponent(id)}`, itemIndex })) as IDataObject;
	return simplifyOne.call(this, itemIndex, 'notification', notification);
}
