/** Contact → Get Many: contacts, optionally those matching Kommo's full-text search (`GET /api/v4/contacts?query=`). */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { returnAllAndLimit } from '../../../shared/list-parameters';
import { shapeContact } from '../../entities';
import { runPerItem, show } from '../common';
import { getMany, searchTextField } from '../list';
import { simplifyContact, simplifyParameter } from '../simplify';

const display = show('contact', 'getAll');

export const description: INodeProperties[] = [...returnAllAndLimit(display), searchTextField('contact', display), simplifyParameter(display)];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const contacts = await getMany(this, 'contacts', i, {});
		const simplify = this.getNodeParameter('simplify', i, true) as boolean;
		return contacts.map((c) => (simplify ? simplifyContact(c) : shapeContact(c)));
	});
}
