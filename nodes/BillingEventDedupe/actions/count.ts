import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { assertSavedWorkflow } from './common';

export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	assertSavedWorkflow(this);
	const count = await this.helpers.getProcessedDataCount('workflow', { mode: 'entries' });
	return [[{ json: { count }, pairedItem: { item: 0 } }]];
}
