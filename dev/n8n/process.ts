// One long-running n8n process (main or worker) in its own process group, under the watchdog.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { isPidAlive, sleep, tail } from './util';
import { WATCHDOG_SOURCE } from './watchdog';

/** Process groups started by this process and not yet stopped: killed when we exit. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.once('exit', () => {
		for (const pgid of liveGroups) {
			try {
				process.kill(-pgid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	});
}

function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export class N8nProcess {
	private child: ChildProcess | undefined;
	private exitInfo: string | undefined;
	private startOffset = 0;

	constructor(
		readonly label: string,
		private readonly nodeBin: string,
		private readonly args: string[],
		private readonly env: NodeJS.ProcessEnv,
		private readonly cwd: string,
		readonly logFile: string,
		/**
		 * How long stop() waits after SIGTERM before SIGKILL; the watchdog gets the same limit for
		 * the case where only it is signalled or its parent dies.
		 */
		private readonly graceMs = 20_000,
	) {}

	get pid(): number | undefined {
		return this.child?.pid;
	}

	/** Why the process ended, if it did (code/signal), else undefined. */
	get exited(): string | undefined {
		return this.exitInfo;
	}

	start(): void {
		installExitHook();
		const fd = openSync(this.logFile, 'a');
		writeSync(fd, `\n===== ${new Date().toISOString()} ${this.label}: n8n ${this.args.join(' ')} =====\n`);
		this.startOffset = fstatSync(fd).size;
		this.exitInfo = undefined;
		const child = spawn(this.nodeBin, ['-e', WATCHDOG_SOURCE, String(process.pid), String(this.graceMs), this.nodeBin, ...this.args], {
			cwd: this.cwd,
			env: this.env,
			detached: true,
			stdio: ['ignore', fd, fd],
		});
		closeSync(fd);
		this.child = child;
		if (child.pid) liveGroups.add(child.pid);
		child.on('exit', (code, signal) => {
			this.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
		});
		child.on('error', (error) => {
			this.exitInfo = `spawn error ${error.message}`;
		});
	}

	logs(): string {
		return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
	}

	/** What this process wrote since its latest start(). */
	logSinceStart(): string {
		if (!existsSync(this.logFile)) return '';
		const fd = openSync(this.logFile, 'r');
		try {
			const length = Math.max(0, fstatSync(fd).size - this.startOffset);
			const buffer = Buffer.alloc(length);
			readSync(fd, buffer, 0, length, this.startOffset);
			return buffer.toString('utf8');
		} finally {
			closeSync(fd);
		}
	}

	logTail(lines = 80): string {
		return tail(this.logs(), lines);
	}

	/** SIGTERM to the whole group, SIGKILL after the grace period; resolves when the group is empty. */
	async stop(): Promise<void> {
		const graceMs = this.graceMs;
		const child = this.child;
		if (!child?.pid) return;
		const pgid = child.pid;
		try {
			process.kill(-pgid, 'SIGTERM');
		} catch {
			// already gone
		}
		const deadline = Date.now() + graceMs;
		while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
		if (groupAlive(pgid)) {
			try {
				process.kill(-pgid, 'SIGKILL');
			} catch {
				// raced with its exit
			}
			const hardDeadline = Date.now() + 10_000;
			while (groupAlive(pgid) && Date.now() < hardDeadline) await sleep(100);
		}
		// the watchdog itself may linger as a zombie until node reaps it; wait for its exit event
		const exitDeadline = Date.now() + 5_000;
		while (this.exitInfo === undefined && isPidAlive(pgid) && Date.now() < exitDeadline) await sleep(50);
		liveGroups.delete(pgid);
		this.child = undefined;
	}
}
