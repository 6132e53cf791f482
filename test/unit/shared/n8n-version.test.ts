// On an n8n older than the supported range, a node that needs a helper the n8n lacks stops with a
// message naming the n8n version to update to, not with "x is not a function".
import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { BillingEventDedupe } from '../../../nodes/BillingEventDedupe/BillingEventDedupe.node';
import { OLDEST_SUPPORTED_N8N, requireN8nHelpers } from '../../../nodes/shared/n8n-version';

const node = { name: 'Claim', type: 'n8n-nodes-kommo-billing.billingEventDedupe', typeVersion: 1 } as INode;
const noop = async () => undefined;

describe('requireN8nHelpers', () => {
	test('passes when every helper exists', () => {
		expect(() => requireN8nHelpers({ helpers: { a: noop, b: noop }, getNode: () => node }, ['a', 'b'], 'Feature')).not.toThrow();
	});

	test('names the feature, the missing helpers and the n8n version to update to', () => {
		let error: unknown;
		try {
			requireN8nHelpers({ helpers: { a: noop, b: 'not a function' }, getNode: () => node }, ['a', 'b', 'c'], 'Feature X');
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toBe(`Feature X needs n8n ${OLDEST_SUPPORTED_N8N} or newer: this n8n does not provide b, c`);
		expect((error as NodeOperationError).description).toMatch(/Update n8n to version 1\.123 or newer/);
	});
});

describe('Billing Event Dedupe on an n8n without the deduplication helpers', () => {
	const contextWith = (operation: string, helpers: object) =>
		({
			getNodeParameter: (name: string) => (name === 'operation' ? operation : undefined),
			getNode: () => node,
			helpers,
		}) as unknown as IExecuteFunctions;

	test.each(['claim', 'confirm', 'release', 'count', 'clear'])('%s stops with the version it needs', async (operation) => {
		await expect(new BillingEventDedupe().execute.call(contextWith(operation, { httpRequest: noop }))).rejects.toThrow(
			'Billing Event Dedupe needs n8n 1.123 or newer: this n8n does not provide checkProcessedAndRecord, removeProcessed, getProcessedDataCount, clearAllProcessedItems',
		);
	});
});
