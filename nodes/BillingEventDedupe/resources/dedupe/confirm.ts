import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { RELEASE_CONFIRM_DELAYS_MS, recentLeaseEntries, uniqueKeys } from '../../dedupe';
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

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	assertSavedWorkflow(this);
	const keys = uniqueKeys(keysOf(this, items.length));
	// No maxEntries: the Claim node trims the history to its History Size; a different limit here
	// would trim it too.
	const record = async () =>
		await runLocked(this, 60, async () => {
			await this.helpers.checkProcessedAndRecord(keys, 'workflow', { mode: 'entries' });
		});
	await record();
	await runLocked(this, 60, async () => {
		const now = Date.now();
		await this.helpers.removeProcessed(keys.flatMap((key) => recentLeaseEntries(key, now)), 'workflow', { mode: 'entries' });
	});
	// A Claim node that read the history just before our write can write it back without the key
	// (the lock only serialises executions of one node; see dedupe.ts). Recording is idempotent,
	// so it is repeated after any such write must have landed.
	for (const delay of RELEASE_CONFIRM_DELAYS_MS) {
		await sleep(delay);
		await record();
	}
	return [items.map((item, index) => ({ ...item, pairedItem: { item: index } }))];
}
