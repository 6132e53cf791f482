import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { activeOrArchivedStatus, filtersCollection } from '../../../shared/descriptions';
import { paddleList } from '../../transport';
import { forOperation } from '../common';
import { simplifyField, simplifyMany } from '../simplify';
import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';

export const description: INodeProperties[] = forOperation('discount', 'getAll', [
	...returnAllAndLimit(),
	simplifyField,
	filtersCollection(
		[
			{ displayName: 'Code', name: 'code', type: 'string', default: '', placeholder: 'WELCOME10', description: 'Only the discount with this checkout code (not case-sensitive)' },
			activeOrArchivedStatus,
		],
	),
]);

/** GET /discounts (needs discount.read): catalog (standard) discounts, newest first. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = listLimit(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs: IDataObject = { per_page: 200 };
	if (filters.status) qs.status = filters.status;
	if (filters.code) qs.code = String(filters.code).trim();
	const discounts = (await paddleList.call(this, { method: 'GET', path: '/discounts', qs, itemIndex }, limit)) as IDataObject[];
	return simplifyMany.call(this, itemIndex, 'discount', discounts);
}
