// A real n8n (2.40.7 on Node 24, or the oldest supported 1.123.81 on Node 22: install.ts) with
// this repository's packed package installed, started from a private user folder. See index.ts
// for the overview and an example.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, ENCRYPTION_KEY, ensureN8n, N8N_MAJOR, type N8nInstall } from './install';
import { installInto, packPackage } from './pack';
import { N8nProcess } from './process';
import { N8nRestClient, OWNER_EMAIL, ownerPasswordHash } from './rest';
import { getFreePorts, isPidAlive, progress, run, sleep, tail, type RunResult } from './util';

/** A workflow as n8n exports it (only the fields the harness looks at are typed). */
export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		parameters?: Record<string, unknown>;
		disabled?: boolean;
		webhookId?: string;
		[key: string]: unknown;
	}>;
	connections: Record<string, unknown>;
	active?: boolean;
	[key: string]: unknown;
}

/** A credential for `n8n import:credentials`; `data` is given decrypted and n8n encrypts it. */
export interface CredentialJson {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
	[key: string]: unknown;
}

export interface StartOptions {
	/** Workflow objects, or paths of JSON files holding one workflow or an array of them. */
	workflows?: Array<WorkflowJson | string>;
	credentials?: CredentialJson[];
	/**
	 * Which imported workflows to publish (make active) before start: true (default) = all,
	 * false = none, or a list of workflow ids.
	 */
	publish?: boolean | string[];
	/**
	 * Production webhook paths (as in /webhook/<path>) that must answer before start() returns.
	 * Paths of Webhook nodes in published workflows are added automatically; add our own
	 * triggers' paths (`<webhookId>/<path>`) here.
	 */
	waitForWebhooks?: string[];
	/** Extra environment for every n8n process (overrides the harness defaults). */
	env?: Record<string, string>;
	/** Install the packed package (default true). */
	installPackage?: boolean;
	/** Tarball to install instead of packing the repository. */
	tarball?: string;
	/** Label used in log lines and temp folder names. */
	name?: string;
	/** Time allowed for n8n to become ready (default 180 s; the machine is shared). */
	startTimeoutMs?: number;
	/** Keep the user folder after stop() (default: kept only when start failed). */
	keepUserFolder?: boolean;
	/**
	 * How long stop() lets each n8n process shut down after SIGTERM before SIGKILL (default 20 s;
	 * its watchdog gets the same limit). A process run with `--cpu-prof` writes its profile
	 * only when it exits normally, which takes longer than that after a long run.
	 */
	stopGraceMs?: number;
}

export interface Timings {
	/** ensureN8n + pack + user folder + package install (ms). */
	prepareMs: number;
	importMs: number;
	publishMs: number;
	/** spawn → /healthz ok and n8n reports it has started (ms). */
	bootMs: number;
	/** started → all awaited webhooks registered (ms). */
	webhooksMs: number;
	/** Last stop() (ms). */
	stopMs?: number;
}

export interface N8nHandle {
	readonly baseUrl: string;
	readonly port: number;
	/** Production webhook URL: webhookUrl('dedupe') → http://127.0.0.1:<port>/webhook/dedupe */
	webhookUrl(webhookPath: string): string;
	readonly userFolder: string;
	/** Folder of our installed package inside the user folder. */
	readonly packageDir: string | undefined;
	/** Ids of the imported workflows, by name. */
	readonly workflowIds: Record<string, string>;
	readonly pid: number | undefined;
	/** Logged-in client of n8n's REST API: executions, node types… */
	readonly api: N8nRestClient;
	readonly timings: Timings;
	/** Stops n8n (whole process tree). Idempotent. Removes the user folder unless kept. */
	stop(): Promise<void>;
	/** Stops and starts again on the same user folder (database), port and settings. */
	restart(): Promise<void>;
	/** Runs `n8n <args>` against this instance's database/user folder; throws on failure. */
	cli(args: string[]): Promise<RunResult>;
	/** Everything n8n wrote to stdout/stderr so far (all processes, all restarts). */
	logs(): string;
}

export { ENCRYPTION_KEY };

export function baseEnv(install: N8nInstall, userFolder: string): NodeJS.ProcessEnv {
	return {
		...cleanEnv(),
		PATH: install.pathEnv,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		// offline and quiet: no telemetry, banners, templates, update checks, license renewal
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		// plain http on loopback
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		// fast, predictable shutdown and nothing pruned behind the tests' back
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		EXECUTIONS_DATA_PRUNE: 'false',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		// the owner the REST client logs in as (see rest.ts)
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER_EMAIL,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: ownerPasswordHash(install),
		N8N_INSTANCE_OWNER_FIRST_NAME: 'E2E',
		N8N_INSTANCE_OWNER_LAST_NAME: 'Owner',
	};
}

function newId(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

export function loadWorkflows(inputs: Array<WorkflowJson | string>): WorkflowJson[] {
	const out: WorkflowJson[] = [];
	for (const input of inputs) {
		const loaded = typeof input === 'string' ? (JSON.parse(readFileSync(input, 'utf8')) as unknown) : input;
		for (const workflow of (Array.isArray(loaded) ? loaded : [loaded]) as WorkflowJson[]) {
			if (!workflow || !Array.isArray(workflow.nodes)) {
				throw new Error(`not an n8n workflow: ${typeof input === 'string' ? input : JSON.stringify(input).slice(0, 80)}`);
			}
			out.push({ ...workflow, id: workflow.id ?? newId() });
		}
	}
	const ids = out.map((w) => w.id);
	const dup = ids.find((id, index) => ids.indexOf(id) !== index);
	if (dup) throw new Error(`two workflows share the id ${dup}`);
	return out;
}

/** Production webhook paths of the (enabled) Webhook nodes in these workflows. */
export function webhookPathsOf(workflows: WorkflowJson[]): string[] {
	const paths: string[] = [];
	for (const workflow of workflows) {
		for (const node of workflow.nodes) {
			if (node.type !== 'n8n-nodes-base.webhook' || node.disabled) continue;
			const webhookPath = node.parameters?.path;
			if (typeof webhookPath === 'string' && webhookPath && !webhookPath.startsWith('=')) {
				paths.push(webhookPath.replace(/^\/+/, ''));
			}
		}
	}
	return paths;
}

/** n8n prints this (whatever the log level) once its REST API and webhooks are mounted. */
const STARTED_LINE = 'Editor is now accessible via';

/**
 * Polls until n8n's /healthz says ok, the main process printed that it finished starting (the
 * REST API answers only then; /healthz is ok seconds earlier), and every webhook path is
 * registered. The probe runs
 * nothing: a CORS preflight (OPTIONS with an Origin header) makes n8n list the path's
 * registered methods in Access-Control-Allow-Methods ("OPTIONS" alone until the workflow is
 * active). Fails fast, with the log tail, when a process died.
 */
export async function waitUntilReady(
	baseUrl: string,
	webhookPaths: string[],
	/** Main process first. */
	processes: N8nProcess[],
	timeoutMs: number,
	label: string,
): Promise<{ bootMs: number; webhooksMs: number }> {
	const started = Date.now();
	const deadline = started + timeoutMs;
	const check = () => {
		for (const p of processes) {
			if (p.exited) throw new Error(`${label}: ${p.label} exited (${p.exited}) while starting`);
		}
		if (Date.now() > deadline) throw new Error(`${label}: not ready after ${Math.round(timeoutMs / 1000)} s`);
	};
	for (;;) {
		check();
		try {
			const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
			if (response.ok && ((await response.json()) as { status?: string }).status === 'ok') break;
		} catch {
			// not listening yet
		}
		await sleep(200);
	}
	while (!processes[0].logSinceStart().includes(STARTED_LINE)) {
		check();
		await sleep(200);
	}
	const bootMs = Date.now() - started;
	const pending = new Set(webhookPaths);
	while (pending.size > 0) {
		check();
		for (const webhookPath of [...pending]) {
			try {
				const response = await fetch(`${baseUrl}/webhook/${webhookPath}`, {
					method: 'OPTIONS',
					headers: { origin: 'http://127.0.0.1' },
					signal: AbortSignal.timeout(2000),
				});
				const methods = (response.headers.get('access-control-allow-methods') ?? '')
					.split(',')
					.map((m) => m.trim())
					.filter((m) => m && m !== 'OPTIONS');
				if (response.status === 204 && methods.length > 0) pending.delete(webhookPath);
			} catch {
				// retry
			}
		}
		if (pending.size > 0) await sleep(200);
	}
	return { bootMs, webhooksMs: Date.now() - started - bootMs };
}

const USER_FOLDER_PREFIX = 'kommo-billing-e2e-n8n-';
const OWNER_FILE = '.harness-owner';
const KEEP_FILE = '.harness-keep';

/**
 * Removes user folders of earlier runs whose process died without cleaning up (jest killed,
 * a crash). Folders kept after a failed start (for inspection) are removed after a day.
 */
function pruneOrphanedUserFolders(): void {
	for (const name of readdirSync(os.tmpdir())) {
		if (!name.startsWith(USER_FOLDER_PREFIX)) continue;
		const folder = path.join(os.tmpdir(), name);
		try {
			const owner = Number(readFileSync(path.join(folder, OWNER_FILE), 'utf8'));
			if (owner === process.pid || isPidAlive(owner)) continue;
			const kept = existsSync(path.join(folder, KEEP_FILE));
			if (kept && Date.now() - statSync(path.join(folder, KEEP_FILE)).mtimeMs < 24 * 3600_000) continue;
			rmSync(folder, { recursive: true, force: true });
		} catch {
			// not ours or being created: leave it
		}
	}
}

/** Marks a user folder to be kept (a failed start leaves it for inspection). */
export function keepForInspection(userFolder: string, label: string): void {
	writeFileSync(path.join(userFolder, KEEP_FILE), new Date().toISOString());
	progress(`${label}: start failed; user folder kept for inspection: ${userFolder}`);
}

/** Everything both modes share: install, folders, package, import and publish. */
export async function prepareInstance(opts: StartOptions, label: string) {
	const started = Date.now();
	const install = await ensureN8n();
	const tarball = opts.installPackage === false ? undefined : (opts.tarball ?? (await packPackage()));
	pruneOrphanedUserFolders();
	const userFolder = mkdtempSync(path.join(os.tmpdir(), `${USER_FOLDER_PREFIX}${label.replace(/[^\w-]/g, '_')}-`));
	writeFileSync(path.join(userFolder, OWNER_FILE), String(process.pid));
	// n8n keeps everything under <N8N_USER_FOLDER>/.n8n
	mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	const packageDir = tarball ? await installInto(install, tarball, userFolder) : undefined;
	const workflows = loadWorkflows(opts.workflows ?? []);
	return { install, tarball, userFolder, packageDir, workflows, prepareMs: Date.now() - started };
}

export function cliRunner(install: N8nInstall, env: () => NodeJS.ProcessEnv, cwd: string, logFile: string, label: string) {
	return async (args: string[]): Promise<RunResult> => {
		const result = await run(install.nodeBin, [install.n8nBin, ...args], { cwd, env: env(), logFile, timeoutMs: 180_000 });
		if (result.code !== 0) {
			throw new Error(`${label}: n8n ${args.join(' ')} failed (exit ${result.code ?? result.signal})\n${tail(`${result.stdout}\n${result.stderr}`, 40)}`);
		}
		return result;
	};
}

/** A workflow whose only trigger is n8n's Error Trigger. */
function isErrorWorkflowOnly(workflow: WorkflowJson): boolean {
	const triggers = workflow.nodes.filter((node) => /trigger$|\.webhook$/i.test(node.type));
	return triggers.length > 0 && triggers.every((node) => node.type === 'n8n-nodes-base.errorTrigger');
}

/** import:credentials, import:workflow, publish:workflow (1.x: update:workflow --active) (n8n stopped). */
export async function importAndPublish(
	cli: (args: string[]) => Promise<RunResult>,
	userFolder: string,
	opts: StartOptions,
	workflows: WorkflowJson[],
): Promise<{ importMs: number; publishMs: number; published: WorkflowJson[] }> {
	const started = Date.now();
	const importDir = path.join(userFolder, 'import');
	mkdirSync(importDir, { recursive: true });
	if (opts.credentials?.length) {
		const file = path.join(importDir, 'credentials.json');
		writeFileSync(file, JSON.stringify(opts.credentials, null, 2));
		await cli(['import:credentials', `--input=${file}`]);
	}
	if (workflows.length) {
		const file = path.join(importDir, 'workflows.json');
		writeFileSync(file, JSON.stringify(workflows, null, 2));
		await cli(['import:workflow', `--input=${file}`]);
	}
	const importMs = Date.now() - started;
	const publishStarted = Date.now();
	const publish = opts.publish ?? true;
	const published = workflows
		.filter((w) => (Array.isArray(publish) ? publish.includes(w.id as string) : publish))
		// n8n 1.x cannot activate a workflow whose only trigger is an Error Trigger (it then runs
		// that error workflow for its own failed activation); it runs error workflows inactive
		.filter((w) => N8N_MAJOR >= 2 || !isErrorWorkflowOnly(w));
	// one CLI boot (~3 s) per workflow; in parallel they only fight over the CPU and SQLite.
	// n8n 1.x has no publish step: a workflow is simply active
	for (const workflow of published) {
		await cli(N8N_MAJOR >= 2 ? ['publish:workflow', `--id=${workflow.id}`] : ['update:workflow', `--id=${workflow.id}`, '--active=true']);
	}
	return { importMs, publishMs: Date.now() - publishStarted, published };
}

export function copySqliteTemplate(install: N8nInstall, userFolder: string): void {
	const templateDir = path.dirname(install.sqliteTemplate);
	for (const name of readdirSync(templateDir)) {
		if (name.startsWith('database.sqlite')) {
			copyFileSync(path.join(templateDir, name), path.join(userFolder, '.n8n', name));
		}
	}
}

/**
 * Starts a private n8n (regular mode, SQLite) with our package installed, the given credentials
 * and workflows imported and published, and returns once its webhooks answer.
 */
export async function startN8n(opts: StartOptions = {}): Promise<N8nHandle> {
	const label = opts.name ?? 'n8n';
	const prepared = await prepareInstance(opts, label);
	const { install, userFolder, workflows } = prepared;
	const logFile = path.join(userFolder, 'n8n.log');
	copySqliteTemplate(install, userFolder);

	let [port, brokerPort] = await getFreePorts(2);
	const env = (): NodeJS.ProcessEnv => ({
		...baseEnv(install, userFolder),
		N8N_PORT: String(port),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		...opts.env,
	});
	const cli = cliRunner(install, env, userFolder, logFile, label);
	let main: N8nProcess | undefined;
	let stopped = false;
	let failed = false;
	const timings: Timings = { prepareMs: prepared.prepareMs, importMs: 0, publishMs: 0, bootMs: 0, webhooksMs: 0 };
	let api = new N8nRestClient(`http://127.0.0.1:${port}`, install);
	let published: WorkflowJson[] = [];

	const boot = async () => {
		for (let attempt = 0; ; attempt++) {
			main = new N8nProcess(`${label} main`, install.nodeBin, [install.n8nBin, 'start'], env(), userFolder, logFile, opts.stopGraceMs);
			main.start();
			try {
				const ready = await waitUntilReady(
					`http://127.0.0.1:${port}`,
					[...webhookPathsOf(published), ...(opts.waitForWebhooks ?? [])],
					[main],
					opts.startTimeoutMs ?? 180_000,
					label,
				);
				timings.bootMs = ready.bootMs;
				timings.webhooksMs = ready.webhooksMs;
				return;
			} catch (error) {
				const logTail = main.logTail(80);
				await main.stop();
				main = undefined;
				// another process took one of our ports between probing and binding: new ports, once
				if (attempt === 0 && /EADDRINUSE/.test(logTail)) {
					[port, brokerPort] = await getFreePorts(2);
					api = new N8nRestClient(`http://127.0.0.1:${port}`, install);
					progress(`${label}: port clash, retrying on port ${port}`);
					continue;
				}
				throw new Error(`${(error as Error).message}\n--- n8n log tail (${logFile}) ---\n${logTail}`);
			}
		}
	};

	try {
		const imported = await importAndPublish(cli, userFolder, opts, workflows);
		published = imported.published;
		timings.importMs = imported.importMs;
		timings.publishMs = imported.publishMs;
		await boot();
	} catch (error) {
		failed = true;
		keepForInspection(userFolder, label);
		throw error;
	}

	const handle: N8nHandle = {
		get baseUrl() {
			return `http://127.0.0.1:${port}`;
		},
		get port() {
			return port;
		},
		webhookUrl: (webhookPath: string) => `http://127.0.0.1:${port}/webhook/${webhookPath.replace(/^\/+/, '')}`,
		userFolder,
		packageDir: prepared.packageDir,
		workflowIds: Object.fromEntries(workflows.map((w) => [w.name, w.id as string])),
		get pid() {
			return main?.pid;
		},
		get api() {
			return api;
		},
		timings,
		async stop() {
			if (stopped) return;
			stopped = true;
			const t = Date.now();
			await main?.stop();
			main = undefined;
			timings.stopMs = Date.now() - t;
			if (!(opts.keepUserFolder ?? process.env.KOMMO_BILLING_E2E_KEEP === '1') && !failed) rmSync(userFolder, { recursive: true, force: true });
		},
		async restart() {
			if (stopped) throw new Error(`${label}: restart() after stop()`);
			const t = Date.now();
			await main?.stop();
			main = undefined;
			timings.stopMs = Date.now() - t;
			try {
				await boot();
			} catch (error) {
				failed = true;
				keepForInspection(userFolder, label);
				throw error;
			}
		},
		cli,
		logs: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
	};
	registerForCleanup(handle);
	return handle;
}

/** Handles not yet stopped; `stopAll()` (e.g. in a global afterAll) stops them. */
const openHandles = new Set<{ stop(): Promise<void> }>();
export function registerForCleanup(handle: { stop(): Promise<void> }): void {
	openHandles.add(handle);
	const stop = handle.stop.bind(handle);
	handle.stop = async () => {
		openHandles.delete(handle);
		await stop();
	};
}

/** Stops every instance this process started and has not stopped yet. */
export async function stopAll(): Promise<void> {
	await Promise.all([...openHandles].map((handle) => handle.stop()));
}
