/** Contact → Get: the contact with email/phone flattened and its custom fields as a map. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { entityIdParameter, shapeContact } from '../../entities';
import { kommoApiRequest } from '../../transport';
import { entityLocator, runPerItem, show } from '../common';
import { simplifyContact, simplifyParameter } from '../simplify';

const display = show('contact', 'get');

export const description: INodeProperties[] = [
	entityLocator('contact', 'contactId', display, 'The contact to read (IDs come from Contact → Find, Get Many or a lead\'s contact)'),
	// Since node version 1.1: version 1 workflows keep the full output.
	simplifyParameter(display, 1.1),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const contactId = entityIdParameter(this, 'contactId', 'contact', i);
		const contact = await kommoApiRequest.call(this, 'GET', `/api/v4/contacts/${contactId}`, {
			query: { with: 'leads' },
			itemIndex: i,
		});
		if (!contact) {
			throw new NodeOperationError(this.getNode(), `Contact ${contactId} was not found in Kommo`, {
				itemIndex: i,
				description: "Kommo answered with no content: the contact may have been deleted, or the credential's user cannot see it.",
			});
		}
		return this.getNodeParameter('simplify', i, false) ? simplifyContact(contact) : shapeContact(contact);
	});
}
