import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import * as link from './link';
import * as unlink from './unlink';

export const linkOperations: INodeProperties = operationSelector('link', 'link', [
	{
		name: 'Link',
		value: 'link',
		description: 'Link a contact, company or product (catalog element, with a quantity) to a lead, or other records to each other',
		action: 'Link two records',
	},
	{
		name: 'Unlink',
		value: 'unlink',
		description: 'Remove the link between two records, e.g. a contact or a product from a lead',
		action: 'Unlink two records',
	},
]);

export const linkFields: INodeProperties[] = [...link.description, ...unlink.description];

export const linkExecute: Record<string, KommoOperation> = { link: link.execute, unlink: unlink.execute };
