// The demo's reading of workflows/*.json: which ones n8n can publish, where our triggers listen,
// and which prices the plan mappings name (the demo makes those exist in the sandboxes).
import path from 'node:path';

import { KommoSandbox } from '../../dev/sandbox/kommo';
import { isPublishable, loadWorkflows, planMappings, triggerPath, workflowFiles, type LoadedWorkflow } from '../../dev/demo/stack';
import { viewportFor } from '../../dev/screenshots/capture-layout';

const node = (type: string, extra: Record<string, unknown> = {}) => ({ name: type, type, parameters: {}, ...extra });
const workflow = (nodes: ReturnType<typeof node>[]): LoadedWorkflow['json'] => ({ name: 'w', nodes, connections: {} });

describe('demo stack helpers', () => {
	test('a workflow is published when a trigger or Webhook node starts it (n8n 2.x runs error workflows and sub-workflows only when published)', () => {
		expect(isPublishable(workflow([node('n8n-nodes-kommo-billing.kommoTrigger')]))).toBe(true);
		expect(isPublishable(workflow([node('n8n-nodes-base.webhook')]))).toBe(true);
		expect(isPublishable(workflow([node('n8n-nodes-base.errorTrigger'), node('n8n-nodes-kommo-billing.kommo')]))).toBe(true);
		expect(isPublishable(workflow([node('n8n-nodes-base.executeWorkflowTrigger'), node('n8n-nodes-kommo-billing.kommo')]))).toBe(true);
		expect(isPublishable(workflow([node('n8n-nodes-base.manualTrigger'), node('n8n-nodes-kommo-billing.kommo')]))).toBe(false);
		expect(isPublishable(workflow([node('n8n-nodes-kommo-billing.kommoTrigger', { disabled: true })]))).toBe(false);
	});

	test('trigger paths are <webhookId>/webhook, and /callout for the Zuora Trigger', () => {
		expect(triggerPath(node('n8n-nodes-kommo-billing.chargebeeBillingTrigger', { webhookId: 'abc' }))).toBe('abc/webhook');
		expect(triggerPath(node('n8n-nodes-kommo-billing.zuoraTrigger', { webhookId: 'z' }))).toBe('z/callout');
		expect(triggerPath(node('n8n-nodes-kommo-billing.kommoTrigger'))).toBeUndefined();
	});

	test('plan mappings are read per billing system, enum ids resolved to labels, expressions ignored', () => {
		const kommo = new KommoSandbox();
		const pro = kommo.field('leads', 'Plan').enums!.find((e) => e.value === 'Pro')!;
		const mapping = (billingSystem: string | undefined, rows: Array<{ kommoPlan: unknown; priceId: unknown }>) =>
			node('n8n-nodes-kommo-billing.billingPlanMapping', { parameters: { ...(billingSystem ? { billingSystem } : {}), mappings: { mapping: rows } } });
		const workflows: LoadedWorkflow[] = [
			{ file: 'a.json', published: true, json: workflow([mapping(undefined, [{ kommoPlan: 'Starter', priceId: 'starter-USD' }])]) },
			{ file: 'b.json', published: true, json: workflow([mapping('paddle', [{ kommoPlan: String(pro.id), priceId: 'pri_x' }, { kommoPlan: '={{ 1 }}', priceId: 'pri_y' }, { kommoPlan: 'Enterprise', priceId: '' }])]) },
		];
		expect(planMappings(workflows, kommo)).toEqual({ chargebee: { Starter: 'starter-USD' }, paddle: { Pro: 'pri_x' }, zuora: {} });
	});

	test('the shipped workflows load, each with a fixed id, and all are publishable (error workflow and sub-workflows included)', () => {
		const loaded = loadWorkflows(workflowFiles(path.join(__dirname, '..', '..', 'workflows')));
		for (const w of loaded) {
			expect(typeof w.json.id).toBe('string');
			expect(w.published).toBe(true);
		}
	});

	test('screenshots: big workflows get a bigger viewport, within bounds', () => {
		const small = viewportFor(workflow([node('a', { position: [0, 0] }), node('b', { position: [400, 0] })]));
		const big = viewportFor(workflow([node('a', { position: [0, 0] }), node('b', { position: [4000, 1800] })]));
		expect(small).toEqual({ width: 1440, height: 810 });
		expect(big.width).toBeGreaterThan(small.width);
		expect(big.width).toBeLessThanOrEqual(2880);
		expect(big.height).toBeLessThanOrEqual(1620);
	});
});
