import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { uniqueKeys } from '../../dedupe';
import { runLocked } from './claim';
import { assertSavedWorkflow, keyProperties, keysOf } from './common';

export const description: INodeProperties[] = [
	...keyProperties('confirm'),
	{
		displayName:
			'Confirm makes final the keys that a Claim node with "Claim Is Final: After a Confirm Node" (Scope "Workflow", same Dedupe Key and Key Prefix) claimed: put it after the effect, before the webhook is answered with success. From then on redeliveries go to Duplicate.',
		name: 'confirmNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['confirm'] } },
	},
];

/**
 * One write, on purpose. Every write of n8n's history rewrites the whole row, so a write from this
 * node can undo what a Claim node wrote in the same instant (see dedupe.ts); the fewer such writes,
 * the fewer chances. If a concurrent Claim's write undoes this one instead, the event is not lost
 * and not doubled: its lease keeps redeliveries waiting, after which a redelivery is a "retry" whose
 * effects look before they write.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	assertSavedWorkflow(this);
	const keys = uniqueKeys(keysOf(this, items.length));
	// No maxEntries: the Claim node trims the history to its History Size; a different limit here
	// would trim it too.
	await runLocked(this, 60, async () => {
		await this.helpers.checkProcessedAndRecord(keys, 'workflow', { mode: 'entries' });
	});
	return [items.map((item, index) => ({ ...item, pairedItem: { item: index } }))];
}
