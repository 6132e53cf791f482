/**
 * Shared by the real-n8n tests of the shipped billing-event workflows
 * (test/e2e/workflows-*-events.test.ts): the shipped JSON as n8n imports it, the Kommo
 * credential with the id the workflows reference, and small waits/assertions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { CredentialJson, N8nHandle, WorkflowJson } from '../../../dev/n8n';
import type { KommoSandbox } from '../../../dev/sandbox/kommo';
import { ERROR_WORKFLOW_ID, SHIPPED_CREDENTIAL } from '../../../tools/workflows/credentials';

export const WORKFLOWS_DIR = path.join(__dirname, '..', '..', '..', 'workflows');
export { ERROR_WORKFLOW_ID };

/** A shipped workflow file as it is (tests patch copies, never the file). */
export function shippedWorkflow(file: string): WorkflowJson {
	return JSON.parse(readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')) as WorkflowJson;
}

/** A shipped event workflow and its "notes, fields, tasks" sub-workflow (<file>-effects.json), as a user imports them. */
export function shippedEventWorkflows(file: string, edit: (effects: WorkflowJson) => void = () => {}): WorkflowJson[] {
	const effects = shippedWorkflow(file.replace(/\.json$/, '-effects.json'));
	edit(effects);
	return [shippedWorkflow(file), effects];
}

/** The "Kommo account" credential the workflows reference, pointing at the sandbox. */
export function kommoCredential(kommo: KommoSandbox): CredentialJson {
	return {
		...SHIPPED_CREDENTIAL.kommoApi,
		type: 'kommoApi',
		data: {
			subdomain: kommo.account.subdomain,
			domain: 'kommo.com',
			accessToken: kommo.longLivedToken,
			requestsPerSecond: 7,
			customHost: true,
			baseUrl: kommo.url,
		},
	};
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await pause(100);
	}
}

/**
 * Parallel deliveries of one event: the first takes the claim, the others are answered 409 (in
 * progress) or 200 (already processed). Like a vendor, send the 409s again until they are 2xx.
 */
export async function redeliverInProgress<T extends { status: number }>(first: T[], send: () => Promise<T>, timeoutMs = 20_000): Promise<T[]> {
	expect(first.every((r) => r.status === 200 || r.status === 409)).toBe(true);
	const deadline = Date.now() + timeoutMs;
	const out: T[] = [];
	for (let answer of first) {
		while (answer.status === 409 && Date.now() < deadline) {
			await pause(500);
			answer = await send();
		}
		out.push(answer);
	}
	return out;
}

/** A task text without the event reference on its last line ("(Chargebee event ev_…)"). */
export const taskText = (text: string) => {
	expect(text).toMatch(/\n\((Chargebee|Paddle|Zuora) event \S+\)$/);
	return text.replace(/\n\((Chargebee|Paddle|Zuora) event \S+\)$/, '');
};

/** Texts of a lead's notes and tasks, in creation order. */
export function effects(kommo: KommoSandbox, leadId: number): { notes: string[]; tasks: string[]; status: unknown; plan: unknown } {
	const fields = kommo.leadFieldMap(leadId);
	return {
		notes: kommo.notesFor(leadId).map((n) => String(n.params.text)),
		tasks: kommo.tasksFor(leadId).map((t) => t.text),
		status: fields['Subscription status'],
		plan: fields.Plan,
	};
}

/** Waits for the workflow's executions to reach `count` and checks that no more start. */
export async function settledExecutions(n8n: N8nHandle, workflowId: string, count: number, graceMs = 1500) {
	const finished = await n8n.api.waitForExecutions(workflowId, count, 60_000);
	await pause(graceMs);
	const all = await n8n.api.executions({ workflowId });
	expect(all).toHaveLength(count);
	return finished;
}

/** The error workflow's Kommo tasks (on a deal or not) whose text mentions `marker`. */
export function errorTasks(kommo: KommoSandbox, marker: string) {
	return kommo.tasks.filter((t) => t.text.startsWith('Workflow "') && t.text.includes(marker));
}

/**
 * The out-of-order proof every event workflow shares: the vendor delivers the pause, then the
 * cancellation, and the older resume only later (a retry). The late one is answered as stale, the
 * deal stays Cancelled, its Billing versions keep the cancellation's, and a redelivery of the late
 * event is a duplicate. `send` delivers one event and returns the webhook's answer.
 */
export async function expectLateResumeIsStale<E>(
	kommo: KommoSandbox,
	leadId: number,
	events: { paused: E; cancelled: E; resumed: E },
	send: (event: E) => Promise<{ status: number; body: string }>,
	applied: Record<string, string>,
): Promise<void> {
	expect((await send(events.paused)).status).toBe(200);
	expect(effects(kommo, leadId).status).toBe('Paused');
	expect((await send(events.cancelled)).status).toBe(200);
	expect(effects(kommo, leadId).status).toBe('Cancelled');
	const late = await send(events.resumed);
	expect(late.status).toBe(200);
	expect(JSON.parse(late.body)).toEqual({ received: true, stale: true });
	expect(effects(kommo, leadId).status).toBe('Cancelled');
	expect(JSON.parse(String(kommo.leadFieldMap(leadId)['Billing versions']))).toEqual(applied);
	expect(JSON.parse((await send(events.resumed)).body)).toEqual({ received: true, duplicate: true });
}
