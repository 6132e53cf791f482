import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { uniqueKeys } from '../../dedupe';
import { runLocked } from './claim';
import { assertSavedWorkflow, keyProperties, keysOf } from './common';

export const description: INodeProperties[] = [
	...keyProperties('release'),
	{
		displayName:
			'Release forgets keys claimed with Scope "Workflow" (with the same Dedupe Key and Key Prefix), so the vendor\'s next delivery of the event is processed again. Put it on the failure path, then answer the webhook with a 5xx status.',
		name: 'releaseNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['release'] } },
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	assertSavedWorkflow(this);
	const keys = keysOf(this, items.length);
	// serialised with other executions of this Release node (each removal rewrites the history row)
	await runLocked(this, 60, async () => {
		await this.helpers.removeProcessed(uniqueKeys(keys), 'workflow', { mode: 'entries' });
	});
	return [items.map((item, index) => ({ ...item, pairedItem: { item: index } }))];
}
