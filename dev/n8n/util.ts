// Small process, file and network helpers shared by the harness modules.
import { spawn, type SpawnOptions } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Progress lines go to stderr so jest shows them live (console.log is buffered per test). */
export function progress(message: string): void {
	const stamp = new Date().toISOString().slice(11, 19);
	process.stderr.write(`[kommo-billing e2e ${stamp}] ${message}\n`);
}

/** A free TCP port on the loopback interface (the OS picks it; we release it at once). */
export function getFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
			const address = server.address();
			if (address === null || typeof address === 'string') {
				server.close();
				reject(new Error('could not read the port of a probe socket'));
				return;
			}
			server.close(() => resolve(address.port));
		});
	});
}

/** Several distinct free ports (asked one after the other, so they differ). */
export async function getFreePorts(count: number): Promise<number[]> {
	const ports = new Set<number>();
	while (ports.size < count) ports.add(await getFreePort());
	return [...ports];
}

/** True when something accepts TCP connections on host:port within timeoutMs. */
export function canConnect(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({ host, port });
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(timeoutMs, () => done(false));
		socket.once('connect', () => done(true));
		socket.once('error', () => done(false));
	});
}

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/**
 * Runs a command to completion. Output is collected and, when `logFile` is given, also appended
 * to it. Never throws for a non-zero exit: the caller decides (see `runChecked`).
 */
export function run(
	command: string,
	args: string[],
	options: SpawnOptions & { logFile?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
	const { logFile, timeoutMs, ...spawnOptions } = options;
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
		const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
		let stdout = '';
		let stderr = '';
		child.stdout?.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
			log?.write(chunk);
		});
		child.stderr?.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
			log?.write(chunk);
		});
		let timer: NodeJS.Timeout | undefined;
		if (timeoutMs) {
			timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		}
		child.on('error', (error) => {
			if (timer) clearTimeout(timer);
			log?.end();
			reject(error);
		});
		child.on('close', (code, signal) => {
			if (timer) clearTimeout(timer);
			log?.end();
			resolve({ code, signal, stdout, stderr });
		});
	});
}

export function tail(text: string, lines = 60): string {
	const all = text.split('\n');
	return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/** Free bytes on the file system that holds `dir` (undefined where the platform cannot say). */
export function freeBytes(dir: string): number | undefined {
	try {
		const stats = statfsSync(dir);
		return Number(stats.bavail) * Number(stats.bsize);
	} catch {
		return undefined;
	}
}

export const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/**
 * What a failed npm run most likely means, in words a newcomer can act on: the registry could
 * not be reached, or the disk is full. undefined when the output names neither.
 */
export function explainNpmFailure(output: string): string | undefined {
	if (/ENOSPC|no space left on device/i.test(output)) {
		return 'the disk is full (ENOSPC). Free space or point KOMMO_BILLING_E2E_CACHE at a folder on a larger disk.';
	}
	const network = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|CERT_[A-Z_]+|UNABLE_TO_[A-Z_]+)\b/.exec(output);
	if (network) {
		return `the npm registry could not be reached (${network[1]}). Check the network, a proxy (npm config get proxy) and the registry (npm config get registry), then run the command again: finished parts are kept.`;
	}
	if (/\bE40[134]\b/.test(output)) {
		return 'the npm registry refused or does not have a package (HTTP 401/403/404). Check npm config get registry and any auth token in ~/.npmrc.';
	}
	return undefined;
}

/**
 * Like `run` but throws (with the output's tail, and the likely cause for npm) when the command
 * fails. With `heartbeatMs`, prints a progress line that often while the command runs (elapsed
 * time, free disk space), so a long download never looks like a hang.
 */
export async function runChecked(
	what: string,
	command: string,
	args: string[],
	options: SpawnOptions & { logFile?: string; timeoutMs?: number; heartbeatMs?: number } = {},
): Promise<RunResult> {
	const { heartbeatMs, ...runOptions } = options;
	const started = Date.now();
	const cwd = typeof runOptions.cwd === 'string' ? runOptions.cwd : process.cwd();
	const heartbeat = heartbeatMs
		? setInterval(() => {
				const free = freeBytes(cwd);
				progress(
					`${what}: still running, ${Math.round((Date.now() - started) / 1000)} s so far` +
						(free === undefined ? '' : `, ${gib(free)} free on disk`) +
						(runOptions.logFile ? ` (log: ${runOptions.logFile})` : ''),
				);
			}, heartbeatMs)
		: undefined;
	heartbeat?.unref();
	let result: RunResult;
	try {
		result = await run(command, args, runOptions);
	} finally {
		if (heartbeat) clearInterval(heartbeat);
	}
	if (result.code !== 0) {
		const output = `${result.stdout}\n${result.stderr}`;
		const cause = explainNpmFailure(output);
		throw new Error(
			`${what} failed (exit ${result.code ?? result.signal}): ${command} ${args.join(' ')}\n` +
				(cause ? `Likely cause: ${cause}\n` : '') +
				tail(output, 40),
		);
	}
	return result;
}

export function isPidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Cross-process lock on a directory (mkdir is atomic). The owner's pid is written inside; a
 * lock whose owner is dead is taken over. Used so that two jest workers (or a jest run and a
 * demo script) never install n8n or build a template at the same time.
 */
export async function withLock<T>(
	lockDir: string,
	what: string,
	fn: () => Promise<T>,
	timeoutMs = 30 * 60_000,
): Promise<T> {
	mkdirSync(path.dirname(lockDir), { recursive: true });
	const started = Date.now();
	let lastNotice = 0;
	for (;;) {
		try {
			mkdirSync(lockDir);
			writeFileSync(path.join(lockDir, 'owner'), `${process.pid}\n`);
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const ownerFile = path.join(lockDir, 'owner');
			let ownerPid = NaN;
			try {
				ownerPid = Number(readFileSync(ownerFile, 'utf8').trim());
			} catch {
				// the owner is between mkdir and writing its pid; give it a moment
			}
			const lockAge = existsSync(lockDir) ? Date.now() - statSync(lockDir).mtimeMs : 0;
			if ((Number.isFinite(ownerPid) && !isPidAlive(ownerPid)) || (!Number.isFinite(ownerPid) && lockAge > 10_000)) {
				progress(`${what}: taking over a stale lock ${lockDir} (owner pid ${ownerPid} is gone)`);
				rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (Date.now() - started > timeoutMs) {
				throw new Error(`${what}: timed out waiting for lock ${lockDir} held by pid ${ownerPid}`);
			}
			if (Date.now() - lastNotice > 30_000) {
				progress(`${what}: waiting for pid ${ownerPid}, which holds ${lockDir}`);
				lastNotice = Date.now();
			}
			await sleep(500);
		}
	}
	try {
		return await fn();
	} finally {
		rmSync(lockDir, { recursive: true, force: true });
	}
}
