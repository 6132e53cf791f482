/** Company → Get: one company by ID, URL or from the list (`GET /api/v4/companies/{id}?with=contacts,leads`). */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { entityIdParameter } from '../../entities';
import { kommoApiRequest } from '../../transport';
import { entityLocator, runPerItem, show } from '../common';
import { shapeCompany, simplifyCompany, simplifyParameter } from '../simplify';

const display = show('company', 'get');

export const description: INodeProperties[] = [
	entityLocator('company', 'companyId', display, 'The company to read'),
	simplifyParameter(display),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const companyId = entityIdParameter(this, 'companyId', 'company', i);
		const company = await kommoApiRequest.call(this, 'GET', `/api/v4/companies/${companyId}`, { query: { with: 'contacts,leads' }, itemIndex: i });
		if (!company) {
			throw new NodeOperationError(this.getNode(), `Company ${companyId} was not found in Kommo`, {
				itemIndex: i,
				description: "Kommo answered with no content: the company may have been deleted, or the credential's user cannot see it.",
			});
		}
		return this.getNodeParameter('simplify', i, true) ? simplifyCompany(company) : shapeCompany(company);
	});
}
