import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import { tagDescription, tagExecute } from './common';

export const tagOperations: INodeProperties = operationSelector('tag', 'add', [
	{ name: 'Add', value: 'add', description: 'Add tags by name to a lead, contact or company, keeping its other tags', action: 'Add tags to a record' },
	{ name: 'Remove', value: 'remove', description: 'Remove tags by name from a lead, contact or company, keeping its other tags', action: 'Remove tags from a record' },
]);

export const tagFields: INodeProperties[] = [...tagDescription('add'), ...tagDescription('remove')];

export const tagExecuteMap: Record<string, KommoOperation> = { add: tagExecute('add'), remove: tagExecute('remove') };
