import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { areaOf, n8nProfilesIn, profileMarkdown, profilesIn, summarizeProfile } from '../lib/cpu-profile';

const frame = (id: number, functionName: string, url: string, lineNumber = 0, children: number[] = []) => ({ id, callFrame: { functionName, url, lineNumber }, children });

function write(dir: string, name: string, durationUs: number, samples: number[], deltas: number[]) {
	const profile = {
		nodes: [
			frame(1, '(root)', '', 0, [2, 4, 5, 6, 7]),
			frame(2, '(idle)', ''),
			frame(3, 'verify', 'file:///u/.n8n/nodes/node_modules/n8n-nodes-kommo-billing/dist/nodes/Paddle/trigger/verify.js', 9),
			frame(4, 'runNode', 'file:///n8n/node_modules/n8n-core/dist/execution-engine/workflow-execute.js', 0, [3]),
			frame(5, 'query', 'file:///n8n/node_modules/@n8n/typeorm/driver/query.js'),
			frame(6, 'readFile', 'node:fs'),
			frame(7, '(garbage collector)', ''),
		],
		startTime: 0,
		endTime: durationUs,
		samples,
		timeDeltas: deltas,
	};
	writeFileSync(path.join(dir, name), JSON.stringify(profile));
}

describe('bench CPU profile summary', () => {
	it('names the package a script belongs to, scoped packages and ours included', () => {
		expect(areaOf('file:///x/node_modules/a/node_modules/@n8n/db/dist/x.js', 'f')).toBe('@n8n/db');
		expect(areaOf('file:///x/node_modules/n8n-nodes-kommo-billing/dist/a.js', 'f')).toBe('n8n-nodes-kommo-billing (ours)');
		expect(areaOf('node:internal/fs', 'f')).toBe('node (built-in modules)');
		expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
		expect(areaOf('', 'someNative')).toBe('(native)');
		expect(areaOf('file:///srv/app.js', 'f')).toBe('(other scripts)');
	});

	it('adds each sample interval to its leaf function, leaves idle out of busy time, and ranks by self time', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cpuprof-'));
		// 4 ms idle, 3 ms ours, 2 ms n8n-core, 1 ms typeorm, 1 ms GC
		write(dir, 'a.cpuprofile', 20_000, [2, 3, 3, 4, 5, 7, 2, 3, 4], [2000, 1000, 1000, 1000, 1000, 1000, 2000, 1000, 1000]);
		const s = summarizeProfile(path.join(dir, 'a.cpuprofile'));
		expect(s.wallMs).toBe(20);
		expect(s.busyMs).toBe(7);
		expect(s.areas.map((a) => [a.name, a.ms])).toEqual([
			['n8n-nodes-kommo-billing (ours)', 3],
			['n8n-core', 2],
			['@n8n/typeorm', 1],
			['(garbage collector)', 1],
		]);
		expect(s.areas[0].percent).toBeCloseTo(42.9, 1);
		expect(s.functions[0].name).toBe('verify (n8n-nodes-kommo-billing (ours): verify.js:10)');
		expect(profileMarkdown('t', s)).toContain('| n8n-core | 2 | 28.6 |');
		// who called the hottest function: verify under runNode (root is not a caller)
		expect(s.callers[0]).toEqual({
			function: 'verify (n8n-nodes-kommo-billing (ours): verify.js:10)',
			paths: [{ name: 'runNode (n8n-core: workflow-execute.js:1)', ms: 3, percent: 42.9 }],
		});
		expect(s.callers[1].paths.map((p) => p.name)).toEqual(['(no caller)']);
		expect(profileMarkdown('t', s)).toContain('Called from (verify (n8n-nodes-kommo-billing (ours): verify.js:10); callers nearest first):');
	});

	it('takes the busiest profile of a folder as the n8n process, not the longest', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cpuprof-'));
		// a helper that outlives n8n has the longest wall time but next to no CPU: n8n is the busiest
		write(dir, 'n8n.cpuprofile', 60_000, [3, 4, 5, 4], [1000, 20_000, 20_000, 19_000]);
		write(dir, 'probe.cpuprofile', 90_000, [4, 2], [1000, 89_000]);
		expect(path.basename(profilesIn(dir)[0].file)).toBe('n8n.cpuprofile');
		expect(profilesIn(dir, 10).map((p) => path.basename(p.file))).toEqual(['n8n.cpuprofile']);
		expect(profilesIn(dir).map((p) => path.basename(p.file))).toEqual(['n8n.cpuprofile', 'probe.cpuprofile']);
		expect(profilesIn(path.join(dir, 'missing'))[0]).toBeUndefined();
	});

	it('finds the n8n process among the CLI imports (busy but short) and the probe (long but idle)', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cpuprof-'));
		const busy = (ms: number) => [Array(ms / 100).fill(4), Array(ms / 100).fill(100_000)] as const;
		write(dir, 'import.cpuprofile', 7_000_000, ...busy(6000));
		write(dir, 'n8n.cpuprofile', 200_000_000, ...busy(3000));
		write(dir, 'runner.cpuprofile', 190_000_000, ...busy(1500));
		write(dir, 'probe.cpuprofile', 210_000_000, [4, 2], [10_000, 209_000_000]);
		const { n8n, others } = n8nProfilesIn(dir);
		expect(path.basename(n8n!.file)).toBe('n8n.cpuprofile');
		expect(others.map((p) => path.basename(p.file))).toEqual(['runner.cpuprofile']);
		expect(n8nProfilesIn(path.join(dir, 'missing'))).toEqual({ n8n: undefined, others: [] });
	});
});
