/**
 * `npm run demo`, end to end, the way a newcomer runs it (issue 8: "npm ci && npm run demo on a
 * fresh clone runs the story to the end and leaves a working editor"):
 *  - runs `npm run demo -- --ci --keep-running` (build, compile, sandboxes, real n8n with every
 *    workflows/*.json, the story) in its own process group and waits for its DEMO_READY line;
 *  - every step of the story had its expected effect, and it played the shipped workflows;
 *  - the printed editor URL serves n8n's UI, the printed owner login works on /rest/login and
 *    the imported workflows are there and published;
 *  - Ctrl-C (SIGINT to the process group, as a terminal sends it) stops n8n and every sandbox
 *    and exits with the story's code (0).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { REPO_ROOT } from '../../dev/n8n';

interface Ready {
	url: string;
	email: string;
	password: string;
	passed: boolean;
	steps: Array<{ chapter: string; title: string; ok: boolean }>;
	skipped: string[];
	workflows: Array<{ file: string; id: string; name: string; published: boolean }>;
	sandboxes: Record<'kommo' | 'chargebee' | 'paddle' | 'zuora', string>;
	pid: number;
}

const START_TIMEOUT_MS = 15 * 60_000; // build + compile + (first run: n8n install) + boot + story
const WORKFLOWS_DIR = process.env.DEMO_WORKFLOWS_DIR || path.join(REPO_ROOT, 'workflows');
const workflowFiles = () => readdirSync(WORKFLOWS_DIR).filter((name) => name.endsWith('.json')).sort();

let child: ChildProcess;
let output = '';
let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
let ready: Ready;

const tail = (lines = 120) => output.split('\n').slice(-lines).join('\n');

function portOpen(url: string): Promise<boolean> {
	const { hostname, port } = new URL(url);
	return new Promise((resolve) => {
		const socket = net.connect({ host: hostname, port: Number(port) });
		const done = (open: boolean) => {
			socket.destroy();
			resolve(open);
		};
		socket.setTimeout(1500, () => done(false));
		socket.once('connect', () => done(true));
		socket.once('error', () => done(false));
	});
}

beforeAll(async () => {
	child = spawn('npm', ['run', 'demo', '--', '--ci', '--keep-running'], {
		cwd: REPO_ROOT,
		detached: true, // its own process group, so that SIGINT reaches it like a terminal's Ctrl-C
		env: { ...process.env, NO_COLOR: '1', DEMO_NON_INTERACTIVE: '1' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.on('exit', (code, signal) => (exited = { code, signal }));

	const deadline = Date.now() + START_TIMEOUT_MS;
	for (;;) {
		const match = /^DEMO_READY (.+)$/m.exec(output);
		if (match) {
			ready = JSON.parse(match[1]) as Ready;
			break;
		}
		if (exited) throw new Error(`npm run demo exited (${exited.code ?? exited.signal}) before it was ready:\n${tail()}`);
		if (Date.now() > deadline) throw new Error(`npm run demo was not ready after ${START_TIMEOUT_MS / 60_000} min:\n${tail()}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}, START_TIMEOUT_MS + 60_000);

afterAll(async () => {
	if (child?.pid && !exited) {
		try {
			process.kill(-child.pid, 'SIGKILL'); // n8n's watchdog stops n8n within a second once the demo is gone
		} catch {
			// already gone
		}
	}
});

describe('npm run demo', () => {
	test('plays the story to the end and every step has its expected effect', () => {
		if (!ready.passed) throw new Error(`the story did not pass:\n${tail(200)}`);
		expect(ready.steps.length).toBeGreaterThan(0);
		expect(ready.steps.filter((s) => !s.ok)).toEqual([]);
		expect(output).toContain('Story summary');
		// the story covers the chain the issue names, as far as the workflows exist
		const titles = ready.steps.map((s) => `${s.chapter} ${s.title}`).join('\n');
		const files = workflowFiles();
		if (files.includes('kommo-won-to-chargebee.json')) expect(titles).toMatch(/Chargebee .*is won/);
		if (files.includes('chargebee-events-to-kommo.json')) {
			expect(titles).toMatch(/pays/);
			expect(titles).toMatch(/declined/);
			expect(titles).toMatch(/cancels/);
		}
		if (files.includes('kommo-won-to-paddle.json')) expect(titles).toMatch(/Paddle .*is won/);
		if (files.includes('kommo-won-to-zuora.json')) expect(titles).toMatch(/Zuora .*is won/);
	});

	test('imported every workflows/*.json and published every one that has a trigger', () => {
		expect(ready.workflows.map((w) => w.file).sort()).toEqual(workflowFiles());
		for (const w of ready.workflows) {
			const json = JSON.parse(readFileSync(path.join(WORKFLOWS_DIR, w.file), 'utf8')) as { id: string; name: string };
			expect(w).toMatchObject({ id: json.id, name: json.name });
		}
		expect(ready.workflows.every((w) => w.published)).toBe(true);
	});

	test('the printed editor URL serves the n8n editor', async () => {
		const home = await fetch(`${ready.url}/`);
		expect(home.status).toBe(200);
		expect(home.headers.get('content-type')).toMatch(/text\/html/);
		expect(await home.text()).toMatch(/<title>n8n/i);
		const [first] = ready.workflows;
		const editor = await fetch(`${ready.url}/workflow/${first.id}`);
		expect(editor.status).toBe(200);
		expect(await editor.text()).toMatch(/<div id="app"/);
	});

	test('the printed owner login works on /rest/login and sees the workflows published', async () => {
		const headers = { 'content-type': 'application/json', 'browser-id': 'demo-test' };
		const login = await fetch(`${ready.url}/rest/login`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ emailOrLdapLoginId: ready.email, password: ready.password }),
		});
		expect(login.status).toBe(200);
		const cookie = /n8n-auth=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0];
		expect(cookie).toBeDefined();
		const list = await fetch(`${ready.url}/rest/workflows`, { headers: { ...headers, cookie: cookie! } });
		expect(list.status).toBe(200);
		const { data } = (await list.json()) as { data: Array<{ id: string; name: string; active: boolean }> };
		for (const w of ready.workflows) {
			expect(data.find((d) => d.id === w.id)).toMatchObject({ name: w.name, active: w.published });
		}
	});

	test('Ctrl-C stops n8n and every sandbox and exits with the story’s code', async () => {
		const endpoints = [ready.url, ...Object.values(ready.sandboxes)];
		for (const url of endpoints) expect(await portOpen(url)).toBe(true);
		process.kill(-child.pid!, 'SIGINT');
		const deadline = Date.now() + 90_000;
		while (!exited && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
		if (!exited) throw new Error(`npm run demo did not stop within 90 s of Ctrl-C:\n${tail(40)}`);
		expect(exited.code).toBe(0);
		expect(output).toMatch(/stopped\./);
		for (const url of endpoints) expect(await portOpen(url)).toBe(false);
		// the demo process itself is gone too (npm waits for it: the script execs node)
		expect(() => process.kill(ready.pid, 0)).toThrow();
	}, 120_000);
});
