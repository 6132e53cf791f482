/**
 * What Link and Unlink share: the entity, the entity linked to it, and Kommo's table of which
 * types can be linked to which (kommo.com/developers/content/api_v4/links-between-entities:
 * leads → contacts, companies, list elements; contacts → companies, customers, list elements;
 * companies → contacts, leads, customers, list elements; customers → contacts, companies, list
 * elements). Both use the bulk endpoints POST /api/v4/{entity_type}/link and …/unlink with
 * `[{entity_id, to_entity_id, to_entity_type, metadata?}]`.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { show } from '../common';

export const LINKABLE: Record<string, string[]> = {
	leads: ['contacts', 'companies', 'catalog_elements'],
	contacts: ['companies', 'customers', 'catalog_elements'],
	companies: ['contacts', 'leads', 'customers', 'catalog_elements'],
	customers: ['contacts', 'companies', 'catalog_elements'],
};

const LABEL: Record<string, string> = {
	leads: 'Lead',
	contacts: 'Contact',
	companies: 'Company',
	customers: 'Customer',
	catalog_elements: 'Catalog Element (Product)',
};

const display = show('link', ['link', 'unlink']);

export const entityProperties: INodeProperties[] = [
	{
		displayName: 'Entity Type',
		name: 'entityType',
		type: 'options',
		noDataExpression: true,
		options: ['leads', 'contacts', 'companies', 'customers'].map((value) => ({ name: LABEL[value], value })),
		default: 'leads',
		displayOptions: display,
		description: 'The kind of record the link starts from',
	},
	{
		displayName: 'Entity ID',
		name: 'entityId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: display,
		placeholder: 'e.g. 5000001',
		description: 'The ID of that record (Lead → Find / Get give lead IDs; Contact → Get gives contact IDs)',
	},
	{
		displayName: 'Linked Entity Type',
		name: 'toEntityType',
		type: 'options',
		noDataExpression: true,
		options: ['contacts', 'companies', 'leads', 'customers', 'catalog_elements'].map((value) => ({ name: LABEL[value], value })),
		default: 'contacts',
		displayOptions: display,
		description:
			'The kind of record to link to it. Kommo allows: lead → contact, company, catalog element; contact → company, customer, catalog element; company → contact, lead, customer, catalog element; customer → contact, company, catalog element.',
	},
	{
		displayName: 'Linked Entity ID',
		name: 'toEntityId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: display,
		placeholder: 'e.g. 6000001',
		description: 'The ID of the record to link; for a product, the element ID from Catalog → Get Many Elements',
	},
	{
		displayName: 'Catalog ID',
		name: 'elementCatalogId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: show('link', ['link', 'unlink'], { toEntityType: ['catalog_elements'] }),
		placeholder: 'e.g. 8001',
		description: 'The catalog (list) the element belongs to, from Catalog → Get Many',
	},
];

/** A positive integer parameter of item i. */
export function idParameter(ctx: IExecuteFunctions, name: string, what: string, itemIndex: number, hint: string): number {
	const raw = String(ctx.getNodeParameter(name, itemIndex, '') ?? '').trim();
	if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
		throw new NodeOperationError(ctx.getNode(), raw === '' ? `The ${what} is empty` : `"${raw}" is not a Kommo ${what}`, {
			itemIndex,
			description: hint,
		});
	}
	return Number(raw);
}

export interface LinkRequest {
	entityType: string;
	link: IDataObject;
}

/** The entity type and one link of item i, checked against Kommo's table of linkable types. */
export function readLink(ctx: IExecuteFunctions, itemIndex: number): LinkRequest {
	const entityType = String(ctx.getNodeParameter('entityType', itemIndex));
	const toEntityType = String(ctx.getNodeParameter('toEntityType', itemIndex));
	const allowed = LINKABLE[entityType] ?? [];
	if (!allowed.includes(toEntityType)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Kommo cannot link a ${LABEL[toEntityType] ?? toEntityType} to a ${LABEL[entityType] ?? entityType}`,
			{
				itemIndex,
				description: `A ${LABEL[entityType] ?? entityType} can be linked to: ${allowed.map((t) => LABEL[t]).join(', ')}. Swap the two sides or choose another Linked Entity Type.`,
			},
		);
	}
	const link: IDataObject = {
		entity_id: idParameter(ctx, 'entityId', 'entity ID', itemIndex, 'Enter the number of the record the link starts from.'),
		to_entity_id: idParameter(ctx, 'toEntityId', 'linked entity ID', itemIndex, 'Enter the number of the record to link.'),
		to_entity_type: toEntityType,
	};
	if (toEntityType === 'catalog_elements') {
		link.metadata = {
			catalog_id: idParameter(ctx, 'elementCatalogId', 'catalog ID', itemIndex, 'Catalog → Get Many lists the catalogs with their IDs.'),
		};
	}
	return { entityType, link };
}
