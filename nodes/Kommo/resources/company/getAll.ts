/** Company → Get Many: companies, optionally those matching Kommo's full-text search (`GET /api/v4/companies?query=`). */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { returnAllAndLimit } from '../../../shared/list-parameters';
import { runPerItem, show } from '../common';
import { getMany, searchTextField } from '../list';
import { shapeCompany, simplifyCompany, simplifyParameter } from '../simplify';

const display = show('company', 'getAll');

export const description: INodeProperties[] = [
	...returnAllAndLimit(display),
	searchTextField('company', display),
	simplifyParameter(display),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const companies = await getMany(this, 'companies', i, {});
		const simplify = this.getNodeParameter('simplify', i, true) as boolean;
		return companies.map((c) => (simplify ? simplifyCompany(c) : shapeCompany(c)));
	});
}
