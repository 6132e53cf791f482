import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requirePaddleId } from '../../helpers';
import { paddleData } from '../../transport';
import { forOperation } from '../common';
import { changeItemsBody, changeItemsProperties } from './changeItems';
import { previewOutput } from './shared';

export const description: INodeProperties[] = forOperation('subscription', 'previewChangeItems', changeItemsProperties);

/**
 * PATCH /subscriptions/{id}/preview (needs subscription.read): what Change Items with the same
 * parameters would bill, without changing anything (immediate_transaction, next_transaction,
 * update_summary).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('subscriptionId', itemIndex), 'sub', 'Subscription ID', itemIndex);
	const body = await changeItemsBody.call(this, id, itemIndex);
	return previewOutput((await paddleData.call(this, { method: 'PATCH', path: `/subscriptions/${encodeURIComponent(id)}/preview`, body, itemIndex })) as IDataObject);
}
