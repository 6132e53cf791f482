import type { INodeProperties } from 'n8n-workflow';

export const notificationIdField: INodeProperties = {
	displayName: 'Notification ID',
	name: 'notificationId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'ntf_01hv97zsr34dfd2e6wd9cswxmr',
	description: 'Paddle notification ID (ntf_…), e.g. the notification_id of a delivery or of Notification → Get Many',
};
