/** Company → Create: a company with its phone, email, website, address, custom fields and tags (`POST /api/v4/companies`). */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forgetFieldDefinitions } from '../../custom-fields';
import { kommoApiRequest } from '../../transport';
import { runPerItem, show } from '../common';
import { customFieldsParameter, nameCustomFieldPaths } from '../fields';
import { fieldValuesFor, tagRefs, tagsField } from '../write';
import { companyFieldOptions, companyWrite } from './fields';

const display = show('company', 'create');

export const description: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Acme Corp',
		displayOptions: display,
		description: 'The company name. To avoid duplicates, look the company up first with Company → Get Many (Search Text).',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: display,
		options: [...companyFieldOptions, tagsField],
	},
	customFieldsParameter('company', display),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const fields: IDataObject = { ...(this.getNodeParameter('additionalFields', i, {}) as IDataObject), name: this.getNodeParameter('name', i) as string };
		const { body, writes } = companyWrite(this, fields, i);
		if (body.name === undefined) {
			throw new NodeOperationError(this.getNode(), 'The company name is empty', { itemIndex: i, description: 'Set "Name" (check the expression that fills it).' });
		}
		const built = await fieldValuesFor(this, 'companies', writes, i);
		if (built.values.length > 0) body.custom_fields_values = built.values;
		const tags = tagRefs(fields.tags);
		if (tags.length > 0) body.tags_to_add = tags;
		let response: IDataObject | undefined;
		try {
			response = await kommoApiRequest.call(this, 'POST', '/api/v4/companies', { body: [body], itemIndex: i });
		} catch (error) {
			if (built.names.length > 0) await forgetFieldDefinitions.call(this, 'companies');
			throw nameCustomFieldPaths(error, built.names);
		}
		const created = ((response?._embedded as IDataObject | undefined)?.companies as IDataObject[] | undefined)?.[0];
		if (!created?.id) {
			throw new NodeOperationError(this.getNode(), 'Kommo accepted the company but returned no ID', {
				itemIndex: i,
				description: 'Check in Kommo whether the company was created before running again.',
			});
		}
		return { id: created.id, name: body.name, ...(tags.length ? { tags: tags.map((t) => t.name) } : {}), custom_fields_map: built.written };
	});
}
