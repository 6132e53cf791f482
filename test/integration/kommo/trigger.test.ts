/**
 * The Kommo Trigger in real n8n-core HookContext / WebhookContext against the
 * sandbox: webhook registration lifecycle, secret and account checks,
 * decoding of the sandbox's form bodies, filters; plus the dropdown methods.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { KommoTrigger } from '../../../nodes/Kommo/KommoTrigger.node';
import { loadOptions, listSearch } from '../../../nodes/Kommo/methods';
import { locatorSearch } from '../../../nodes/Kommo/locators';
import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { secretDigest } from '../../../nodes/Kommo/trigger/verify';
import { KommoSandbox, WON_STATUS_ID } from '../../../dev/sandbox/kommo';
import { createLoadOptionsContext } from '../../helpers/n8n-context';
import { parseKommoError } from '../../../nodes/Kommo/transport';
import { byId, callTrigger, hookContext, kommoCredentials, loadOptionsContext, nodeOptions, runKommo } from './helpers';

let kommo: KommoSandbox;
const trigger = new KommoTrigger();

beforeAll(async () => {
	kommo = await new KommoSandbox().start();
});
afterAll(async () => kommo.stop());
beforeEach(() => {
	kommo.resetLog();
	kommo.webhooks.length = 0;
	resetLimiters();
});

const WON_ONLY = { events: ['status_lead'], targetStatus: 'won' };

async function activate(parameters: INodeParameters, staticData: IDataObject = {}) {
	const ctx = hookContext(kommo, parameters, staticData);
	const exists = await trigger.webhookMethods.default.checkExists.call(ctx);
	if (!exists) await trigger.webhookMethods.default.create.call(ctx);
	return staticData;
}

function nodeData(staticData: IDataObject): IDataObject {
	const key = Object.keys(staticData).find((k) => k.startsWith('node:'));
	return (key ? staticData[key] : {}) as IDataObject;
}

describe('webhook registration', () => {
	it('registers the destination with a random secret, remembers it, and finds it again', async () => {
		const staticData = await activate(WON_ONLY);
		const data = nodeData(staticData);
		expect(kommo.webhooks).toHaveLength(1);
		const [hook] = kommo.webhooks;
		expect(hook.settings).toEqual(['status_lead']);
		const secret = new URL(hook.destination).searchParams.get('secret')!;
		expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
		// Static data is plain JSON (n8n's API, exports): only a digest of the secret, no destination.
		expect(data.secretDigest).toBe(secretDigest(secret));
		expect(JSON.stringify(staticData)).not.toContain(secret);
		expect(data.destination).toBeUndefined();
		expect(data.accountId).toBe(kommo.account.id);
		expect(data.accountSubdomain).toBe('acme');

		const ctx = hookContext(kommo, WON_ONLY, staticData);
		expect(await trigger.webhookMethods.default.checkExists.call(ctx)).toBe(true);
	});

	it('re-registers when the events changed or Kommo disabled the webhook, removing the old one', async () => {
		const staticData = await activate(WON_ONLY);
		const first = kommo.webhooks[0].destination;
		const changed = { ...WON_ONLY, events: ['status_lead', 'add_lead'] };
		expect(await trigger.webhookMethods.default.checkExists.call(hookContext(kommo, changed, staticData))).toBe(false);
		await activate(changed, staticData);
		expect(kommo.webhooks).toHaveLength(1);
		expect(kommo.webhooks[0].settings.sort()).toEqual(['add_lead', 'status_lead']);
		expect(kommo.webhooks[0].destination).not.toBe(first);

		kommo.webhooks[0].disabled = true;
		expect(await trigger.webhookMethods.default.checkExists.call(hookContext(kommo, changed, staticData))).toBe(false);
	});

	it('deletes the webhook and forgets the secret on deactivation', async () => {
		const staticData = await activate(WON_ONLY);
		const destination = kommo.webhooks[0].destination;
		const ctx = hookContext(kommo, WON_ONLY, staticData);
		expect(await trigger.webhookMethods.default.delete.call(ctx)).toBe(true);
		expect(kommo.webhooks).toHaveLength(0);
		expect(kommo.requestsTo('DELETE', '/api/v4/webhooks')[0].body).toEqual({ destination });
		expect(nodeData(staticData).secretDigest).toBeUndefined();
		// Already gone in Kommo: still a clean deactivation.
		expect(await trigger.webhookMethods.default.delete.call(hookContext(kommo, WON_ONLY, staticData))).toBe(true);
	});
});

describe('webhook calls', () => {
	async function activeTrigger(parameters: INodeParameters = WON_ONLY) {
		const staticData = await activate(parameters);
		const secret = new URL(kommo.webhooks.at(-1)!.destination).searchParams.get('secret')!;
		return { staticData, secret };
	}

	it('decodes a Won status change into one item with numbers, custom fields and the account', async () => {
		const { staticData, secret } = await activeTrigger();
		const lead = kommo.addLead({ name: 'Acme', price: 1200, customFields: { Plan: 'Pro', 'Subscription ID': 'sub_9' } });
		const previous = lead.status_id;
		await kommo.moveLead(lead.id, WON_STATUS_ID, { fire: false });
		const body = kommo.webhookBody('status_lead', [lead.id]);
		const { result, response } = await callTrigger(kommo, WON_ONLY, staticData, { body, query: { secret } });
		expect(response.statusCode).toBe(200);
		const items = result.workflowData![0];
		expect(items).toHaveLength(1);
		const plan = kommo.field('leads', 'Plan');
		expect(items[0].json).toMatchObject({
			event: 'status_lead',
			entity: 'lead',
			id: lead.id,
			lead_id: lead.id,
			name: 'Acme',
			status_id: WON_STATUS_ID,
			old_status_id: previous,
			pipeline_id: lead.pipeline_id,
			price: 1200,
			custom_fields_map: { Plan: 'Pro', 'Subscription ID': 'sub_9' },
			account: { id: kommo.account.id, subdomain: 'acme' },
		});
		expect((items[0].json.custom_fields as IDataObject[])[0]).toEqual({
			id: plan.id,
			name: 'Plan',
			code: null,
			values: [{ value: 'Pro', enum: plan.enums![1].id }],
		});
	});

	it('rejects a call without the secret or with a wrong one (401) and starts nothing', async () => {
		const { staticData, secret } = await activeTrigger();
		const lead = kommo.addLead({ status_id: WON_STATUS_ID });
		const body = kommo.webhookBody('status_lead', [lead.id]);
		for (const query of [{}, { secret: `${secret}x` }, { secret: '' }] as Array<Record<string, string>>) {
			const { result, response } = await callTrigger(kommo, WON_ONLY, staticData, { body, query });
			expect(response.statusCode).toBe(401);
			expect(result).toEqual({ noWebhookResponse: true });
		}
	});

	it('asks for a retry (503), not an error, while activation has not stored the secret yet', async () => {
		const lead = kommo.addLead({ status_id: WON_STATUS_ID });
		const body = kommo.webhookBody('status_lead', [lead.id]);
		const { result, response } = await callTrigger(kommo, WON_ONLY, {}, { body, query: { secret: 'anything' } });
		expect(response.statusCode).toBe(503);
		expect(result).toEqual({ noWebhookResponse: true });
	});

	it('rejects a call from another Kommo account (403)', async () => {
		const { staticData, secret } = await activeTrigger();
		const lead = kommo.addLead({ status_id: WON_STATUS_ID });
		const body = kommo.webhookBody('status_lead', [lead.id]).replace(`account%5Bid%5D=${kommo.account.id}`, 'account%5Bid%5D=123');
		const { result, response } = await callTrigger(kommo, WON_ONLY, staticData, { body, query: { secret } });
		expect(response.statusCode).toBe(403);
		expect(result).toEqual({ noWebhookResponse: true });
	});

	it('an install that does not know its account reads it before accepting; another account stays refused', async () => {
		const { staticData, secret } = await activeTrigger();
		const data = nodeData(staticData);
		data.accountId = null;
		data.accountSubdomain = null;
		const lead = kommo.addLead({ status_id: WON_STATUS_ID });
		const forged = kommo.webhookBody('status_lead', [lead.id]).replace(`account%5Bid%5D=${kommo.account.id}`, 'account%5Bid%5D=123');
		const refused = await callTrigger(kommo, WON_ONLY, staticData, { body: forged, query: { secret } });
		expect(refused.response.statusCode).toBe(403);
		expect(data.accountId).toBe(kommo.account.id);
		const ok = await callTrigger(kommo, WON_ONLY, staticData, { body: kommo.webhookBody('status_lead', [lead.id]), query: { secret } });
		expect(ok.result.workflowData![0]).toHaveLength(1);
	});

	it('a body with only account[subdomain] (older accounts) is checked by subdomain', async () => {
		const { staticData, secret } = await activeTrigger();
		const lead = kommo.addLead({ status_id: WON_STATUS_ID });
		const body = kommo.webhookBody('status_lead', [lead.id]).replace(`&account%5Bid%5D=${kommo.account.id}`, '');
		const ok = await callTrigger(kommo, WON_ONLY, staticData, { body, query: { secret } });
		expect(ok.result.workflowData![0]).toHaveLength(1);
		const other = await callTrigger(kommo, WON_ONLY, staticData, { body: body.replace('account%5Bsubdomain%5D=acme', 'account%5Bsubdomain%5D=evil'), query: { secret } });
		expect(other.response.statusCode).toBe(403);
	});

	it('an install from before the digest (plaintext secret and destination) keeps working and is migrated', async () => {
		const { staticData, secret } = await activeTrigger();
		const data = nodeData(staticData);
		data.secret = secret;
		data.destination = kommo.webhooks[0].destination;
		delete data.secretDigest;
		delete data.webhookUrl;
		const lead = kommo.addLead({ status_id: WON_STATUS_ID });
		const body = kommo.webhookBody('status_lead', [lead.id]);
		expect((await callTrigger(kommo, WON_ONLY, staticData, { body, query: { secret } })).result.workflowData![0]).toHaveLength(1);
		expect(await trigger.webhookMethods.default.checkExists.call(hookContext(kommo, WON_ONLY, staticData))).toBe(true);
		expect(data.secret).toBeUndefined();
		expect(data.destination).toBeUndefined();
		expect(data.secretDigest).toBe(secretDigest(secret));
		expect((await callTrigger(kommo, WON_ONLY, staticData, { body, query: { secret } })).result.workflowData![0]).toHaveLength(1);
		expect((await callTrigger(kommo, WON_ONLY, staticData, { body, query: { secret: 'x' } })).response.statusCode).toBe(401);
	});

	it('"Verify Leads With Kommo API": a forged Won for a lead that is not won starts nothing; a real one passes with Kommo\'s values', async () => {
		const params = { ...WON_ONLY, options: { verifyWithApi: true } };
		const { staticData, secret } = await activeTrigger(params);
		const notWon = kommo.addLead({ status_id: kommo.mainPipeline.statuses[1].id });
		const forged = kommo.webhookBody('status_lead', [notWon.id]).replace(/(status_id%5D=)\d+/, `$1${WON_STATUS_ID}`);
		const refused = await callTrigger(kommo, params, staticData, { body: forged, query: { secret } });
		expect(refused.response.statusCode).toBe(200);
		expect(refused.result.workflowData).toBeUndefined();
		// Without the option, the same forged body would start the workflow.
		const unverified = await callTrigger(kommo, WON_ONLY, staticData, { body: forged, query: { secret } });
		expect(unverified.result.workflowData![0]).toHaveLength(1);

		const real = kommo.addLead({ price: 700 });
		await kommo.moveLead(real.id, WON_STATUS_ID, { fire: false });
		const ok = await callTrigger(kommo, params, staticData, { body: kommo.webhookBody('status_lead', [real.id]), query: { secret } });
		expect(ok.result.workflowData![0][0].json).toMatchObject({ id: real.id, status_id: WON_STATUS_ID, verified_with_api: true, price: 700 });
		expect(kommo.requestsTo('GET', '/api/v4/leads').at(-1)!.query['filter[id][]']).toEqual(String(real.id));
	});

	it('"Ignore Changes Made by the Credential\'s User" (default on) drops our own API updates, keeps a manager\'s', async () => {
		const params = { events: ['update_lead'], targetStatus: 'any' };
		const { staticData, secret } = await activeTrigger(params);
		const lead = kommo.addLead();
		const byManager = await callTrigger(kommo, params, staticData, { body: kommo.webhookBody('update_lead', [lead.id]), query: { secret } });
		expect(byManager.result.workflowData![0]).toHaveLength(1);
		// An update through the API (what a workflow's Kommo node does) carries the token's user.
		await runKommo(kommo, { resource: 'lead', operation: 'update', leadId: byId(lead.id), updateFields: { name: 'Renamed' }, customFields: {}, options: {} });
		const body = kommo.webhookBody('update_lead', [lead.id]);
		expect(new URLSearchParams(body).get('leads[update][0][modified_user_id]')).toBe(String(kommo.currentUserId));
		const own = await callTrigger(kommo, params, staticData, { body, query: { secret } });
		expect(own.result.workflowData).toBeUndefined();
		const off = { ...params, options: { ignoreOwnChanges: false } };
		expect((await callTrigger(kommo, off, staticData, { body, query: { secret } })).result.workflowData![0]).toHaveLength(1);
	});

	it('rejects a body without Kommo\'s skeleton with 400 and a message naming the problem', async () => {
		const { staticData, secret } = await activeTrigger();
		for (const [body, message] of [
			['hello', 'account is missing'],
			['leads[status]=x&account[id]=1&account[subdomain]=x', 'leads[status] is not a list of entities'],
			['', 'The body is empty'],
		]) {
			const { result, response } = await callTrigger(kommo, WON_ONLY, staticData, { body, query: { secret } });
			expect(response.statusCode).toBe(400);
			expect(JSON.stringify(response.sent)).toContain(message);
			expect(result).toEqual({ noWebhookResponse: true });
		}
	});

	it('a batch of several entities gives several items; filters drop the rest but Kommo still gets 200', async () => {
		const { staticData, secret } = await activeTrigger();
		const won1 = kommo.addLead({ status_id: WON_STATUS_ID });
		const other = kommo.addLead();
		const won2 = kommo.addLead({ status_id: WON_STATUS_ID });
		const body = kommo.webhookBody('status_lead', [won1.id, other.id, won2.id]);
		const { result } = await callTrigger(kommo, WON_ONLY, staticData, { body, query: { secret } });
		expect(result.workflowData![0].map((i) => i.json.id)).toEqual([won1.id, won2.id]);

		const none = await callTrigger(kommo, WON_ONLY, staticData, { body: kommo.webhookBody('status_lead', [other.id]), query: { secret } });
		expect(none.result.workflowData).toBeUndefined();
		expect(none.result.webhookResponse).toEqual({ received: 1, matched: 0 });
	});

	it('filters on pipeline and previous status, and passes contact and note events', async () => {
		const renewals = kommo.pipelines[1];
		const params = {
			events: ['status_lead', 'update_contact', 'note_lead'],
			pipelineIds: [renewals.id],
			previousStatusIds: [renewals.statuses[1].id],
			targetStatus: 'any',
		};
		const { staticData, secret } = await activeTrigger(params);
		const inRenewals = kommo.addLead({ pipeline_id: renewals.id, status_id: renewals.statuses[1].id });
		await kommo.moveLead(inRenewals.id, WON_STATUS_ID, { fire: false });
		const inSales = kommo.addLead({ status_id: kommo.mainPipeline.statuses[1].id });
		await kommo.moveLead(inSales.id, WON_STATUS_ID, { fire: false });
		const body = kommo.webhookBody('status_lead', [inRenewals.id, inSales.id]);
		const { result } = await callTrigger(kommo, params, staticData, { body, query: { secret } });
		expect(result.workflowData![0].map((i) => i.json.id)).toEqual([inRenewals.id]);

		const contactLead = kommo.addLead({ contacts: [{ first_name: 'Zed', email: 'zed@x.test' }] });
		const contactBody = kommo.webhookBody('update_contact', [contactLead.contacts[0].id]);
		const contact = await callTrigger(kommo, params, staticData, { body: contactBody, query: { secret } });
		expect(contact.result.workflowData![0][0].json).toMatchObject({ event: 'update_contact', entity: 'contact', id: contactLead.contacts[0].id, name: 'Zed' });

		const note = kommo.addNote(contactLead.id, 'hi there');
		const noteRes = await callTrigger(kommo, params, staticData, { body: kommo.webhookBody('note_lead', [note.id]), query: { secret } });
		expect(noteRes.result.workflowData![0][0].json).toMatchObject({ event: 'note_lead', entity: 'note', id: note.id, lead_id: contactLead.id, text: 'hi there' });
	});

	it('only events the trigger listens to become items', async () => {
		const { staticData, secret } = await activeTrigger({ events: ['add_lead'], targetStatus: 'any' });
		const lead = kommo.addLead();
		const { result } = await callTrigger(kommo, { events: ['add_lead'], targetStatus: 'any' }, staticData, {
			body: kommo.webhookBody('update_lead', [lead.id]),
			query: { secret },
		});
		expect(result.workflowData).toBeUndefined();
	});
});

describe('administrator-only lists', () => {
	it('the users dropdown tells a non-admin credential why it is empty (Kommo answers 403 to non-admins)', async () => {
		const ctx = createLoadOptionsContext({
			...nodeOptions(kommo, { resource: 'lead', operation: 'update' }),
			credentials: kommoCredentials(kommo, { accessToken: kommo.memberToken }),
		});
		await expect(locatorSearch.searchUsers.call(ctx)).rejects.toThrow("Kommo lists users only to administrators, and this credential's user is not one");
		// An admin's token still lists them.
		expect((await locatorSearch.searchUsers.call(loadOptionsContext(kommo))).results.length).toBe(2);
	});

	it("a 403 names the likely causes (integration blocked, not an admin, IP blocked); a 402 the lapsed subscription or plan", () => {
		const forbidden = parseKommoError(403, { title: 'Forbidden', detail: 'Access denied', status: 403 });
		expect(forbidden.description).toMatch(/integration was disabled or blocked/);
		expect(forbidden.description).toMatch(/not an account administrator/);
		expect(forbidden.description).toMatch(/blocked this IP address/);
		const unpaid = parseKommoError(402, { title: 'Payment Required', status: 402 });
		expect(unpaid.description).toMatch(/subscription has lapsed/);
		expect(unpaid.description).toMatch(/plan does not include API access/);
	});
});

describe('dropdowns', () => {
	it('lists pipelines, statuses with Won/Lost, users, custom fields, task types and searches leads', async () => {
		const ctx = loadOptionsContext(kommo, { resource: 'lead', operation: 'setStatus' });
		const pipelines = await loadOptions.getPipelines.call(ctx);
		expect(pipelines.map((p) => p.name)).toEqual(['Sales (main)', 'Renewals']);

		const inPipeline = (pipelineId: INodeParameters['pipelineId']) =>
			locatorSearch.searchStatuses.call(loadOptionsContext(kommo, { resource: 'lead', operation: 'setStatus', pipelineId }));
		const renewalStages = ['Won (Closed - Won, 142)', 'Lost (Closed - Lost, 143)', 'Up for renewal', 'Renewal offer sent'];
		// the pipeline picked from the list, by ID or by name scopes the stages
		for (const pipelineId of [byId(kommo.pipelines[1].id), { __rl: true, mode: 'name', value: 'renewals' }]) {
			expect((await inPipeline(pipelineId)).results.map((s) => s.name)).toEqual(renewalStages);
		}

		const triggerStatuses = await loadOptions.getTriggerStatuses.call(ctx);
		expect(triggerStatuses[0]).toMatchObject({ value: 142 });
		expect(triggerStatuses.map((s) => s.name)).toContain('Sales → Negotiation');

		const users = await locatorSearch.searchUsers.call(ctx);
		expect(users.results.map((u) => u.name.replace(/ \(.*\)$/, ''))).toEqual(['Alice Admin', 'Bob Sales']);

		const fields = await loadOptions.getLeadCustomFields.call(ctx);
		expect(fields.map((f) => f.value)).toEqual(
			expect.arrayContaining(['Plan', 'Billing customer ID', 'Subscription ID', 'Subscription status', 'Billing system']),
		);
		expect(fields.find((f) => f.value === 'Plan')!.description).toContain('Starter, Pro, Enterprise');

		const contactFields = await loadOptions.getContactCustomFields.call(ctx);
		expect(contactFields.map((f) => f.value)).toEqual(['Phone', 'Email', 'Position']);

		const taskTypes = await loadOptions.getTaskTypes.call(ctx);
		expect(taskTypes.map((t) => t.value)).toEqual([1, 2]);

		const lead = kommo.addLead({ name: 'Searchable Unicorn deal' });
		const found = await listSearch.searchLeads.call(ctx, 'unicorn');
		expect(found.results).toEqual([{ name: `Searchable Unicorn deal (${lead.id})`, value: String(lead.id), url: `${kommo.url}/leads/detail/${lead.id}` }]);
	});
});
