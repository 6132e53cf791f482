// The harness's own promises: a failed start says why and leaves nothing running, stop() ends
// n8n's whole process tree (task runner included), and restart() keeps the database.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { startN8n } from '../../dev/n8n';

function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Pids whose process group is `pgid` (from /proc). */
function groupMembers(pgid: number): number[] {
	return readdirSync('/proc')
		.filter((name) => /^\d+$/.test(name))
		.filter((pid) => {
			try {
				const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
				// fields after the ")" that closes the command name: state ppid pgrp …
				return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
			} catch {
				return false;
			}
		})
		.map(Number);
}

describe('harness', () => {
	test('a start that fails throws with the tail of n8n\'s log and leaves no process', async () => {
		let error: Error | undefined;
		try {
			await startN8n({ name: 'harness-fail', installPackage: false, env: { N8N_DISABLED_MODULES: 'no-such-module' } });
		} catch (e) {
			error = e as Error;
		}
		expect(error?.message).toMatch(/harness-fail main exited/);
		expect(error?.message).toContain('no-such-module');
		const folder = /n8n log tail \((.+)\/n8n\.log\)/.exec(error?.message ?? '')?.[1];
		expect(folder && existsSync(folder)).toBeTruthy();
		rmSync(folder as string, { recursive: true, force: true });
	});

	test('stop() ends n8n, its task runner and the watchdog; restart() keeps the database', async () => {
		const n8n = await startN8n({
			name: 'harness-stop',
			installPackage: false,
			workflows: [
				{
					id: 'e2eHarnessStop01',
					name: 'Harness stop',
					settings: { executionOrder: 'v1' },
					connections: {},
					nodes: [
						{
							id: '0b8a1c2d-0001-4e5f-8a9b-0c0c0c0c0001',
							name: 'Webhook',
							type: 'n8n-nodes-base.webhook',
							typeVersion: 2.1,
							position: [0, 0],
							webhookId: '0b8a1c2d-1001-4e5f-8a9b-0c0c0c0c1001',
							parameters: { httpMethod: 'POST', path: 'e2e-harness-stop', options: {} },
						},
					],
				},
			],
		});
		const response = await fetch(n8n.webhookUrl('e2e-harness-stop'), { method: 'POST', body: '{}' });
		expect(response.status).toBe(200);
		await n8n.api.waitForExecutions('e2eHarnessStop01', 1);

		const firstGroup = n8n.pid as number;
		// watchdog + n8n + JS task runner
		expect(groupMembers(firstGroup).length).toBeGreaterThanOrEqual(3);
		await n8n.restart();
		expect(groupAlive(firstGroup)).toBe(false);
		expect(await n8n.api.executions({ workflowId: 'e2eHarnessStop01' })).toHaveLength(1);

		const secondGroup = n8n.pid as number;
		await n8n.stop();
		expect(groupAlive(secondGroup)).toBe(false);
		expect(existsSync(n8n.userFolder)).toBe(false);
		process.stderr.write(`harness timings: ${JSON.stringify(n8n.timings)}\n`);
	});
});
