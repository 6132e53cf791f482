import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';
import { RELEASE_CONFIRM_DELAYS_MS } from '../history';
import { uniqueKeys } from '../keys';
import { recentLeaseEntries } from '../lease';
import { runLocked } from './claim';
import { assertSavedWorkflow, keyProperties, keysOf } from './common';

export const description: INodeProperties[] = [
	...keyProperties('release'),
	{
		displayName:
			'Release forgets keys claimed with Scope "Workflow" (with the same Dedupe Key and Key Prefix) and ends their lease, so the vendor\'s next delivery of the event is processed again. Put it on the failure path, then answer the webhook with a 5xx status.',
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
	const keys = uniqueKeys(keysOf(this, items.length));
	const remove = async () =>
		await runLocked(this, 60, async () => {
			// the keys, and the leases of claims made with "Claim Is Final: After a Confirm Node"
			const now = Date.now();
			await this.helpers.removeProcessed([...keys, ...keys.flatMap((key) => recentLeaseEntries(key, now))], 'workflow', {
				mode: 'entries',
			});
		});
	await remove();
	// A Claim node elsewhere in the workflow that read the history just before our removal can
	// write the key back (the lock only serialises executions of one node; see lock.ts). The
	// removal is idempotent, so it is repeated after any such write must have landed.
	for (const delay of RELEASE_CONFIRM_DELAYS_MS) {
		await sleep(delay);
		await remove();
	}
	return [items.map((item, index) => ({ ...item, pairedItem: { item: index } }))];
}
