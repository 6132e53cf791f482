/**
 * The shipped workflows/chargebee-events-to-kommo.json (with its -effects.json sub-workflow and error-to-kommo-task.json) in a real
 * n8n 2.40.7 with the packed package, against the Chargebee and Kommo sandboxes. One n8n:
 *  - publishing registers the Chargebee endpoint; each event type Chargebee sends lands as the
 *    right note / field / task on the deal whose id Chargebee stores (cf_kommo_lead_id);
 *  - a customer without the lead id is matched by email to the contact's deal; an unknown
 *    customer is acknowledged with no effect;
 *  - the same event 5 times (one after the other, and at once) has exactly one effect;
 *  - a Kommo 500 on the note answers 503 (Chargebee retries), releases the claim, and the
 *    redelivery writes exactly one note; the failed execution becomes a task on the deal
 *    (error workflow), or an unattached task when the deal is unknown;
 *  - unauthenticated or wrongly authenticated calls get 401 and start nothing.
 */
import { startN8n, type CredentialJson, type N8nHandle } from '../../dev/n8n';
import {
	effects,
	expectLateResumeIsStale,
	ERROR_WORKFLOW_ID,
	errorTasks,
	kommoCredential,
	pause,
	redeliverInProgress,
	settledExecutions,
	shippedEventWorkflows,
	shippedWorkflow,
	taskText,
	until,
} from './helpers/billing-workflows';
import { ChargebeeSandbox } from '../../dev/sandbox/chargebee';
import { KommoSandbox, type Lead } from '../../dev/sandbox/kommo';
import { SHIPPED_CREDENTIAL } from '../../tools/workflows/credentials';

const WORKFLOW_ID = 'kbCbEvents000001';
const HOOK = 'kommo-billing-chargebee-events/webhook';

type Json = Record<string, unknown>;

let kommo: KommoSandbox;
let chargebee: ChargebeeSandbox;
let n8n: N8nHandle;
let acme: Lead; // lead id stored in Chargebee
let globex: Lead; // found by the contact's email
let subAcme: string;
let subGlobex: string;

async function createSubscription(customerId: string, itemPriceId = 'pro-USD-monthly'): Promise<string> {
	const response = await fetch(`${chargebee.url}/api/v2/customers/${customerId}/subscription_for_items`, {
		method: 'POST',
		headers: {
			authorization: `Basic ${Buffer.from(`${chargebee.apiKey}:`).toString('base64')}`,
			'content-type': 'application/x-www-form-urlencoded',
		},
		body: new URLSearchParams({ 'subscription_items[item_price_id][0]': itemPriceId }).toString(),
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { subscription: { id: string } }).subscription.id;
}

const latest = (type: string) => chargebee.eventsOfType(type).pop() as Json;

async function deliver(event: Json): Promise<{ status: number; body: string }> {
	const [record] = await chargebee.deliverEvent(event);
	return { status: record.status, body: record.body };
}

beforeAll(async () => {
	kommo = await new KommoSandbox().start();
	const bob = kommo.users[1];
	acme = kommo.addLead({
		name: 'Acme — Pro',
		responsible_user_id: bob.id,
		customFields: { Plan: 'Pro', 'Billing system': 'Chargebee', 'Subscription status': 'active' },
		contacts: [{ first_name: 'Ada', email: 'ada@acme.test' }],
	});
	globex = kommo.addLead({ name: 'Globex — Pro', customFields: { 'Billing system': 'Chargebee' }, contacts: [{ first_name: 'Gus', email: 'gus@globex.test' }] });

	chargebee = await new ChargebeeSandbox({ autoDeliver: false, customersHaveCard: true }).start();
	chargebee.addCustomer({ id: 'cust-acme', email: 'ada@acme.test', cf_kommo_lead_id: String(acme.id) });
	chargebee.addCustomer({ id: 'cust-globex', email: 'gus@globex.test' });
	chargebee.addCustomer({ id: 'cust-stranger', email: 'nobody@nowhere.test' });
	subAcme = await createSubscription('cust-acme');
	subGlobex = await createSubscription('cust-globex');

	const credentials: CredentialJson[] = [
		kommoCredential(kommo),
		{
			...SHIPPED_CREDENTIAL.chargebeeBillingApi,
			type: 'chargebeeBillingApi',
			data: { site: chargebee.site, apiKey: chargebee.apiKey, customHost: true, baseUrl: chargebee.url, requestsPerMinute: 0 },
		},
	];
	n8n = await startN8n({
		name: 'wf-chargebee-events',
		credentials,
		workflows: [...shippedEventWorkflows('chargebee-events-to-kommo.json'), shippedWorkflow('error-to-kommo-task.json')],
		// all published: n8n 2.x runs only a published error workflow
		waitForWebhooks: [HOOK],
	});
	await until(() => chargebee.webhookEndpoints.size > 0, 'the Chargebee endpoint to be registered');
	// n8n keeps the generated Basic-auth pair (static data) a moment after create() registered the
	// endpoint; until then deliveries get 401 (Chargebee would retry). Wait with an event the
	// workflow ignores: it answers 200 only once the pair is in place.
	const probe = await chargebee.simulateEvent('customer_changed', { customer: { id: 'cust-probe', object: 'customer' } });
	await until(async () => (await chargebee.deliverEvent(probe, [...chargebee.webhookEndpoints.values()]))[0].status === 200, 'the endpoint to accept deliveries');
});

afterAll(async () => {
	await n8n?.stop();
	try {
		await chargebee?.stop(); // throws if any traffic deviated from the vendor's spec (sandbox/chargebee/spec-check.ts, type-check.ts)
	} finally {
		await kommo?.stop();
	}
});

describe('Chargebee events → Kommo (shipped workflow)', () => {
	test('publishing registered the endpoint for the events the workflow handles', () => {
		const [endpoint] = [...chargebee.webhookEndpoints.values()];
		expect(endpoint.url).toBe(n8n.webhookUrl(HOOK));
		expect(endpoint.enabled_events).toEqual(expect.arrayContaining(['payment_succeeded', 'payment_failed', 'subscription_cancelled', 'credit_note_created']));
	});

	test('each event type becomes the right note, field or task on the deal', async () => {
		const before = effects(kommo, acme.id);
		const now = Math.floor(Date.now() / 1000);

		await chargebee.simulatePaymentSucceeded(subAcme);
		expect(await deliver(latest('payment_succeeded'))).toMatchObject({ status: 200 });
		await chargebee.simulateInvoiceGenerated(subAcme);
		expect((await deliver(latest('invoice_generated'))).status).toBe(200);
		await chargebee.simulatePaymentFailed(subAcme, 'Insufficient funds');
		expect((await deliver(latest('payment_failed'))).status).toBe(200);
		await chargebee.simulateRenewal(subAcme, 'none');
		expect((await deliver(latest('subscription_renewed'))).status).toBe(200);
		await chargebee.simulateSubscriptionChanged(subAcme, [{ itemPriceId: 'enterprise-USD-monthly' }], true);
		expect((await deliver(latest('subscription_changed'))).status).toBe(200);
		await chargebee.simulateCreditNote(subAcme, 500);
		expect((await deliver(latest('credit_note_created'))).status).toBe(200);
		await chargebee.simulatePause(subAcme);
		expect((await deliver(latest('subscription_paused'))).status).toBe(200);
		expect(effects(kommo, acme.id).status).toBe('Paused');
		await chargebee.simulateResume(subAcme);
		expect((await deliver(latest('subscription_resumed'))).status).toBe(200);
		expect(effects(kommo, acme.id).status).toBe('Active');
		await chargebee.simulateCancellation(subAcme, 'Not Paid');
		expect((await deliver(latest('subscription_cancelled'))).status).toBe(200);

		const after = effects(kommo, acme.id);
		const notes = after.notes.slice(before.notes.length);
		expect(notes).toHaveLength(6);
		expect(notes[0]).toMatch(/^Payment received: 30\.00 USD on \d{4}-\d{2}-\d{2}\nInvoice: invoice \S+\nChargebee subscription /);
		expect(notes[1]).toMatch(/^Invoice \(\w+\): 30\.00 USD on /);
		expect(notes[2]).toMatch(/^Payment FAILED: 30\.00 USD on .*\nReason: Insufficient funds/);
		expect(notes[3]).toMatch(/^Subscription renewed on .*: 30\.00 USD\nPlan: pro-USD-monthly/);
		expect(notes[4]).toMatch(/^Plan changed on .*: Pro → Enterprise\nPrice: enterprise-USD-monthly\n/);
		expect(notes[5]).toMatch(/^Credit note: 5\.00 USD on .*\nReason: product_unsatisfactory/);
		expect(after.plan).toBe('Enterprise');
		expect(after.status).toBe('Cancelled');

		const tasks = kommo.tasksFor(acme.id).slice(before.tasks.length);
		expect(tasks.map((t) => taskText(t.text))).toEqual([
			'Payment failed (Insufficient funds): 30.00 USD. Contact the customer about their payment method.',
			expect.stringMatching(/^Subscription \S+ was cancelled \(Not Paid\)\. Call the customer/),
		]);
		// The deal's responsible user gets them; due in 4 hours and 1 day (the nodes' defaults).
		expect(tasks.map((t) => t.responsible_user_id)).toEqual([kommo.users[1].id, kommo.users[1].id]);
		expect(tasks[0].complete_till - now).toBeGreaterThanOrEqual(4 * 3600 - 5);
		expect(tasks[0].complete_till - now).toBeLessThanOrEqual(4 * 3600 + 120);
		expect(tasks[1].complete_till - now).toBeGreaterThanOrEqual(86_400 - 5);
		expect(kommo.notesFor(globex.id)).toHaveLength(0);
	});

	test('a card deal: the subscription Chargebee creates when the customer pays on the checkout page goes onto the deal', async () => {
		const card = kommo.addLead({
			name: 'Card Co — Pro',
			customFields: { Plan: 'Pro', 'Billing system': 'Chargebee', 'Payment method': 'Card', 'Subscription status': 'awaiting payment' },
			contacts: [{ first_name: 'Cy', email: 'cy@card.test' }],
		});
		// as Won → Chargebee leaves it: a card-less customer with the lead id, and a checkout page
		const customerId = `kommo-lead-${card.id}`;
		chargebee.addCustomer({ id: customerId, email: 'cy@card.test', cf_kommo_lead_id: String(card.id), card_status: 'no_card', primary_payment_source_id: undefined, payment_method: undefined });
		const response = await fetch(`${chargebee.url}/api/v2/hosted_pages/checkout_new_for_items`, {
			method: 'POST',
			headers: { authorization: `Basic ${Buffer.from(`${chargebee.apiKey}:`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ 'customer[id]': customerId, 'subscription[id]': customerId, 'subscription_items[item_price_id][0]': 'pro-USD-monthly' }).toString(),
		});
		expect(response.status).toBe(200);
		const page = ((await response.json()) as { hosted_page: { id: string } }).hosted_page;
		await chargebee.simulateCheckoutCompleted(page.id);
		expect((await deliver(latest('subscription_created'))).status).toBe(200);
		expect(kommo.leadFieldMap(card.id)).toMatchObject({ 'Subscription ID': customerId, 'Subscription status': 'Active' });
		expect((await deliver(latest('payment_succeeded'))).status).toBe(200);
		expect(effects(kommo, card.id).notes).toEqual([expect.stringMatching(/^Payment received: 30\.00 USD/)]);
	});

	test('out of order: a late subscription_resumed after subscription_cancelled does not set the deal back to Active', async () => {
		const deal = kommo.addLead({ name: 'Late Co — Pro', customFields: { Plan: 'Pro', 'Billing system': 'Chargebee', 'Subscription status': 'Active' }, contacts: [{ first_name: 'Lu', email: 'lu@late.test' }] });
		chargebee.addCustomer({ id: 'cust-late', email: 'lu@late.test', cf_kommo_lead_id: String(deal.id) });
		const sub = await createSubscription('cust-late');
		const paused = await chargebee.simulatePause(sub);
		const resumed = await chargebee.simulateResume(sub);
		const cancelled = await chargebee.simulateCancellation(sub, 'Not Paid');
		// Chargebee delivers pause, then cancel, and the resume only later (a retry)
		const version = (e: Json) => String(((e.content as Json).subscription as Json).resource_version);
		expect(BigInt(version(resumed)) < BigInt(version(cancelled))).toBe(true);
		await expectLateResumeIsStale(kommo, deal.id, { paused, cancelled, resumed }, deliver, { [`chargebee:subscription:${sub}`]: version(cancelled) });
	});

	test('a customer without a stored lead id is matched by email to the contact\'s deal; an unknown one is acknowledged', async () => {
		await chargebee.simulatePaymentSucceeded(subGlobex);
		expect((await deliver(latest('payment_succeeded'))).status).toBe(200);
		expect(effects(kommo, globex.id).notes).toEqual([expect.stringMatching(/^Payment received: 30\.00 USD/)]);

		const notes = kommo.notes.length;
		const stranger = await chargebee.simulateEvent('payment_succeeded', {
			customer: { id: 'cust-stranger', email: 'nobody@nowhere.test', object: 'customer' },
			transaction: { id: 'txn_stranger', amount: 1000, currency_code: 'USD', status: 'success', customer_id: 'cust-stranger', object: 'transaction' },
		});
		const answer = await deliver(stranger);
		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.body)).toEqual({ received: true, ignored: 'no Kommo deal found for this customer' });
		expect(kommo.notes).toHaveLength(notes);
	});

	test('the same event 5 times, one after the other and all at once, has exactly one effect', async () => {
		const acmeNotes = () => kommo.notesFor(acme.id).length;
		const first = await chargebee.simulateEvent('invoice_generated', { invoice: { id: 'inv-dup-1', customer_id: 'cust-acme', subscription_id: subAcme, total: 4200, currency_code: 'USD', status: 'payment_due', object: 'invoice' } });
		const before = acmeNotes();
		const sequential = [];
		for (let i = 0; i < 5; i++) sequential.push(await deliver(first));
		expect(sequential.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
		expect(sequential.slice(1).map((r) => JSON.parse(r.body))).toEqual(Array(4).fill({ received: true, duplicate: true }));
		expect(acmeNotes()).toBe(before + 1);

		const second = await chargebee.simulateEvent('invoice_generated', { invoice: { id: 'inv-dup-2', customer_id: 'cust-acme', subscription_id: subAcme, total: 4300, currency_code: 'USD', status: 'payment_due', object: 'invoice' } });
		const concurrent = await redeliverInProgress(await Promise.all([0, 1, 2, 3, 4].map(() => deliver(second))), () => deliver(second));
		expect(concurrent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
		expect(concurrent.filter((r) => JSON.parse(r.body).processed === true)).toHaveLength(1);
		expect(acmeNotes()).toBe(before + 2);
		expect(kommo.notesFor(acme.id).filter((n) => String(n.params.text).includes('43.00 USD'))).toHaveLength(1);
	});

	test('a Kommo 500 on the note answers 503, releases the claim, and the redelivery writes exactly one note; the failure becomes a task on the deal', async () => {
		const errorRuns = (await n8n.api.executions({ workflowId: ERROR_WORKFLOW_ID })).length;
		const event = await chargebee.simulateEvent('invoice_generated', { invoice: { id: 'inv-retry-1', customer_id: 'cust-acme', subscription_id: subAcme, total: 7700, currency_code: 'USD', status: 'payment_due', object: 'invoice' } });
		kommo.faults.push({ method: 'POST', path: '/api/v4/leads/notes', status: 500, body: { title: 'Internal Server Error', status: 500 }, times: 1 });
		const failed = await deliver(event);
		expect(failed.status).toBe(503);
		expect(JSON.parse(failed.body)).toEqual({ received: false, retry: true });
		const withText = () => kommo.notesFor(acme.id).filter((n) => String(n.params.text).includes('77.00 USD'));
		expect(withText()).toHaveLength(0);

		const retried = await deliver(event);
		expect(retried.status).toBe(200);
		expect(JSON.parse(retried.body)).toEqual({ received: true, processed: true });
		expect(withText()).toHaveLength(1);
		expect((await deliver(event)).status).toBe(200); // a third delivery is a duplicate again
		expect(withText()).toHaveLength(1);

		// one error run: the failed sub-workflow does not report on its own, its caller does
		await settledExecutions(n8n, ERROR_WORKFLOW_ID, errorRuns + 1);
		await until(() => errorTasks(kommo, 'Chargebee events').length > 0, 'the error task');
		const task = errorTasks(kommo, 'Chargebee events').pop()!;
		expect(task).toMatchObject({ entity_id: acme.id, entity_type: 'leads', responsible_user_id: kommo.users[1].id });
		expect(task.text).toMatch(/^Workflow "Chargebee events → Kommo" failed in node "Fail the execution": Billing event chargebee:\S+ did not reach Kommo: /);
		expect(task.text).toMatch(new RegExp(`\\nExecution: http://127\\.0\\.0\\.1:${n8n.port}/workflow/${WORKFLOW_ID}/executions/\\d+$`));
	});

	test('a note that landed but whose answer was lost: the redelivery finds it on the deal and does not write it again', async () => {
		const event = await chargebee.simulateEvent('invoice_generated', { invoice: { id: 'inv-lost-1', customer_id: 'cust-acme', subscription_id: subAcme, total: 8800, currency_code: 'USD', status: 'payment_due', object: 'invoice' } });
		kommo.faults.push({ method: 'POST', path: '/api/v4/leads/notes', status: 500, body: { title: 'Internal Server Error', status: 500 }, afterEffect: true, times: 1 });
		const withText = () => kommo.notesFor(acme.id).filter((n) => String(n.params.text).includes('88.00 USD'));
		expect((await deliver(event)).status).toBe(503);
		expect(withText()).toHaveLength(1); // Kommo wrote it; n8n saw a 500
		const retried = await deliver(event);
		expect(JSON.parse(retried.body)).toEqual({ received: true, processed: true });
		expect(withText()).toHaveLength(1);
	});

	test('when the deal cannot be found because Kommo fails, the error workflow creates a task without a deal', async () => {
		const errorRuns = (await n8n.api.executions({ workflowId: ERROR_WORKFLOW_ID })).length;
		const unattached = () => kommo.tasks.filter((t) => t.entity_id === null);
		const before = unattached().length;
		await chargebee.simulateInvoiceGenerated(subGlobex);
		const event = latest('invoice_generated');
		kommo.faults.push({ method: 'GET', path: '/api/v4/contacts', status: 400, body: { title: 'Bad Request', status: 400, detail: 'sandbox fault' }, times: 1 });
		expect((await deliver(event)).status).toBe(503);
		await n8n.api.waitForExecutions(ERROR_WORKFLOW_ID, errorRuns + 1);
		await until(() => unattached().length > before, 'the unattached task');
		expect(unattached().pop()?.text).toMatch(/^Workflow "Chargebee events → Kommo" failed in node "Fail the execution": Billing event chargebee:\S+ did not reach Kommo: /);
		expect((await deliver(event)).status).toBe(200);
		expect(effects(kommo, globex.id).notes.filter((n) => n.startsWith('Invoice'))).toHaveLength(1);
	});

	test('missing or wrong Basic auth gets 401 and starts no execution', async () => {
		const executions = (await n8n.api.executions({ workflowId: WORKFLOW_ID })).length;
		const body = JSON.stringify(latest('payment_succeeded'));
		const attempts: Array<Record<string, string>> = [{}, { authorization: `Basic ${Buffer.from('n8n-someone:wrong').toString('base64')}` }];
		for (const headers of attempts) {
			const response = await fetch(n8n.webhookUrl(HOOK), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
			expect(response.status).toBe(401);
		}
		await pause(1500);
		await settledExecutions(n8n, WORKFLOW_ID, executions, 0);
	});
});
