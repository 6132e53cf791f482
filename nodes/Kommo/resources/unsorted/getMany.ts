/**
 * Incoming Lead → Get Many: the leads waiting in Kommo's "Incoming leads" stage (forms, calls,
 * mail, chats) that nobody accepted or declined yet. GET /api/v4/leads/unsorted with
 * filter[category][], filter[pipeline_id] and order[created_at]
 * (kommo.com/developers/content/api_v4/incoming-leads).
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { filtersCollection } from '../../../shared/descriptions';
import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';
import { kommoLocator, locatorId } from '../../locators';
import { kommoGetAll } from '../../transport';
import { runPerItem, show } from '../common';
import { shapeIncoming } from './shared';

const display = show('unsorted', 'getMany');

export const description: INodeProperties[] = [
	...returnAllAndLimit(display),
	filtersCollection(
		[
			{
				displayName: 'Categories',
				name: 'categories',
				type: 'multiOptions',
				options: [
					{ name: 'Chats', value: 'chats' },
					{ name: 'Forms', value: 'forms' },
					{ name: 'Mail', value: 'mail' },
					{ name: 'Calls (SIP)', value: 'sip' },
				],
				default: [],
				description: 'Only incoming leads from these sources',
			},
			{
				displayName: 'Newest First',
				name: 'newestFirst',
				type: 'boolean',
				default: false,
				description: 'Whether to list the newest incoming leads first (by creation time)',
			},
		],
		display,
	),
	kommoLocator(
		'pipeline',
		'pipeline',
		'Pipeline',
		display,
		'Only incoming leads of this pipeline; leave empty for every pipeline (Pipeline → Get Many lists them)',
		false,
	),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const limit = listLimit(this, i);
		const filters = this.getNodeParameter('filters', i, {}) as { categories?: string[]; newestFirst?: boolean };
		const pipelineId = locatorId(this, 'pipeline', 'pipeline', i, false);
		const list = await kommoGetAll.call(
			this,
			'/api/v4/leads/unsorted',
			'unsorted',
			{
				'filter[category][]': filters.categories?.length ? filters.categories : undefined,
				'filter[pipeline_id]': pipelineId,
				'order[created_at]': filters.newestFirst ? 'desc' : 'asc',
			},
			limit,
		);
		return list.map(shapeIncoming);
	});
}
