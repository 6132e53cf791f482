/**
 * workflows/kommo-won-to-paddle.json in a real n8n 2.40.7 with the packed package, against the
 * Kommo and Paddle sandboxes (one n8n for the file):
 *  - Payment method Invoice: customer (custom_data.kommo_lead_id), address from the deal's
 *    Country, a manual-collection transaction billed with payment terms → the subscription;
 *    ids and status on the deal, a note with invoice number, amount and links;
 *  - Payment method Card: a checkout link in a note, status "awaiting payment"; a new Won makes
 *    no second transaction;
 *  - unmapped plan, missing email, no payment method: a task, nothing in Paddle; a missing
 *    country: a task that says so;
 *  - duplicate Won (same webhook twice at once; new Won on a provisioned deal): nothing twice;
 *  - Paddle answers 500 to the transaction create: a task; the next Won provisions once.
 */
import path from 'node:path';

import { startN8n, type N8nHandle } from '../../dev/n8n';
import { kommoCredential, ran, seedDeal, waitFor, WonRunner, WORKFLOWS_DIR } from './helpers/won-workflows';
import { KommoSandbox } from '../../dev/sandbox/kommo';
import { PaddleSandbox, SANDBOX_API_KEY, SEED_IDS } from '../../dev/sandbox/paddle';
import { SHIPPED_CREDENTIAL } from '../../tools/workflows/credentials';

const WORKFLOW_FILE = path.join(WORKFLOWS_DIR, 'kommo-won-to-paddle.json');
const WORKFLOW_ID = 'kbWonPaddle00001';
const WEBHOOK_PATH = 'kb-won-paddle/webhook';

let kommo: KommoSandbox;
let paddle: PaddleSandbox;
let n8n: N8nHandle;
let won: WonRunner;

beforeAll(async () => {
	[kommo, paddle] = await Promise.all([new KommoSandbox().start(), new PaddleSandbox().start()]);
	n8n = await startN8n({
		name: 'won-paddle',
		workflows: [WORKFLOW_FILE],
		credentials: [
			kommoCredential(kommo),
			{
				...SHIPPED_CREDENTIAL.paddleBillingApi,
				type: 'paddleBillingApi',
				data: { apiKey: SANDBOX_API_KEY, environment: 'custom', baseUrl: paddle.url },
			},
		],
		waitForWebhooks: [WEBHOOK_PATH],
	});
	await waitFor('the Kommo Trigger to register its webhook', () => kommo.webhooks.length === 1);
	await n8n.api.waitForTriggerData(WORKFLOW_ID);
	won = new WonRunner(n8n, kommo, WORKFLOW_ID);
	process.stderr.write(`won-paddle e2e timings: ${JSON.stringify(n8n.timings)}\n`);
});

afterAll(async () => {
	await n8n?.stop();
	await Promise.all([kommo?.stop(), paddle?.stop()]);
});

const paddleWrites = () => paddle.requests.filter((r) => r.method === 'POST' || r.method === 'PATCH').length;
const bob = () => kommo.users[1].id;
const transactionsOf = (leadId: number) =>
	[...paddle.transactions.values()].filter((t) => (t.custom_data as { kommo_lead_id?: number } | null)?.kommo_lead_id === leadId);
const customersWith = (email: string) => [...paddle.customers.values()].filter((c) => c.email === email);

describe('Kommo Won → Paddle (shipped workflow) in a real n8n', () => {
	test('Invoice: customer, address, billed invoice → subscription; ids, status and a note on the deal', async () => {
		const lead = seedDeal(kommo, {
			name: 'Berlin GmbH',
			plan: 'Pro',
			billingSystem: 'Paddle',
			email: 'finance@berlin.test',
			fields: { 'Payment method': 'Invoice', Country: 'DE' },
		});
		const [execution] = await won.win(lead);
		expect(execution.status).toBe('success');
		expect(n8n.workflowIds['Kommo Won → Paddle customer + invoice or checkout link']).toBe(WORKFLOW_ID);

		const [customer, ...others] = customersWith('finance@berlin.test');
		expect(others).toEqual([]);
		expect(customer).toMatchObject({ name: expect.stringMatching(/^Ada Buyer/), custom_data: { kommo_lead_id: lead.id } });
		expect([...paddle.addresses.values()].filter((a) => a.customer_id === customer.id).map((a) => a.country_code)).toEqual(['DE']);
		const [transaction, ...moreTransactions] = transactionsOf(lead.id);
		expect(moreTransactions).toEqual([]);
		expect(transaction).toMatchObject({
			customer_id: customer.id,
			collection_mode: 'manual',
			status: 'billed',
			billing_details: { payment_terms: { interval: 'day', frequency: 14 } },
		});
		expect((transaction.items as Array<{ price_id?: string; price?: { id: string }; quantity: number }>).map((i) => [i.price_id ?? i.price?.id, i.quantity])).toEqual([
			[SEED_IDS.monthlyUsd, 1],
		]);
		const subscriptionId = transaction.subscription_id as string;
		expect(subscriptionId).toMatch(/^sub_/);
		expect(paddle.subscriptions.get(subscriptionId)).toMatchObject({ custom_data: { kommo_lead_id: lead.id }, collection_mode: 'manual' });

		const status = String(paddle.subscriptions.get(subscriptionId)?.status);
		expect(kommo.leadFieldMap(lead.id)).toMatchObject({
			'Billing customer ID': customer.id,
			'Subscription ID': subscriptionId,
			'Subscription status': status,
		});
		const notes = kommo.notesFor(lead.id);
		expect(notes.map((n) => n.params.text)).toEqual([
			[
				`Paddle invoice ${String(transaction.invoice_number)} issued (billed), payment due in 14 days.`,
				`Plan: Pro → ${SEED_IDS.monthlyUsd} × 1`,
				'Amount: 30.00 USD',
				`Subscription: ${subscriptionId}`,
				`Transaction: https://vendors.paddle.com/transactions-v2/${String(transaction.id)}`,
			].join('\n'),
		]);
		expect(kommo.tasksFor(lead.id)).toEqual([]);
	});

	test('Card: a checkout link in a note and "awaiting payment"; a new Won makes no second transaction', async () => {
		const lead = seedDeal(kommo, { name: 'Card Shop', plan: 'Enterprise', billingSystem: 'Paddle', email: 'owner@card.test', fields: { 'Payment method': 'Card' } });
		const [execution] = await won.win(lead);
		expect(execution.status).toBe('success');
		const [transaction, ...more] = transactionsOf(lead.id);
		expect(more).toEqual([]);
		// without an address Paddle keeps it a draft; the checkout collects the address and the card
		expect(transaction).toMatchObject({ collection_mode: 'automatic', status: 'draft' });
		const url = (transaction.checkout as { url: string }).url;
		expect(url).toContain(String(transaction.id));
		const [customer] = customersWith('owner@card.test');
		expect(kommo.leadFieldMap(lead.id)).toMatchObject({ 'Billing customer ID': customer.id, 'Subscription status': 'awaiting payment' });
		expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toBeUndefined();
		expect(kommo.notesFor(lead.id).map((n) => n.params.text)).toEqual([
			[
				`Paddle checkout link for the customer (card payment): ${url}`,
				`Plan: Enterprise → ${SEED_IDS.yearlyUsd} × 1`,
				'Amount: 300.00 USD',
				'Paddle creates the subscription when the customer pays.',
			].join('\n'),
		]);

		const writes = paddleWrites();
		const [again] = await won.win(lead);
		expect(ran(again)).toContain('Provisioned before: stop');
		expect(paddleWrites()).toBe(writes);
		expect(transactionsOf(lead.id)).toHaveLength(1);
		expect(kommo.notesFor(lead.id)).toHaveLength(1);
	});

	test('unmapped plan, no email, no payment method: tasks and nothing in Paddle; no country: a task that says so', async () => {
		const writes = paddleWrites();
		const unmapped = seedDeal(kommo, { name: 'Small Biz', plan: 'Starter', billingSystem: 'Paddle', fields: { 'Payment method': 'Invoice', Country: 'US' } });
		const noMail = seedDeal(kommo, { name: 'Silent Biz', plan: 'Pro', billingSystem: 'Paddle', email: null, fields: { 'Payment method': 'Invoice' } });
		const noMethod = seedDeal(kommo, { name: 'Undecided Biz', plan: 'Pro', billingSystem: 'Paddle' });
		for (const lead of [unmapped, noMail, noMethod]) expect((await won.win(lead))[0].status).toBe('success');
		expect(kommo.tasksFor(unmapped.id).map((t) => [t.text, t.responsible_user_id])).toEqual([
			['The won deal "Small Biz" was not set up in Paddle. Plan "Starter" has no mapping to Paddle. Open the "Plan mapping" node and add it.', bob()],
		]);
		expect(kommo.tasksFor(noMail.id).map((t) => t.text)).toEqual([
			'The won deal "Silent Biz" was not set up in Paddle: its main contact has no email address. Add the email to the contact (or link a contact) in Kommo, then move the deal to Won again.',
		]);
		expect(kommo.tasksFor(noMethod.id).map((t) => t.text)).toEqual([
			'The won deal "Undecided Biz" was not set up in Paddle: its Payment method is "". Choose Invoice or Card in Kommo, then move the deal to Won again.',
		]);
		expect(paddleWrites()).toBe(writes);

		const noCountry = seedDeal(kommo, { name: 'Nowhere Biz', plan: 'Pro', billingSystem: 'Paddle', fields: { 'Payment method': 'Invoice' } });
		await won.win(noCountry);
		const [task] = kommo.tasksFor(noCountry.id);
		expect(task.text).toMatch(/^Setting up the won deal in Paddle failed at step "Create address": Country Code "" is not a two-letter ISO country code/);
		expect(transactionsOf(noCountry.id)).toEqual([]);
	});

	test('duplicate Won: the same webhook twice at once, then a new Won on the provisioned deal, create nothing twice', async () => {
		const lead = seedDeal(kommo, { name: 'Race GmbH', plan: 'Pro', billingSystem: 'Paddle', email: 'race@race.test', fields: { 'Payment method': 'Invoice', Country: 'AT' } });
		await kommo.moveLead(lead.id, 142, { fire: false });
		const raced = await won.redeliver(lead, 2);
		expect(raced.map((e) => e.status)).toEqual(['success', 'success']);
		expect(raced.filter((e) => ran(e).includes('Same Won delivered twice: stop'))).toHaveLength(1);
		expect(customersWith('race@race.test')).toHaveLength(1);
		expect(transactionsOf(lead.id)).toHaveLength(1);
		expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toMatch(/^sub_/);

		const writes = paddleWrites();
		const [again] = await won.win(lead);
		expect(ran(again)).toContain('Provisioned before: stop');
		expect(paddleWrites()).toBe(writes);
		expect(transactionsOf(lead.id)).toHaveLength(1);
		expect(kommo.notesFor(lead.id)).toHaveLength(1);
		expect(kommo.tasksFor(lead.id)).toEqual([]);
	});

	test('Paddle answers 500 to the transaction create: a task; the next Won provisions exactly once', async () => {
		const lead = seedDeal(kommo, { name: 'Flaky GmbH', plan: 'Pro', billingSystem: 'Paddle', email: 'ap@flaky.test', fields: { 'Payment method': 'Invoice', Country: 'FR' } });
		paddle.faults.push({
			method: 'POST',
			path: '/transactions',
			status: 500,
			times: 1,
			body: { error: { type: 'api_error', code: 'internal_error', detail: 'An internal error has occurred, please try again.' }, meta: { request_id: 'e2e-500' } },
		});
		const [failed] = await won.win(lead);
		paddle.faults = [];
		expect(failed.status).toBe('success');
		const tasks = kommo.tasksFor(lead.id);
		expect(tasks).toHaveLength(1);
		expect(tasks[0].text).toMatch(/^Setting up the won deal in Paddle failed at step "Create invoiced subscription": /);
		expect(tasks[0].text).toContain('An internal error has occurred');
		expect(tasks[0].responsible_user_id).toBe(bob());
		expect(transactionsOf(lead.id)).toEqual([]);
		expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toBeUndefined();

		const [retried] = await won.win(lead);
		expect(retried.status).toBe('success');
		expect(customersWith('ap@flaky.test')).toHaveLength(1);
		const customerId = customersWith('ap@flaky.test')[0].id;
		expect([...paddle.addresses.values()].filter((a) => a.customer_id === customerId)).toHaveLength(1);
		expect(transactionsOf(lead.id)).toHaveLength(1);
		expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toMatch(/^sub_/);
		expect(kommo.notesFor(lead.id)).toHaveLength(1);
		expect(kommo.tasksFor(lead.id)).toHaveLength(1);
	});
});
