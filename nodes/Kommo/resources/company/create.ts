/** Company → Create: a company with its phone, email, website, address, custom fields and tags (`POST /api/v4/companies`). */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { createdEntity } from '../../entities';
import { kommoApiRequest } from '../../transport';
import { runPerItem, show } from '../common';
import { customFieldsParameter, sendFieldWrite } from '../fields';
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
	additionalFieldsCollection([...companyFieldOptions, tagsField], display),
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
		const response = await sendFieldWrite.call(this, 'companies', built.names, async () => await kommoApiRequest.call(this, 'POST', '/api/v4/companies', { body: [body], itemIndex: i }));
		const created = createdEntity(response, 'company', this.getNode(), i);
		return { id: created.id, name: body.name, ...(tags.length ? { tags: tags.map((t) => t.name) } : {}), custom_fields_map: built.written };
	});
}
