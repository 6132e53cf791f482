import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSavedWorkflow } from './common';

export const description: INodeProperties[] = [
	{
		displayName:
			'Clear History forgets every key this workflow has claimed (all Billing Event Dedupe nodes, both scopes). Every event the vendors redeliver afterwards is processed again.',
		name: 'clearNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['clear'] } },
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	assertSavedWorkflow(this);
	await this.helpers.clearAllProcessedItems('workflow', { mode: 'entries' });
	return [[{ json: { cleared: true }, pairedItem: { item: 0 } }]];
}
