/**
 * Tag → Add / Remove: tags by name on a lead, contact or company, with Kommo's `tags_to_add` /
 * `tags_to_delete` in one `PATCH /api/v4/{entity}/{id}`: only the named tags change, the others
 * stay (unlike `_embedded.tags`, which replaces them all).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { entityIdParameter, PLURAL, type KommoEntityName } from '../../entities';
import { kommoApiRequest } from '../../transport';
import { entityLocator, runPerItem, show } from '../common';
import { tagRefs } from '../write';

export function tagDescription(operation: 'add' | 'remove'): INodeProperties[] {
	const display = show('tag', operation);
	const verb = operation === 'add' ? 'add tags to' : 'remove tags from';
	return [
		{
			displayName: 'Entity Type',
			name: 'entityType',
			type: 'options',
			noDataExpression: true,
			displayOptions: display,
			options: [
				{ name: 'Company', value: 'company' },
				{ name: 'Contact', value: 'contact' },
				{ name: 'Lead', value: 'lead' },
			],
			default: 'lead',
			description: `The kind of record to ${verb}`,
		},
		...(['lead', 'contact', 'company'] as const).map((entity) =>
			entityLocator(entity, `${entity}Id`, show('tag', operation, { entityType: [entity] }), `The ${entity} to ${verb}`),
		),
		{
			displayName: 'Tags',
			name: 'tags',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. vip, billing',
			displayOptions: display,
			description:
				operation === 'add'
					? 'Tag names separated by commas; a name the account does not have yet is created. Tags already on the record stay.'
					: 'Tag names separated by commas; tags the record does not have are ignored. Other tags stay.',
		},
	];
}

export function tagExecute(operation: 'add' | 'remove') {
	return async function (this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
		return await runPerItem(this, items, async (i) => {
			const entity = this.getNodeParameter('entityType', i) as KommoEntityName;
			const id = entityIdParameter(this, `${entity}Id`, entity, i);
			const tags = tagRefs(this.getNodeParameter('tags', i, ''));
			if (tags.length === 0) {
				throw new NodeOperationError(this.getNode(), 'No tag names given', {
					itemIndex: i,
					description: 'Enter one or more tag names in "Tags", separated by commas (check the expression that fills it).',
				});
			}
			const body: IDataObject = operation === 'add' ? { tags_to_add: tags } : { tags_to_delete: tags };
			const response = await kommoApiRequest.call(this, 'PATCH', `/api/v4/${PLURAL[entity]}/${id}`, { body, itemIndex: i });
			return {
				id,
				entity_type: entity,
				[operation === 'add' ? 'tags_added' : 'tags_removed']: tags.map((t) => t.name),
				updated_at: response?.updated_at ?? null,
			};
		});
	};
}
