/**
 * The shipped workflows/paddle-events-to-kommo.json (with its -effects.json sub-workflow and error-to-kommo-task.json) in a real
 * n8n 2.40.7 with the packed package, against the Paddle and Kommo sandboxes. One n8n:
 *  - publishing registers the notification destination; every signed event type Paddle sends
 *    lands as the right note / field / task on the deal (custom_data.kommo_lead_id on the
 *    transaction or subscription, else on the customer, else the customer's email);
 *  - the same notification 5 times (in a row and at once) has exactly one effect;
 *  - a Kommo 500 on the note answers 503, Paddle's retry writes exactly one note, and the error
 *    workflow records the failed execution as a task on the deal;
 *  - a late subscription.resumed after subscription.canceled is acknowledged as stale (occurred_at
 *    ordering, Check Order) and the deal stays Cancelled;
 *  - forged and unsigned deliveries get 401 and start nothing.
 */
import { startN8n, type N8nHandle, type WorkflowJson } from '../../dev/n8n';
import { effects, ERROR_WORKFLOW_ID, expectLateResumeIsStale, errorTasks, kommoCredential, pause, redeliverInProgress, settledExecutions, shippedEventWorkflows, shippedWorkflow, taskText, until } from './helpers/billing-workflows';
import { KommoSandbox, type Lead } from '../../dev/sandbox/kommo';
import { PaddleSandbox, SANDBOX_API_KEY, type DeliveryRecord } from '../../dev/sandbox/paddle';
import { specDoc } from '../../dev/sandbox/paddle/spec';
import { SHIPPED_CREDENTIAL } from '../../tools/workflows/credentials';

const WORKFLOW_ID = 'kbPdEvents000001';
const HOOK = 'kommo-billing-paddle-events/webhook';

type Json = Record<string, unknown>;

let kommo: KommoSandbox;
let paddle: PaddleSandbox;
let n8n: N8nHandle;
let acme: Lead;
let globex: Lead;
let acmeCustomer: Json;
let acmeAddress: Json;
let subscriptionId: string;

/** The shipped workflows with the plan mapping pointed at the sandbox's price ids (as a user edits it, in the sub-workflow). */
function workflowsWithPlans(): WorkflowJson[] {
	return shippedEventWorkflows('paddle-events-to-kommo.json', (sub) => {
		const plans = sub.nodes.find((n) => n.name === 'Kommo plan for the price')!;
		const assignments = (plans.parameters as { assignments: { assignments: Array<Json> } }).assignments.assignments;
		assignments.splice(0, assignments.length, ...[
			[paddle.seed.monthlyUsd, 'Pro'],
			[paddle.seed.yearlyUsd, 'Enterprise'],
		].map(([price, plan], i) => ({ id: `plan-${i}`, name: `plans.${price}`, value: plan, type: 'string' })));
	});
}

/** The last delivery of an event type to our destination, after everything in flight settled. */
async function lastDelivery(eventType: string): Promise<DeliveryRecord> {
	await paddle.settle();
	const list = paddle.deliveriesOf(eventType).filter((d) => d.destination === n8n.webhookUrl(HOOK));
	const last = list[list.length - 1];
	expect(last).toBeDefined();
	return last;
}

/** A customer (lead id in custom_data) buys `quantity` × `priceId` by card; returns the completed transaction's id. */
function paidTransaction(leadId: number, email: string, priceId: string, quantity = 1): string {
	const customer = paddle.createCustomer({ email, name: email.split('@')[0], custom_data: { kommo_lead_id: leadId } });
	const address = paddle.createAddressFor(customer.id as string, 'US');
	const transaction = paddle.createTransaction({
		items: [{ price_id: priceId, quantity }],
		customer_id: customer.id,
		address_id: address.id,
		custom_data: { kommo_lead_id: leadId },
	});
	paddle.completeTransaction(transaction.id as string);
	return transaction.id as string;
}

/** Posts one event as a notification to our destination, signed now, the way Paddle sends it. */
async function postSigned(event: (typeof paddle.events)[number], notificationId: string) {
	const setting = [...paddle.notificationSettings.values()].find((s) => s.destination === n8n.webhookUrl(HOOK))!;
	const body = paddle.notificationBody(event, notificationId);
	const signature = PaddleSandbox.signatureHeader([String(setting.endpoint_secret_key)], body, Math.floor(Date.now() / 1000));
	return await paddle.post(n8n.webhookUrl(HOOK), body, { 'paddle-signature': signature });
}

beforeAll(async () => {
	kommo = await new KommoSandbox().start();
	const bob = kommo.users[1];
	acme = kommo.addLead({
		name: 'Acme — Pro',
		responsible_user_id: bob.id,
		customFields: { Plan: 'Pro', 'Billing system': 'Paddle' },
		contacts: [{ first_name: 'Ada', email: 'ada@acme.test' }],
	});
	globex = kommo.addLead({ name: 'Globex', contacts: [{ first_name: 'Gus', email: 'gus@globex.test' }] });

	paddle = await new PaddleSandbox().start();
	paddle.subscriptionDelayMs = 0;
	acmeCustomer = paddle.createCustomer({ email: 'ada@acme.test', name: 'Ada', custom_data: { kommo_lead_id: acme.id } });
	acmeAddress = paddle.createAddressFor(acmeCustomer.id as string, 'US');

	n8n = await startN8n({
		name: 'wf-paddle-events',
		credentials: [
			kommoCredential(kommo),
			{ ...SHIPPED_CREDENTIAL.paddleBillingApi, type: 'paddleBillingApi', data: { apiKey: SANDBOX_API_KEY, environment: 'custom', baseUrl: paddle.url } },
		],
		workflows: [...workflowsWithPlans(), shippedWorkflow('error-to-kommo-task.json')],
		// all published: n8n 2.x runs only a published error workflow
		waitForWebhooks: [HOOK],
	});
	await until(() => [...paddle.notificationSettings.values()].some((s) => s.destination === n8n.webhookUrl(HOOK)), 'the Paddle destination');
	await n8n.api.waitForTriggerData(WORKFLOW_ID);
});

afterAll(async () => {
	await n8n?.stop();
	await paddle?.settle();
	try {
		await paddle?.stop(); // throws if any Paddle traffic deviated from Paddle's spec (sandbox/paddle/spec.ts)
	} finally {
		await kommo?.stop();
	}
});

describe('Paddle events → Kommo (shipped workflow)', () => {
	test('each event type becomes the right note, field or task on the deal', async () => {
		const now = Math.floor(Date.now() / 1000);
		// A card checkout: transaction.completed (the subscription follows).
		const checkout = paddle.createTransaction({
			items: [{ price_id: paddle.seed.monthlyUsd, quantity: 1 }],
			customer_id: acmeCustomer.id,
			address_id: acmeAddress.id,
			custom_data: { kommo_lead_id: acme.id },
		});
		paddle.completeTransaction(checkout.id as string);
		expect((await lastDelivery('transaction.completed')).result?.status).toBe(200);
		subscriptionId = String(paddle.transactions.get(checkout.id as string)?.subscription_id);

		paddle.failPayment(checkout.id as string, 'not_enough_balance');
		expect((await lastDelivery('transaction.payment_failed')).result?.status).toBe(200);
		// Paddle's renewal sequence starts with subscription.updated (new period): a renewal note, no "Plan changed".
		paddle.renewSubscription(subscriptionId);
		expect((await lastDelivery('transaction.completed')).result?.status).toBe(200);
		expect((await lastDelivery('subscription.updated')).result?.status).toBe(200);
		expect(kommo.notesFor(acme.id).filter((n) => String(n.params.text).startsWith('Plan changed'))).toHaveLength(0);
		paddle.updateSubscription(subscriptionId, { items: [{ price_id: paddle.seed.yearlyUsd, quantity: 1 }], proration_billing_mode: 'do_not_bill' });
		expect((await lastDelivery('subscription.updated')).result?.status).toBe(200);

		const invoice = paddle.createTransaction({
			items: [{ price_id: paddle.seed.setupFeeUsd, quantity: 1 }],
			customer_id: acmeCustomer.id,
			address_id: acmeAddress.id,
			collection_mode: 'manual',
			billing_details: { payment_terms: { interval: 'day', frequency: 14 } },
			custom_data: { kommo_lead_id: acme.id },
		});
		paddle.updateTransaction(invoice.id as string, { status: 'billed' });
		expect((await lastDelivery('transaction.billed')).result?.status).toBe(200);

		// A credit (adjustment) carries no custom_data: the lead id comes from the customer.
		// The whole entity (Paddle's own adjustment.created example, our ids and amounts): the sandbox
		// checks every notification against the spec.
		const example = (specDoc().components.examples['adjustment-created'] as { value: { data: Record<string, unknown> } }).value.data;
		const totals = { subtotal: '500', tax: '0', total: '500', fee: '0', earnings: '500', currency_code: 'USD' };
		paddle.emit('adjustment.created', {
			...example,
			id: 'adj_01e2e000000000000000000001',
			action: 'credit',
			type: 'partial',
			items: [{ ...(example.items as Array<Record<string, unknown>>)[0], amount: '500', totals: { tax: '0', total: '500', subtotal: '500' } }],
			transaction_id: checkout.id,
			subscription_id: subscriptionId,
			customer_id: acmeCustomer.id,
			reason: 'service outage',
			currency_code: 'USD',
			status: 'approved',
			totals,
			payout_totals: totals,
		});
		expect((await lastDelivery('adjustment.created')).result?.status).toBe(200);

		paddle.pauseSubscription(subscriptionId, { effective_from: 'immediately' });
		expect((await lastDelivery('subscription.paused')).result?.status).toBe(200);
		expect(effects(kommo, acme.id).status).toBe('Paused');
		paddle.resumeSubscription(subscriptionId, { effective_from: 'immediately' });
		expect((await lastDelivery('subscription.resumed')).result?.status).toBe(200);
		expect(effects(kommo, acme.id).status).toBe('Active');
		paddle.cancelSubscription(subscriptionId, { effective_from: 'immediately' });
		expect((await lastDelivery('subscription.canceled')).result?.status).toBe(200);

		const after = effects(kommo, acme.id);
		expect(after.notes).toEqual([
			expect.stringMatching(/^Payment received: 30\.00 USD on \d{4}-\d{2}-\d{2}\nInvoice: invoice 325-\d+\nPaddle subscription /),
			expect.stringMatching(/^Payment FAILED: 30\.00 USD on .*\nReason: not_enough_balance/),
			expect.stringMatching(/^Subscription renewed on .*: 30\.00 USD\nPlan: pri_/),
			expect.stringMatching(new RegExp(`^Plan changed on .*: Pro → Enterprise\\nPrice: ${paddle.seed.yearlyUsd}\\n`)),
			expect.stringMatching(/^Invoice \(billed\): 99\.00 USD on .*\nInvoice: invoice 325-\d+/),
			expect.stringMatching(/^Credit note: 5\.00 USD on .*\nReason: service outage/),
			// Resuming starts a new billing period, which Paddle charges (scenario "subscription_resume").
			expect.stringMatching(/^Subscription renewed on .*: 300\.00 USD\nPlan: pri_/),
		]);
		expect(after.plan).toBe('Enterprise');
		expect(after.status).toBe('Cancelled');
		const tasks = kommo.tasksFor(acme.id);
		expect(tasks.map((t) => taskText(t.text))).toEqual([
			'Payment failed (not_enough_balance): 30.00 USD. Contact the customer about their payment method.',
			`Subscription ${subscriptionId} was cancelled (no reason given). Call the customer to understand why and whether it can be saved.`,
		]);
		expect(tasks.every((t) => t.responsible_user_id === kommo.users[1].id)).toBe(true);
		expect(tasks[0].complete_till - now).toBeGreaterThanOrEqual(4 * 3600 - 5);
	});

	test('security review M4: a lead id the payer put into custom_data (Paddle.js) reaches a deal only when that deal is the customer\'s', async () => {
		// Mallory pays for something and sets custom_data.kommo_lead_id to Acme's deal in the browser.
		const mallory = paddle.createCustomer({ email: 'mallory@evil.test', name: 'Mallory' });
		const malloryAddress = paddle.createAddressFor(mallory.id as string, 'US');
		const before = kommo.notesFor(acme.id).length;
		const forged = paddle.createTransaction({ items: [{ price_id: paddle.seed.setupFeeUsd, quantity: 3 }], customer_id: mallory.id, address_id: malloryAddress.id, custom_data: { kommo_lead_id: acme.id } });
		paddle.completeTransaction(forged.id as string);
		const delivery = await lastDelivery('transaction.completed');
		expect(delivery.result?.status).toBe(200);
		expect(JSON.parse(delivery.result!.body)).toMatchObject({ ignored: 'no Kommo deal found for this customer' });
		expect(kommo.notesFor(acme.id)).toHaveLength(before);

		// A genuine hint: the deal stores this customer as its billing customer (written at provisioning).
		const bill = paddle.createCustomer({ email: 'billing@initech.test', name: 'Bill' });
		const initech = kommo.addLead({ name: 'Initech', customFields: { 'Billing customer ID': String(bill.id) }, contacts: [{ first_name: 'Bill', email: 'bill@initech.test' }] });
		const billAddress = paddle.createAddressFor(bill.id as string, 'US');
		const genuine = paddle.createTransaction({ items: [{ price_id: paddle.seed.setupFeeUsd, quantity: 1 }], customer_id: bill.id, address_id: billAddress.id, custom_data: { kommo_lead_id: initech.id } });
		paddle.completeTransaction(genuine.id as string);
		expect((await lastDelivery('transaction.completed')).result?.status).toBe(200);
		expect(effects(kommo, initech.id).notes).toEqual([expect.stringMatching(/^Payment received: 99\.00 USD/)]);
	});

	test("a customer without a stored lead id is matched by the Paddle customer's email", async () => {
		const customer = paddle.createCustomer({ email: 'gus@globex.test', name: 'Gus' });
		const address = paddle.createAddressFor(customer.id as string, 'US');
		const transaction = paddle.createTransaction({ items: [{ price_id: paddle.seed.setupFeeUsd, quantity: 1 }], customer_id: customer.id, address_id: address.id });
		paddle.completeTransaction(transaction.id as string);
		expect((await lastDelivery('transaction.completed')).result?.status).toBe(200);
		expect(effects(kommo, globex.id).notes).toEqual([expect.stringMatching(/^Payment received: 99\.00 USD/)]);
	});

	test('the same notification 5 times, in a row and at once, has exactly one effect', async () => {
		const notes = () => kommo.notesFor(acme.id).length;
		const before = notes();
		paddle.failPayment([...paddle.transactions.values()].find((t) => t.origin === 'subscription_recurring')!.id as string, 'declined');
		const first = await lastDelivery('transaction.payment_failed');
		expect(first.result?.status).toBe(200);
		for (let i = 0; i < 4; i++) expect((await paddle.redeliver(first.notificationId)).result?.status).toBe(200);
		expect(notes()).toBe(before + 1);

		paddle.failPayment([...paddle.transactions.values()].find((t) => t.origin === 'subscription_recurring')!.id as string, 'expired_card');
		paddle.autoDeliver = false;
		try {
			const event = paddle.events[paddle.events.length - 1];
			expect(event.event_type).toBe('transaction.payment_failed');
			const post = () => postSigned(event, 'ntf_01e2econcurrent000000000001');
			const results = await redeliverInProgress(await Promise.all([0, 1, 2, 3, 4].map(post)), post);
			expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
		} finally {
			paddle.autoDeliver = true;
		}
		expect(notes()).toBe(before + 2);
		expect(kommo.notesFor(acme.id).filter((n) => String(n.params.text).includes('expired_card'))).toHaveLength(1);
		expect(kommo.tasksFor(acme.id).filter((t) => t.text.includes('expired_card'))).toHaveLength(1);
	});

	test('out of order: a late subscription.resumed after subscription.canceled does not set the deal back to Active', async () => {
		const deal = kommo.addLead({ name: 'Late Co', customFields: { Plan: 'Pro', 'Billing system': 'Paddle' }, contacts: [{ first_name: 'Lu', email: 'lu@late.test' }] });
		const checkout = paidTransaction(deal.id, 'lu@late.test', paddle.seed.monthlyUsd);
		await paddle.settle();
		const sub = String(paddle.transactions.get(checkout)?.subscription_id);
		const deliver = async (event: (typeof paddle.events)[number]) => await postSigned(event, `ntf_late${event.event_id.slice(-20)}`);
		const latest = (type: string) => [...paddle.events].reverse().find((e) => e.event_type === type && (e.data as Json).id === sub)!;
		paddle.autoDeliver = false;
		let paused, resumed, canceled;
		try {
			paddle.pauseSubscription(sub, { effective_from: 'immediately' });
			paused = latest('subscription.paused');
			await pause(5); // distinct occurred_at (microseconds in real Paddle)
			paddle.resumeSubscription(sub, { effective_from: 'immediately' });
			resumed = latest('subscription.resumed');
			await pause(5);
			paddle.cancelSubscription(sub, { effective_from: 'immediately' });
			canceled = latest('subscription.canceled');
		} finally {
			paddle.autoDeliver = true;
		}
		// Paddle delivers the pause, then the cancellation, and the resume only later (a retry)
		await expectLateResumeIsStale(kommo, deal.id, { paused, cancelled: canceled, resumed }, deliver, { [`paddle:subscription:${sub}`]: canceled.occurred_at });
	});

	test("a Kommo 500 on the note answers 503; Paddle's retry writes exactly one note; the failure becomes a task on the deal", async () => {
		const errorRuns = (await n8n.api.executions({ workflowId: ERROR_WORKFLOW_ID })).length;
		kommo.faults.push({ method: 'POST', path: '/api/v4/leads/notes', status: 500, body: { title: 'Internal Server Error', status: 500 }, times: 1 });
		paidTransaction(acme.id, 'retry@acme.test', paddle.seed.setupFeeUsd, 2);
		const first = await lastDelivery('transaction.completed');
		expect(first.result?.status).toBe(503);
		const withAmount = () => kommo.notesFor(acme.id).filter((n) => String(n.params.text).includes('198.00 USD'));
		expect(withAmount()).toHaveLength(0);
		expect((await paddle.redeliver(first.notificationId)).result?.status).toBe(200);
		expect(withAmount()).toHaveLength(1);
		await n8n.api.waitForExecutions(ERROR_WORKFLOW_ID, errorRuns + 1);
		await until(() => errorTasks(kommo, 'Paddle events').length > 0, 'the error task');
		expect(errorTasks(kommo, 'Paddle events')[0]).toMatchObject({ entity_id: acme.id, responsible_user_id: kommo.users[1].id });
	});

	test('forged and unsigned deliveries get 401 and start nothing', async () => {
		const executions = (await n8n.api.executions({ workflowId: WORKFLOW_ID })).length;
		const genuine = await lastDelivery('transaction.completed');
		const forged = await paddle.post(n8n.webhookUrl(HOOK), genuine.body, { 'paddle-signature': `ts=${Math.floor(Date.now() / 1000)};h1=${'0'.repeat(64)}` });
		const unsigned = await paddle.post(n8n.webhookUrl(HOOK), genuine.body, {});
		expect([forged.status, unsigned.status]).toEqual([401, 401]);
		await pause(1000);
		await settledExecutions(n8n, WORKFLOW_ID, executions, 0);
	});
});
