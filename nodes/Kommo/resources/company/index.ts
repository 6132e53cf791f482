import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import * as create from './create';
import * as get from './get';
import * as getAll from './getAll';
import * as update from './update';

export const companyOperations: INodeProperties = operationSelector('company', 'get', [
	{ name: 'Create', value: 'create', description: 'Create a company (name, phone, email, website, custom fields, tags)', action: 'Create a company' },
	{ name: 'Get', value: 'get', description: 'Get a company by ID, with its linked contact and lead IDs', action: 'Get a company' },
	{ name: 'Get Many', value: 'getAll', description: 'List companies, or search them by name, phone or any filled field', action: 'Get many companies' },
	{ name: 'Update', value: 'update', description: 'Update a company; the ID comes from Create or Get Many', action: 'Update a company' },
]);

export const companyFields: INodeProperties[] = [...create.description, ...get.description, ...getAll.description, ...update.description];

export const companyExecute: Record<string, KommoOperation> = { create: create.execute, get: get.execute, getAll: getAll.execute, update: update.execute };
