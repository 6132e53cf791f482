/**
 * Link → Unlink: removes a link between two records, e.g. a contact from a lead or a product
 * from a lead. POST /api/v4/{entity_type}/unlink; Kommo answers 204 No Content.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { kommoApiRequest } from '../../transport';
import { runPerItem } from '../common';

import { readLink } from './shared';

// The parameters are the ones of Link (./shared.ts, shown for both operations).
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const { entityType, link } = readLink(this, i);
		await kommoApiRequest.call(this, 'POST', `/api/v4/${entityType}/unlink`, { body: [link], itemIndex: i });
		return { entity_type: entityType, ...link, unlinked: true };
	});
}
