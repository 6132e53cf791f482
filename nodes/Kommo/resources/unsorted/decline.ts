/**
 * Incoming Lead → Decline: rejects an incoming lead (spam, duplicates). Kommo documents this as
 * DELETE /api/v4/leads/unsorted/{uid}/decline with `{user_id?}` (developers.kommo.com/reference/
 * declining-incoming-leads; the official PHP SDK and the community OpenAPI agree), not POST.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { locatorId } from '../../locators';
import { kommoApiRequest } from '../../transport';
import { runPerItem } from '../common';
import { shapeIncoming, uidParameter } from './shared';

// Its parameters (UID, user) are shared with Accept (./index.ts).
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const uid = uidParameter(this, i);
		const body: IDataObject = {};
		const userId = locatorId(this, 'userId', 'user', i, false);
		if (userId !== undefined) body.user_id = userId;
		const response = await kommoApiRequest.call(this, 'DELETE', `/api/v4/leads/unsorted/${encodeURIComponent(uid)}/decline`, {
			body,
			itemIndex: i,
		});
		return { ...shapeIncoming({ uid, ...(response ?? {}) }), declined: true };
	});
}
