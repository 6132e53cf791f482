// Kommo in a real n8n 2.40.7 with the packed package installed, against the Kommo sandbox:
// "Kommo Trigger (status → Won) → Kommo Get lead → Kommo Add note".
//  - activating the workflow registers its webhook in the sandbox (secret in the URL);
//  - the sandbox fires a Won status change; the trigger answers 2xx in under 2 s; the note
//    lands on the right lead with the lead's plan and main contact;
//  - a non-Won change, a wrong or missing secret, another account and garbage start nothing;
//  - every real Kommo body in test/fixtures/kommo-payloads is answered 2xx;
//  - a restart keeps the registration (no second webhook), and deactivating the workflow
//    (REST POST /rest/workflows/:id/deactivate, what the editor's "Unpublish" calls) deletes
//    the webhook in the sandbox.
import path from 'node:path';

import { KOMMO_CORPUS_FILES, readKommoCorpus, withAccount } from '../helpers/kommo-corpus';
import { KommoSandbox, WON_STATUS_ID } from '../../dev/sandbox/kommo';
import { nodeOutput, startN8n, type N8nHandle } from '../../dev/n8n';
import { sleep, waitFor } from './helpers/won-workflows';

const FIXTURE = path.join(__dirname, 'fixtures', 'kommo', 'won-get-note.workflow.json');
const WORKFLOW = 'E2E Kommo Won → Get lead → Add note';
const WEBHOOK_PATH = 'e2e-kommo-won/webhook';

describe('Kommo Trigger → Get lead → Add note in a real n8n', () => {
	let kommo: KommoSandbox;
	let n8n: N8nHandle;
	let workflowId: string;

	beforeAll(async () => {
		kommo = await new KommoSandbox().start();
		n8n = await startN8n({
			name: 'kommo',
			workflows: [FIXTURE],
			credentials: [
				{
					id: 'e2eKommoCred0001',
					name: 'Kommo sandbox (long-lived token)',
					type: 'kommoApi',
					data: {
						subdomain: kommo.account.subdomain,
						domain: 'kommo.com',
						accessToken: kommo.longLivedToken,
						requestsPerSecond: 7,
						customHost: true,
						baseUrl: kommo.url,
					},
				},
			],
			waitForWebhooks: [WEBHOOK_PATH],
		});
		workflowId = n8n.workflowIds[WORKFLOW];
		await waitFor('the trigger to register its webhook in the sandbox', () => kommo.webhooks.length === 1);
		await n8n.api.waitForTriggerData(workflowId);
		process.stderr.write(`kommo e2e timings: ${JSON.stringify(n8n.timings)}\n`);
	});

	afterAll(async () => {
		await n8n?.stop();
		await kommo?.stop();
	});

	const finished = async () =>
		(await n8n.api.executions({ workflowId })).filter((e) => !['new', 'running', 'waiting'].includes(e.status));

	function seedDeal(name: string) {
		return kommo.addLead({
			name,
			price: 12_000,
			customFields: { Plan: 'Enterprise' },
			contacts: [{ first_name: 'Grace', last_name: 'Hopper', email: `grace+${name.replace(/\W/g, '')}@navy.test`, phone: '+1 555 0142' }],
		});
	}

	test('activation registered the webhook in Kommo with a secret in the URL', () => {
		expect(kommo.webhooks).toHaveLength(1);
		const [hook] = kommo.webhooks;
		expect(hook.settings).toEqual(['status_lead']);
		expect(hook.destination.startsWith(`${n8n.webhookUrl(WEBHOOK_PATH)}?secret=`)).toBe(true);
		expect(new URL(hook.destination).searchParams.get('secret')).toMatch(/^[A-Za-z0-9_-]{32}$/);
		expect(kommo.requestsTo('GET', '/api/v4/account')).toHaveLength(1);
	});

	test('a deal moved to Won gets its note, and the trigger answered within 2 seconds', async () => {
		const lead = seedDeal('Navy Corp');
		const deliveries = await kommo.moveLead(lead.id, WON_STATUS_ID);
		expect(deliveries).toHaveLength(1);
		const [delivery] = deliveries;
		expect(delivery.status).toBe(200);
		expect(delivery.ms).toBeLessThan(2000);
		expect(delivery.ok).toBe(true);

		const [execution] = await n8n.api.waitForExecutions(workflowId, 1, 60_000);
		expect(execution.status).toBe('success');
		const notes = kommo.notesFor(lead.id);
		expect(notes).toHaveLength(1);
		expect(notes[0].params.text).toBe('Deal won: Navy Corp (plan Enterprise), main contact Grace Hopper <grace+NavyCorp@navy.test>');
		expect(notes[0].note_type).toBe('common');

		const detail = await n8n.api.execution(execution.id);
		const [triggered] = nodeOutput(detail, 'Kommo Trigger');
		expect(triggered).toMatchObject({ event: 'status_lead', lead_id: lead.id, status_id: WON_STATUS_ID, account: { id: kommo.account.id } });
		expect(nodeOutput(detail, 'Get lead')[0]).toMatchObject({ id: lead.id, contact: { email: 'grace+NavyCorp@navy.test', phone: '+1 555 0142' } });
	});

	test('one webhook carrying 75 Won deals (over 1000 form keys) gives 75 items: the raw body is decoded, not n8n’s truncated form', async () => {
		const before = (await finished()).length;
		const leads = Array.from({ length: 75 }, (_, i) => seedDeal(`Batch ${i}`));
		for (const lead of leads) await kommo.moveLead(lead.id, WON_STATUS_ID, { fire: false });
		const body = kommo.webhookBody('status_lead', leads.map((l) => l.id));
		expect([...new URLSearchParams(body).keys()].length).toBeGreaterThan(1000); // n8n's body parser keeps 1000
		const [delivery] = await kommo.fire('status_lead', leads.map((l) => l.id));
		expect(delivery.status).toBe(200);
		expect(delivery.ms).toBeLessThan(2000);

		const executions = await n8n.api.waitForExecutions(workflowId, before + 1, 90_000);
		const detail = await n8n.api.execution(executions[0].id);
		expect(detail.status).toBe('success');
		expect(nodeOutput(detail, 'Kommo Trigger').map((i) => i.lead_id)).toEqual(leads.map((l) => l.id));
		for (const lead of leads) expect(kommo.notesFor(lead.id)).toHaveLength(1);
	});

	test('a change to another status, a wrong or missing secret, another account and garbage start nothing', async () => {
		const before = (await finished()).length;
		const lead = seedDeal('Not yet');
		const [notWon] = await kommo.moveLead(lead.id, kommo.mainPipeline.statuses[2].id);
		expect(notWon.status).toBe(200);

		const destination = kommo.webhooks[0].destination;
		const body = kommo.webhookBody('status_lead', [lead.id]).replace(/status_id%5D=\d+/, `status_id%5D=${WON_STATUS_ID}`);
		const wrong = new URL(destination);
		wrong.searchParams.set('secret', 'x'.repeat(32));
		const missing = new URL(destination);
		missing.search = '';
		expect((await kommo.sendRaw(wrong.toString(), body)).status).toBe(401);
		expect((await kommo.sendRaw(missing.toString(), body)).status).toBe(401);
		const otherAccount = body.replace(`account%5Bid%5D=${kommo.account.id}`, 'account%5Bid%5D=31337');
		expect((await kommo.sendRaw(destination, otherAccount)).status).toBe(403);
		expect((await kommo.sendRaw(destination, 'leads[status][0][id]=oops')).status).toBe(400);

		await sleep(3000);
		expect((await finished()).length).toBe(before);
		expect(kommo.notesFor(lead.id)).toHaveLength(0);
	});

	test('after a restart the registration is kept (no second webhook) and Won still works', async () => {
		const destination = kommo.webhooks[0].destination;
		const registrations = kommo.requestsTo('POST', '/api/v4/webhooks').length;
		await n8n.restart();
		// n8n 2.40 keeps production webhooks in its database across restarts and does not run
		// checkExists/create again for them; the secret lives on in the workflow's static data.
		await waitFor("n8n's REST API after the restart", async () => Array.isArray(await n8n.api.executions({ workflowId })));
		expect(kommo.webhooks.map((w) => w.destination)).toEqual([destination]);
		expect(kommo.requestsTo('POST', '/api/v4/webhooks')).toHaveLength(registrations);

		const before = (await finished()).length;
		const lead = seedDeal('After restart');
		const [delivery] = await kommo.moveLead(lead.id, WON_STATUS_ID);
		expect(delivery.ok).toBe(true);
		await n8n.api.waitForExecutions(workflowId, before + 1, 60_000);
		expect(kommo.notesFor(lead.id)).toHaveLength(1);
	});

	test("n8n's credential test calls GET /api/v4/account on the base URL and reports a bad token", async () => {
		const data = { subdomain: 'acme', domain: 'kommo.com', accessToken: kommo.longLivedToken, requestsPerSecond: 7, customHost: true, baseUrl: kommo.url };
		const test = (accessToken: string) =>
			n8n.api.request<{ status: string; message: string }>('POST', '/rest/credentials/test', {
				credentials: { id: 'e2eKommoCred0001', name: 'Kommo sandbox (long-lived token)', type: 'kommoApi', data: { ...data, accessToken } },
			});
		const calls = kommo.requestsTo('GET', '/api/v4/account').length;
		expect((await test(kommo.longLivedToken)).status).toBe('OK');
		expect(kommo.requestsTo('GET', '/api/v4/account')).toHaveLength(calls + 1);
		expect((await test('not-the-token')).status).toBe('Error');
	});

	// Issue 14 acceptance: every Kommo body captured from real accounts (test/fixtures/kommo-payloads,
	// provenance in its SOURCES.md), re-addressed to the sandbox account, is accepted by the Kommo
	// Trigger inside real n8n: a 2xx, never a 4xx/5xx that would count towards Kommo switching the
	// webhook off. Bodies of other events are acknowledged without an execution; the Won ones name
	// leads the sandbox does not have, so what their executions do is not asserted here.
	test('every real Kommo body in the corpus is answered 2xx by the trigger in real n8n', async () => {
		const destination = kommo.webhooks[0].destination;
		const answers: string[] = [];
		for (const file of KOMMO_CORPUS_FILES) {
			const { status } = await kommo.sendRaw(destination, withAccount(readKommoCorpus(file), kommo.account));
			answers.push(`${status} ${file}`);
		}
		expect(KOMMO_CORPUS_FILES.length).toBeGreaterThanOrEqual(30);
		expect(answers.filter((a) => !a.startsWith('2'))).toEqual([]);
	});

	test('deactivating the workflow deletes the webhook in Kommo', async () => {
		const destination = kommo.webhooks[0].destination;
		await n8n.api.request('POST', `/rest/workflows/${workflowId}/deactivate`, {});
		// n8n 2.40 unpublishes through an outbox: the trigger's delete() runs just after the answer.
		await waitFor('the trigger to delete its webhook in the sandbox', () => kommo.webhooks.length === 0);
		// Every DELETE names our destination. A DELETE may be sent twice (the HTTP layer repeats an
		// idempotent request after a 429 or a lost answer; seen once on a loaded CI machine), which
		// Kommo answers harmlessly; what matters is that no registration is left.
		const deletes = kommo.requestsTo('DELETE', '/api/v4/webhooks').map((r) => r.body);
		expect(deletes.length).toBeGreaterThanOrEqual(1);
		expect(new Set(deletes.map((body) => JSON.stringify(body)))).toEqual(new Set([JSON.stringify({ destination })]));
		const lead = seedDeal('After deactivation');
		expect(await kommo.moveLead(lead.id, WON_STATUS_ID)).toEqual([]);
	});
});
