/**
 * Link → Link: links two records, e.g. a contact or company to a lead, or a product (catalog
 * element) to a lead with a quantity. POST /api/v4/{entity_type}/link; Kommo answers the links
 * it made (`_embedded.links`).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { kommoApiRequest } from '../../transport';
import { runPerItem, show } from '../common';
import { entityProperties, readLink } from './shared';

export const description: INodeProperties[] = [
	...entityProperties,
	{
		displayName: 'Quantity',
		name: 'quantity',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 1,
		displayOptions: show('link', 'link', { toEntityType: ['catalog_elements'] }),
		description: 'How many of the product the record gets (Kommo metadata "quantity")',
	},
	{
		displayName: 'Main Contact',
		name: 'mainContact',
		type: 'boolean',
		default: false,
		displayOptions: show('link', 'link', { entityType: ['leads', 'companies'], toEntityType: ['contacts'] }),
		description: 'Whether the contact becomes the main contact of the record',
	},
];

/** Kommo's answer for one link, or the link as sent when the answer has none. */
export function linkOutput(sent: IDataObject, entityType: string, response: IDataObject | undefined): IDataObject {
	const links = ((response?._embedded as IDataObject | undefined)?.links ?? []) as IDataObject[];
	const made = links.find((l) => Number(l.to_entity_id) === sent.to_entity_id && l.to_entity_type === sent.to_entity_type);
	return { entity_type: entityType, ...sent, metadata: sent.metadata ?? null, ...(made ?? {}) };
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const { entityType, link } = readLink(this, i);
		if (link.to_entity_type === 'catalog_elements') {
			(link.metadata as IDataObject).quantity = Number(this.getNodeParameter('quantity', i, 1));
		}
		if (link.to_entity_type === 'contacts' && this.getNodeParameter('mainContact', i, false) === true) {
			link.metadata = { main_contact: true };
		}
		const response = await kommoApiRequest.call(this, 'POST', `/api/v4/${entityType}/link`, { body: [link], itemIndex: i });
		return linkOutput(link, entityType, response);
	});
}
