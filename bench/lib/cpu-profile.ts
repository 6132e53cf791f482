/**
 * Where a process's CPU time goes: a summary of V8 `.cpuprofile` files, which Node writes at exit
 * when it runs with `--cpu-prof` (`npm run bench -- --cpu-prof`, bench/lib/world.ts). Issue 17 asks
 * for "the profile that shows where the time goes" for every target not met.
 *
 * Self time per function is the sum of the sampling intervals (`timeDeltas`) of the samples whose
 * leaf is that function; per area, the functions are grouped by the package their script comes
 * from (the last `node_modules/<package>` of its URL), Node's own code (`node:`), our package, or
 * V8's pseudo-functions ((garbage collector), (program), (idle)).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

export interface Share {
	name: string;
	ms: number;
	/** of the busy time (everything but idle) */
	percent: number;
}
export interface ProfileSummary {
	file: string;
	wallMs: number;
	busyMs: number;
	areas: Share[];
	functions: Share[];
	/** For the hottest functions, the call paths that led to them (callers nearest first), by time. */
	callers: { function: string; paths: Share[] }[];
}

/** How many of the hottest functions get their callers listed, how many paths each, how deep. */
const CALLER_FUNCTIONS = 3;
const CALLER_PATHS = 3;
const CALLER_DEPTH = 6;

const OUR_PACKAGE = 'n8n-nodes-kommo-billing';

/** The package (or pseudo-area) a script URL belongs to. */
export function areaOf(url: string, functionName: string): string {
	if (!url) return functionName.startsWith('(') ? functionName : '(native)';
	if (url.startsWith('node:')) return 'node (built-in modules)';
	const parts = url.replace(/^file:\/\//, '').split('/');
	const at = parts.lastIndexOf('node_modules');
	if (at < 0 || at + 1 >= parts.length) return '(other scripts)';
	const name = parts[at + 1].startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
	return name === OUR_PACKAGE ? `${OUR_PACKAGE} (ours)` : name;
}

function shares(totals: Map<string, number>, busyMs: number, top: number): Share[] {
	return [...totals.entries()]
		.sort((a, b) => b[1] - a[1])
		.slice(0, top)
		.map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: busyMs ? Math.round((us / 1000 / busyMs) * 1000) / 10 : 0 }));
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parentOf = new Map<number, number>();
	for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
	const perFunction = new Map<string, number>();
	const perArea = new Map<string, number>();
	const label = (node: ProfileNode) => {
		const { functionName, url, lineNumber } = node.callFrame;
		const area = areaOf(url, functionName);
		const where = url ? `${area}: ${path.basename(url)}:${lineNumber + 1}` : area;
		return { area, key: `${functionName || '(anonymous)'} (${where})` };
	};
	const busy: { node: ProfileNode; key: string; us: number }[] = [];
	for (let i = 0; i < profile.samples.length; i++) {
		const node = byId.get(profile.samples[i]);
		const us = profile.timeDeltas[i] ?? 0;
		if (!node || us <= 0 || node.callFrame.functionName === '(idle)') continue;
		const { area, key } = label(node);
		perFunction.set(key, (perFunction.get(key) ?? 0) + us);
		perArea.set(area, (perArea.get(area) ?? 0) + us);
		busy.push({ node, key, us });
	}
	const wallMs = (profile.endTime - profile.startTime) / 1000;
	const busyMs = [...perArea.values()].reduce((a, b) => a + b, 0) / 1000;
	const functions = shares(perFunction, busyMs, top);
	// self time says what is hot, not who asks for it: the frames above the hottest leaves
	const callers = functions.slice(0, CALLER_FUNCTIONS).map((hot) => {
		const perPath = new Map<string, number>();
		for (const sample of busy) {
			if (sample.key !== hot.name) continue;
			const frames: string[] = [];
			for (let id = parentOf.get(sample.node.id); id !== undefined && frames.length < CALLER_DEPTH; id = parentOf.get(id)) {
				const node = byId.get(id);
				if (!node || node.callFrame.functionName === '(root)') break;
				frames.push(label(node).key);
			}
			const key = frames.join(' ← ') || '(no caller)';
			perPath.set(key, (perPath.get(key) ?? 0) + sample.us);
		}
		return { function: hot.name, paths: shares(perPath, busyMs, CALLER_PATHS) };
	});
	return { file, wallMs: Math.round(wallMs), busyMs: Math.round(busyMs), areas: shares(perArea, busyMs, top), functions, callers };
}

/**
 * The profiles of one process folder with at least `minBusyMs` of CPU, busiest first. Every node
 * process started under the bench's NODE_OPTIONS writes one (n8n, its task runner, and short-lived
 * helpers such as a liveness probe, which can outlive n8n and so have the longest wall time), so
 * the busiest one is n8n itself.
 */
export function profilesIn(dir: string, minBusyMs = 0): ProfileSummary[] {
	let files: string[];
	try {
		files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
	} catch {
		return [];
	}
	return files
		.map((f) => summarizeProfile(path.join(dir, f)))
		.filter((s) => s.busyMs >= minBusyMs)
		.sort((a, b) => b.busyMs - a.busyMs);
}

/**
 * The n8n process's profile in one process folder, and the other long-lived processes (its task
 * runner) with at least 1 s of CPU. The n8n CLI commands that imported the workflows before the
 * start are busy for seconds but short, and the liveness probe lives longest but idles, so the
 * n8n process is the busiest of those that lived at least half as long as the longest.
 */
export function n8nProfilesIn(dir: string): { n8n?: ProfileSummary; others: ProfileSummary[] } {
	const all = profilesIn(dir);
	const longest = Math.max(0, ...all.map((p) => p.wallMs));
	const [n8n, ...others] = all.filter((p) => p.wallMs >= longest / 2 && p.busyMs >= 1000);
	return { n8n, others };
}

export function profileMarkdown(title: string, summary: ProfileSummary, note = ''): string {
	const table = (rows: Share[]) => ['| | self ms | % of busy |', '|---|---:|---:|', ...rows.map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.ms} | ${r.percent} |`)].join('\n');
	return [
		`### ${title}`,
		'',
		`Profile ${path.basename(summary.file)}: ${(summary.wallMs / 1000).toFixed(1)} s wall, ${(summary.busyMs / 1000).toFixed(1)} s busy (CPU samples that were not idle).${note ? ` ${note}` : ''}`,
		'',
		'By area:',
		'',
		table(summary.areas),
		'',
		'By function (self time):',
		'',
		table(summary.functions),
		'',
		...summary.callers.flatMap((hot) => [`Called from (${hot.function}; callers nearest first):`, '', table(hot.paths), '']),
	].join('\n');
}
