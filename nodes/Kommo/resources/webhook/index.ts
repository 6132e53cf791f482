import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/descriptions';
import type { KommoOperation } from '../common';
import * as checkHealth from './checkHealth';

export const webhookOperations: INodeProperties = operationSelector('webhook', 'checkHealth', [
	{
		name: 'Check and Heal',
		value: 'checkHealth',
		description: 'List the webhooks to your n8n and re-enable those Kommo switched off (needs an administrator)',
		action: 'Check and heal webhooks',
	},
]);

export const webhookFields: INodeProperties[] = [...checkHealth.description];

export const webhookExecute: Record<string, KommoOperation> = { checkHealth: checkHealth.execute };
