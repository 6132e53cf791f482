/**
 * workflows/kommo-won-to-zuora.json in a real n8n 2.40.7 with the packed package, against the
 * Kommo and Zuora sandboxes (one n8n for the file):
 *  - happy path: an account with the deal id as crmId and a subscription KL-<deal id> (Orders
 *    API) in Zuora, account number / subscription number / status on the deal, a note;
 *  - unmapped plan, missing email: a task for the deal's responsible user, nothing in Zuora;
 *  - duplicate Won (same webhook twice at once; new Won on a provisioned deal): nothing twice;
 *  - Zuora answers 500 to the order, also to the transport's retries: a task; the next Won
 *    provisions exactly once;
 *  - after Won, the Zuora node's Change Plan (in a user's webhook flow) changes the plan twice and
 *    back to the first plan, one order each; the same change again is alreadyApplied.
 */
import path from 'node:path';

import { startN8n, type N8nHandle } from '../../dev/n8n';
import { kommoCredential, ran, seedDeal, waitFor, WonRunner, WORKFLOWS_DIR } from './helpers/won-workflows';
import { KommoSandbox } from '../../dev/sandbox/kommo';
import { ZuoraSandbox } from '../../dev/sandbox/zuora';
import { SHIPPED_CREDENTIAL } from '../../tools/workflows/credentials';

const WORKFLOW_FILE = path.join(WORKFLOWS_DIR, 'kommo-won-to-zuora.json');
const WORKFLOW_ID = 'kbWonZuora000001';
const WEBHOOK_PATH = 'kb-won-zuora/webhook';
const CLIENT_ID = 'e2e0a0b1-c2d3-4e5f-8a9b-0c1d2e3f4a01'; // 36 characters (spec createToken.client_id)
const CLIENT_SECRET = 'e2e-won-client-secret-0123456789';
const PRO_MONTHLY = '8ad09be48db5aba7018db5plan00pro-m';
const ENTERPRISE_MONTHLY = '8ad09be48db5aba7018db5plan00ent-m';
const PRO_ANNUAL = '8ad09be48db5aba7018db5plan00pro-a';
const PLAN_CHANGE_PATH = 'kb-zuora-change-plan';
const PLAN_CHANGE_WORKFLOW_ID = 'kbZuoraPlanChg01';

/**
 * A flow a user builds around the Zuora node: a webhook that changes a subscription's plan
 * (Subscription → Change Plan, "All Other Rate Plans" removed) and answers with the node's output.
 */
const planChangeWorkflow = {
	id: PLAN_CHANGE_WORKFLOW_ID,
	name: 'Change a Zuora plan',
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '5c1d0a00-0001-4e5f-8a9b-0c0c0c0c0001',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: '5c1d0a00-1001-4e5f-8a9b-0c0c0c0c1001',
			parameters: { httpMethod: 'POST', path: PLAN_CHANGE_PATH, responseMode: 'lastNode', options: {} },
		},
		{
			id: '5c1d0a00-0002-4e5f-8a9b-0c0c0c0c0002',
			name: 'Change plan',
			type: 'n8n-nodes-kommo-billing.zuora',
			typeVersion: 1,
			position: [260, 0],
			parameters: {
				resource: 'subscription',
				operation: 'changePlan',
				subscriptionNumber: '={{ $json.body.subscription }}',
				addRatePlanIds: '={{ [$json.body.plan] }}',
				removeMode: 'allOthers',
				effectiveDate: '={{ $now.toISODate() }}',
			},
			credentials: { zuoraOAuth2Api: SHIPPED_CREDENTIAL.zuoraOAuth2Api },
		},
	],
	connections: { Webhook: { main: [[{ node: 'Change plan', type: 'main', index: 0 }]] } },
};

let kommo: KommoSandbox;
let zuora: ZuoraSandbox;
let n8n: N8nHandle;
let won: WonRunner;

beforeAll(async () => {
	[kommo, zuora] = await Promise.all([new KommoSandbox().start(), new ZuoraSandbox().addClient(CLIENT_ID, CLIENT_SECRET).start()]);
	n8n = await startN8n({
		name: 'won-zuora',
		workflows: [WORKFLOW_FILE, planChangeWorkflow],
		credentials: [
			kommoCredential(kommo),
			{
				...SHIPPED_CREDENTIAL.zuoraOAuth2Api,
				type: 'zuoraOAuth2Api',
				data: { environment: 'custom', baseUrl: zuora.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, accessToken: '', expiresAt: 0, refreshAt: 0, obtainedAt: 0 },
			},
		],
		waitForWebhooks: [WEBHOOK_PATH, PLAN_CHANGE_PATH],
	});
	await waitFor('the Kommo Trigger to register its webhook', () => kommo.webhooks.length === 1);
	await n8n.api.waitForTriggerData(WORKFLOW_ID);
	won = new WonRunner(n8n, kommo, WORKFLOW_ID);
	process.stderr.write(`won-zuora e2e timings: ${JSON.stringify(n8n.timings)}\n`);
});

afterAll(async () => {
	await n8n?.stop();
	await Promise.all([kommo?.stop(), zuora?.stop()]);
});

const zuoraWrites = () => zuora.requests.filter((r) => r.method === 'POST' && r.path !== '/oauth/token' && r.path !== '/v1/action/query').length;
const bob = () => kommo.users[1].id;
const accountsOf = (leadId: number) => zuora.accounts.filter((a) => a.crmId === String(leadId));
const subscriptionsOf = (leadId: number) => zuora.subscriptions.filter((s) => accountsOf(leadId).some((a) => a.accountNumber === s.accountNumber));

describe('Kommo Won → Zuora (shipped workflow) in a real n8n', () => {
	test('a won Zuora deal gets an account (crmId = deal id) and subscription KL-<id>, its ids and status, and a note', async () => {
		const lead = seedDeal(kommo, { name: 'Orbit Labs', plan: 'Pro', billingSystem: 'Zuora', email: 'ops@orbit.test', fields: { Country: 'US' } });
		const [execution] = await won.win(lead);
		expect(execution.status).toBe('success');
		expect(n8n.workflowIds['Kommo Won → Zuora account + subscription']).toBe(WORKFLOW_ID);

		const [account, ...moreAccounts] = accountsOf(lead.id);
		expect(moreAccounts).toEqual([]);
		expect(account).toMatchObject({ name: 'Orbit Labs', currency: 'USD', crmId: String(lead.id) });
		expect(account.billToContact).toMatchObject({ firstName: 'Ada', workEmail: 'ops@orbit.test', country: 'US' });
		const [subscription, ...moreSubscriptions] = subscriptionsOf(lead.id);
		expect(moreSubscriptions).toEqual([]);
		expect(subscription).toMatchObject({ subscriptionNumber: `KL-${lead.id}`, status: 'Active', termType: 'TERMED', initialTerm: 12 });
		expect(subscription.ratePlans.map((rp) => rp.productRatePlanId)).toEqual([PRO_MONTHLY]);
		// The number travels where Zuora reads a NEW subscription's number (issue 15 item 1).
		const order = zuora.requestsTo('POST', '/v1/orders').find((r) => r.status === 200);
		const entry = ((order?.body as { subscriptions: Array<Record<string, unknown>> }).subscriptions)[0];
		expect(entry.subscriptionNumber).toBeUndefined();
		expect((entry.orderActions as Array<{ createSubscription: { subscriptionNumber: string } }>)[0].createSubscription.subscriptionNumber).toBe(`KL-${lead.id}`);
		expect(subscription.contractEffectiveDate).toBe(new Date(Number(lead.closed_at) * 1000).toISOString().slice(0, 10));

		expect(kommo.leadFieldMap(lead.id)).toMatchObject({
			'Billing customer ID': account.accountNumber,
			'Subscription ID': `KL-${lead.id}`,
			'Subscription status': 'Active',
		});
		const notes = kommo.notesFor(lead.id);
		expect(notes).toHaveLength(1);
		expect(notes[0].params.text).toBe(
			[
				`Zuora subscription KL-${lead.id} created (Active).`,
				'Plan: Pro → Pro Monthly',
				'Amount: 49.00 USD per month (contracted MRR), term 12 Months',
				`Account: https://www.zuora.com/apps/CustomerAccount.do?method=view&id=${account.id}`,
				`Subscription: https://www.zuora.com/apps/Subscription.do?method=view&id=${subscription.id}`,
			].join('\n'),
		);
		expect(kommo.tasksFor(lead.id)).toEqual([]);
	});

	test('an unmapped plan and a contact without email: tasks for the responsible user, nothing in Zuora', async () => {
		const writes = zuoraWrites();
		const starter = seedDeal(kommo, { name: 'Tiny Co', plan: 'Starter', billingSystem: 'Zuora' });
		const noMail = seedDeal(kommo, { name: 'Quiet Co', plan: 'Pro', billingSystem: 'Zuora', email: null });
		for (const lead of [starter, noMail]) expect((await won.win(lead))[0].status).toBe('success');
		expect(kommo.tasksFor(starter.id).map((t) => [t.text, t.responsible_user_id])).toEqual([
			['The won deal "Tiny Co" was not set up in Zuora. Plan "Starter" has no mapping to Zuora. Open the "Plan mapping" node and add it.', bob()],
		]);
		expect(kommo.tasksFor(noMail.id).map((t) => t.text)).toEqual([
			'The won deal "Quiet Co" was not set up in Zuora: its main contact has no email address. Add the email to the contact (or link a contact) in Kommo, then move the deal to Won again.',
		]);
		expect(zuoraWrites()).toBe(writes);
		expect(accountsOf(starter.id)).toEqual([]);
		expect(accountsOf(noMail.id)).toEqual([]);
	});

	test('duplicate Won: the same webhook twice at once, then a new Won on the provisioned deal, create nothing twice', async () => {
		const lead = seedDeal(kommo, { name: 'Race Labs', plan: 'Enterprise', billingSystem: 'Zuora' });
		await kommo.moveLead(lead.id, 142, { fire: false });
		const raced = await won.redeliver(lead, 2);
		expect(raced.map((e) => e.status)).toEqual(['success', 'success']);
		expect(raced.filter((e) => ran(e).includes('Same Won delivered twice: stop'))).toHaveLength(1);
		expect(accountsOf(lead.id)).toHaveLength(1);
		expect(subscriptionsOf(lead.id)).toHaveLength(1);

		const writes = zuoraWrites();
		const [again] = await won.win(lead);
		expect(ran(again)).toContain('Provisioned before: stop');
		expect(zuoraWrites()).toBe(writes);
		expect(accountsOf(lead.id)).toHaveLength(1);
		expect(subscriptionsOf(lead.id)).toHaveLength(1);
		expect(kommo.notesFor(lead.id)).toHaveLength(1);
		expect(kommo.tasksFor(lead.id)).toEqual([]);
	});

	test('Zuora answers 500 to the order: a task; the next Won provisions exactly once', async () => {
		const lead = seedDeal(kommo, { name: 'Flaky Labs', plan: 'Pro', billingSystem: 'Zuora' });
		zuora.faults.push({ method: 'POST', path: '/v1/orders', status: 500, times: 5, body: { success: false, processId: 'E2E500', reasons: [{ code: 50000040, message: 'Operation failed due to an unexpected error' }] } });
		const orders = zuora.requestsTo('POST', '/v1/orders').length;
		const [failed] = await won.win(lead);
		zuora.faults = [];
		expect(failed.status).toBe('success');
		expect(zuora.requestsTo('POST', '/v1/orders').length - orders).toBe(5);
		const tasks = kommo.tasksFor(lead.id);
		expect(tasks).toHaveLength(1);
		expect(tasks[0].text).toMatch(/^Setting up the won deal in Zuora failed at step "Create subscription": /);
		expect(tasks[0].text).toContain('unexpected error');
		expect(tasks[0].responsible_user_id).toBe(bob());
		expect(accountsOf(lead.id)).toHaveLength(1);
		expect(subscriptionsOf(lead.id)).toEqual([]);

		const [retried] = await won.win(lead);
		expect(retried.status).toBe('success');
		expect(accountsOf(lead.id)).toHaveLength(1);
		expect(subscriptionsOf(lead.id)).toHaveLength(1);
		expect(kommo.leadFieldMap(lead.id)).toMatchObject({ 'Subscription ID': `KL-${lead.id}`, 'Subscription status': 'Active' });
		expect(kommo.notesFor(lead.id)).toHaveLength(1);
		expect(kommo.tasksFor(lead.id)).toHaveLength(1);
	});

	test('after Won: two consecutive plan changes, then a change back to the first plan, each a real order (issue 15 item 2)', async () => {
		const lead = seedDeal(kommo, { name: 'Switch Co', plan: 'Pro', billingSystem: 'Zuora' });
		expect((await won.win(lead))[0].status).toBe('success');
		const subscription = `KL-${lead.id}`;
		const change = async (plan: string) => {
			const response = await fetch(n8n.webhookUrl(PLAN_CHANGE_PATH), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ subscription, plan }),
			});
			expect(response.status).toBe(200);
			return (await response.json()) as { alreadyApplied: boolean; previousRatePlans: Array<{ productRatePlanId: string }>; order?: unknown };
		};
		// Zuora's current subscription view: removed rate plans stay, marked lastChangeType "Remove"
		const live = () =>
			subscriptionsOf(lead.id)
				.find((s) => s.subscriptionNumber === subscription)!
				.ratePlans.filter((rp) => rp.lastChangeType !== 'Remove')
				.map((rp) => rp.productRatePlanId);
		expect(live()).toEqual([PRO_MONTHLY]);
		const orders = zuora.requestsTo('POST', '/v1/orders').length;

		const first = await change(ENTERPRISE_MONTHLY);
		expect(first).toMatchObject({ alreadyApplied: false, previousRatePlans: [{ productRatePlanId: PRO_MONTHLY }] });
		expect(live()).toEqual([ENTERPRISE_MONTHLY]);
		const second = await change(PRO_ANNUAL);
		expect(second).toMatchObject({ alreadyApplied: false, previousRatePlans: [{ productRatePlanId: ENTERPRISE_MONTHLY }] });
		expect(live()).toEqual([PRO_ANNUAL]);
		// back to the first plan: its removed rate plan is not "already there"
		const back = await change(PRO_MONTHLY);
		expect(back).toMatchObject({ alreadyApplied: false, previousRatePlans: [{ productRatePlanId: PRO_ANNUAL }] });
		expect(live()).toEqual([PRO_MONTHLY]);
		expect(zuora.requestsTo('POST', '/v1/orders').length - orders).toBe(3);
		// the same change again changes nothing
		expect(await change(PRO_MONTHLY)).toMatchObject({ alreadyApplied: true });
		expect(zuora.requestsTo('POST', '/v1/orders').length - orders).toBe(3);
	});
});
