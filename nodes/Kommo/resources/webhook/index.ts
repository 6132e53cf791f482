import type { INodeProperties } from 'n8n-workflow';

import type { KommoOperation } from '../common';
import * as checkHealth from './checkHealth';

export const webhookOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['webhook'] } },
	options: [
		{
			name: 'Check and Heal',
			value: 'checkHealth',
			description: 'List the webhooks to your n8n and re-enable those Kommo switched off (needs an administrator)',
			action: 'Check and heal webhooks',
		},
	],
	default: 'checkHealth',
};

export const webhookFields: INodeProperties[] = [...checkHealth.description];

export const webhookExecute: Record<string, KommoOperation> = { checkHealth: checkHealth.execute };
