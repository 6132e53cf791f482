import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import * as addToLead from './addToLead';
import * as getElements from './getElements';
import * as getForLead from './getForLead';
import * as getMany from './getMany';

export const catalogOperations: INodeProperties = operationSelector('catalog', 'getElements', [
	{
		name: 'Add Element to Lead',
		value: 'addToLead',
		description: 'Put a product (catalog element) on a lead with a quantity; the element ID comes from Get Many Elements',
		action: 'Add a catalog element to a lead',
	},
	{
		name: 'Get Many',
		value: 'getMany',
		description: 'List the catalogs (Kommo lists), e.g. the products list, to find a catalog ID',
		action: 'Get many catalogs',
	},
	{
		name: 'Get Many Elements',
		value: 'getElements',
		description: 'List the elements (e.g. products) of a catalog, optionally by search text',
		action: 'Get many elements of a catalog',
	},
	{
		name: 'Get Many for Lead',
		value: 'getForLead',
		description: 'List the products (catalog elements) on a lead with their quantities, e.g. to map them to billing plans',
		action: 'Get many catalog elements of a lead',
	},
]);

export const catalogFields: INodeProperties[] = [
	...getMany.description,
	...getElements.description,
	...getForLead.description,
	...addToLead.description,
];

export const catalogExecute: Record<string, KommoOperation> = {
	getMany: getMany.execute,
	getElements: getElements.execute,
	getForLead: getForLead.execute,
	addToLead: addToLead.execute,
};
