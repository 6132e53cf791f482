/**
 * workflows/kommo-won-to-chargebee.json in a real n8n 2.40.7 with the packed package, against
 * the Kommo and Chargebee sandboxes (one n8n for the file). The Kommo sandbox fires the Won
 * webhook at the workflow's own Kommo Trigger, which registered itself on activation.
 *  - the sandbox's customers start card-less, as on a real site, so a paid subscription with auto
 *    collection on would be refused (400 payment_method_not_present);
 *  - invoice deal (Payment method Invoice or empty): customer kommo-lead-<id> (+ cf_kommo_lead_id,
 *    auto collection off) and subscription kommo-lead-<id> in Chargebee, ids and status written to
 *    the deal, a note with plan, amount and links;
 *  - card deal: a Chargebee checkout page link in a note, status "awaiting payment"; a new Won
 *    makes no second page; when the customer pays, Chargebee creates the subscription;
 *  - a deal of another billing system is left alone;
 *  - unmapped plan, missing email: a task for the deal's responsible user, nothing in Chargebee;
 *  - duplicate Won: the same webhook delivered twice at once, and a new Won on a provisioned
 *    deal, create no second customer or subscription;
 *  - Chargebee answers 500 to the subscription create, also to the transport's retries: a task
 *    says so; the next Won finishes the job with exactly one customer and subscription;
 *  - when even the task cannot be written, the execution fails and the workflow's error workflow
 *    (error-to-kommo-task.json, imported alongside) records it as a Kommo task.
 */
import path from 'node:path';

import { startN8n, type N8nHandle } from '../../dev/n8n';
import { kommoCredential, ran, seedDeal, waitFor, WonRunner, WORKFLOWS_DIR } from './helpers/won-workflows';
import { ChargebeeSandbox } from '../../dev/sandbox/chargebee';
import { KommoSandbox } from '../../dev/sandbox/kommo';
import { ERROR_WORKFLOW_ID, SHIPPED_CREDENTIAL } from '../../tools/workflows/credentials';

const WORKFLOW_FILE = path.join(WORKFLOWS_DIR, 'kommo-won-to-chargebee.json');
const WORKFLOW_ID = 'kbWonChargebee01';
const WEBHOOK_PATH = 'kb-won-chargebee/webhook';

let kommo: KommoSandbox;
let chargebee: ChargebeeSandbox;
let n8n: N8nHandle;
let won: WonRunner;

beforeAll(async () => {
	[kommo, chargebee] = await Promise.all([new KommoSandbox().start(), new ChargebeeSandbox().start()]);
	n8n = await startN8n({
		name: 'won-chargebee',
		workflows: [WORKFLOW_FILE, path.join(WORKFLOWS_DIR, 'error-to-kommo-task.json')],
		credentials: [
			kommoCredential(kommo),
			{
				...SHIPPED_CREDENTIAL.chargebeeBillingApi,
				type: 'chargebeeBillingApi',
				data: { site: chargebee.site, apiKey: chargebee.apiKey, customHost: true, baseUrl: chargebee.url, requestsPerMinute: 0 },
			},
		],
		waitForWebhooks: [WEBHOOK_PATH],
	});
	await waitFor('the Kommo Trigger to register its webhook', () => kommo.webhooks.length === 1);
	await n8n.api.waitForTriggerData(WORKFLOW_ID);
	won = new WonRunner(n8n, kommo, WORKFLOW_ID);
	process.stderr.write(`won-chargebee e2e timings: ${JSON.stringify(n8n.timings)}\n`);
});

afterAll(async () => {
	await n8n?.stop();
	await Promise.all([kommo?.stop(), chargebee?.stop()]);
});

const chargebeeWrites = () => chargebee.requests.filter((r) => r.method === 'POST').length;
const bob = () => kommo.users[1].id;

describe('Kommo Won → Chargebee (shipped workflow) in a real n8n', () => {
	test('imported with its fixed id and activated: the trigger registered a secret webhook URL', () => {
		expect(n8n.workflowIds['Kommo Won → Chargebee customer + subscription']).toBe(WORKFLOW_ID);
		expect(kommo.webhooks[0].destination.startsWith(`${n8n.webhookUrl(WEBHOOK_PATH)}?secret=`)).toBe(true);
		expect(kommo.webhooks[0].settings).toEqual(['status_lead']);
	});

	test('a won Chargebee deal gets customer + subscription, its ids and status, and a note', async () => {
		const lead = seedDeal(kommo, { name: 'Navy Corp', plan: 'Pro', billingSystem: 'Chargebee', email: 'grace@navy.test' });
		const [execution] = await won.win(lead);
		expect(execution.status).toBe('success');

		const id = `kommo-lead-${lead.id}`;
		expect(chargebee.customers.get(id)).toMatchObject({ id, email: 'grace@navy.test', first_name: 'Ada', cf_kommo_lead_id: String(lead.id), auto_collection: 'off', card_status: 'no_card' });
		const subscription = chargebee.subscriptions.get(id);
		expect(subscription).toMatchObject({ id, customer_id: id, status: 'active', auto_collection: 'off', meta_data: { kommo_lead_id: lead.id } });
		expect([...chargebee.invoices.values()].filter((i) => i.subscription_id === id).map((i) => i.status)).toEqual(['payment_due']);
		expect((subscription?.subscription_items as Array<{ item_price_id: string; quantity: number }>).map((i) => [i.item_price_id, i.quantity])).toEqual([
			['pro-USD-monthly', 1],
		]);
		expect(chargebee.customers.size).toBe(1);
		expect(chargebee.subscriptions.size).toBe(1);

		expect(kommo.leadFieldMap(lead.id)).toMatchObject({ 'Billing customer ID': id, 'Subscription ID': id, 'Subscription status': 'active' });
		const notes = kommo.notesFor(lead.id);
		expect(notes).toHaveLength(1);
		expect(notes[0].params.text).toBe(
			[
				'Chargebee subscription created (active).',
				'Plan: Pro → pro-USD-monthly × 1',
				'Amount: 30.00 USD every 1 month',
				`Customer: https://your-site.chargebee.com/d/customers/${id}`,
				`Subscription: https://your-site.chargebee.com/d/subscriptions/${id}`,
			].join('\n'),
		);
		expect(kommo.tasksFor(lead.id)).toEqual([]);
	});

	test('an invoice deal (Payment method Invoice) is provisioned with auto collection off', async () => {
		const lead = seedDeal(kommo, { name: 'Ledger Ltd', plan: 'Pro', billingSystem: 'Chargebee', fields: { 'Payment method': 'Invoice' } });
		const [execution] = await won.win(lead);
		expect(execution.status).toBe('success');
		const id = `kommo-lead-${lead.id}`;
		expect(chargebee.subscriptions.get(id)).toMatchObject({ status: 'active', auto_collection: 'off' });
		expect(kommo.leadFieldMap(lead.id)).toMatchObject({ 'Subscription ID': id, 'Subscription status': 'active' });
		expect(kommo.tasksFor(lead.id)).toEqual([]);
	});

	test('a card deal gets a Chargebee checkout link in a note; the subscription appears when the customer pays', async () => {
		const lead = seedDeal(kommo, { name: 'Card Corp', plan: 'Pro', billingSystem: 'Chargebee', email: 'owner@card.test', fields: { 'Payment method': 'Card' } });
		const id = `kommo-lead-${lead.id}`;
		const [execution] = await won.win(lead);
		expect(execution.status).toBe('success');
		expect(ran(execution)).toContain('Create checkout link');
		expect(ran(execution)).not.toContain('Create subscription');
		expect(chargebee.subscriptions.has(id)).toBe(false);
		const pages = [...chargebee.hostedPages.values()].filter((p) => (p._request?.customer as { id?: string } | undefined)?.id === id);
		expect(pages).toHaveLength(1);
		const page = pages[0];
		expect(page).toMatchObject({ type: 'checkout_new', state: 'created' });
		expect(page._request?.subscription).toEqual({ id });
		expect(chargebee.customers.get(id)).toMatchObject({ email: 'owner@card.test', cf_kommo_lead_id: String(lead.id), auto_collection: 'on' });
		expect(kommo.leadFieldMap(lead.id)).toMatchObject({ 'Billing customer ID': id, 'Subscription status': 'awaiting payment' });
		expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toBeUndefined();
		const notes = kommo.notesFor(lead.id);
		expect(notes.map((n) => n.params.text)).toEqual([
			[
				`Chargebee checkout link for the customer (card payment): ${String(page.url)}`,
				'Plan: Pro → pro-USD-monthly × 1',
				`Subscription: ${id}, created by Chargebee when the customer pays`,
				`Customer: https://your-site.chargebee.com/d/customers/${id}`,
			].join('\n'),
		]);
		expect(kommo.tasksFor(lead.id)).toEqual([]);

		// a manager moves it out of Won and back before the customer paid: nothing new
		const writes = chargebeeWrites();
		const [again] = await won.win(lead);
		expect(ran(again)).toContain('Provisioned before: stop');
		expect(chargebeeWrites()).toBe(writes);

		// the customer pays on the page: Chargebee saves the card, creates and charges the subscription
		await chargebee.simulateCheckoutCompleted(String(page.id));
		expect(chargebee.subscriptions.get(id)).toMatchObject({ status: 'active', customer_id: id });
		expect(chargebee.eventsOfType('subscription_created').pop()).toMatchObject({ source: 'hosted_page' });
		expect(chargebee.eventsOfType('payment_succeeded').pop()).toMatchObject({ content: { subscription: { id } } });
	});

	test('a deal whose billing system is another vendor is left alone', async () => {
		const writes = chargebeeWrites();
		const lead = seedDeal(kommo, { name: 'Paddle Shop', plan: 'Pro', billingSystem: 'Paddle' });
		const [execution] = await won.win(lead);
		expect(execution.status).toBe('success');
		expect(ran(execution)).toContain('Not a Chargebee deal');
		expect(ran(execution)).not.toContain('Plan mapping');
		expect(chargebeeWrites()).toBe(writes);
		expect(kommo.notesFor(lead.id)).toEqual([]);
		expect(kommo.tasksFor(lead.id)).toEqual([]);
	});

	test('a forged Won webhook for a deal that is not won in Kommo provisions nothing (issue 16 item 4)', async () => {
		const writes = chargebeeWrites();
		const lead = seedDeal(kommo, { name: 'Forged Corp', plan: 'Pro', billingSystem: 'Chargebee' });
		expect(lead.status_id).not.toBe(142);
		const [execution] = await won.forgeWon(lead);
		expect(execution.status).toBe('success');
		expect(ran(execution)).toContain('Not won in Kommo: stop');
		expect(ran(execution)).not.toContain('Plan mapping');
		expect(chargebeeWrites()).toBe(writes);
		expect(kommo.notesFor(lead.id)).toEqual([]);
		expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toBeUndefined();
	});

	test('an unmapped plan: a task "plan … has no mapping" for the responsible user, nothing in Chargebee', async () => {
		const requests = chargebee.requests.length;
		const lead = seedDeal(kommo, { name: 'Starter Inc', plan: 'Starter', billingSystem: 'Chargebee' });
		const [execution] = await won.win(lead);
		expect(execution.status).toBe('success');
		const tasks = kommo.tasksFor(lead.id);
		expect(tasks).toHaveLength(1);
		expect(tasks[0].text).toBe(
			'The won deal "Starter Inc" was not set up in Chargebee. Plan "Starter" has no mapping to Chargebee. Open the "Plan mapping" node and add it.',
		);
		expect(tasks[0].responsible_user_id).toBe(bob());
		expect(tasks[0].complete_till).toBeGreaterThan(Date.now() / 1000 + 86_000);
		expect(chargebee.requests.length).toBe(requests);
		expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toBeUndefined();
	});

	test('a contact without email: a task "contact has no email", nothing in Chargebee', async () => {
		const requests = chargebee.requests.length;
		const lead = seedDeal(kommo, { name: 'No Mail Ltd', plan: 'Pro', billingSystem: 'Chargebee', email: null });
		const [execution] = await won.win(lead);
		expect(execution.status).toBe('success');
		const tasks = kommo.tasksFor(lead.id);
		expect(tasks.map((t) => t.text)).toEqual([
			'The won deal "No Mail Ltd" was not set up in Chargebee: its main contact has no email address. Add the email to the contact (or link a contact) in Kommo, then move the deal to Won again.',
		]);
		expect(tasks[0].responsible_user_id).toBe(bob());
		expect(chargebee.requests.length).toBe(requests);
	});

	test('duplicate Won: the same webhook twice at once, then a new Won on the provisioned deal, create nothing twice', async () => {
		const lead = seedDeal(kommo, { name: 'Twice Corp', plan: 'Enterprise', billingSystem: 'Chargebee' });
		const id = `kommo-lead-${lead.id}`;
		await won.win(lead);
		const customers = chargebee.customers.size;
		const subscriptions = chargebee.subscriptions.size;
		expect(chargebee.subscriptions.get(id)).toMatchObject({ status: 'active' });

		// Kommo delivers the Won of a not yet provisioned deal twice, at the same moment
		const other = seedDeal(kommo, { name: 'Race Corp', plan: 'Pro', billingSystem: 'Chargebee' });
		await kommo.moveLead(other.id, 142, { fire: false });
		const raced = await won.redeliver(other, 2);
		expect(raced.map((e) => e.status)).toEqual(['success', 'success']);
		expect(raced.filter((e) => ran(e).includes('Same Won delivered twice: stop'))).toHaveLength(1);
		expect(chargebee.customers.size).toBe(customers + 1);
		expect(chargebee.subscriptions.size).toBe(subscriptions + 1);
		expect(kommo.notesFor(other.id)).toHaveLength(1);

		// a manager moves the provisioned deal out of Won and back
		const writes = chargebeeWrites();
		const [again] = await won.win(lead);
		expect(again.status).toBe('success');
		expect(ran(again)).toContain('Provisioned before: stop');
		expect(chargebeeWrites()).toBe(writes);
		expect(chargebee.customers.size).toBe(customers + 1);
		expect(chargebee.subscriptions.size).toBe(subscriptions + 1);
		expect(kommo.notesFor(lead.id)).toHaveLength(1);
		expect(kommo.tasksFor(lead.id)).toEqual([]);
	});

	test('Chargebee answers 500 to the subscription create: a task; the next Won provisions exactly once', async () => {
		const lead = seedDeal(kommo, { name: 'Flaky Corp', plan: 'Pro', billingSystem: 'Chargebee' });
		const id = `kommo-lead-${lead.id}`;
		const path = `/api/v2/customers/${id}/subscription_for_items`;
		// Chargebee fails the create on the first call and on every retry of the transport (5 attempts).
		// (A 500 after the subscription was made is healed by the retry: same idempotency key → replay.)
		chargebee.faults.push({ method: 'POST', path, status: 500, times: 5, body: { message: 'Sorry, something went wrong', type: 'internal_error', api_error_code: 'internal_error', http_status_code: 500 } });
		const [failed] = await won.win(lead);
		chargebee.faults = [];
		expect(failed.status).toBe('success');
		expect(chargebee.requestsTo('POST', path)).toHaveLength(5); // the transport retried
		expect(chargebee.subscriptions.has(id)).toBe(false);
		const tasks = kommo.tasksFor(lead.id);
		expect(tasks).toHaveLength(1);
		expect(tasks[0].text).toMatch(/^Setting up the won deal in Chargebee failed at step "Create subscription": Chargebee 500/);
		expect(tasks[0].text).toContain('Sorry, something went wrong');
		expect(tasks[0].responsible_user_id).toBe(bob());
		expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toBeUndefined();
		expect(kommo.notesFor(lead.id)).toEqual([]);

		const [retried] = await won.win(lead);
		expect(retried.status).toBe('success');
		expect([...chargebee.subscriptions.values()].filter((s) => s.customer_id === id)).toHaveLength(1);
		expect([...chargebee.customers.keys()].filter((c) => c === id)).toHaveLength(1);
		expect(kommo.leadFieldMap(lead.id)).toMatchObject({ 'Billing customer ID': id, 'Subscription ID': id, 'Subscription status': 'active' });
		expect(kommo.notesFor(lead.id)).toHaveLength(1);
		expect(kommo.tasksFor(lead.id)).toHaveLength(1);
	});

	test('when Kommo refuses the task itself, the execution fails and the error workflow records it', async () => {
		const lead = seedDeal(kommo, { name: 'Unlucky Inc', plan: 'Starter', billingSystem: 'Chargebee' });
		// Kommo answers 500 to the unmapped-plan task (a POST: not repeated, it may have landed)
		kommo.faults.push({ method: 'POST', path: '/api/v4/tasks', status: 500, times: 1, body: { title: 'Internal Server Error', status: 500, detail: 'try later' } });
		const [failed] = await won.win(lead);
		expect(failed.status).toBe('error');
		expect(failed.data.resultData.lastNodeExecuted).toBe('Task: plan has no mapping');
		await waitFor('the error workflow to run', async () => (await n8n.api.executions({ workflowId: ERROR_WORKFLOW_ID })).length === 1);
		const [errorRun] = await n8n.api.waitForExecutions(ERROR_WORKFLOW_ID, 1);
		expect(errorRun.status).toBe('success');
		const recorded = kommo.tasks.filter((t) => t.text.startsWith('Workflow "Kommo Won → Chargebee customer + subscription" failed in node "Task: plan has no mapping"'));
		expect(recorded).toHaveLength(1);
		expect(kommo.tasksFor(lead.id)).toEqual([]);
	});
});
