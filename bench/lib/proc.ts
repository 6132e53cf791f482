/**
 * Memory of an n8n process tree, read from /proc (Linux). The harness starts every n8n
 * process (main or worker) under a small watchdog as the leader of its own process group;
 * n8n and the task runners it spawns share that group. The watchdog itself is not counted.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcInfo {
	pid: number;
	pgrp: number;
	rssKb: number;
	/** user + system CPU time so far (ms). */
	cpuMs: number;
	command: string;
}

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

function readProc(pid: number): ProcInfo | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// comm may contain spaces: fields after the last ')'
		const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const pgrp = Number(after[2]);
		// fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command
		const cpuMs = ((Number(after[11]) + Number(after[12])) * 1000) / CLK_TCK;
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status);
		const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
		return { pid, pgrp, rssKb: rss ? Number(rss[1]) : 0, cpuMs, command };
	} catch {
		return undefined; // gone, or a kernel thread
	}
}

/** Processes in the group led by `pgid`, without the leader (the harness's watchdog). */
export function groupProcesses(pgid: number): ProcInfo[] {
	const out: ProcInfo[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		const info = readProc(Number(name));
		if (info && info.pgrp === pgid && info.pid !== pgid) out.push(info);
	}
	return out;
}

/** Resident memory (MB) of the group's processes (n8n + task runners), watchdog excluded. */
export function groupRssMb(pgids: number[]): number {
	let kb = 0;
	for (const pgid of pgids) for (const p of groupProcesses(pgid)) kb += p.rssKb;
	return kb / 1024;
}

/** CPU time (ms) used so far by the groups' processes (watchdog excluded) and by which pids. */
export function groupCpu(pgids: number[]): Map<number, number> {
	const out = new Map<number, number>();
	for (const pgid of pgids) for (const p of groupProcesses(pgid)) out.set(p.pid, p.cpuMs);
	return out;
}

/**
 * Samples groupRssMb every `intervalMs` until stopped, and the CPU time the processes used in
 * between (a process that exits keeps the time of its last sample).
 */
export class RssSampler {
	readonly samples: Array<{ t: number; mb: number }> = [];
	private readonly cpuStart = new Map<number, number>();
	private readonly cpuLast = new Map<number, number>();
	private startedAt = 0;
	private timer: NodeJS.Timeout | undefined;

	constructor(
		private readonly pgids: () => number[],
		private readonly intervalMs = 250,
	) {}

	start(): this {
		const take = () => {
			const pgids = this.pgids().filter((p) => Number.isInteger(p) && p > 0);
			if (pgids.length) this.samples.push({ t: Date.now(), mb: groupRssMb(pgids) });
			for (const [pid, ms] of groupCpu(pgids)) {
				if (!this.cpuStart.has(pid)) this.cpuStart.set(pid, this.samples.length <= 1 ? ms : 0);
				this.cpuLast.set(pid, ms);
			}
		};
		this.startedAt = Date.now();
		take();
		this.timer = setInterval(take, this.intervalMs);
		return this;
	}

	stop(): { peakMb: number; meanMb: number; firstMb: number; lastMb: number; samples: number; cpuMs: number; wallMs: number } {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		let cpuMs = 0;
		for (const [pid, last] of this.cpuLast) cpuMs += last - (this.cpuStart.get(pid) ?? 0);
		const mbs = this.samples.map((s) => s.mb);
		return {
			peakMb: mbs.length ? Math.max(...mbs) : Number.NaN,
			meanMb: mbs.length ? mbs.reduce((a, b) => a + b, 0) / mbs.length : Number.NaN,
			firstMb: mbs[0] ?? Number.NaN,
			lastMb: mbs[mbs.length - 1] ?? Number.NaN,
			samples: mbs.length,
			cpuMs,
			wallMs: Date.now() - this.startedAt,
		};
	}
}

/** 1-minute load average and CPU count, for the report. */
export function machineLoad(): { load1: number; load5: number; load15: number } {
	const [load1, load5, load15] = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
	return { load1, load5, load15 };
}
