// Billing Event Dedupe in n8n queue mode: main + 2 workers, Postgres, Redis. Concurrent
// duplicates are executed by different worker processes and still give exactly one "New".
// Needs Postgres and Redis (bash dev/services.sh); without them startN8nQueue throws and
// this test FAILS, on purpose: a queue-mode guarantee must not pass by not running.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { startN8nQueue, type N8nQueueHandle } from '../../dev/n8n';

const FIXTURES = path.join(__dirname, 'fixtures');

async function claim(n8n: N8nQueueHandle, eventId: string): Promise<string | undefined> {
	const response = await fetch(n8n.webhookUrl('e2e-dedupe-claim'), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ eventId }),
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { outcome?: string }).outcome;
}

/** Execution ids each worker says it ran ("Worker started execution <id>"). */
function executionsPerWorker(n8n: N8nQueueHandle): Set<string>[] {
	return n8n.workers.map((_, index) => {
		const ids = [...n8n.workerLogs(index).matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]);
		return new Set(ids);
	});
}

describe('Billing Event Dedupe in queue mode (Postgres + Redis + 2 workers)', () => {
	let n8n: N8nQueueHandle;

	beforeAll(async () => {
		n8n = await startN8nQueue({
			name: 'dedupe-queue',
			workers: 2,
			workflows: [path.join(FIXTURES, 'dedupe-claim.workflow.json')],
		});
		process.stderr.write(`dedupe queue e2e timings: ${JSON.stringify(n8n.timings)}\n`);
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	test('runs on Postgres with two workers', async () => {
		expect(n8n.workers).toHaveLength(2);
		const rows = await n8n.withDatabase(async (db) => (await db.query<{ n: string }>('select count(*) as n from workflow_entity')).rows);
		expect(Number(rows[0].n)).toBe(1);
	});

	test('the same event delivered 6 times at once (8 rounds): exactly one New per event, on both workers', async () => {
		for (let round = 0; round < 8; round++) {
			const eventId = `evt_queue_${round}_${randomUUID()}`;
			const outcomes = await Promise.all(Array.from({ length: 6 }, async () => await claim(n8n, eventId)));
			expect({ round, new: outcomes.filter((o) => o === 'new').length, duplicate: outcomes.filter((o) => o === 'duplicate').length }).toEqual({
				round,
				new: 1,
				duplicate: 5,
			});
		}
		// the duplicates really were handled by different processes
		const [first, second] = executionsPerWorker(n8n);
		expect(first.size).toBeGreaterThan(0);
		expect(second.size).toBeGreaterThan(0);
		expect([...first].filter((id) => second.has(id))).toEqual([]);
	});

	test('distinct events claimed at once across workers are all remembered', async () => {
		const ids = Array.from({ length: 12 }, (_, i) => `evt_queue_many_${i}_${randomUUID()}`);
		expect(await Promise.all(ids.map(async (id) => await claim(n8n, id)))).toEqual(ids.map(() => 'new'));
		expect(await Promise.all(ids.map(async (id) => await claim(n8n, id)))).toEqual(ids.map(() => 'duplicate'));
	});

	test("the history is in Postgres' processed_data table, shared by all processes", async () => {
		const rows = await n8n.withDatabase(
			async (db) => (await db.query<{ context: string; value: string }>('select context, value from processed_data')).rows,
		);
		// one workflow-scope history row ('') and no lock row left behind ('n:<node id>')
		expect(rows.map((r) => r.context)).toEqual(['']);
		expect((JSON.parse(rows[0].value) as { data: string[] }).data.length).toBe(8 + 12);
	});
});
