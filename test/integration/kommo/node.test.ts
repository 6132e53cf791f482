/**
 * Every Kommo node operation in a real n8n-core ExecuteContext against the
 * Kommo sandbox (its wire format, rate limit and validation).
 */
import type { IDataObject } from 'n8n-workflow';

import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { KommoSandbox, LOST_STATUS_ID, WON_STATUS_ID } from '../../../dev/sandbox/kommo';
import { byId, runKommo, runKommoError } from './helpers';

let kommo: KommoSandbox;

beforeAll(async () => {
	kommo = await new KommoSandbox().start();
});
afterAll(async () => kommo.stop());
beforeEach(() => {
	kommo.resetLog();
	resetLimiters();
});

function seedDeal(overrides: Parameters<KommoSandbox['addLead']>[0] = {}) {
	return kommo.addLead({
		name: 'Acme Corp — annual',
		price: 4800,
		customFields: { Plan: 'Pro', 'Billing system': 'Chargebee' },
		contacts: [
			{ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@acme.test', phone: '+1 555 0100' },
			{ first_name: 'Charles', last_name: 'Babbage', email: ['charles@acme.test', 'cb@home.test'] },
		],
		...overrides,
	});
}

describe('Lead → Get', () => {
	it('returns the lead with its main contact flattened, all contacts and a custom field map', async () => {
		const lead = seedDeal();
		const [item] = await runKommo(kommo, { resource: 'lead', operation: 'get', leadId: byId(lead.id), simplify: false });
		const json = item.json as IDataObject;
		expect(json.id).toBe(lead.id);
		expect(json.name).toBe('Acme Corp — annual');
		expect(json.price).toBe(4800);
		expect(json.custom_fields_map).toEqual({ Plan: 'Pro', 'Billing system': 'Chargebee' });
		expect(json.contact).toMatchObject({
			name: 'Ada Lovelace',
			first_name: 'Ada',
			last_name: 'Lovelace',
			email: 'ada@acme.test',
			phone: '+1 555 0100',
			is_main: true,
		});
		const contacts = json.contacts as IDataObject[];
		expect(contacts).toHaveLength(2);
		expect(contacts[1]).toMatchObject({ first_name: 'Charles', email: 'charles@acme.test', emails: ['charles@acme.test', 'cb@home.test'] });
		expect(item.pairedItem).toEqual({ item: 0 });
		// GET the lead with contacts, then the contacts in one request.
		expect(kommo.requestsTo('GET', `/api/v4/leads/${lead.id}`)[0].query.with).toBe('contacts');
		expect(kommo.requests.filter((r) => r.path.startsWith('/api/'))).toHaveLength(2);
	});

	it('reads several items with one request for the leads and one for their contacts', async () => {
		const leads = [seedDeal(), seedDeal(), seedDeal()];
		const out = await runKommo(
			kommo,
			{ resource: 'lead', operation: 'get', leadId: byId('={{ $json.leadId }}') },
			leads.map((l) => ({ leadId: l.id })),
		);
		expect(out.map((o) => o.json.id)).toEqual(leads.map((l) => l.id));
		expect(out.map((o) => (o.json.contact as IDataObject).email)).toEqual(['ada@acme.test', 'ada@acme.test', 'ada@acme.test']);
		expect(kommo.requestsTo('GET', '/api/v4/leads')).toHaveLength(1);
		expect(kommo.requestsTo('GET', '/api/v4/contacts')).toHaveLength(1);
	});

	it('says which lead does not exist; with Continue On Fail the other items still come out', async () => {
		const lead = seedDeal();
		const error = await runKommoError(kommo, { resource: 'lead', operation: 'get', leadId: byId(999_999) });
		expect(error.message).toBe('Lead 999999 was not found in Kommo [item 0]');

		const out = await runKommo(
			kommo,
			{ resource: 'lead', operation: 'get', leadId: byId('={{ $json.leadId }}') },
			[{ leadId: lead.id }, { leadId: 999_999 }, { leadId: 'abc' }],
			{ continueOnFail: true },
		);
		expect(out[0].json.id).toBe(lead.id);
		expect(out[1].json.error).toBe('Lead 999999 was not found in Kommo [item 1]');
		expect(out[2].json.error).toBe('"abc" is not a Kommo lead ID [item 2]');
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('accepts a lead URL and can skip contacts', async () => {
		const lead = seedDeal();
		const [item] = await runKommo(kommo, {
			resource: 'lead',
			operation: 'get',
			leadId: { __rl: true, mode: 'url', value: `https://acme.kommo.com/leads/detail/${lead.id}` },
			includeContacts: false,
		});
		expect(item.json.id).toBe(lead.id);
		expect(item.json.contact).toBeUndefined();
		expect(item.json.contact_ids).toHaveLength(2);
		expect(kommo.requestsTo('GET', /\/api\/v4\/contacts/)).toHaveLength(0);
	});
});

describe('Lead → Update', () => {
	const fields = (pairs: Array<[string, string]>) => ({ field: pairs.map(([name, value]) => ({ name, value })) });

	it('writes custom fields by name (enum by label) as the shipped workflows do', async () => {
		const lead = seedDeal();
		const [item] = await runKommo(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			customFields: fields([
				['Billing customer ID', 'kommo-lead-42'],
				['Subscription ID', 'sub_01H8X'],
				['Subscription status', 'active'],
				['Plan', 'enterprise'],
			]),
		});
		expect(kommo.leadFieldMap(lead.id)).toEqual({
			Plan: 'Enterprise',
			'Billing system': 'Chargebee',
			'Billing customer ID': 'kommo-lead-42',
			'Subscription ID': 'sub_01H8X',
			'Subscription status': 'active',
		});
		const sent = kommo.requestsTo('PATCH', `/api/v4/leads/${lead.id}`)[0].body as IDataObject;
		const plan = kommo.field('leads', 'Plan');
		expect(sent.custom_fields_values).toContainEqual({ field_id: plan.id, values: [{ enum_id: plan.enums![2].id }] });
		expect(item.json).toMatchObject({
			id: lead.id,
			custom_fields_map: { Plan: 'Enterprise', 'Subscription ID': 'sub_01H8X' },
		});
	});

	describe('Add Note option', () => {
		const updateWithNote = (leadId: number, note = 'Subscription sub_01H8X created') => ({
			resource: 'lead',
			operation: 'update',
			leadId: byId(leadId),
			customFields: fields([['Subscription ID', 'sub_01H8X']]),
			options: { addNote: note },
		});
		const PAID = { title: 'Payment Required', status: 402, detail: 'Account is not paid' };

		it('writes the fields and adds the note side by side, one round trip', async () => {
			const lead = seedDeal();
			await runKommo(kommo, updateWithNote(lead.id)); // field definitions read once, outside the measured call
			kommo.requests.length = 0;
			kommo.latencyMs = 150;
			const [item] = await runKommo(kommo, updateWithNote(lead.id, 'second note'));
			kommo.latencyMs = 0;
			const [patch] = kommo.requestsTo('PATCH', `/api/v4/leads/${lead.id}`);
			const [post] = kommo.requestsTo('POST', '/api/v4/leads/notes');
			expect(Math.abs(patch.at - post.at)).toBeLessThan(100); // one after the other: ≥ 150 ms apart
			expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toBe('sub_01H8X');
			expect(kommo.notesFor(lead.id).map((n) => n.params?.text)).toEqual(['Subscription sub_01H8X created', 'second note']);
			expect(item.json).toMatchObject({ id: lead.id, note: { id: expect.any(Number), text: 'second note' } });
		});

		it('stays within Kommo\'s 7 requests per second: both halves take a permit from the shared limiter', async () => {
			const leads = Array.from({ length: 8 }, () => seedDeal());
			await runKommo(kommo, updateWithNote(leads[0].id));
			kommo.requests.length = 0;
			await Promise.all(leads.map(async (l) => await runKommo(kommo, updateWithNote(l.id))));
			expect(kommo.requests.filter((r) => r.path.startsWith('/api/'))).toHaveLength(16);
			expect(kommo.maxInWindow(1000, (r) => r.path.startsWith('/api/'))).toBeLessThanOrEqual(7);
			expect(kommo.stats.rateLimited).toBe(0);
		}, 30_000);

		it('fields written, note refused: a partial-success error that says the fields landed', async () => {
			const lead = seedDeal();
			kommo.faults.push({ method: 'POST', path: '/api/v4/leads/notes', status: 402, body: PAID });
			const error = await runKommoError(kommo, updateWithNote(lead.id));
			expect(error.message).toBe(
				`Partly done: the fields of lead ${lead.id} were written, but the note was not added (Kommo 402: Payment Required: Account is not paid) [item 0]`,
			);
			expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toBe('sub_01H8X');
			expect(kommo.notesFor(lead.id)).toHaveLength(0);
		});

		it('note added, fields refused: a partial-success error that says the note landed', async () => {
			const lead = seedDeal();
			kommo.faults.push({ method: 'PATCH', path: `/api/v4/leads/${lead.id}`, status: 402, body: PAID });
			const out = await runKommo(kommo, updateWithNote(lead.id), undefined, { continueOnFail: true });
			const note = kommo.notesFor(lead.id)[0];
			expect(out[0].json.error).toBe(
				`Partly done: the note was added to lead ${lead.id} (note ${note.id}), but the fields were not written (Kommo 402: Payment Required: Account is not paid) [item 0]`,
			);
			expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toBeUndefined();
		});

		it('both refused: the field error alone, nothing landed', async () => {
			const lead = seedDeal();
			kommo.faults.push({ method: 'POST', path: '/api/v4/leads/notes', status: 402, body: PAID });
			kommo.faults.push({ method: 'PATCH', path: `/api/v4/leads/${lead.id}`, status: 402, body: PAID });
			const error = await runKommoError(kommo, updateWithNote(lead.id));
			expect(error.message).toBe('Kommo 402: Payment Required: Account is not paid [item 0]');
		});
	});

	it('reads the field definitions once per account, not on every write, and at once again when a name is new', async () => {
		const update = async (leadId: number, pairs: Array<[string, string]>) =>
			await runKommo(kommo, { resource: 'lead', operation: 'update', leadId: byId(leadId), customFields: fields(pairs) });
		const defsReads = () => kommo.requestsTo('GET', '/api/v4/leads/custom_fields').length;
		const [a, b, c] = [seedDeal(), seedDeal(), seedDeal()];
		await update(a.id, [['Subscription ID', 'sub_1']]);
		await update(b.id, [['Subscription ID', 'sub_2']]);
		expect(defsReads()).toBe(1);
		// a RevOps admin adds a field and a plan option in Kommo: the next write uses them at once
		kommo.addCustomField('leads', { name: 'Renewal owner', type: 'text' });
		kommo.field('leads', 'Plan').enums!.push({ id: 990_001, value: 'Scale', sort: 99 });
		await update(c.id, [
			['Renewal owner', 'Ada'],
			['Plan', 'Scale'],
		]);
		expect(defsReads()).toBe(2);
		expect(kommo.leadFieldMap(c.id)).toMatchObject({ 'Renewal owner': 'Ada', Plan: 'Scale' });
		// a field that does not exist at all is still an error naming it, after one fresh read
		const error = await runKommoError(kommo, { resource: 'lead', operation: 'update', leadId: byId(c.id), customFields: fields([['No such field', 'x']]) });
		expect(error.message).toContain('No such field');
		expect(defsReads()).toBe(3);
	});

	it('also takes field ids, numbers, checkboxes, dates and multiselect labels', async () => {
		const lead = seedDeal();
		const seats = kommo.field('leads', 'Seats');
		await runKommo(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			customFields: fields([
				[String(seats.id), '25'],
				['Auto-renew', 'true'],
				['Contract start', '2025-02-01T00:00:00Z'],
				['Add-ons', 'SSO, Audit log'],
			]),
		});
		const map = kommo.leadFieldMap(lead.id);
		expect(map.Seats).toBe('25');
		expect(map['Auto-renew']).toBe(true);
		expect(map['Contract start']).toBe(Date.parse('2025-02-01T00:00:00Z') / 1000);
		expect(map['Add-ons']).toEqual(['SSO', 'Audit log']);
	});

	it('names an unknown field and lists the known ones, before calling Kommo', async () => {
		const lead = seedDeal();
		const error = await runKommoError(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			customFields: fields([['Subscription Idd', 'sub_1']]),
		});
		expect(error.message).toBe('Unknown lead custom field "Subscription Idd" [item 0]');
		expect(error.description).toContain('"Billing customer ID", "Subscription ID", "Subscription status"');
		expect(kommo.requestsTo('PATCH', /leads/)).toHaveLength(0);
	});

	it('names an unknown option of a list field and lists the options', async () => {
		const lead = seedDeal();
		const error = await runKommoError(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			customFields: fields([['Plan', 'Platinum']]),
		});
		expect(error.message).toBe('Field "Plan": "Platinum" is not one of its options [item 0]');
		expect(error.description).toContain('"Starter", "Pro", "Enterprise"');
	});

	it('sets price, status by name and responsible user; Kommo validation errors name the field', async () => {
		const lead = seedDeal();
		const bob = kommo.users[1];
		const [item] = await runKommo(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			updateFields: { price: 9600, statusId: 'Negotiation', responsibleUserId: bob.id, name: 'Acme Corp — 2 years' },
		});
		const stored = kommo.leads.get(lead.id)!;
		expect(stored).toMatchObject({ price: 9600, name: 'Acme Corp — 2 years', responsible_user_id: bob.id });
		expect(kommo.mainPipeline.statuses.find((s) => s.id === stored.status_id)?.name).toBe('Negotiation');
		expect(item.json).toMatchObject({ price: 9600, status_name: 'Negotiation' });

		const error = await runKommoError(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			updateFields: { responsibleUserId: 4242 },
		});
		expect(error.message).toContain('Kommo 400');
		expect(error.message).toContain('responsible_user_id: User not found');
		expect(error.message).toContain('[field: responsible_user_id]');
		expect(error.httpCode).toBe('400');
	});

	it('rejects a fractional price with a clear message', async () => {
		const lead = seedDeal();
		const error = await runKommoError(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			updateFields: { price: 10.5 },
		});
		expect(error.message).toBe('Price must be a whole number of at least 0, got "10.5" [item 0]');
	});

	it('skips empty values by default and clears them when asked', async () => {
		const lead = seedDeal({ customFields: { Plan: 'Pro', 'Subscription ID': 'sub_old' } });
		const error = await runKommoError(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			customFields: fields([['Subscription ID', '']]),
		});
		expect(error.message).toBe(`Nothing to update on lead ${lead.id} [item 0]`);
		expect(kommo.leadFieldMap(lead.id)['Subscription ID']).toBe('sub_old');

		await runKommo(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			customFields: fields([['Subscription ID', '']]),
			options: { emptyValues: 'clear' },
		});
		expect(kommo.leadFieldMap(lead.id)).toEqual({ Plan: 'Pro' });
	});

	it('can return the full lead afterwards', async () => {
		const lead = seedDeal();
		const [item] = await runKommo(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			customFields: fields([['Subscription status', 'trialing']]),
			options: { returnLead: true },
		});
		expect(item.json.custom_fields_map).toMatchObject({ 'Subscription status': 'trialing', Plan: 'Pro' });
		expect((item.json.contact as IDataObject).email).toBe('ada@acme.test');
	});
});

describe('Lead → Set Status', () => {
	it('moves a lead to Won, to a named stage, and into another pipeline', async () => {
		const lead = seedDeal();
		const [won] = await runKommo(kommo, { resource: 'lead', operation: 'setStatus', leadId: byId(lead.id), statusId: 'Won' });
		expect(kommo.leads.get(lead.id)!.status_id).toBe(WON_STATUS_ID);
		expect(won.json).toMatchObject({ id: lead.id, status_id: WON_STATUS_ID, status_name: 'Closed - won' });

		await runKommo(kommo, { resource: 'lead', operation: 'setStatus', leadId: byId(lead.id), statusId: 'Qualified' });
		expect(kommo.leads.get(lead.id)!.status_id).toBe(kommo.mainPipeline.statuses[1].id);

		const renewals = kommo.pipelines[1];
		await runKommo(kommo, {
			resource: 'lead',
			operation: 'setStatus',
			leadId: byId(lead.id),
			pipelineId: renewals.id,
			statusId: String(LOST_STATUS_ID),
		});
		expect(kommo.leads.get(lead.id)).toMatchObject({ pipeline_id: renewals.id, status_id: LOST_STATUS_ID });
	});

	it('takes pipeline, stage and user as locators: From List, By ID and By Name, also inside Update Fields and for tasks', async () => {
		const rl = (mode: string, value: string | number) => ({ __rl: true, mode, value: String(value) });
		const lead = seedDeal();
		const renewals = kommo.pipelines[1];
		const [moved] = await runKommo(kommo, {
			resource: 'lead',
			operation: 'setStatus',
			leadId: byId(lead.id),
			pipelineId: rl('name', 'Renewals'),
			statusId: rl('name', renewals.statuses[1].name),
		});
		expect(kommo.leads.get(lead.id)).toMatchObject({ pipeline_id: renewals.id, status_id: renewals.statuses[1].id });
		expect(moved.json).toMatchObject({ status_id: renewals.statuses[1].id, pipeline_id: renewals.id });

		const bob = kommo.users[1];
		await runKommo(kommo, {
			resource: 'lead',
			operation: 'update',
			leadId: byId(lead.id),
			updateFields: { pipelineId: rl('list', kommo.mainPipeline.id), statusId: rl('list', WON_STATUS_ID), responsibleUserId: rl('id', bob.id) },
		});
		expect(kommo.leads.get(lead.id)).toMatchObject({ pipeline_id: kommo.mainPipeline.id, status_id: WON_STATUS_ID, responsible_user_id: bob.id });

		// an empty Responsible User locator keeps the default (the lead's responsible user); a picked one wins
		const [byDefault] = await runKommo(kommo, { resource: 'task', operation: 'createForLead', leadId: byId(lead.id), text: 'call', responsibleUserId: rl('list', '') });
		expect(kommo.tasks.find((t) => t.id === byDefault.json.id)).toMatchObject({ responsible_user_id: bob.id });
		const alice = kommo.users[0];
		const [picked] = await runKommo(kommo, { resource: 'task', operation: 'createForLead', leadId: byId(lead.id), text: 'call', responsibleUserId: rl('list', alice.id) });
		expect(kommo.tasks.find((t) => t.id === picked.json.id)).toMatchObject({ responsible_user_id: alice.id });

		// By ID takes digits only; a name there is refused with the field named
		const error = await runKommoError(kommo, { resource: 'task', operation: 'create', text: 'x', responsibleUserId: rl('id', 'bob') });
		expect(error.message).toMatch(/^"bob" is not a user ID/);
	});

	it('explains an unknown status with the known ones', async () => {
		const lead = seedDeal();
		const error = await runKommoError(kommo, { resource: 'lead', operation: 'setStatus', leadId: byId(lead.id), statusId: 'Paid' });
		expect(error.message).toBe('Unknown status "Paid" in any pipeline [item 0]');
		expect(error.description).toContain('"Negotiation"');
	});
});

describe('Lead → Find', () => {
	it('finds by ID, and returns nothing for an unknown ID', async () => {
		const lead = seedDeal();
		const out = await runKommo(kommo, { resource: 'lead', operation: 'find', findBy: 'id', id: String(lead.id) });
		expect(out.map((o) => o.json.id)).toEqual([lead.id]);
		expect((out[0].json.contact as IDataObject).email).toBe('ada@acme.test');
		expect(await runKommo(kommo, { resource: 'lead', operation: 'find', findBy: 'id', id: '999999' })).toEqual([]);
	});

	it('narrows the full-text search to an exact match on a custom field', async () => {
		const a = seedDeal({ customFields: { 'Subscription ID': 'sub_123' } });
		seedDeal({ customFields: { 'Subscription ID': 'sub_1234' } }); // a full-text hit, not an exact one
		const out = await runKommo(kommo, {
			resource: 'lead',
			operation: 'find',
			findBy: 'query',
			query: 'sub_123',
			exactMatch: 'customField',
			matchField: 'Subscription ID',
		});
		expect(out.map((o) => o.json.id)).toEqual([a.id]);

		const any = await runKommo(kommo, { resource: 'lead', operation: 'find', findBy: 'query', query: 'sub_123', exactMatch: 'none', includeContacts: false });
		expect(any.length).toBeGreaterThanOrEqual(2);
	});

	it('an exact match past the first 250 full-text hits is found (Kommo pages query results; issue 14 item 5)', async () => {
		for (let n = 0; n < 260; n++) kommo.addLead({ name: `Zebra deal ${n}` });
		const target = kommo.addLead({ name: 'Zebra' });
		const out = await runKommo(kommo, { resource: 'lead', operation: 'find', findBy: 'query', query: 'Zebra', exactMatch: 'name', includeContacts: false });
		expect(out.map((o) => o.json.id)).toEqual([target.id]);
		const pages = kommo.requestsTo('GET', '/api/v4/leads').filter((r) => r.query.query === 'Zebra');
		expect(pages.map((r) => r.query.page)).toEqual(['1', '2']);
	});

	it("finds leads by their contact's email (exact) and phone (digits)", async () => {
		const lead = kommo.addLead({ name: 'Find me', contacts: [{ first_name: 'Grace', email: 'grace@navy.test', phone: '+1 (555) 010-9999' }] });
		kommo.addLead({ name: 'Not me', contacts: [{ first_name: 'Grace2', email: 'grace@navy.test.example' }] });
		const byEmail = await runKommo(kommo, { resource: 'lead', operation: 'find', findBy: 'contactEmail', email: 'GRACE@navy.test' });
		expect(byEmail.map((o) => o.json.id)).toEqual([lead.id]);
		const byPhone = await runKommo(kommo, { resource: 'lead', operation: 'find', findBy: 'contactPhone', phone: '555-010-9999' });
		expect(byPhone.map((o) => o.json.id)).toEqual([lead.id]);
	});

	it("ranks a contact's several deals: the preferred field value first, then the most recently updated", async () => {
		const current = kommo.addLead({ name: 'Current deal', contacts: [{ first_name: 'Hedy', email: 'hedy@lamarr.test' }], customFields: { 'Billing customer ID': 'cust-77' } });
		const contactId = current.contacts[0].id;
		const old = kommo.addLead({ name: 'Old deal', contacts: [contactId] });
		const newest = kommo.addLead({ name: 'Newest deal', contacts: [contactId] });
		current.updated_at = 1_700_000_000;
		old.updated_at = 1_600_000_000;
		newest.updated_at = 1_800_000_000;
		const find = (options: Record<string, string>, limit = 1) =>
			runKommo(kommo, { resource: 'lead', operation: 'find', findBy: 'contactEmail', email: 'hedy@lamarr.test', limit, includeContacts: false, options });
		const preferred = await find({ preferField: 'Billing customer ID', preferValue: ' CUST-77 ' });
		expect(preferred.map((o) => o.json.id)).toEqual([current.id]);
		const all = await find({ preferField: 'Billing customer ID', preferValue: 'cust-77' }, 10);
		expect(all.map((o) => o.json.id)).toEqual([current.id, newest.id, old.id]);
		// Nothing found: no item, or one empty item when asked (per input item).
		const nobody = await runKommo(kommo, { resource: 'lead', operation: 'find', findBy: 'contactEmail', email: 'nobody@lamarr.test', options: {} });
		expect(nobody).toEqual([]);
		const empty = await runKommo(
			kommo,
			{ resource: 'lead', operation: 'find', findBy: 'contactEmail', email: '={{ $json.email }}', limit: 1, includeContacts: false, options: { emptyItemIfNone: true } },
			[{ email: 'nobody@lamarr.test' }, { email: 'hedy@lamarr.test' }],
		);
		expect(empty.map((o) => [o.json, o.pairedItem])).toEqual([
			[{}, { item: 0 }],
			[expect.objectContaining({ id: expect.any(Number) }), { item: 1 }],
		]);
		// No lead carries the value: newest first.
		const none = await find({ preferField: 'Billing customer ID', preferValue: 'cust-00' }, 2);
		expect(none.map((o) => o.json.id)).toEqual([newest.id, current.id]);
		const error = await runKommoError(kommo, {
			resource: 'lead', operation: 'find', findBy: 'contactEmail', email: 'hedy@lamarr.test', options: { preferField: 'No such field', preferValue: 'x' },
		});
		expect(error.message).toMatch(/No such field/);
	});
});

describe('Note → Add to Lead', () => {
	it('adds common notes for several items in one request and maps ids back', async () => {
		const leads = [seedDeal(), seedDeal(), seedDeal()];
		const out = await runKommo(
			kommo,
			{ resource: 'note', operation: 'addToLead', leadId: byId('={{ $json.leadId }}'), text: '=Payment received for {{ $json.leadId }}' },
			leads.map((l) => ({ leadId: l.id })),
		);
		expect(kommo.requestsTo('POST', '/api/v4/leads/notes')).toHaveLength(1);
		leads.forEach((lead, i) => {
			const notes = kommo.notesFor(lead.id);
			expect(notes).toHaveLength(1);
			expect(notes[0].params.text).toBe(`Payment received for ${lead.id}`);
			expect(out[i].json).toMatchObject({ id: notes[0].id, lead_id: lead.id, note_type: 'common' });
			expect(out[i].pairedItem).toEqual({ item: i });
		});
	});

	it('sends 100 items as 2 requests of 50', async () => {
		const lead = seedDeal();
		const out = await runKommo(
			kommo,
			{ resource: 'note', operation: 'addToLead', leadId: byId(lead.id), text: '=Note {{ $json.n }}' },
			Array.from({ length: 100 }, (_, n) => ({ n })),
		);
		expect(out).toHaveLength(100);
		const posts = kommo.requestsTo('POST', '/api/v4/leads/notes');
		expect(posts.map((p) => (p.body as unknown[]).length)).toEqual([50, 50]);
		expect(kommo.notesFor(lead.id)).toHaveLength(100);
		expect(kommo.rateLimitedCount).toBe(0);
	});

	it('a burst of 100 separate note additions (100 executions at once) gets zero 429s', async () => {
		const lead = seedDeal();
		const started = Date.now();
		const results = await Promise.all(
			Array.from({ length: 100 }, (_, n) =>
				runKommo(kommo, { resource: 'note', operation: 'addToLead', leadId: byId(lead.id), text: `Burst note ${n}` }),
			),
		);
		expect(results.flat()).toHaveLength(100);
		expect(kommo.notesFor(lead.id)).toHaveLength(100);
		expect(kommo.requestsTo('POST', '/api/v4/leads/notes')).toHaveLength(100);
		expect(kommo.rateLimitedCount).toBe(0);
		expect(kommo.maxInWindow(1000, (r) => r.path.startsWith('/api/'))).toBeLessThanOrEqual(7);
		// 100 requests at 7 per second take at least 14 windows.
		expect(Date.now() - started).toBeGreaterThanOrEqual(13_900);
	}, 60_000);

	it('with Continue On Fail, a note Kommo rejects fails alone and the others are sent again', async () => {
		const good = [seedDeal(), seedDeal()];
		const out = await runKommo(
			kommo,
			{ resource: 'note', operation: 'addToLead', leadId: byId('={{ $json.leadId }}'), text: 'hello' },
			[{ leadId: good[0].id }, { leadId: 987_654 }, { leadId: good[1].id }],
			{ continueOnFail: true },
		);
		expect(out[0].json.lead_id).toBe(good[0].id);
		expect(out[1].json.error).toBe('Kommo rejected the note of item 1: entity_id: Lead 987654 not found [item 1]');
		// The error on the item is what n8n's "Continue (using error output)" routes by (json with
		// keys other than error/message/details alone would stay on the success output).
		expect(out[1].error?.message).toBe('Kommo rejected the note of item 1: entity_id: Lead 987654 not found [item 1]');
		expect(out[0].error).toBeUndefined();
		expect(out[2].json.lead_id).toBe(good[1].id);
		expect(kommo.notesFor(good[0].id)).toHaveLength(1);
		expect(kommo.notesFor(good[1].id)).toHaveLength(1);
		expect(kommo.requestsTo('POST', '/api/v4/leads/notes').map((r) => (r.body as unknown[]).length)).toEqual([3, 2]);
	});

	it('without Continue On Fail the rejected item makes the node fail with Kommo\'s reason', async () => {
		const error = await runKommoError(kommo, { resource: 'note', operation: 'addToLead', leadId: byId(987_654), text: 'hello' });
		expect(error.message).toContain('entity_id: Lead 987654 not found');
		expect(error.message).toContain('[field: entity_id]');
	});

	it('"Skip If a Recent Note Contains": a redelivered event whose note is already there writes nothing', async () => {
		const lead = seedDeal();
		const other = seedDeal();
		const params = {
			resource: 'note',
			operation: 'addToLead',
			leadId: byId('={{ $json.leadId }}'),
			text: '=Payment received · event payment_succeeded ({{ $json.eventId }})',
			options: { skipIfNoteContains: '={{ $json.eventId }}' },
		};
		const first = await runKommo(kommo, params, [{ leadId: lead.id, eventId: 'ev_first' }]);
		expect(first[0].json.skipped).toBeUndefined();
		// the answer to the first write was lost; the vendor redelivers, with a second event beside it
		const again = await runKommo(kommo, params, [
			{ leadId: lead.id, eventId: 'ev_first' },
			{ leadId: other.id, eventId: 'ev_second' },
		]);
		expect(again[0].json).toMatchObject({ id: first[0].json.id, lead_id: lead.id, skipped: true });
		expect(again[0].pairedItem).toEqual({ item: 0 });
		expect(again[1].json).toMatchObject({ lead_id: other.id });
		expect(again[1].json.skipped).toBeUndefined();
		expect(kommo.notesFor(lead.id)).toHaveLength(1);
		expect(kommo.notesFor(other.id)).toHaveLength(1);
		// the check reads the lead's newest notes of the type, newest first
		const reads = kommo.requestsTo('GET', `/api/v4/leads/${lead.id}/notes`);
		expect(reads.length).toBeGreaterThanOrEqual(1);
		expect(reads[0].query).toMatchObject({ 'filter[note_type]': 'common', 'order[id]': 'desc' });
	});

	it('"Skip If a Recent Note Contains" left empty costs no extra request', async () => {
		const lead = seedDeal();
		await runKommo(kommo, { resource: 'note', operation: 'addToLead', leadId: byId(lead.id), text: 'x', options: { skipIfNoteContains: '' } });
		expect(kommo.requestsTo('GET', /notes/)).toHaveLength(0);
	});

	it('refuses an empty note before sending anything', async () => {
		const lead = seedDeal();
		const error = await runKommoError(kommo, { resource: 'note', operation: 'addToLead', leadId: byId(lead.id), text: '  ' });
		expect(error.message).toBe('The note text is empty [item 0]');
		expect(kommo.requestsTo('POST', /notes/)).toHaveLength(0);
	});

	it('adds a service message', async () => {
		const lead = seedDeal();
		await runKommo(kommo, { resource: 'note', operation: 'addToLead', leadId: byId(lead.id), noteType: 'service_message', text: 'Invoice paid', service: 'Billing' });
		expect(kommo.notesFor(lead.id)[0]).toMatchObject({ note_type: 'service_message', params: { text: 'Invoice paid', service: 'Billing' } });
	});
});

describe('Task → Create for Lead', () => {
	it("assigns the lead's responsible user by default, due after a delay, in one batch", async () => {
		const bob = kommo.users[1];
		const leads = [seedDeal({ responsible_user_id: bob.id }), seedDeal({ responsible_user_id: kommo.users[0].id })];
		const before = Math.floor(Date.now() / 1000);
		const out = await runKommo(
			kommo,
			{ resource: 'task', operation: 'createForLead', leadId: byId('={{ $json.leadId }}'), text: 'Call about the failed payment', dueType: 'relative', dueIn: 2, dueUnit: 'hours' },
			leads.map((l) => ({ leadId: l.id })),
		);
		expect(kommo.requestsTo('GET', '/api/v4/leads')).toHaveLength(1);
		expect(kommo.requestsTo('POST', '/api/v4/tasks')).toHaveLength(1);
		const [t0] = kommo.tasksFor(leads[0].id);
		const [t1] = kommo.tasksFor(leads[1].id);
		expect(t0).toMatchObject({ text: 'Call about the failed payment', responsible_user_id: bob.id, task_type_id: 1, entity_type: 'leads' });
		expect(t1.responsible_user_id).toBe(kommo.users[0].id);
		expect(t0.complete_till).toBeGreaterThanOrEqual(before + 7200);
		expect(t0.complete_till).toBeLessThanOrEqual(before + 7200 + 5);
		expect(out[0].json).toMatchObject({ id: t0.id, lead_id: leads[0].id, responsible_user_id: bob.id });
	});

	it('"Skip If an Open Task Contains": no second task for a redelivered event while the first is open', async () => {
		const lead = seedDeal();
		const params = {
			resource: 'task',
			operation: 'createForLead',
			leadId: byId(lead.id),
			text: '=Payment failed: call the customer.\n(Chargebee event {{ $json.eventId }})',
			dueType: 'relative',
			dueIn: 4,
			dueUnit: 'hours',
			options: { skipIfTaskContains: '={{ $json.eventId }}' },
		};
		const first = await runKommo(kommo, params, [{ eventId: 'ev_failed_1' }]);
		const again = await runKommo(kommo, params, [{ eventId: 'ev_failed_1' }]);
		expect(again[0].json).toMatchObject({ id: first[0].json.id, lead_id: lead.id, skipped: true });
		expect(kommo.tasksFor(lead.id)).toHaveLength(1);
		const read = kommo.requestsTo('GET', '/api/v4/tasks').at(-1);
		expect(read?.query).toMatchObject({ 'filter[entity_type]': 'leads', 'filter[is_completed]': '0' });
		// a completed task does not count: the manager dealt with it, a new failure needs a new task
		kommo.tasksFor(lead.id)[0].is_completed = true;
		const third = await runKommo(kommo, params, [{ eventId: 'ev_failed_1' }]);
		expect(third[0].json.skipped).toBeUndefined();
		expect(kommo.tasksFor(lead.id)).toHaveLength(2);
	});

	it('takes an absolute due date, a chosen user and a task type', async () => {
		const lead = seedDeal();
		await runKommo(kommo, {
			resource: 'task',
			operation: 'createForLead',
			leadId: byId(lead.id),
			text: 'Renewal meeting',
			dueType: 'absolute',
			dueAt: '2031-03-01T10:00:00Z',
			responsibleUserId: kommo.users[0].id,
			taskTypeId: 2,
		});
		expect(kommo.tasksFor(lead.id)[0]).toMatchObject({
			complete_till: Date.parse('2031-03-01T10:00:00Z') / 1000,
			responsible_user_id: kommo.users[0].id,
			task_type_id: 2,
		});
		expect(kommo.requestsTo('GET', /leads/)).toHaveLength(0);
	});

	it('fails clearly for a lead that does not exist', async () => {
		const error = await runKommoError(kommo, { resource: 'task', operation: 'createForLead', leadId: byId(555_555), text: 'x' });
		expect(error.message).toBe('Lead 555555 was not found in Kommo [item 0]');
	});

	it('creates a task without a lead for a chosen user (Task → Create)', async () => {
		const before = Math.floor(Date.now() / 1000);
		const bob = kommo.users[1];
		const out = await runKommo(kommo, {
			resource: 'task',
			operation: 'create',
			text: 'Workflow failed: look at execution 42',
			dueType: 'relative',
			dueIn: 4,
			dueUnit: 'hours',
			responsibleUserId: bob.id,
		});
		const [request] = kommo.requestsTo('POST', '/api/v4/tasks');
		expect((request.body as IDataObject[])[0]).not.toHaveProperty('entity_id');
		expect((request.body as IDataObject[])[0]).not.toHaveProperty('entity_type');
		const task = kommo.tasks.find((t) => t.id === out[0].json.id)!;
		expect(task).toMatchObject({ text: 'Workflow failed: look at execution 42', entity_id: null, entity_type: null, responsible_user_id: bob.id, task_type_id: 1 });
		expect(task.complete_till).toBeGreaterThanOrEqual(before + 4 * 3600);
		expect(task.complete_till).toBeLessThanOrEqual(before + 4 * 3600 + 5);
		expect(out[0].json).toMatchObject({ lead_id: null, responsible_user_id: bob.id });
		expect(kommo.requestsTo('GET', /leads/)).toHaveLength(0);
	});

	it('leaves the responsible user of a task without a lead to Kommo (the credential\'s user) when none is chosen', async () => {
		const out = await runKommo(kommo, { resource: 'task', operation: 'create', text: 'x', responsibleUserId: '' });
		const [request] = kommo.requestsTo('POST', '/api/v4/tasks');
		expect((request.body as IDataObject[])[0]).not.toHaveProperty('responsible_user_id');
		expect(kommo.tasks.find((t) => t.id === out[0].json.id)).toMatchObject({ entity_id: null, responsible_user_id: kommo.users[0].id });
		const error = await runKommoError(kommo, { resource: 'task', operation: 'create', text: 'x', responsibleUserId: 'bob' });
		expect(error.message).toBe('"bob" is not a user ID [item 0]');
	});
});

describe('Contact → Get / Update', () => {
	it('gets a contact with email and phone flattened', async () => {
		const lead = seedDeal();
		const contactId = lead.contacts[0].id;
		const [item] = await runKommo(kommo, { resource: 'contact', operation: 'get', contactId: byId(contactId), simplify: false });
		expect(item.json).toMatchObject({ id: contactId, first_name: 'Ada', email: 'ada@acme.test', phone: '+1 555 0100', custom_fields_map: { Email: ['ada@acme.test'] } });
	});

	it('updates names, email, phone and custom fields', async () => {
		const lead = seedDeal();
		const contactId = lead.contacts[0].id;
		await runKommo(kommo, {
			resource: 'contact',
			operation: 'update',
			contactId: byId(contactId),
			updateFields: { firstName: 'Augusta Ada', email: 'ada@newco.test', phone: '+44 20 7946 0000' },
			customFields: { field: [{ name: 'Position', value: 'CTO' }] },
		});
		const [item] = await runKommo(kommo, { resource: 'contact', operation: 'get', contactId: byId(contactId), simplify: false });
		expect(item.json).toMatchObject({
			first_name: 'Augusta Ada',
			name: 'Augusta Ada Lovelace',
			email: 'ada@newco.test',
			emails: ['ada@newco.test'],
			phone: '+44 20 7946 0000',
			custom_fields_map: { Position: 'CTO' },
		});
	});

	it('a messenger (IM) field gets one of its own enum codes, not WORK (Kommo refuses WORK there; issue 14 item 6)', async () => {
		// IM enum codes per Kommo's contact fields (fidelity review C1): SKYPE, ICQ, JABBER, GTALK, MSN, OTHER.
		if (!kommo.customFields.some((f) => f.entity_type === 'contacts' && f.name === 'Messenger')) {
			kommo.addCustomField('contacts', { name: 'Messenger', type: 'multitext', code: 'IM', enums: ['SKYPE', 'ICQ', 'JABBER', 'GTALK', 'MSN', 'OTHER'], enumCodes: true });
		}
		const lead = seedDeal();
		const contactId = lead.contacts[0].id;
		await runKommo(kommo, {
			resource: 'contact',
			operation: 'update',
			contactId: byId(contactId),
			updateFields: {},
			customFields: { field: [{ name: 'Messenger', value: 'ada.lovelace' }] },
		});
		const body = kommo.requestsTo('PATCH', `/api/v4/contacts/${contactId}`).at(-1)!.body;
		expect(JSON.stringify(body)).toContain('"enum_code":"OTHER"');
		const [item] = await runKommo(kommo, { resource: 'contact', operation: 'get', contactId: byId(contactId), simplify: false });
		expect((item.json.custom_fields_map as IDataObject).Messenger).toEqual(['ada.lovelace']);
	});

	it("maps Kommo's validation error to the field by name", async () => {
		const lead = seedDeal();
		const error = await runKommoError(kommo, {
			resource: 'contact',
			operation: 'update',
			contactId: byId(lead.contacts[0].id),
			updateFields: { email: 'not-an-email' },
		});
		expect(error.message).toContain('custom_fields_values.0 ("Email").values.0.value: This value is not a valid email address.');
	});
});

describe('Kommo errors and limits', () => {
	it('a bad token gives a 401 that says what to do, with the token nowhere in the error', async () => {
		const lead = seedDeal();
		const secret = 'this-is-a-wrong-long-lived-token';
		const error = await runKommoError(
			kommo,
			{ resource: 'lead', operation: 'get', leadId: byId(lead.id) },
			undefined,
			{ credentials: { kommoApi: { subdomain: 'acme', domain: 'kommo.com', customHost: true, baseUrl: kommo.url, accessToken: secret } } },
		);
		expect(error.message).toBe('Kommo 401: Unauthorized [item 0]');
		expect(error.description).toContain('long-lived token');
		expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(secret);
	});

	it('402 (account not paid) is explained', async () => {
		const lead = seedDeal();
		kommo.faults.push({ path: `/api/v4/leads/${lead.id}`, status: 402, body: { title: 'Payment Required', status: 402, detail: 'Account is not paid' } });
		const error = await runKommoError(kommo, { resource: 'lead', operation: 'get', leadId: byId(lead.id) });
		expect(error.message).toBe('Kommo 402: Payment Required: Account is not paid [item 0]');
		expect(error.description).toContain('not paid');
	});

	it('names the failed item as [item N] (n8n item index) in the thrown error and in its Continue On Fail item', async () => {
		const lead = seedDeal();
		// per-item loop (Lead → Update): the second item has a fractional price
		const update = { resource: 'lead', operation: 'update', leadId: byId(lead.id), updateFields: { price: '={{ $json.price }}' } };
		const prices = [{ price: 10 }, { price: 10.5 }];
		const message = 'Price must be a whole number of at least 0, got "10.5" [item 1]';
		const error = await runKommoError(kommo, update, prices);
		expect(error.message).toBe(message);
		expect(error.context?.itemIndex).toBe(1);
		const out = await runKommo(kommo, update, prices, { continueOnFail: true });
		expect(out[0].json).toMatchObject({ id: lead.id });
		expect(out[1].json).toEqual({ error: message, details: expect.any(String) });
		expect(out[1].error?.message).toBe(message);
		expect((out[1].error as { context?: IDataObject } | undefined)?.context?.itemIndex).toBe(1);

		// one request for all items (Lead → Get): the second lead does not exist
		const get = { resource: 'lead', operation: 'get', leadId: byId('={{ $json.leadId }}'), includeContacts: false };
		const ids = [{ leadId: lead.id }, { leadId: 999_999 }];
		expect((await runKommoError(kommo, get, ids)).message).toBe('Lead 999999 was not found in Kommo [item 1]');
		const [, missing] = await runKommo(kommo, get, ids, { continueOnFail: true });
		expect(missing.json.error).toBe('Lead 999999 was not found in Kommo [item 1]');
		expect(missing.error?.message).toBe('Lead 999999 was not found in Kommo [item 1]');
	});

	it('a batch Kommo refuses as a whole gives every item its own [item N] error', async () => {
		const leads = [seedDeal(), seedDeal()];
		kommo.faults.push({ method: 'POST', path: '/api/v4/leads/notes', status: 402, body: { title: 'Payment Required', status: 402, detail: 'Account is not paid' } });
		const out = await runKommo(
			kommo,
			{ resource: 'note', operation: 'addToLead', leadId: byId('={{ $json.leadId }}'), text: 'hello' },
			leads.map((l) => ({ leadId: l.id })),
			{ continueOnFail: true },
		);
		expect(out.map((o) => o.json.error)).toEqual([
			'Kommo 402: Payment Required: Account is not paid [item 0]',
			'Kommo 402: Payment Required: Account is not paid [item 1]',
		]);
		expect(out.map((o) => o.error?.message)).toEqual(out.map((o) => o.json.error));
		expect(out.map((o) => (o.error as { context?: IDataObject } | undefined)?.context?.itemIndex)).toEqual([0, 1]);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it("waits for a 429's retry_after and then succeeds", async () => {
		const lead = seedDeal();
		kommo.faults.push({
			path: `/api/v4/leads/${lead.id}`,
			status: 429,
			body: { title: 'Too Many Requests', status: 429, retry_after: 1 },
			times: 1,
		});
		const started = Date.now();
		const [item] = await runKommo(kommo, { resource: 'lead', operation: 'get', leadId: byId(lead.id), includeContacts: false });
		expect(item.json.id).toBe(lead.id);
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
	});

	it('a blocked IP (403) is not retried and is explained', async () => {
		const lead = seedDeal();
		kommo.blocked = true;
		try {
			const error = await runKommoError(kommo, { resource: 'lead', operation: 'get', leadId: byId(lead.id) });
			expect(error.message).toContain('Kommo 403: Forbidden');
			expect(error.description).toContain('blocked this IP address');
			expect(kommo.requestsTo('GET', `/api/v4/leads/${lead.id}`)).toHaveLength(1);
		} finally {
			kommo.blocked = false;
		}
	});

	it('honours a lower "Max Requests per Second" from the credential', async () => {
		const lead = seedDeal();
		const started = Date.now();
		await runKommo(
			kommo,
			{ resource: 'note', operation: 'addToLead', leadId: byId(lead.id), text: '=n{{ $json.n }}', options: { batchSize: 1 } },
			Array.from({ length: 6 }, (_, n) => ({ n })),
			{ credentials: { kommoApi: { subdomain: 'acme', domain: 'kommo.com', customHost: true, baseUrl: kommo.url, accessToken: kommo.longLivedToken, requestsPerSecond: 2 } } },
		);
		expect(kommo.maxInWindow(1000)).toBeLessThanOrEqual(2);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
	});
});
