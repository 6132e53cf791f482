/**
 * Catalog → Get Many Elements: the elements (e.g. products) of one catalog, optionally narrowed
 * by a search text. GET /api/v4/catalogs/{id}/elements (paged, `query` searches filled fields).
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';
import { kommoGetAll } from '../../transport';
import { kommoLocator, locatorId } from '../../locators';
import { runPerItem, show } from '../common';
import { simplifyElement, withoutLinks } from './shared';
import { simplifyParameter } from '../simplify';

const display = show('catalog', 'getElements');

export const description: INodeProperties[] = [
	kommoLocator('catalog', 'catalogId', 'Catalog', display, 'The catalog whose elements to list; Catalog → Get Many lists the catalogs'),
	{
		displayName: 'Search',
		name: 'query',
		type: 'string',
		default: '',
		displayOptions: display,
		placeholder: 'e.g. Pro plan',
		description: "Only elements whose name or fields contain this text (Kommo's full-text search); leave empty for all",
	},
	...returnAllAndLimit(display),
	simplifyParameter(display),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const catalogId = locatorId(this, 'catalogId', 'catalog', i) as number;
		const limit = listLimit(this, i);
		const simplify = this.getNodeParameter('simplify', i, true) as boolean;
		const query = String(this.getNodeParameter('query', i, '') ?? '').trim();
		const elements = await kommoGetAll.call(this, `/api/v4/catalogs/${catalogId}/elements`, 'elements', { query: query || undefined }, limit);
		return elements.map((e) => (simplify ? simplifyElement(e) : withoutLinks(e)));
	});
}
