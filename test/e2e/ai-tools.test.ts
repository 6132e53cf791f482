// Our nodes as AI-agent tools in a real n8n: n8n generates a `<name>Tool` node type for every node
// whose description says `usableAsTool` (n8n's createAiTools, run when it loads node types) and
// lists it in /types/nodes.json, the file the editor builds its node panel from. This checks that
// the packed package gets those tool types for its action nodes (Kommo, Chargebee, Paddle, Zuora),
// with an AI-tool output and n8n's tool-description parameter, and that the example agent
// workflow of docs/ai-agents.md imports and refers only to node types and parameters this n8n has.
// No language model is called: nothing here needs one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPackageJson, REPO_ROOT, startN8n, type N8nHandle, type WorkflowJson } from '../../dev/n8n';

const pkg = repoPackageJson();
const EXAMPLE = path.join(REPO_ROOT, 'docs', 'examples', 'ai-billing-status-agent.json');
/** The action nodes whose tool variants docs/ai-agents.md relies on. */
const ACTION_NODES = ['kommo', 'chargebeeBilling', 'paddleBilling', 'zuora'];

interface NodeTypeJson {
	name: string;
	displayName: string;
	version: number | number[];
	inputs?: unknown;
	outputs?: unknown;
	group?: string[];
	usableAsTool?: unknown;
	credentials?: Array<{ name: string }>;
	properties: Array<{ name: string }>;
}

/** Node descriptions of the built package, as n8n reads them (name → description). */
function builtDescriptions(): Map<string, NodeTypeJson> {
	const out = new Map<string, NodeTypeJson>();
	for (const file of pkg.n8n.nodes) {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const exported = require(path.join(REPO_ROOT, file)) as Record<string, new () => { description: NodeTypeJson }>;
		for (const Type of Object.values(exported)) {
			const { description } = new Type();
			out.set(description.name, description);
		}
	}
	return out;
}

const versionsOf = (type: NodeTypeJson) => (Array.isArray(type.version) ? type.version : [type.version]);

describe('our nodes as AI-agent tools in a real n8n', () => {
	let n8n: N8nHandle;
	let types: Map<string, NodeTypeJson>;
	const built = builtDescriptions();

	beforeAll(async () => {
		// imported, not published: publishing would register the chat trigger, which needs nothing here
		n8n = await startN8n({ name: 'ai-tools', workflows: [EXAMPLE], publish: false });
		types = new Map();
		for (const type of (await n8n.api.nodeTypes()) as unknown as NodeTypeJson[]) {
			// a versioned node (the AI Agent) comes as one entry per version group under one name
			const seen = types.get(type.name);
			types.set(type.name, seen ? { ...type, version: [...versionsOf(seen), ...versionsOf(type)] } : type);
		}
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	test('the four vendor action nodes are usable as tools (built package)', () => {
		for (const name of ACTION_NODES) expect(built.get(name)?.usableAsTool).toBeTruthy();
	});

	test.each(ACTION_NODES)('n8n lists %sTool with an AI-tool output, no main input and a tool description', (name) => {
		const tool = types.get(`${pkg.name}.${name}Tool`);
		const base = types.get(`${pkg.name}.${name}`);
		expect(base).toBeDefined();
		expect(tool).toBeDefined();
		const t = tool as NodeTypeJson;
		expect(t.displayName).toBe(`${(base as NodeTypeJson).displayName} Tool`);
		expect(t.inputs).toEqual([]);
		expect(t.outputs).toEqual(['ai_tool']);
		expect(t.properties.map((p) => p.name)).toEqual(expect.arrayContaining(['toolDescription', 'resource', 'operation']));
		// the tool uses the node's own credentials
		expect((t.credentials ?? []).map((c) => c.name)).toEqual((base?.credentials ?? []).map((c) => c.name));
	});

	test('every node of the package that says usableAsTool has its tool type, and no trigger has one', () => {
		const expected = [...built.values()].filter((d) => d.usableAsTool).map((d) => `${pkg.name}.${d.name}Tool`);
		expect(expected.length).toBeGreaterThanOrEqual(ACTION_NODES.length);
		for (const name of expected) expect(types.has(name)).toBe(true);
		for (const d of built.values()) {
			if (d.group?.includes('trigger')) expect(types.has(`${pkg.name}.${d.name}Tool`)).toBe(false);
		}
	});

	test('the example agent workflow imports, with node types and versions this n8n has', async () => {
		const file = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as WorkflowJson;
		const stored = await n8n.api.request<WorkflowJson>('GET', `/rest/workflows/${file.id}`);
		expect(stored.name).toBe(file.name);
		expect(stored.nodes.map((node) => node.name).sort()).toEqual(file.nodes.map((node) => node.name).sort());
		for (const node of stored.nodes) {
			const type = types.get(node.type);
			expect({ node: node.name, type: node.type, known: Boolean(type) }).toEqual({ node: node.name, type: node.type, known: true });
			expect(versionsOf(type as NodeTypeJson)).toContain(node.typeVersion);
		}
	});

	test('the example uses our four tools, each wired into the agent, with parameters the tool types have', () => {
		const file = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as WorkflowJson;
		const ours = file.nodes.filter((node) => node.type.startsWith(`${pkg.name}.`));
		expect(ours.map((node) => node.type).sort()).toEqual(ACTION_NODES.map((name) => `${pkg.name}.${name}Tool`).sort());
		const agent = file.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.agent');
		expect(agent).toBeDefined();
		const connections = file.connections as Record<string, { ai_tool?: Array<Array<{ node: string }>> }>;
		for (const node of ours) {
			expect(connections[node.name]?.ai_tool?.[0]?.map((c) => c.node)).toEqual([agent?.name]);
			const known = new Set((types.get(node.type) as NodeTypeJson).properties.map((p) => p.name));
			for (const parameter of Object.keys(node.parameters ?? {})) {
				expect({ node: node.name, parameter, known: known.has(parameter) }).toEqual({ node: node.name, parameter, known: true });
			}
			// the model fills the ids: every tool takes its id from $fromAI
			expect(JSON.stringify(node.parameters)).toContain('$fromAI(');
		}
	});
});
