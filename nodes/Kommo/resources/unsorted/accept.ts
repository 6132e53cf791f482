/**
 * Incoming Lead → Accept: turns an incoming lead into a real lead in its pipeline, optionally in
 * a chosen stage and on behalf of a chosen user. POST /api/v4/leads/unsorted/{uid}/accept with
 * `{user_id?, status_id?}` (developers.kommo.com, "Accepting incoming leads").
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { kommoLocator, locatorId } from '../../locators';
import { kommoApiRequest } from '../../transport';
import { runPerItem, show } from '../common';
import { shapeIncoming, uidParameter } from './shared';

const display = show('unsorted', 'accept');

export const description: INodeProperties[] = [
	kommoLocator(
		'status',
		'stage',
		'Stage',
		display,
		'The stage the accepted lead goes to, in the pipeline of the incoming lead; leave empty for Kommo\'s default (the first stage after Incoming leads)',
		false,
	),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const uid = uidParameter(this, i);
		const body: IDataObject = {};
		const userId = locatorId(this, 'userId', 'user', i, false);
		if (userId !== undefined) body.user_id = userId;
		const statusId = locatorId(this, 'stage', 'status', i, false);
		if (statusId !== undefined) body.status_id = statusId;
		const response = await kommoApiRequest.call(this, 'POST', `/api/v4/leads/unsorted/${encodeURIComponent(uid)}/accept`, {
			body,
			itemIndex: i,
		});
		return { ...shapeIncoming({ uid, ...(response ?? {}) }), accepted: true };
	});
}
