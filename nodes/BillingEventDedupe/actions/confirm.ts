import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { CONFIRM_VERIFY_DELAYS_MS } from '../history';
import { uniqueKeys } from '../keys';
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
 * Records the keys, then checks a moment later that they are still there. Every write of n8n's
 * history rewrites the whole row, and only executions of one node are serialised by the lock (see
 * lock.ts): a Claim node writing in the same instant can undo this write. The check records again
 * what was undone, until a check finds every key in place.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	assertSavedWorkflow(this);
	const keys = uniqueKeys(keysOf(this, items.length));
	// No maxEntries: the Claim node trims the history to its History Size; a different limit here
	// would trim it too.
	const record = async () =>
		await runLocked(this, 60, async () => await this.helpers.checkProcessedAndRecord(keys, 'workflow', { mode: 'entries' }));
	await record();
	for (const delay of CONFIRM_VERIFY_DELAYS_MS) {
		await sleep(delay);
		if ((await record()).new.length === 0) break;
	}
	return [items.map((item, index) => ({ ...item, pairedItem: { item: index } }))];
}
