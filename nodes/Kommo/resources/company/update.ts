/** Company → Update: name, phone, email, website, address, responsible user and custom fields (`PATCH /api/v4/companies/{id}`). */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateFieldsCollection } from '../../../shared/descriptions';
import { entityIdParameter } from '../../entities';
import { kommoApiRequest } from '../../transport';
import { entityLocator, runPerItem, show } from '../common';
import { customFieldsParameter, emptyValuesOption, sendFieldWrite } from '../fields';
import { fieldValuesFor } from '../write';
import { companyFieldOptions, companyWrite } from './fields';

const display = show('company', 'update');

export const description: INodeProperties[] = [
	entityLocator('company', 'companyId', display, 'The company to update (IDs come from Company → Create or Get Many)'),
	updateFieldsCollection([...companyFieldOptions, { displayName: 'Name', name: 'name', type: 'string', default: '', description: 'The company name' }], display),
	customFieldsParameter('company', display),
	{ displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, displayOptions: display, options: [emptyValuesOption] },
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const companyId = entityIdParameter(this, 'companyId', 'company', i);
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const { body, writes } = companyWrite(this, this.getNodeParameter('updateFields', i, {}) as IDataObject, i);
		const built = await fieldValuesFor(this, 'companies', writes, i, (options.emptyValues as 'skip' | 'clear') ?? 'skip');
		if (built.values.length > 0) body.custom_fields_values = built.values;
		if (Object.keys(body).length === 0) {
			throw new NodeOperationError(this.getNode(), `Nothing to update on company ${companyId}`, {
				itemIndex: i,
				description: 'Add a field under "Update Fields" or "Custom Fields" (empty values are skipped). Tags are changed with Tag → Add or Remove.',
			});
		}
		const response = await sendFieldWrite.call(this, 'companies', built.names, async () => await kommoApiRequest.call(this, 'PATCH', `/api/v4/companies/${companyId}`, { body, itemIndex: i }));
		const { custom_fields_values, ...written } = body;
		void custom_fields_values;
		return { id: companyId, updated_at: response?.updated_at ?? null, ...written, ...(built.names.length ? { custom_fields_map: built.written } : {}) };
	});
}
