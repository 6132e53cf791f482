// Billing Event Dedupe in a real n8n (regular mode, SQLite): exactly one "New" per event under
// sequential and concurrent redelivery, Claim → failure → Release → redelivery processes the
// event once, a missing key fails loudly, and the history survives a restart.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { nodeOutput, startN8n, type N8nHandle } from '../../dev/n8n';

const FIXTURES = path.join(__dirname, 'fixtures');
const CLAIM = 'E2E Dedupe claim';
const RELEASE = 'E2E Dedupe claim, fail, release';

interface Answer {
	status: number;
	body: { outcome?: string; [key: string]: unknown };
}

async function deliver(n8n: N8nHandle, webhookPath: string, payload: Record<string, unknown>): Promise<Answer> {
	const response = await fetch(n8n.webhookUrl(webhookPath), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(payload),
	});
	const text = await response.text();
	let body: Answer['body'] = {};
	try {
		body = JSON.parse(text) as Answer['body'];
	} catch {
		body = { raw: text };
	}
	return { status: response.status, body };
}

const outcomes = (answers: Answer[]) => answers.map((a) => a.body.outcome);
const count = (values: unknown[], value: unknown) => values.filter((v) => v === value).length;

describe('Billing Event Dedupe in a real n8n', () => {
	let n8n: N8nHandle;

	beforeAll(async () => {
		n8n = await startN8n({
			name: 'dedupe',
			workflows: [
				path.join(FIXTURES, 'dedupe-claim.workflow.json'),
				path.join(FIXTURES, 'dedupe-release.workflow.json'),
				path.join(FIXTURES, 'dedupe-lease.workflow.json'),
			],
		});
		process.stderr.write(`dedupe e2e timings: ${JSON.stringify(n8n.timings)}\n`);
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	test('the same event delivered 5 times in a row: one New, four Duplicate', async () => {
		const eventId = `evt_seq_${randomUUID()}`;
		const answers: Answer[] = [];
		for (let i = 0; i < 5; i++) answers.push(await deliver(n8n, 'e2e-dedupe-claim', { eventId }));
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
		expect(outcomes(answers)).toEqual(['new', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
	});

	test('the same event delivered 5 times at once (10 rounds): exactly one New per event', async () => {
		for (let round = 0; round < 10; round++) {
			const eventId = `evt_par_${round}_${randomUUID()}`;
			const answers = await Promise.all(
				Array.from({ length: 5 }, async () => await deliver(n8n, 'e2e-dedupe-claim', { eventId })),
			);
			expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
			expect({ round, new: count(outcomes(answers), 'new'), duplicate: count(outcomes(answers), 'duplicate') }).toEqual({
				round,
				new: 1,
				duplicate: 4,
			});
		}
	});

	test('10 different events at once are all New, and none is forgotten afterwards', async () => {
		const ids = Array.from({ length: 10 }, (_, i) => `evt_many_${i}_${randomUUID()}`);
		const first = await Promise.all(ids.map(async (eventId) => await deliver(n8n, 'e2e-dedupe-claim', { eventId })));
		expect(outcomes(first)).toEqual(ids.map(() => 'new'));
		// a lost update of the shared history would let one of them through again
		const again = await Promise.all(ids.map(async (eventId) => await deliver(n8n, 'e2e-dedupe-claim', { eventId })));
		expect(outcomes(again)).toEqual(ids.map(() => 'duplicate'));
	});

	test('Claim → failing step → Release → redelivery: the event is processed exactly once', async () => {
		const eventId = `evt_rel_${randomUUID()}`;
		const workflowId = n8n.workflowIds[RELEASE];
		const before = (await n8n.api.executions({ workflowId })).length;

		const failed = await deliver(n8n, 'e2e-dedupe-release', { eventId, fail: true });
		expect(failed).toEqual({ status: 503, body: { outcome: 'released' } });

		const retried = await deliver(n8n, 'e2e-dedupe-release', { eventId });
		expect(retried).toEqual({ status: 200, body: { outcome: 'processed', eventId } });

		const late = await deliver(n8n, 'e2e-dedupe-release', { eventId });
		expect(late).toEqual({ status: 200, body: { outcome: 'duplicate' } });

		// the effect succeeded in exactly one of the three executions
		const executions = (await n8n.api.waitForExecutions(workflowId, before + 3)).slice(0, 3);
		const effects = await Promise.all(
			executions.map(async (e) => nodeOutput(await n8n.api.execution(e.id), 'Effect', 0).length),
		);
		expect(effects.reduce((a, b) => a + b, 0)).toBe(1);
	});

	test('a Release racing with Claims of other events still frees its event (5 rounds)', async () => {
		for (let round = 0; round < 5; round++) {
			const eventId = `evt_race_${round}_${randomUUID()}`;
			// the failing attempt (Claim → Effect fails → Release) and 12 other events claimed by
			// the Claim node at the same time: both nodes rewrite the one history row
			const [failed] = await Promise.all([
				deliver(n8n, 'e2e-dedupe-release', { eventId, fail: true }),
				...Array.from({ length: 12 }, async (_, i) => {
					await new Promise((resolve) => setTimeout(resolve, i * 15));
					return await deliver(n8n, 'e2e-dedupe-release', { eventId: `${eventId}_other_${i}` });
				}),
			]);
			expect(failed.body.outcome).toBe('released');
			const retried = await deliver(n8n, 'e2e-dedupe-release', { eventId });
			expect({ round, outcome: retried.body.outcome }).toEqual({ round, outcome: 'processed' });
		}
	});

	test('an item without a key stops the workflow with an error naming the item and the expression', async () => {
		const workflowId = n8n.workflowIds[CLAIM];
		const before = (await n8n.api.executions({ workflowId })).length;
		const answer = await deliver(n8n, 'e2e-dedupe-claim', { notTheEventId: 'x' });
		expect(answer.status).toBe(500);
		const [latest] = await n8n.api.waitForExecutions(workflowId, before + 1);
		expect(latest.status).toBe('error');
		const detail = await n8n.api.execution(latest.id);
		const claimRun = detail.data.resultData.runData.Claim[0];
		expect(claimRun.error?.message).toBe('The Dedupe Key is undefined (the field does not exist) [item 0]');
		expect(claimRun.error?.description).toContain('{{ $json.body.eventId }}');
		// and nothing went out on either output
		expect(nodeOutput(detail, 'Claim', 0)).toEqual([]);
		expect(nodeOutput(detail, 'Claim', 1)).toEqual([]);
	});

	// "Claim Is Final: After a Confirm Node" (lease 10 s)
	test('lease: an attempt that never confirms (n8n died) blocks redeliveries until its lease runs out, then the retry goes through once', async () => {
		const eventId = `evt_lease_${randomUUID()}`;
		expect(await deliver(n8n, 'e2e-dedupe-lease', { eventId, abandon: true })).toEqual({ status: 200, body: { outcome: 'abandoned' } });
		// while the lease runs, redeliveries are told to come back later (409), never "duplicate"
		const started = Date.now();
		let answer = await deliver(n8n, 'e2e-dedupe-lease', { eventId });
		expect(answer).toEqual({ status: 409, body: { outcome: 'in_progress' } });
		while (answer.status === 409 && Date.now() - started < 40_000) {
			await new Promise((resolve) => setTimeout(resolve, 2000));
			answer = await deliver(n8n, 'e2e-dedupe-lease', { eventId });
		}
		const waited = Date.now() - started;
		expect(answer).toEqual({ status: 200, body: { outcome: 'processed', eventId, status: 'retry' } });
		expect(waited).toBeGreaterThanOrEqual(8_000); // the lease (10 s, in 10-s slots) was honoured
		expect(await deliver(n8n, 'e2e-dedupe-lease', { eventId })).toEqual({ status: 200, body: { outcome: 'duplicate' } });
	});

	test('lease: 5 deliveries of one event at once while the effect runs: one processed, the others in progress, then duplicate', async () => {
		for (let round = 0; round < 3; round++) {
			const eventId = `evt_lease_par_${round}_${randomUUID()}`;
			const answers = await Promise.all(
				Array.from({ length: 5 }, async () => await deliver(n8n, 'e2e-dedupe-lease', { eventId, effectMs: 1500 })),
			);
			const got = outcomes(answers);
			expect({ round, processed: count(got, 'processed'), waiting: count(got, 'in_progress') + count(got, 'duplicate') }).toEqual({
				round,
				processed: 1,
				waiting: 4,
			});
			expect(answers.find((a) => a.body.outcome === 'processed')?.body.status).toBe('new');
			expect(await deliver(n8n, 'e2e-dedupe-lease', { eventId })).toEqual({ status: 200, body: { outcome: 'duplicate' } });
		}
	});

	test('the history survives an n8n restart', async () => {
		const eventId = `evt_restart_${randomUUID()}`;
		expect((await deliver(n8n, 'e2e-dedupe-claim', { eventId })).body.outcome).toBe('new');
		const pidBefore = n8n.pid;
		const started = Date.now();
		await n8n.restart();
		process.stderr.write(`dedupe e2e restart took ${Date.now() - started} ms (stop ${n8n.timings.stopMs} ms)\n`);
		expect(n8n.pid).not.toBe(pidBefore);
		expect((await deliver(n8n, 'e2e-dedupe-claim', { eventId })).body.outcome).toBe('duplicate');
		expect((await deliver(n8n, 'e2e-dedupe-claim', { eventId: `${eventId}_other` })).body.outcome).toBe('new');
	});

	test('Count reports the remembered keys; Clear forgets them all', async () => {
		const countNow = async () => ((await (await fetch(n8n.webhookUrl('e2e-dedupe-count'), { method: 'POST' })).json()) as { count: number }).count;
		const before = await countNow();
		expect(before).toBeGreaterThan(0);
		const eventId = `evt_count_${randomUUID()}`;
		await deliver(n8n, 'e2e-dedupe-claim', { eventId });
		await deliver(n8n, 'e2e-dedupe-claim', { eventId });
		expect(await countNow()).toBe(before + 1);

		const cleared = await fetch(n8n.webhookUrl('e2e-dedupe-clear'), { method: 'POST' });
		expect(await cleared.json()).toEqual({ count: 0 });
		expect((await deliver(n8n, 'e2e-dedupe-claim', { eventId })).body.outcome).toBe('new');
	});
});
