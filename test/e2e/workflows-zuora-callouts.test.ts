/**
 * The shipped workflows/zuora-callouts-to-kommo.json (with its -effects.json sub-workflow and error-to-kommo-task.json) in a real
 * n8n 2.40.7 with the packed package; Zuora callouts come from the Zuora sandbox (Basic auth,
 * challenged with 401 first), Kommo is the Kommo sandbox. One n8n:
 *  - each callout kind (payment processed/declined, invoice, renewal, plan change, credit memo,
 *    cancellation, suspension, resumption, the configurable renewal reminder, anything else)
 *    has its effect on the deal whose id is the account's crmId, or the email's contact's deal;
 *  - a callout without crmId: the account is read from Zuora (its crmId, else its bill-to email);
 *  - the same callout 5 times (in a row and at once) has exactly one effect;
 *  - a Kommo 500 on the note answers 503, the retry writes exactly one note, and the error
 *    workflow records the failure as a task;
 *  - a late callout (older UpdatedDate) after a newer status is acknowledged as stale, and the
 *    deal keeps the newer status;
 *  - wrong credentials get 401 and start nothing.
 */
import { startN8n, type N8nHandle } from '../../dev/n8n';
import { effects, ERROR_WORKFLOW_ID, expectLateResumeIsStale, errorTasks, kommoCredential, pause, redeliverInProgress, settledExecutions, shippedEventWorkflows, shippedWorkflow, taskText, until } from './helpers/billing-workflows';
import { KommoSandbox, type Lead } from '../../dev/sandbox/kommo';
import { ZuoraSandbox, type ZuoraContact } from '../../dev/sandbox/zuora';
import { SHIPPED_CREDENTIAL } from '../../tools/workflows/credentials';

const WORKFLOW_ID = 'kbZuEvents000001';
const HOOK = 'kommo-billing-zuora-callouts/callout';
const AUTH = { type: 'basic' as const, user: 'zuora-callouts', password: 'callout-password-0123456789' };
const CLIENT_ID = 'e2e0a0b1-c2d3-4e5f-8a9b-0c1d2e3f4a02'; // 36 characters (spec createToken.client_id)
const CLIENT_SECRET = 'e2e-callouts-client-secret-0123456789';

type Json = Record<string, unknown>;

let kommo: KommoSandbox;
let zuora: ZuoraSandbox;
let n8n: N8nHandle;
let acme: Lead;
let globex: Lead;
let counter = 0;
// Yesterday (UTC): every hour of it is within the Max Event Age and none is in the future.
const TODAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** A callout as a Zuora notification template would send it (our trigger's default field names). */
function callout(eventType: string, fields: Json = {}): Json {
	counter += 1;
	return {
		eventType,
		objectId: `8ad0887e8f0e4b5a018f1c0d3e4f${String(counter).padStart(4, '0')}`,
		// recent: the trigger refuses callouts older than its Max Event Age (7 days by default)
		eventTimestamp: `${TODAY}T${String(counter % 24).padStart(2, '0')}:00:00.000Z`,
		accountNumber: 'A00000042',
		crmId: String(acme.id),
		subscriptionNumber: 'A-S00000007',
		...fields,
	};
}

async function send(payload: Json, preemptive = true): Promise<{ status: number; body: string }> {
	const result = await zuora.sendCallout(n8n.webhookUrl(HOOK), payload, { ...AUTH, preemptive });
	return { status: result.final.status, body: result.final.body };
}

beforeAll(async () => {
	kommo = await new KommoSandbox().start();
	acme = kommo.addLead({
		name: 'Acme — Pro',
		responsible_user_id: kommo.users[1].id,
		customFields: { Plan: 'Pro', 'Billing system': 'Zuora' },
		contacts: [{ first_name: 'Ada', email: 'ada@acme.test' }],
	});
	globex = kommo.addLead({ name: 'Globex', contacts: [{ first_name: 'Gus', email: 'gus@globex.test' }] });
	zuora = await new ZuoraSandbox().addClient(CLIENT_ID, CLIENT_SECRET).start();
	n8n = await startN8n({
		name: 'wf-zuora-callouts',
		credentials: [
			kommoCredential(kommo),
			{ ...SHIPPED_CREDENTIAL.zuoraCalloutAuthApi, type: 'zuoraCalloutAuthApi', data: { user: AUTH.user, password: AUTH.password } },
			// for the account look-up of a callout without crmId
			{
				...SHIPPED_CREDENTIAL.zuoraOAuth2Api,
				type: 'zuoraOAuth2Api',
				data: { environment: 'custom', baseUrl: zuora.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, accessToken: '', expiresAt: 0, refreshAt: 0, obtainedAt: 0 },
			},
		],
		// all published: n8n 2.x runs only a published error workflow
		workflows: [...shippedEventWorkflows('zuora-callouts-to-kommo.json'), shippedWorkflow('error-to-kommo-task.json')],
		waitForWebhooks: [HOOK],
	});
});

afterAll(async () => {
	await n8n?.stop();
	try {
		await zuora?.stop(); // throws if any traffic deviated from the vendor's spec (sandbox/zuora/spec.ts)
	} finally {
		await kommo?.stop();
	}
});

describe('Zuora callouts → Kommo (shipped workflow)', () => {
	test('each callout kind has its effect on the deal (crmId), answered 200 only after it landed', async () => {
		const now = Math.floor(Date.now() / 1000);
		const first = await send(callout('PaymentProcessed', { paymentNumber: 'P-1', amount: '49.00', currency: 'USD', invoiceNumber: 'INV-1' }), false);
		expect(first).toMatchObject({ status: 200 });
		expect(JSON.parse(first.body)).toEqual({ received: true, processed: true });
		const answers = [
			await send(callout('PaymentDeclined', { paymentNumber: 'P-2', amount: '49.00', currency: 'USD', gatewayResponse: 'Insufficient funds' })),
			await send(callout('InvoicePosted', { invoiceNumber: 'INV-2', amount: '49.00', currency: 'USD', invoiceStatus: 'Posted', invoiceUrl: 'https://zuora.example/invoices/INV-2.pdf' })),
			await send(callout('SubscriptionRenewed', { amount: '588.00', currency: 'USD', ratePlanName: 'Pro Annual' })),
			await send(callout('PlanChanged', { ratePlanName: 'Enterprise Monthly', previousRatePlanId: 'Pro Monthly' })),
			await send(callout('CreditMemoPosted', { amount: '10.00', currency: 'USD', reason: 'Goodwill' })),
			await send(callout('SubscriptionSuspended')),
			await send(callout('SubscriptionResumed')),
			await send(callout('SubscriptionCancelled', { cancelReason: 'Too expensive' })),
			await send(callout('RenewalReminder', { ratePlanName: 'Pro Annual' })),
		];
		expect(answers.map((a) => a.status)).toEqual(Array(9).fill(200));
		const other = await send(callout('AccountUpdated'));
		expect(other.status).toBe(200);
		expect(JSON.parse(other.body)).toEqual({ received: true, ignored: 'no Kommo effect for this event type' });

		const after = effects(kommo, acme.id);
		expect(after.notes).toEqual([
			expect.stringMatching(/^Payment received: 49\.00 USD on \d{4}-\d{2}-\d{2}\nInvoice: invoice INV-1\nZuora subscription A-S00000007 · event PaymentProcessed \(8ad0/),
			expect.stringMatching(/^Payment FAILED: 49\.00 USD on \d{4}-\d{2}-\d{2}\nReason: Insufficient funds/),
			expect.stringMatching(/^Invoice \(Posted\): 49\.00 USD on \d{4}-\d{2}-\d{2}\nInvoice: https:\/\/zuora\.example\/invoices\/INV-2\.pdf/),
			expect.stringMatching(/^Subscription renewed on \d{4}-\d{2}-\d{2}: 588\.00 USD\nPlan: Pro Annual/),
			expect.stringMatching(/^Plan changed on \d{4}-\d{2}-\d{2}: Pro → Enterprise\nPrice: Enterprise Monthly\n/),
			expect.stringMatching(/^Credit note: 10\.00 USD on \d{4}-\d{2}-\d{2}\nReason: Goodwill/),
		]);
		expect(after.plan).toBe('Enterprise');
		expect(after.status).toBe('Cancelled');
		const tasks = kommo.tasksFor(acme.id);
		expect(tasks.map((t) => taskText(t.text))).toEqual([
			'Payment failed (Insufficient funds): 49.00 USD. Contact the customer about their payment method.',
			'Subscription A-S00000007 was cancelled (Too expensive). Call the customer to understand why and whether it can be saved.',
			'Renewal coming up for subscription A-S00000007 (plan Pro Annual): check in with the customer before it renews.',
		]);
		expect(tasks.every((t) => t.responsible_user_id === kommo.users[1].id)).toBe(true);
		expect(tasks[2].complete_till - now).toBeGreaterThanOrEqual(3 * 86_400 - 5);
	});

	test("a callout without crmId: the account is read from Zuora (Account → Get); its crmId names the deal, else its bill-to email finds the contact's deal", async () => {
		const gets = () => zuora.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/accounts/')).length;
		// the template sent the account number only: the account's crmId is the deal
		const withCrm = zuora.seedAccount({ name: 'Acme', crmId: String(acme.id) });
		const before = kommo.notesFor(acme.id).length;
		const first = await send(callout('PaymentProcessed', { accountNumber: withCrm.accountNumber, crmId: '', amount: '13.00', currency: 'USD' }));
		expect(first.status).toBe(200);
		expect(kommo.notesFor(acme.id).slice(before).map((n) => String(n.params.text))).toEqual([expect.stringMatching(/^Payment received: 13\.00 USD/)]);
		expect(gets()).toBe(1);
		// an account without crmId: its bill-to email (ahead of the callout's) finds the contact's deal
		const noCrm = zuora.seedAccount({ name: 'Globex', billToContact: { firstName: 'Gus', lastName: 'G', workEmail: 'gus@globex.test', country: 'United States' } as ZuoraContact });
		const answer = await send(callout('PaymentProcessed', { accountNumber: noCrm.accountNumber, crmId: '', email: 'someone-else@globex.test', amount: '12.00', currency: 'EUR' }));
		expect(answer.status).toBe(200);
		expect(effects(kommo, globex.id).notes).toEqual([expect.stringMatching(/^Payment received: 12\.00 EUR/)]);
		expect(gets()).toBe(2);
		// a callout with neither crmId nor account number: the callout's email is all there is
		const bare = await send(callout('PaymentProcessed', { accountNumber: '', crmId: '', email: 'gus@globex.test', amount: '14.00', currency: 'EUR' }));
		expect(bare.status).toBe(200);
		expect(effects(kommo, globex.id).notes).toHaveLength(2);
		expect(gets()).toBe(2);
		// an account Zuora does not know: the look-up fails, the callout is answered 503 so Zuora retries
		const errorRuns = (await n8n.api.executions({ workflowId: ERROR_WORKFLOW_ID })).length;
		const unknown = await send(callout('PaymentProcessed', { accountNumber: 'A99999999', crmId: '', email: 'gus@globex.test', amount: '15.00', currency: 'EUR' }));
		expect(unknown.status).toBe(503);
		expect(effects(kommo, globex.id).notes).toHaveLength(2);
		// … and the error workflow runs for the failed execution (settled before the next test)
		await n8n.api.waitForExecutions(ERROR_WORKFLOW_ID, errorRuns + 1);
	});

	test('the same callout 5 times, in a row and at once, has exactly one effect', async () => {
		const notes = () => kommo.notesFor(acme.id).length;
		const before = notes();
		const one = callout('InvoicePosted', { invoiceNumber: 'INV-DUP-1', amount: '1.00', currency: 'USD' });
		const sequential = [];
		for (let i = 0; i < 5; i++) sequential.push(await send(one));
		expect(sequential.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
		expect(notes()).toBe(before + 1);
		const two = callout('InvoicePosted', { invoiceNumber: 'INV-DUP-2', amount: '2.00', currency: 'USD' });
		const concurrent = await redeliverInProgress(await Promise.all([0, 1, 2, 3, 4].map(() => send(two))), () => send(two));
		expect(concurrent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
		expect(notes()).toBe(before + 2);
	});

	test('out of order: a late SubscriptionResumed (older UpdatedDate) after SubscriptionCancelled does not set the deal back to Active', async () => {
		const deal = kommo.addLead({ name: 'Late Co', customFields: { Plan: 'Pro', 'Billing system': 'Zuora' }, contacts: [{ first_name: 'Lu', email: 'lu@late.test' }] });
		const about = { crmId: String(deal.id), subscriptionNumber: 'A-S00000099' };
		const suspended = callout('SubscriptionSuspended', { ...about, updatedDate: `${TODAY}T10:00:00.000Z` });
		const resumed = callout('SubscriptionResumed', { ...about, updatedDate: `${TODAY}T10:05:00.000Z` });
		const cancelled = callout('SubscriptionCancelled', { ...about, cancelReason: 'Too expensive', updatedDate: `${TODAY}T10:10:00.000Z` });
		// Zuora delivers the suspension, then the cancellation, and the resumption only later (a retry)
		await expectLateResumeIsStale(kommo, deal.id, { paused: suspended, cancelled, resumed }, send, { 'zuora:subscription:A-S00000099': `${TODAY}T10:10:00.000Z` });
	});

	test('a Kommo 500 on the note answers 503; the retry writes exactly one note; the error workflow records a task', async () => {
		const errorRuns = (await n8n.api.executions({ workflowId: ERROR_WORKFLOW_ID })).length;
		kommo.faults.push({ method: 'POST', path: '/api/v4/leads/notes', status: 500, body: { title: 'Internal Server Error', status: 500 }, times: 1 });
		const payload = callout('PaymentProcessed', { paymentNumber: 'P-RETRY', amount: '77.00', currency: 'USD' });
		expect((await send(payload)).status).toBe(503);
		const withAmount = () => kommo.notesFor(acme.id).filter((n) => String(n.params.text).includes('77.00 USD'));
		expect(withAmount()).toHaveLength(0);
		expect((await send(payload)).status).toBe(200);
		expect(withAmount()).toHaveLength(1);
		await n8n.api.waitForExecutions(ERROR_WORKFLOW_ID, errorRuns + 1);
		await until(() => errorTasks(kommo, 'Zuora callouts').some((t) => t.entity_id === acme.id), 'the error task on the deal');
	});

	test('wrong or missing credentials get 401 and start nothing', async () => {
		const executions = (await n8n.api.executions({ workflowId: WORKFLOW_ID })).length;
		const wrong = await zuora.sendCallout(n8n.webhookUrl(HOOK), callout('PaymentProcessed'), { ...AUTH, password: 'not-the-password-at-all', preemptive: true });
		const none = await zuora.sendCallout(n8n.webhookUrl(HOOK), callout('PaymentProcessed'), { type: 'none' });
		expect([wrong.final.status, none.final.status]).toEqual([401, 401]);
		await pause(1000);
		await settledExecutions(n8n, WORKFLOW_ID, executions, 0);
	});
});
