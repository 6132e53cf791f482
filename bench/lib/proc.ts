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
	command: string;
}

function readProc(pid: number): ProcInfo | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// comm may contain spaces: fields after the last ')'
		const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const pgrp = Number(after[2]);
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status);
		const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
		return { pid, pgrp, rssKb: rss ? Number(rss[1]) : 0, command };
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

/** Samples groupRssMb every `intervalMs` until stopped. */
export class RssSampler {
	readonly samples: Array<{ t: number; mb: number }> = [];
	private timer: NodeJS.Timeout | undefined;

	constructor(
		private readonly pgids: () => number[],
		private readonly intervalMs = 250,
	) {}

	start(): this {
		const take = () => {
			const pgids = this.pgids().filter((p) => Number.isInteger(p) && p > 0);
			if (pgids.length) this.samples.push({ t: Date.now(), mb: groupRssMb(pgids) });
		};
		take();
		this.timer = setInterval(take, this.intervalMs);
		return this;
	}

	stop(): { peakMb: number; meanMb: number; firstMb: number; lastMb: number; samples: number } {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		const mbs = this.samples.map((s) => s.mb);
		return {
			peakMb: mbs.length ? Math.max(...mbs) : Number.NaN,
			meanMb: mbs.length ? mbs.reduce((a, b) => a + b, 0) / mbs.length : Number.NaN,
			firstMb: mbs[0] ?? Number.NaN,
			lastMb: mbs[mbs.length - 1] ?? Number.NaN,
			samples: mbs.length,
		};
	}
}

/** 1-minute load average and CPU count, for the report. */
export function machineLoad(): { load1: number; load5: number; load15: number } {
	const [load1, load5, load15] = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
	return { load1, load5, load15 };
}
