/**
 * The shipped "Kommo Won → <vendor>" workflow files, checked without n8n: that they are what
 * tools/workflows/won.ts writes (npm run workflows), what an import needs
 * (fixed ids, the credential ids and names of the team brief, node types this package or n8n
 * provides), that every failure path ends in a Kommo task, and that expressions only name
 * nodes that exist. The real-n8n tests (test/e2e/won-*.test.ts) run them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { workflowText } from '../../../tools/workflows/builder';
import { wonWorkflows } from '../../../tools/workflows/won';

interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: string;
	webhookId?: string;
}
interface Workflow {
	id: string;
	name: string;
	active: boolean;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;
	settings: Record<string, unknown>;
}

const ROOT = path.join(__dirname, '..', '..', '..');
const PKG = 'n8n-nodes-kommo-billing.';
const CREDENTIALS: Record<string, { id: string; name: string }> = {
	kommoApi: { id: 'kbKommoApi000001', name: 'Kommo account' },
	chargebeeBillingApi: { id: 'kbChargebee00001', name: 'Chargebee Billing account' },
	paddleBillingApi: { id: 'kbPaddle00000001', name: 'Paddle Billing account' },
	zuoraOAuth2Api: { id: 'kbZuora000000001', name: 'Zuora OAuth2 client' },
};
const WON: Array<[string, string, string, string]> = [
	['kommo-won-to-chargebee.json', 'kbWonChargebee01', 'Chargebee', 'chargebeeBillingApi'],
	['kommo-won-to-paddle.json', 'kbWonPaddle00001', 'Paddle', 'paddleBillingApi'],
	['kommo-won-to-zuora.json', 'kbWonZuora000001', 'Zuora', 'zuoraOAuth2Api'],
];

const packageNodeTypes = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).n8n.nodes as string[]).map((file) => {
	const source = readFileSync(path.join(ROOT, file.replace(/^dist\//, '').replace(/\.js$/, '.ts')), 'utf8');
	// the node type's name: the `name` right after the class description's displayName
	return /INodeTypeDescription = \{\s*displayName: '[^']+',\s*name: '([A-Za-z]+)'/.exec(source)![1];
});

const load = (file: string) => JSON.parse(readFileSync(path.join(ROOT, 'workflows', file), 'utf8')) as Workflow;

/** Every string in the node's parameters. */
function strings(value: unknown, out: string[] = []): string[] {
	if (typeof value === 'string') out.push(value);
	else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
	else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
	return out;
}

/** Nodes reachable from `start` over the main connections. */
function reachable(workflow: Workflow, start: string): Set<string> {
	const seen = new Set<string>();
	const queue = [start];
	while (queue.length) {
		const name = queue.shift()!;
		if (seen.has(name)) continue;
		seen.add(name);
		for (const output of workflow.connections[name]?.main ?? []) for (const c of output ?? []) queue.push(c.node);
	}
	return seen;
}

describe.each(WON)('%s', (file, id, vendor, vendorCredential) => {
	const workflow = load(file);
	const byName = new Map(workflow.nodes.map((n) => [n.name, n]));
	const outputs = (name: string) => workflow.connections[name]?.main ?? [];

	test('fixed id, inactive on import, error workflow and v1 execution order', () => {
		expect(workflow.id).toBe(id);
		expect(workflow.active).toBe(false);
		expect(workflow.settings).toMatchObject({ executionOrder: 'v1', errorWorkflow: 'kbErrorToKommo01' });
	});

	test('unique node ids and names; node types exist (this package or n8n core)', () => {
		expect(new Set(workflow.nodes.map((n) => n.id)).size).toBe(workflow.nodes.length);
		expect(new Set(workflow.nodes.map((n) => n.name)).size).toBe(workflow.nodes.length);
		for (const node of workflow.nodes) {
			if (node.type.startsWith(PKG)) expect(packageNodeTypes).toContain(node.type.slice(PKG.length));
			else expect(node.type).toMatch(/^n8n-nodes-base\.(if|switch|noOp|stickyNote)$/);
		}
	});

	test('credentials are referenced exactly as the brief names them, and only where used', () => {
		for (const node of workflow.nodes) {
			for (const [type, ref] of Object.entries(node.credentials ?? {})) expect(ref).toEqual(CREDENTIALS[type]);
			const uses = Object.keys(node.credentials ?? {}).sort();
			if (node.type === `${PKG}kommo` || node.type === `${PKG}kommoTrigger`) expect(uses).toEqual(['kommoApi']);
			if (node.type === `${PKG}billingPlanMapping`) expect(uses).toEqual(['kommoApi', vendorCredential].sort());
			if (/(chargebeeBilling|paddleBilling|zuora)$/.test(node.type)) expect(uses).toEqual([vendorCredential]);
		}
	});

	test('a Kommo Trigger for Won with a fixed webhook id, and only this vendor\'s deals go on', () => {
		const trigger = byName.get('Deal won in Kommo')!;
		expect(trigger.type).toBe(`${PKG}kommoTrigger`);
		expect(trigger.webhookId).toBe(`kb-won-${vendor.toLowerCase()}`);
		expect(trigger.parameters).toMatchObject({ events: ['status_lead'], targetStatus: 'won' });
		const check = byName.get(`Billing system is ${vendor}?`)!;
		expect(JSON.stringify(check.parameters)).toContain(`"rightValue":"${vendor}"`);
	});

	test("provisioning depends on Kommo's fetched copy of the deal: status 142 in the webhook's pipeline (issue 16 item 4)", () => {
		// Get deal (success output) → Won in Kommo? → (true) the vendor check; (false) a stop.
		expect(outputs('Get deal')[0]).toEqual([{ node: 'Won in Kommo?', type: 'main', index: 0 }]);
		const check = byName.get('Won in Kommo?')!;
		const conditions = (check.parameters.conditions as { conditions: Array<{ leftValue: string; rightValue: unknown; operator: { operation: string } }> }).conditions;
		expect(conditions).toEqual([
			expect.objectContaining({ leftValue: '={{ $json.status_id }}', rightValue: 142, operator: expect.objectContaining({ operation: 'equals', type: 'number' }) }),
			expect.objectContaining({ leftValue: '={{ $json.pipeline_id }}', operator: expect.objectContaining({ operation: 'equals' }) }),
		]);
		expect((check.parameters.conditions as { combinator: string }).combinator).toBe('and');
		expect(outputs('Won in Kommo?')[0]).toEqual([{ node: `Billing system is ${vendor}?`, type: 'main', index: 0 }]);
		expect(outputs('Won in Kommo?')[1]).toEqual([{ node: 'Not won in Kommo: stop', type: 'main', index: 0 }]);
		// Every vendor-touching node lies behind the check.
		const behind = reachable(workflow, 'Won in Kommo?');
		for (const node of workflow.nodes) {
			if (/(chargebeeBilling|paddleBilling|zuora)$/.test(node.type)) expect(behind).toContain(node.name);
		}
	});

	test('every node that talks to Kommo or the vendor has its error output wired to a Kommo task', () => {
		const failure = byName.get('Task: provisioning failed')!;
		expect(failure.type).toBe(`${PKG}kommo`);
		for (const node of workflow.nodes) {
			const talks = node.type.startsWith(PKG) && !/Trigger$|billingEventDedupe$/.test(node.type) && !node.name.startsWith('Task:');
			if (!talks) continue;
			expect([node.name, node.onError]).toEqual([node.name, 'continueErrorOutput']);
			const errorOutput = outputs(node.name).at(-1) ?? [];
			expect([node.name, errorOutput.map((c) => c.node)]).toEqual([node.name, ['Task: provisioning failed']]);
		}
		// tasks are the last resort: if Kommo cannot take them, the execution fails → error workflow
		for (const task of workflow.nodes.filter((n) => n.name.startsWith('Task:'))) {
			expect(task.onError).toBeUndefined();
			expect(task.parameters).toMatchObject({ resource: 'task', operation: 'createForLead', responsibleUserId: { __rl: true, mode: 'list', value: '' }, dueType: 'relative' });
		}
	});

	test('the plan mapping: Unmapped → a task; no row maps to an empty price', () => {
		const mapping = byName.get('Plan mapping')!;
		expect(mapping.parameters).toMatchObject({ billingSystem: vendor.toLowerCase(), planField: 'Plan' });
		expect(outputs('Plan mapping')[1].map((c) => c.node)).toEqual(['Task: plan has no mapping']);
		const rows = (mapping.parameters.mappings as { mapping: Array<{ kommoPlan: string; priceId: string }> }).mapping;
		expect(rows.length).toBeGreaterThan(0);
		for (const row of rows) expect(row.priceId).not.toBe('');
	});

	test('skips: provisioned deals and redelivered webhooks stop before anything is created', () => {
		const provisioned = byName.get('Already provisioned?')!;
		expect(JSON.stringify(provisioned.parameters)).toContain("custom_fields_map['Subscription ID']");
		expect(outputs('Already provisioned?')[0].map((c) => c.node)).toEqual(['Provisioned before: stop']);
		expect(outputs('Already provisioned?')[1].map((c) => c.node)).toEqual(['Claim this Won event']);
		expect(outputs('Claim this Won event')[1].map((c) => c.node)).toEqual(['Same Won delivered twice: stop']);
		// nothing that writes to the vendor is reachable from the stop branches
		for (const stop of ['Provisioned before: stop', 'Same Won delivered twice: stop', `Not a ${vendor} deal`]) {
			expect([...reachable(workflow, stop)]).toEqual([stop]);
		}
	});

	test("expressions only name nodes of this workflow ($('…'))", () => {
		for (const node of workflow.nodes) {
			for (const text of strings(node.parameters)) {
				for (const [, name] of text.matchAll(/\$\('([^']+)'\)/g)) expect([node.name, byName.has(name)]).toEqual([node.name, true]);
			}
		}
	});

	test('connections point at existing nodes; every node but notes is connected', () => {
		const targets = new Set<string>();
		for (const [source, { main }] of Object.entries(workflow.connections)) {
			expect(byName.has(source)).toBe(true);
			for (const output of main) for (const c of output ?? []) {
				expect(byName.has(c.node)).toBe(true);
				targets.add(c.node);
			}
		}
		for (const node of workflow.nodes) {
			if (node.type === 'n8n-nodes-base.stickyNote' || node.name === 'Deal won in Kommo') continue;
			expect([node.name, targets.has(node.name)]).toEqual([node.name, true]);
		}
	});
});

test.each(Object.entries(wonWorkflows()))('workflows/%s is what the generator writes (npm run workflows)', (file, workflow) => {
	expect(readFileSync(path.join(ROOT, 'workflows', file), 'utf8')).toBe(workflowText(workflow));
});

test('the workflows folder holds each shipped Won workflow', () => {
	const files = readdirSync(path.join(ROOT, 'workflows'));
	for (const [file] of WON) expect(files).toContain(file);
});
