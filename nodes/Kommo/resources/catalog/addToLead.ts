/**
 * Catalog → Add Element to Lead: puts a product (catalog element) on a deal with a quantity.
 * POST /api/v4/leads/link with `[{entity_id, to_entity_id, to_entity_type: "catalog_elements",
 * metadata: {quantity, catalog_id}}]` (developers.kommo.com/reference/linking-entities).
 * Linking an element that is already on the lead sets its quantity.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { entityIdParameter } from '../../entities';
import { kommoLocator, locatorId } from '../../locators';
import { kommoApiRequest } from '../../transport';
import { entityLocator, runPerItem, show } from '../common';
import { linkOutput } from '../link/link';
import { idParameter } from '../link/shared';

const display = show('catalog', 'addToLead');

export const description: INodeProperties[] = [
	entityLocator('lead', 'leadId', display, 'The lead (deal) that gets the product'),
	kommoLocator('catalog', 'catalogId', 'Catalog', display, 'The catalog of the element, e.g. the products list; Catalog → Get Many lists the catalogs'),
	{
		displayName: 'Element ID',
		name: 'elementId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: display,
		placeholder: 'e.g. 8100001',
		description: 'The product (catalog element) to add: the ID from Catalog → Get Many Elements',
	},
	{
		displayName: 'Quantity',
		name: 'quantity',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 1,
		displayOptions: display,
		description: 'How many of the product the lead gets',
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const link = {
			entity_id: entityIdParameter(this, 'leadId', 'lead', i),
			to_entity_id: idParameter(this, 'elementId', 'element ID', i, 'Catalog → Get Many Elements lists the elements with their IDs.'),
			to_entity_type: 'catalog_elements',
			metadata: {
				quantity: Number(this.getNodeParameter('quantity', i, 1)),
				catalog_id: locatorId(this, 'catalogId', 'catalog', i) as number,
			},
		};
		const response = await kommoApiRequest.call(this, 'POST', '/api/v4/leads/link', { body: [link], itemIndex: i });
		return linkOutput(link, 'leads', response);
	});
}
