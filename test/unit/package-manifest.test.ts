import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function sourceFiles(dir: string): string[] {
	return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
		.map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

function sources(dir: string, suffix: string): string[] {
	const out: string[] = [];
	const walk = (rel: string) => {
		for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
			const path = `${rel}/${entry.name}`;
			if (entry.isDirectory()) walk(path);
			else if (entry.name.endsWith(suffix)) out.push(`dist/${path.replace(/\.ts$/, '.js')}`);
		}
	};
	walk(dir);
	return out.sort();
}

describe('package.json as n8n reads it', () => {
	it('lists every node and every credential under dist/', () => {
		expect([...pkg.n8n.nodes].sort()).toEqual(sources('nodes', '.node.ts'));
		expect([...pkg.n8n.credentials].sort()).toEqual(sources('credentials', '.credentials.ts'));
	});

	it('is a community package with no runtime dependencies and n8n-workflow as its only peer', () => {
		expect(pkg.name).toMatch(/^n8n-nodes-/);
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(Object.keys(pkg.peerDependencies)).toEqual(['n8n-workflow']);
		expect(pkg.n8n).toMatchObject({ n8nNodesApiVersion: 1, strict: true });
	});

	it('points every node and credential icon at a file in icons/, which the package ships as dist/icons', () => {
		const referenced: string[] = [];
		for (const file of [...sourceFiles('nodes'), ...sourceFiles('credentials')]) {
			for (const [, path] of readFileSync(join(root, file), 'utf8').matchAll(/'file:([^']+)'/g)) {
				const icon = relative(root, join(dirname(join(root, file)), path));
				expect({ file, inIcons: icon.startsWith('icons/'), exists: existsSync(join(root, icon)) }).toEqual({ file, inIcons: true, exists: true });
				referenced.push(icon);
			}
		}
		expect(referenced.length).toBeGreaterThanOrEqual(2 * (pkg.n8n.nodes.length + pkg.n8n.credentials.length));
		expect(pkg.files).toContain('dist/icons');
		expect(readdirSync(join(root, 'icons')).map((name) => `icons/${name}`).sort()).toEqual([...new Set(referenced)].sort());
	});
});
