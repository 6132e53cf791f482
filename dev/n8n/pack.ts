// `npm pack` of the repository (what users download), and the installed form of that tarball
// the way n8n's community-package installer lays it out in <N8N_USER_FOLDER>/.n8n/nodes.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { N8nInstall } from './install';
import { isPidAlive, runChecked } from './util';

function findRepoRoot(start: string): string | undefined {
	for (let dir = start; ; dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'n8n-nodes-kommo-billing') {
			return dir;
		}
		if (path.dirname(dir) === dir) return undefined;
	}
}

/**
 * The repository root: the nearest folder above this file (or, for a compiled copy of the
 * harness elsewhere, above the current directory) whose package.json is ours.
 */
export const REPO_ROOT = findRepoRoot(__dirname) ?? findRepoRoot(process.cwd()) ?? process.cwd();

export interface RepoPackageJson {
	name: string;
	version: string;
	n8n: { nodes: string[]; credentials: string[] };
	[key: string]: unknown;
}

export function repoPackageJson(): RepoPackageJson {
	return JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as RepoPackageJson;
}

function listFiles(dir: string): string[] {
	if (!existsSync(dir)) return [];
	const out: string[] = [];
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...listFiles(full));
		else out.push(full);
	}
	return out;
}

/** Throws when dist/ is missing, lacks a file package.json names, or is older than a source. */
function assertBuilt(pkg: RepoPackageJson): string[] {
	const distFiles = listFiles(path.join(REPO_ROOT, 'dist'));
	if (distFiles.length === 0) {
		throw new Error('dist/ is empty: run `npm run build` first (npm run test:e2e does it for you)');
	}
	for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
		if (!existsSync(path.join(REPO_ROOT, entry))) {
			throw new Error(`${entry} (listed in package.json "n8n") is missing: run \`npm run build\``);
		}
	}
	const newestDist = Math.max(...distFiles.map((file) => statSync(file).mtimeMs));
	const sources = [...listFiles(path.join(REPO_ROOT, 'nodes')), ...listFiles(path.join(REPO_ROOT, 'credentials'))];
	const stale = sources.filter((file) => statSync(file).mtimeMs > newestDist + 1000);
	if (stale.length > 0) {
		throw new Error(
			`dist/ is older than ${path.relative(REPO_ROOT, stale[0])}${stale.length > 1 ? ` and ${stale.length - 1} more` : ''}: run \`npm run build\``,
		);
	}
	return distFiles;
}

let workDir: string | undefined;
/**
 * Scratch folder of this process. Removed at exit in plain node (demo, benchmarks); jest runs
 * tests in a sandbox whose 'exit' listeners never fire, so folders of dead processes are also
 * pruned here, at the next start.
 */
function processWorkDir(): string {
	if (!workDir) {
		for (const name of readdirSync(os.tmpdir())) {
			const match = /^kommo-billing-e2e-pack-(\d+)-/.exec(name);
			if (match && Number(match[1]) !== process.pid && !isPidAlive(Number(match[1]))) {
				rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
			}
		}
		// one folder per process (not per test file: jest gives every file fresh module state)
		workDir = path.join(os.tmpdir(), `kommo-billing-e2e-pack-${process.pid}-0`);
		mkdirSync(workDir, { recursive: true });
		const dir = workDir;
		process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
	}
	return workDir;
}

const packed = new Map<string, Promise<string>>();

/**
 * `npm pack` of the repository root into a temporary folder, once per process (and again only
 * if dist/ changed). It does not build: `npm run test:e2e` builds first; a missing or stale
 * dist/ is reported instead of being packed.
 */
export function packPackage(): Promise<string> {
	const pkg = repoPackageJson();
	const distFiles = assertBuilt(pkg);
	const hash = createHash('sha256');
	hash.update(readFileSync(path.join(REPO_ROOT, 'package.json')));
	for (const file of distFiles.sort()) hash.update(file).update(readFileSync(file));
	const key = hash.digest('hex').slice(0, 16);
	let tarball = packed.get(key);
	if (!tarball) {
		tarball = (async () => {
			const dest = path.join(processWorkDir(), `pack-${key}`);
			const done = path.join(dest, 'tarball.txt');
			if (existsSync(done)) return readFileSync(done, 'utf8');
			rmSync(dest, { recursive: true, force: true });
			mkdirSync(dest, { recursive: true });
			// --ignore-scripts: "prepack" would build; building is the caller's job
			const result = await runChecked(
				'npm pack',
				'npm',
				['pack', '--ignore-scripts', '--json', '--pack-destination', dest],
				{ cwd: REPO_ROOT },
			);
			const info = JSON.parse(result.stdout) as Array<{ filename: string }>;
			const tarballPath = path.join(dest, info[0].filename);
			writeFileSync(done, tarballPath);
			return tarballPath;
		})();
		packed.set(key, tarball);
		tarball.catch(() => packed.delete(key));
	}
	return tarball;
}

const prepared = new Map<string, Promise<string>>();

/**
 * Lays the tarball out as n8n's community-package installer does (n8n 2.40
 * CommunityPackagesService.downloadPackage): extract into nodes/node_modules/<name> with
 * --strip-components=1, drop devDependencies/peerDependencies/optionalDependencies from its
 * package.json, `npm install` there with n8n's flags, and record the package in
 * nodes/package.json's dependencies. Peers (n8n-workflow, zod) are therefore NOT installed: at
 * run time they resolve from n8n itself through NODE_PATH, exactly as for a user.
 * Done once per tarball in a scratch folder; each instance gets a copy (see installInto).
 */
function prepareNodesFolder(install: N8nInstall, tarball: string): Promise<string> {
	let ready = prepared.get(tarball);
	if (!ready) {
		ready = (async () => {
			const pkg = repoPackageJson();
			const nodesDir = path.join(path.dirname(tarball), 'nodes');
			const done = path.join(path.dirname(tarball), 'nodes.done');
			if (existsSync(done)) return nodesDir;
			rmSync(nodesDir, { recursive: true, force: true });
			const packageDir = path.join(nodesDir, 'node_modules', pkg.name);
			mkdirSync(packageDir, { recursive: true });
			await runChecked('extracting the package', 'tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
			const manifestPath = path.join(packageDir, 'package.json');
			const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
			delete manifest.devDependencies;
			delete manifest.peerDependencies;
			delete manifest.optionalDependencies;
			writeFileSync(manifestPath, JSON.stringify(manifest, null, 2), 'utf8');
			await runChecked(
				'npm install inside the community package',
				'npm',
				[
					'install',
					'--audit=false',
					'--fund=false',
					'--bin-links=false',
					'--install-strategy=shallow',
					'--ignore-scripts=true',
					'--package-lock=false',
				],
				{ cwd: packageDir, env: { ...process.env, PATH: install.pathEnv } },
			);
			writeFileSync(
				path.join(nodesDir, 'package.json'),
				JSON.stringify(
					{ name: 'installed-nodes', private: true, dependencies: { [pkg.name]: String(manifest.version) } },
					null,
					2,
				),
			);
			writeFileSync(done, '');
			return nodesDir;
		})();
		prepared.set(tarball, ready);
		ready.catch(() => prepared.delete(tarball));
	}
	return ready;
}

/** Installs the packed package into <userFolder>/.n8n/nodes. Returns the package's folder. */
export async function installInto(install: N8nInstall, tarball: string, userFolder: string): Promise<string> {
	const nodesDir = await prepareNodesFolder(install, tarball);
	const target = path.join(userFolder, '.n8n', 'nodes');
	mkdirSync(path.dirname(target), { recursive: true });
	cpSync(nodesDir, target, { recursive: true });
	return path.join(target, 'node_modules', repoPackageJson().name);
}
