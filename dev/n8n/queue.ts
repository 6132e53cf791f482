// n8n in queue mode: one main (webhooks, enqueues) + N `n8n worker` processes, sharing a fresh
// Postgres database and a private Redis key space. Postgres (127.0.0.1:5432, user postgres,
// trust auth) and Redis (127.0.0.1:6379) must be running: dev/services.sh starts them.
// If either is unreachable, startN8nQueue throws a loud error (a queue test must never pass
// by not running).
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, ensureN8n, N8N_VERSION, type N8nInstall } from './install';
import {
	baseEnv,
	cliRunner,
	importAndPublish,
	keepForInspection,
	prepareInstance,
	registerForCleanup,
	waitUntilReady,
	webhookPathsOf,
	type N8nHandle,
	type StartOptions,
	type Timings,
	type WorkflowJson,
} from './n8n';
import { N8nProcess } from './process';
import { N8nRestClient } from './rest';
import { getFreePorts, progress, sleep, withLock } from './util';

export interface QueueOptions extends StartOptions {
	/** Number of `n8n worker` processes (default 2). */
	workers?: number;
	/** Jobs each worker runs in parallel (n8n's --concurrency, minimum 5; default 10). */
	workerConcurrency?: number;
	postgres?: { host?: string; port?: number; user?: string; password?: string };
	redis?: { host?: string; port?: number };
}

export interface N8nQueueHandle extends N8nHandle {
	/** The Postgres database created for this run (dropped by stop()). */
	readonly database: string;
	/** Redis key prefix of this run (Bull queue + n8n pub/sub), removed by stop(). */
	readonly redisPrefix: string;
	readonly workers: ReadonlyArray<{ readonly pid: number | undefined; readonly healthUrl: string }>;
	/** Log of worker `index` (0-based); logs() returns main + all workers. */
	workerLogs(index: number): string;
	/** Runs `fn` with a pg Client connected to this run's database (for assertions). */
	withDatabase<T>(fn: (client: PgClient) => Promise<T>): Promise<T>;
}

/** The part of pg's Client the harness uses. */
export interface PgClient {
	connect(): Promise<void>;
	query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
	end(): Promise<void>;
}

interface RedisClient {
	ping(): Promise<string>;
	scan(cursor: string, ...args: Array<string | number>): Promise<[string, string[]]>;
	del(...keys: string[]): Promise<number>;
	disconnect(): void;
	on(event: 'error', listener: (error: Error) => void): void;
}

type PgClientCtor = new (config: Record<string, unknown>) => PgClient;
type RedisCtor = new (config: Record<string, unknown>) => RedisClient & { connect(): Promise<void> };

const SERVICES_HINT = 'start them with `bash dev/services.sh` (CI: .ci/run does it)';
const TEMPLATE_DB = `kommo_e2e_tpl_${N8N_VERSION.replace(/\./g, '_')}`;

function pgConfig(opts: QueueOptions, database: string) {
	return {
		host: opts.postgres?.host ?? '127.0.0.1',
		port: opts.postgres?.port ?? 5432,
		user: opts.postgres?.user ?? 'postgres',
		password: opts.postgres?.password,
		database,
		connectionTimeoutMillis: 5000,
	};
}

async function pgConnect(install: N8nInstall, opts: QueueOptions, database: string): Promise<PgClient> {
	const { Client } = install.requireFromN8n('pg') as { Client: PgClientCtor };
	const client = new Client(pgConfig(opts, database));
	(client as unknown as { on(e: string, l: () => void): void }).on('error', () => undefined);
	await client.connect();
	return client;
}

async function checkPostgres(install: N8nInstall, opts: QueueOptions): Promise<void> {
	const { host, port, user } = pgConfig(opts, 'postgres');
	try {
		const client = await pgConnect(install, opts, 'postgres');
		await client.end();
	} catch (error) {
		throw new Error(
			`QUEUE-MODE E2E CANNOT RUN: PostgreSQL is not reachable at ${host}:${port} as "${user}" ` +
				`(${(error as Error).message}); ${SERVICES_HINT}`,
		);
	}
}

async function redisConnect(install: N8nInstall, opts: QueueOptions): Promise<RedisClient> {
	const Redis = install.requireFromN8n('ioredis') as RedisCtor;
	const client = new Redis({
		host: opts.redis?.host ?? '127.0.0.1',
		port: opts.redis?.port ?? 6379,
		lazyConnect: true,
		connectTimeout: 3000,
		maxRetriesPerRequest: 0,
		retryStrategy: () => null,
	});
	client.on('error', () => undefined);
	await client.connect();
	return client;
}

async function checkRedis(install: N8nInstall, opts: QueueOptions): Promise<void> {
	const where = `${opts.redis?.host ?? '127.0.0.1'}:${opts.redis?.port ?? 6379}`;
	try {
		const client = await redisConnect(install, opts);
		const pong = await client.ping();
		client.disconnect();
		if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
	} catch (error) {
		throw new Error(`QUEUE-MODE E2E CANNOT RUN: Redis is not reachable at ${where} (${(error as Error).message}); ${SERVICES_HINT}`);
	}
}

function postgresEnv(opts: QueueOptions, database: string): Record<string, string> {
	const cfg = pgConfig(opts, database);
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: cfg.host,
		DB_POSTGRESDB_PORT: String(cfg.port),
		DB_POSTGRESDB_USER: cfg.user,
		...(cfg.password ? { DB_POSTGRESDB_PASSWORD: cfg.password } : {}),
		DB_POSTGRESDB_DATABASE: database,
	};
}

/**
 * A migrated, empty n8n database kept as a Postgres template, so each run's database is a fast
 * `CREATE DATABASE … TEMPLATE` instead of n8n's full migration. Built once, under a lock.
 */
async function ensureTemplateDatabase(install: N8nInstall, opts: QueueOptions): Promise<void> {
	const admin = await pgConnect(install, opts, 'postgres');
	try {
		const exists = async () =>
			(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE_DB])).rows.length > 0;
		if (await exists()) return;
		await withLock(path.join(cacheDir(), 'locks', `pg-template-${N8N_VERSION}`), 'Postgres template', async () => {
			if (await exists()) return;
			const building = `${TEMPLATE_DB}_building`;
			await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
			await admin.query(`CREATE DATABASE ${building}`);
			progress('creating a migrated n8n Postgres template database (once per machine) …');
			const scratch = path.join(cacheDir(), 'templates', `pg-scratch-${process.pid}`);
			mkdirSync(path.join(scratch, '.n8n'), { recursive: true });
			const emptyFile = path.join(scratch, 'empty.json');
			writeFileSync(emptyFile, '[]');
			const env = { ...baseEnv(install, scratch), ...postgresEnv(opts, building) };
			const cli = cliRunner(install, () => env, scratch, path.join(scratch, 'create.log'), 'pg template');
			await cli(['import:workflow', `--input=${emptyFile}`]);
			await admin.query(`ALTER DATABASE ${building} RENAME TO ${TEMPLATE_DB}`);
			rmSync(scratch, { recursive: true, force: true });
		});
	} finally {
		await admin.end();
	}
}

async function createRunDatabase(install: N8nInstall, opts: QueueOptions, name: string): Promise<void> {
	const admin = await pgConnect(install, opts, 'postgres');
	try {
		for (let attempt = 0; ; attempt++) {
			try {
				await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
				return;
			} catch (error) {
				// another run is copying the template right now
				if (attempt < 20 && /being accessed by other users/.test((error as Error).message)) {
					await sleep(250 + attempt * 100);
					continue;
				}
				throw error;
			}
		}
	} finally {
		await admin.end();
	}
}

async function dropRunDatabase(install: N8nInstall, opts: QueueOptions, name: string): Promise<void> {
	const admin = await pgConnect(install, opts, 'postgres');
	try {
		await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
	} finally {
		await admin.end();
	}
}

async function deleteRedisPrefix(install: N8nInstall, opts: QueueOptions, prefix: string): Promise<void> {
	const client = await redisConnect(install, opts);
	try {
		let cursor = '0';
		do {
			const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
			if (keys.length) await client.del(...keys);
			cursor = next;
		} while (cursor !== '0');
	} finally {
		client.disconnect();
	}
}

/**
 * Starts n8n in queue mode (main + `workers` workers) on a fresh Postgres database and a
 * private Redis prefix, with our package installed in every process's user folder.
 */
export async function startN8nQueue(opts: QueueOptions = {}): Promise<N8nQueueHandle> {
	const label = opts.name ?? 'n8n-queue';
	const install = await ensureN8n();
	await checkPostgres(install, opts);
	await checkRedis(install, opts);
	await ensureTemplateDatabase(install, opts);

	const prepared = await prepareInstance(opts, label);
	const { userFolder, workflows } = prepared;
	const runId = `${process.pid}_${randomBytes(4).toString('hex')}`;
	const database = `kommo_e2e_${runId}`;
	const redisPrefix = `kommo-e2e-${runId}`;
	const logFile = path.join(userFolder, 'n8n.log');
	await createRunDatabase(install, opts, database);

	const workerCount = opts.workers ?? 2;
	const ports = await getFreePorts(2 + workerCount * 2);
	const port = ports[0];
	const mainBroker = ports[1];
	const workerPorts = Array.from({ length: workerCount }, (_, i) => ({
		health: ports[2 + i * 2],
		broker: ports[3 + i * 2],
	}));
	const shared = (folder: string): NodeJS.ProcessEnv => ({
		...baseEnv(install, folder),
		...postgresEnv(opts, database),
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: opts.redis?.host ?? '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(opts.redis?.port ?? 6379),
		QUEUE_BULL_PREFIX: `${redisPrefix}-bull`,
		N8N_REDIS_KEY_PREFIX: redisPrefix,
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
	});
	const mainEnv = (): NodeJS.ProcessEnv => ({
		...shared(userFolder),
		N8N_PORT: String(port),
		N8N_RUNNERS_BROKER_PORT: String(mainBroker),
		...opts.env,
	});
	// each worker gets its own user folder (settings file, event log) with the same package
	const workerFolders = workerPorts.map((_, i) => {
		const folder = path.join(userFolder, `worker-${i + 1}`);
		mkdirSync(path.join(folder, '.n8n'), { recursive: true });
		const nodes = path.join(userFolder, '.n8n', 'nodes');
		if (existsSync(nodes)) cpSync(nodes, path.join(folder, '.n8n', 'nodes'), { recursive: true });
		return folder;
	});
	const workerEnv = (i: number): NodeJS.ProcessEnv => ({
		...shared(workerFolders[i]),
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(workerPorts[i].health),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(workerPorts[i].broker),
		...opts.env,
	});

	const workerLogFile = (i: number) => path.join(workerFolders[i], 'n8n-worker.log');
	const readLog = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
	const cli = cliRunner(install, mainEnv, userFolder, logFile, label);
	const timings: Timings = { prepareMs: prepared.prepareMs, importMs: 0, publishMs: 0, bootMs: 0, webhooksMs: 0 };
	const api = new N8nRestClient(`http://127.0.0.1:${port}`, install);
	let processes: N8nProcess[] = [];
	let published: WorkflowJson[] = [];
	let stopped = false;
	let failed = false;

	const cleanupServices = async () => {
		await dropRunDatabase(install, opts, database).catch((e) => progress(`${label}: could not drop ${database}: ${e.message}`));
		await deleteRedisPrefix(install, opts, redisPrefix).catch((e) => progress(`${label}: could not clean Redis ${redisPrefix}: ${e.message}`));
	};

	const stopProcesses = async () => {
		// workers first, so no job is picked up by a worker whose main is gone
		await Promise.all(processes.filter((p) => p.label.includes('worker')).map((p) => p.stop()));
		await Promise.all(processes.filter((p) => !p.label.includes('worker')).map((p) => p.stop()));
		processes = [];
	};

	const boot = async () => {
		const main = new N8nProcess(`${label} main`, install.nodeBin, [install.n8nBin, 'start'], mainEnv(), userFolder, logFile, opts.stopGraceMs);
		const workers = workerFolders.map(
			(folder, i) =>
				new N8nProcess(
					`${label} worker-${i + 1}`,
					install.nodeBin,
					[install.n8nBin, 'worker', `--concurrency=${opts.workerConcurrency ?? 10}`],
					workerEnv(i),
					folder,
					workerLogFile(i),
					opts.stopGraceMs,
				),
		);
		processes = [main, ...workers];
		for (const p of processes) p.start();
		try {
			const ready = await waitUntilReady(
				`http://127.0.0.1:${port}`,
				[...webhookPathsOf(published), ...(opts.waitForWebhooks ?? [])],
				processes,
				opts.startTimeoutMs ?? 240_000,
				label,
			);
			const deadline = Date.now() + (opts.startTimeoutMs ?? 240_000);
			for (const [i, wp] of workerPorts.entries()) {
				for (;;) {
					if (workers[i].exited) throw new Error(`${label}: worker-${i + 1} exited (${workers[i].exited}) while starting`);
					if (Date.now() > deadline) throw new Error(`${label}: worker-${i + 1} not ready`);
					const ok = await fetch(`http://127.0.0.1:${wp.health}/healthz/readiness`, { signal: AbortSignal.timeout(2000) })
						.then((r) => r.ok)
						.catch(() => false);
					if (ok) break;
					await sleep(200);
				}
			}
			timings.bootMs = ready.bootMs;
			timings.webhooksMs = ready.webhooksMs;
		} catch (error) {
			const logTail = processes.map((p) => `--- ${p.label} (${p.logFile}) ---\n${p.logTail(60)}`).join('\n');
			await stopProcesses();
			throw new Error(`${(error as Error).message}\n${logTail}`);
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
		await cleanupServices();
		keepForInspection(userFolder, label);
		throw error;
	}

	const handle: N8nQueueHandle = {
		baseUrl: `http://127.0.0.1:${port}`,
		port,
		webhookUrl: (webhookPath: string) => `http://127.0.0.1:${port}/webhook/${webhookPath.replace(/^\/+/, '')}`,
		userFolder,
		packageDir: prepared.packageDir,
		workflowIds: Object.fromEntries(workflows.map((w) => [w.name, w.id as string])),
		get pid() {
			return processes[0]?.pid;
		},
		api,
		timings,
		database,
		redisPrefix,
		get workers() {
			return workerPorts.map((wp, i) => ({
				pid: processes[i + 1]?.pid,
				healthUrl: `http://127.0.0.1:${wp.health}/healthz`,
			}));
		},
		async withDatabase<T>(fn: (client: PgClient) => Promise<T>): Promise<T> {
			const client = await pgConnect(install, opts, database);
			try {
				return await fn(client);
			} finally {
				await client.end();
			}
		},
		async stop() {
			if (stopped) return;
			stopped = true;
			const t = Date.now();
			await stopProcesses();
			timings.stopMs = Date.now() - t;
			await cleanupServices();
			if (!opts.keepUserFolder && !failed) rmSync(userFolder, { recursive: true, force: true });
		},
		async restart() {
			if (stopped) throw new Error(`${label}: restart() after stop()`);
			const t = Date.now();
			await stopProcesses();
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
		logs: () => [readLog(logFile), ...workerFolders.map((_, i) => readLog(workerLogFile(i)))].join('\n'),
		workerLogs: (index: number) => readLog(workerLogFile(index)),
	};
	registerForCleanup(handle);
	return handle;
}
