/**
 * Catalog → Get Many for Lead: the products (catalog elements) on a deal with their quantities,
 * e.g. to start plan mapping from what the manager put on the deal. Reads the lead's links
 * (GET /api/v4/leads/{id}/links, developers.kommo.com/reference/linked-entities), then the
 * linked elements of each catalog in one request (GET /api/v4/catalogs/{id}/elements?filter[id]).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';
import { entityIdParameter } from '../../entities';
import { chunk, kommoApiRequest, kommoGetAll } from '../../transport';
import { entityLocator, runPerItem, show } from '../common';
import { simplifyElement, withoutLinks } from './shared';
import { simplifyParameter } from '../simplify';

const display = show('catalog', 'getForLead');

export const description: INodeProperties[] = [
	entityLocator('lead', 'leadId', display, 'The lead (deal) whose products to list'),
	...returnAllAndLimit(display),
	simplifyParameter(display),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const leadId = entityIdParameter(this, 'leadId', 'lead', i);
		const limit = listLimit(this, i);
		const simplify = this.getNodeParameter('simplify', i, true) as boolean;
		const response = await kommoApiRequest.call(this, 'GET', `/api/v4/leads/${leadId}/links`, { itemIndex: i });
		const links = (((response?._embedded as IDataObject | undefined)?.links ?? []) as IDataObject[])
			.filter((l) => l.to_entity_type === 'catalog_elements')
			.slice(0, limit);
		const byCatalog = new Map<number, IDataObject[]>();
		for (const l of links) {
			const catalogId = Number((l.metadata as IDataObject | undefined)?.catalog_id);
			byCatalog.set(catalogId, [...(byCatalog.get(catalogId) ?? []), l]);
		}
		const out: IDataObject[] = [];
		for (const [catalogId, catalogLinks] of byCatalog) {
			for (const part of chunk(catalogLinks, 250)) {
				const ids = part.map((l) => Number(l.to_entity_id));
				const elements = await kommoGetAll.call(this, `/api/v4/catalogs/${catalogId}/elements`, 'elements', { 'filter[id][]': ids });
				for (const l of part) {
					const element = elements.find((e) => Number(e.id) === Number(l.to_entity_id));
					const quantity = (l.metadata as IDataObject | undefined)?.quantity ?? null;
					if (!element) out.push({ id: l.to_entity_id, catalog_id: catalogId, quantity, deleted: true });
					else out.push(simplify ? simplifyElement(element, quantity) : { ...withoutLinks(element), quantity });
				}
			}
		}
		return out;
	});
}
