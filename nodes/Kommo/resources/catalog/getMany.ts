/**
 * Catalog → Get Many: the account's catalogs (Kommo "lists"), e.g. the products list, so that a
 * workflow can find the catalog ID that Get Many Elements and Add Element to Lead need.
 * GET /api/v4/catalogs (paged, at most 250 a page).
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';
import { kommoGetAll } from '../../transport';
import { runPerItem, show } from '../common';
import { simplifyCatalog, withoutLinks } from './shared';
import { simplifyParameter } from '../simplify';

const display = show('catalog', 'getMany');

export const description: INodeProperties[] = [...returnAllAndLimit(display), simplifyParameter(display)];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const limit = listLimit(this, i);
		const simplify = this.getNodeParameter('simplify', i, true) as boolean;
		const catalogs = await kommoGetAll.call(this, '/api/v4/catalogs', 'catalogs', {}, limit);
		return catalogs.map((c) => (simplify ? simplifyCatalog(c) : withoutLinks(c)));
	});
}
