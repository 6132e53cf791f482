/** Lead → Get Many: leads, newest first, optionally those matching Kommo's full-text search (`GET /api/v4/leads?query=`). */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { returnAllAndLimit } from '../../../shared/list-parameters';
import { shapeLead } from '../../entities';
import { runPerItem, show } from '../common';
import { getMany, searchTextField } from '../list';
import { simplifyLead, simplifyParameter } from '../simplify';

const display = show('lead', 'getAll');

export const description: INodeProperties[] = [...returnAllAndLimit(display), searchTextField('lead', display), simplifyParameter(display)];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const leads = await getMany(this, 'leads', i, { with: 'contacts' });
		const simplify = this.getNodeParameter('simplify', i, true) as boolean;
		return leads.map((l) => (simplify ? simplifyLead(shapeLead(l)) : shapeLead(l)));
	});
}
