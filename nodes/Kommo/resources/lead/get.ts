/**
 * Lead → Get: the lead with its contacts resolved in the same step (main
 * contact flattened as `contact`, all as `contacts`) and its custom fields
 * as `custom_fields_map`. All input items are read together: one request
 * per 50 leads plus one per 50 contacts.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { entityIdParameter, getShapedLeads } from '../../entities';
import { failedItem, itemError } from '../../../shared/operations';
import { entityLocator, show } from '../common';
import { simplifyLead, simplifyParameter } from '../simplify';

const display = show('lead', 'get');

export const description: INodeProperties[] = [
	entityLocator('lead', 'leadId', display, 'The lead to read'),
	{
		displayName: 'Include Contacts',
		name: 'includeContacts',
		type: 'boolean',
		default: true,
		displayOptions: display,
		description:
			"Whether to read the lead's contacts too (name, first/last name, email, phone). Costs one more request per 50 leads.",
	},
	// Since node version 1.1: version 1 workflows (all shipped ones) keep the full output.
	simplifyParameter(display, 1.1),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const ids: Array<number | Error> = items.map((_, i) => {
		try {
			return entityIdParameter(this, 'leadId', 'lead', i);
		} catch (error) {
			return error as Error;
		}
	});
	const includeContacts = this.getNodeParameter('includeContacts', 0, true) as boolean;
	const wanted = ids.filter((id): id is number => typeof id === 'number');
	let leads = new Map<number, IDataObject>();
	let batchError: unknown;
	if (wanted.length > 0) {
		try {
			leads = await getShapedLeads.call(this, wanted, includeContacts);
		} catch (error) {
			batchError = error;
		}
	}
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const id = ids[i];
		let error: unknown;
		if (id instanceof Error) error = id;
		else if (batchError) error = batchError;
		else if (!leads.has(id)) {
			error = new NodeOperationError(this.getNode(), `Lead ${id} was not found in Kommo`, {
				itemIndex: i,
				description: "Kommo answered with no content: the lead may have been deleted, or the credential's user cannot see it.",
			});
		}
		if (error === undefined) {
			const lead = leads.get(id as number) as IDataObject;
			out.push({ json: this.getNodeParameter('simplify', i, false) ? simplifyLead(lead) : lead, pairedItem: { item: i } });
			continue;
		}
		const nodeError = itemError(this, error, i);
		if (!this.continueOnFail()) throw nodeError;
		out.push(failedItem(nodeError, i));
	}
	return out;
}
