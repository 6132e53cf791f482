// The packed package, installed the way n8n installs community packages, loads in a real n8n
// 2.40.7: every node and credential listed in package.json is known to n8n under our package
// name and shows its icons, no copy of zod or n8n-workflow ships inside it, and a workflow using
// one of our nodes runs over HTTP.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ensureN8n, repoPackageJson, REPO_ROOT, startN8n, type N8nHandle } from '../../dev/n8n';
import { run } from '../../dev/n8n/util';

const FIXTURES = path.join(__dirname, 'fixtures');
const pkg = repoPackageJson();

/** `description.name` of every class exported by the built files package.json lists. */
function declaredNames(files: string[]): string[] {
	return files.flatMap((file) => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const exported = require(path.join(REPO_ROOT, file)) as Record<string, new () => unknown>;
		return Object.values(exported).map((Type) => {
			const instance = new Type() as { description?: { name?: string }; name?: string };
			const name = instance.description?.name ?? instance.name;
			if (!name) throw new Error(`${file} exports a class without a name`);
			return name;
		});
	});
}

/** Every folder called `name` below `dir`. */
function findDirs(dir: string, name: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, { withFileTypes: true })
		.filter((entry) => entry.isDirectory())
		.flatMap((entry) => {
			const full = path.join(dir, entry.name);
			return [...(entry.name === name ? [full] : []), ...findDirs(full, name)];
		});
}

describe('packed package in a real n8n', () => {
	let n8n: N8nHandle;

	beforeAll(async () => {
		n8n = await startN8n({ name: 'package-loads', workflows: [path.join(FIXTURES, 'dedupe-claim.workflow.json')] });
		process.stderr.write(`package-loads timings: ${JSON.stringify(n8n.timings)}\n`);
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	test('package.json lists at least the Billing Event Dedupe node', () => {
		expect(pkg.n8n.nodes).toContain('dist/nodes/BillingEventDedupe/BillingEventDedupe.node.js');
	});

	test('n8n knows every node of package.json as n8n-nodes-kommo-billing.<name>', async () => {
		const expected = declaredNames(pkg.n8n.nodes).map((name) => `${pkg.name}.${name}`);
		expect(expected.length).toBe(pkg.n8n.nodes.length);
		const loaded = new Set((await n8n.api.nodeTypes()).map((type) => type.name));
		for (const name of expected) expect(loaded).toContain(name);
	});

	test('n8n knows every credential type of package.json', async () => {
		const expected = declaredNames(pkg.n8n.credentials);
		expect(expected.length).toBe(pkg.n8n.credentials.length);
		const loaded = new Set((await n8n.api.credentialTypes()).map((type) => type.name));
		for (const name of expected) expect(loaded).toContain(name);
	});

	test('n8n serves a light and a dark SVG icon for every node and credential of the package', async () => {
		const ours = <T extends { name: string }>(types: T[], names: string[]) => types.filter((type) => names.includes(type.name));
		const nodeNames = declaredNames(pkg.n8n.nodes).map((name) => `${pkg.name}.${name}`);
		const types = [
			...ours(await n8n.api.nodeTypes(), nodeNames),
			...ours(await n8n.api.credentialTypes(), declaredNames(pkg.n8n.credentials)),
		];
		expect(types).toHaveLength(pkg.n8n.nodes.length + pkg.n8n.credentials.length);
		for (const type of types) {
			const iconUrl = type.iconUrl as { light?: string; dark?: string } | undefined;
			expect({ name: type.name, light: typeof iconUrl?.light, dark: typeof iconUrl?.dark }).toEqual({ name: type.name, light: 'string', dark: 'string' });
			for (const url of [iconUrl?.light, iconUrl?.dark] as string[]) {
				const response = await fetch(`${n8n.baseUrl}/${url}`);
				const body = await response.text();
				expect({ url, status: response.status, svg: body.includes('<svg') }).toEqual({ url, status: 200, svg: true });
			}
		}
	});

	test('the installed package has no zod or n8n-workflow of its own; both resolve from n8n', async () => {
		const packageDir = n8n.packageDir as string;
		expect(existsSync(path.join(packageDir, 'package.json'))).toBe(true);
		const nodesRoot = path.join(n8n.userFolder, '.n8n', 'nodes');
		expect(findDirs(nodesRoot, 'zod')).toEqual([]);
		expect(findDirs(nodesRoot, 'n8n-workflow')).toEqual([]);

		// resolve them from the package folder with the NODE_PATH n8n sets for itself
		// (module.paths of its load-nodes-and-credentials.js), under n8n's own Node 24
		const install = await ensureN8n();
		const script = [
			"const Module = require('module');",
			`const n8nPaths = Module._nodeModulePaths(${JSON.stringify(path.join(install.n8nRoot, 'dist'))});`,
			"process.env.NODE_PATH = n8nPaths.join(':'); Module._initPaths();",
			`const from = { paths: [${JSON.stringify(packageDir)}, ...Module.globalPaths] };`,
			"console.log(JSON.stringify({ zod: require.resolve('zod', from), workflow: require.resolve('n8n-workflow', from) }));",
		].join('\n');
		const result = await run(install.nodeBin, ['-e', script], { cwd: packageDir });
		expect(result.stderr).toBe('');
		const resolved = JSON.parse(result.stdout) as { zod: string; workflow: string };
		expect(resolved.zod.startsWith(install.modulesDir)).toBe(true);
		expect(resolved.workflow.startsWith(install.modulesDir)).toBe(true);
	});

	test('a webhook workflow with Billing Event Dedupe runs over HTTP', async () => {
		const workflowId = n8n.workflowIds['E2E Dedupe claim'];
		expect(await n8n.api.executions({ workflowId })).toHaveLength(0);

		const response = await fetch(n8n.webhookUrl('e2e-dedupe-claim'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ eventId: 'evt_package_loads_1' }),
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ outcome: 'new', eventId: 'evt_package_loads_1' });

		const [execution] = await n8n.api.waitForExecutions(workflowId, 1);
		expect(execution.status).toBe('success');
		const detail = await n8n.api.execution(execution.id);
		expect(Object.keys(detail.data.resultData.runData)).toEqual(
			expect.arrayContaining(['Webhook', 'Claim', 'Respond New']),
		);
	});
});
