/**
 * Creating leads, contacts and companies, the complex create, Get Many, Contact → Find, tags,
 * notes on contacts and companies, the company locator and Simplify: the Kommo node in real
 * n8n-core contexts against the Kommo sandbox (dev/sandbox/kommo/entities.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import { listSearch } from '../../../nodes/Kommo/methods';
import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { KommoSandbox } from '../../../dev/sandbox/kommo';
import { addCompany, entityState } from '../../../dev/sandbox/kommo/entities';
import { byId, loadOptionsContext, runKommo, runKommoError } from './helpers';

let kommo: KommoSandbox;

beforeAll(async () => {
	kommo = await new KommoSandbox().start();
});
afterAll(async () => kommo.stop());
beforeEach(() => {
	kommo.resetLog();
	resetLimiters();
	entityState(kommo).duplicateControl = false;
});

const posted = (path: string) => kommo.requests.filter((r) => r.method === 'POST' && r.path === path);

describe('Lead → Create', () => {
	it('creates a lead with price, stage, custom fields, tags and links to a contact and a company', async () => {
		const contact = kommo.addContact({ first_name: 'Grace', last_name: 'Hopper', email: 'grace@navy.test' });
		const company = addCompany(kommo, { name: 'Navy Labs' });
		const pipeline = kommo.pipelines[1];
		const [item] = await runKommo(kommo, {
			resource: 'lead',
			operation: 'create',
			name: 'Navy – Pro',
			additionalFields: {
				price: 1200,
				pipelineId: pipeline.id,
				statusId: pipeline.statuses[1].id,
				tags: 'vip, billing',
				contactId: String(contact.id),
				companyId: String(company.id),
			},
			customFields: { field: [{ name: 'Plan', value: 'Pro' }] },
		});
		const lead = kommo.leads.get(Number(item.json.id))!;
		expect(lead).toMatchObject({ name: 'Navy – Pro', price: 1200, pipeline_id: pipeline.id, status_id: pipeline.statuses[1].id });
		expect(lead.tags.map((t) => t.name)).toEqual(['vip', 'billing']);
		expect(lead.contacts).toEqual([{ id: contact.id, is_main: true }]);
		expect(entityState(kommo).leadCompany.get(lead.id)).toBe(company.id);
		expect(kommo.leadFieldMap(lead.id)).toEqual({ Plan: 'Pro' });
		expect(item.json).toMatchObject({ contact_id: contact.id, company_id: company.id, tags: ['vip', 'billing'], custom_fields_map: { Plan: 'Pro' } });
	});

	it("carries Kommo's validation error for an unknown contact, with the item index", async () => {
		const error = await runKommoError(kommo, { resource: 'lead', operation: 'create', name: 'x', additionalFields: { contactId: '999' } });
		expect(error.message + String(error.description)).toContain('_embedded.contacts.0.id');
		expect(error.context?.itemIndex).toBe(0);
	});
});

describe('Lead → Create With Contact (POST /api/v4/leads/complex)', () => {
	it('creates lead, contact and company in one call and links the new contact to the new company', async () => {
		const [item] = await runKommo(kommo, {
			resource: 'lead',
			operation: 'createComplex',
			name: 'Babbage Engines – Starter',
			contact: { firstName: 'Charles', lastName: 'Babbage', email: 'charles@engines.test', phone: '+44 20 7946 0000' },
			companyName: 'Babbage Engines',
			additionalFields: { tags: 'inbound' },
		});
		expect(item.json).toMatchObject({ merged: false, contact_created: true, company_created: true });
		const state = entityState(kommo);
		const contactId = Number(item.json.contact_id);
		expect(kommo.contacts.get(contactId)).toMatchObject({ first_name: 'Charles', last_name: 'Babbage' });
		expect(state.companies.get(Number(item.json.company_id))!.name).toBe('Babbage Engines');
		expect(state.contactCompany.get(contactId)).toBe(item.json.company_id);
		expect(kommo.leads.get(Number(item.json.id))!.tags.map((t) => t.name)).toEqual(['inbound']);
		expect(posted('/api/v4/leads/complex')).toHaveLength(1);
	});

	it('links the contact and company that already exist instead of creating duplicates', async () => {
		const contact = kommo.addContact({ name: 'Ada Lovelace', email: 'ada.complex@acme.test' });
		const company = addCompany(kommo, { name: 'Analytical Ltd' });
		const contactsBefore = kommo.contacts.size;
		const [item] = await runKommo(kommo, {
			resource: 'lead',
			operation: 'createComplex',
			name: 'Second deal',
			contact: { name: 'Ada L.', email: 'ADA.complex@acme.test' },
			companyName: 'analytical ltd',
		});
		expect(item.json).toMatchObject({ contact_id: contact.id, company_id: company.id, contact_created: false, company_created: false });
		expect(kommo.contacts.size).toBe(contactsBefore);
		const body = posted('/api/v4/leads/complex')[0].body as IDataObject[];
		expect((body[0]._embedded as IDataObject).contacts).toEqual([{ id: contact.id }]);
	});

	it("reports merged: true when Kommo's duplicate control returns an existing lead", async () => {
		const existing = kommo.addLead({ name: 'Open deal', contacts: [{ name: 'Dup Person', phone: '+1 555 777 1234' }] });
		entityState(kommo).duplicateControl = true;
		const [item] = await runKommo(kommo, {
			resource: 'lead',
			operation: 'createComplex',
			name: 'Same person again',
			contact: { name: 'Dup Person', phone: '+1 (555) 777-1234' },
			duplicates: { existingContact: 'create' },
		});
		expect(item.json).toMatchObject({ id: existing.id, merged: true, contact_created: false });
	});

	it("a contact field Kommo refuses is named by its own path, not by the lead's field names", async () => {
		const error = await runKommoError(kommo, {
			resource: 'lead',
			operation: 'createComplex',
			name: 'Bad email',
			contact: { name: 'X', email: 'not-an-email@' },
			customFields: { field: [{ name: 'Plan', value: 'Pro' }] },
			duplicates: { existingContact: 'create' },
		});
		const text = `${error.message} ${String(error.description)}`;
		expect(text).toContain('_embedded.contacts.0.custom_fields_values.0.values.0.value');
		expect(text).not.toContain('("Plan")');
	});

	it('the sandbox refuses two contacts on one lead and more than 50 leads, as the reference says', async () => {
		const token = kommo.longLivedToken;
		const post = (body: unknown) =>
			fetch(`${kommo.url}/api/v4/leads/complex`, {
				method: 'POST',
				headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
		const two = await post([{ name: 'x', _embedded: { contacts: [{ name: 'a' }, { name: 'b' }] } }]);
		expect(two.status).toBe(400);
		expect(JSON.stringify(await two.json())).toContain('_embedded.contacts');
		const many = await post(Array.from({ length: 51 }, () => ({ name: 'x' })));
		expect(many.status).toBe(400);
	});
});

describe('Contact → Create / Find / Get Many', () => {
	it('creates a contact with email, phone and tags; Find then returns it by email and by phone', async () => {
		const [created] = await runKommo(kommo, {
			resource: 'contact',
			operation: 'create',
			name: 'Katherine Johnson',
			additionalFields: { email: 'kj@nasa.test', phone: '+1 757 555 0199', tags: 'vip' },
		});
		expect(created.json).toMatchObject({ created: true, name: 'Katherine Johnson', tags: ['vip'] });
		const [byEmail] = await runKommo(kommo, { resource: 'contact', operation: 'find', findBy: 'email', value: 'KJ@nasa.test' });
		expect(byEmail.json).toMatchObject({ id: created.json.id, email: 'kj@nasa.test', phone: '+1 757 555 0199', tags: ['vip'] });
		expect(Object.keys(byEmail.json).length).toBeLessThanOrEqual(10);
		const byPhone = await runKommo(kommo, { resource: 'contact', operation: 'find', findBy: 'phone', value: '7575550199' });
		expect(byPhone.map((i) => i.json.id)).toEqual([created.json.id]);
		const none = await runKommo(kommo, { resource: 'contact', operation: 'find', findBy: 'email', value: 'nobody@nasa.test' });
		expect(none).toEqual([]);
	});

	it('"If Already in Kommo": returns the existing contact, or fails naming it', async () => {
		const existing = kommo.addContact({ name: 'Dorothy Vaughan', email: 'dv@nasa.test' });
		const [item] = await runKommo(kommo, { resource: 'contact', operation: 'create', name: 'D. Vaughan', additionalFields: { email: 'dv@nasa.test' }, ifExists: 'useExisting' });
		expect(item.json).toEqual({ id: existing.id, name: 'Dorothy Vaughan', created: false });
		expect(posted('/api/v4/contacts')).toHaveLength(0);
		const error = await runKommoError(kommo, { resource: 'contact', operation: 'create', name: 'D', additionalFields: { email: 'dv@nasa.test' }, ifExists: 'fail' });
		expect(error.message).toContain(String(existing.id));
	});

	it('refuses a contact without name, email or phone before calling Kommo', async () => {
		const error = await runKommoError(kommo, { resource: 'contact', operation: 'create' });
		expect(error.message).toContain('no name, email or phone');
		expect(kommo.requests).toHaveLength(0);
	});

	it('Get Many: Limit, Return All over several pages, search text, Simplify off', async () => {
		for (let n = 0; n < 3; n++) kommo.addContact({ name: `Pager Person ${n}`, email: `pager${n}@x.test` });
		const limited = await runKommo(kommo, { resource: 'contact', operation: 'getAll', limit: 2 });
		expect(limited).toHaveLength(2);
		const all = await runKommo(kommo, { resource: 'contact', operation: 'getAll', returnAll: true });
		expect(all).toHaveLength([...kommo.contacts.values()].length);
		const searched = await runKommo(kommo, { resource: 'contact', operation: 'getAll', returnAll: true, query: 'pager', simplify: false });
		expect(searched).toHaveLength(3);
		expect(searched[0].json).toHaveProperty('custom_fields_values');
		expect(searched[0].json).toHaveProperty('emails');
	});
});

describe('Company → Create / Get / Update / Get Many', () => {
	it('creates a company with phone, email, website and tags, reads it simplified, updates it', async () => {
		const [created] = await runKommo(kommo, {
			resource: 'company',
			operation: 'create',
			name: 'Initech',
			additionalFields: { phone: '+1 555 0150', email: 'info@initech.test', web: 'https://initech.test', tags: 'partner' },
		});
		const id = Number(created.json.id);
		const [simple] = await runKommo(kommo, { resource: 'company', operation: 'get', companyId: byId(id) });
		expect(simple.json).toEqual({
			id,
			name: 'Initech',
			email: 'info@initech.test',
			phone: '+1 555 0150',
			web: 'https://initech.test',
			responsible_user_id: kommo.currentUserId,
			created_at: expect.any(Number),
			updated_at: expect.any(Number),
			tags: ['partner'],
			custom_fields_map: { Phone: ['+1 555 0150'], Email: ['info@initech.test'], Web: 'https://initech.test' },
		});
		const [updated] = await runKommo(kommo, { resource: 'company', operation: 'update', companyId: byId(id), updateFields: { name: 'Initech Inc', address: '1 Main St' } });
		expect(updated.json).toMatchObject({ id, name: 'Initech Inc', custom_fields_map: { Address: '1 Main St' } });
		const [full] = await runKommo(kommo, { resource: 'company', operation: 'get', companyId: { __rl: true, mode: 'url', value: `https://acme.kommo.com/companies/detail/${id}` }, simplify: false });
		expect(full.json).toMatchObject({ id, name: 'Initech Inc', custom_fields_map: { Address: '1 Main St' } });
		const found = await runKommo(kommo, { resource: 'company', operation: 'getAll', query: 'initech', limit: 5 });
		expect(found.map((i) => i.json.id)).toEqual([id]);
	});

	it('an unknown company is a clear item error', async () => {
		const error = await runKommoError(kommo, { resource: 'company', operation: 'get', companyId: byId(424242) });
		expect(error.message).toBe('Company 424242 was not found in Kommo [item 0]');
	});
});

describe('Tag → Add / Remove', () => {
	it.each(['lead', 'contact', 'company'] as const)('adds and removes tags on a %s, keeping its other tags', async (entity) => {
		const id =
			entity === 'lead' ? kommo.addLead({ name: 'Tagged' }).id : entity === 'contact' ? kommo.addContact({ name: 'Tagged' }).id : addCompany(kommo, { name: 'Tagged' }).id;
		const tagsOf = () =>
			(entity === 'lead' ? kommo.leads.get(id)!.tags : entity === 'contact' ? kommo.contacts.get(id)!.tags : entityState(kommo).companies.get(id)!.tags)!.map((t) => t.name);
		const idParam = { [`${entity}Id`]: byId(id) };
		const [added] = await runKommo(kommo, { resource: 'tag', operation: 'add', entityType: entity, ...idParam, tags: 'a, b, c' });
		expect(added.json).toMatchObject({ id, entity_type: entity, tags_added: ['a', 'b', 'c'] });
		expect(tagsOf()).toEqual(['a', 'b', 'c']);
		await runKommo(kommo, { resource: 'tag', operation: 'remove', entityType: entity, ...idParam, tags: 'b, not-there' });
		expect(tagsOf()).toEqual(['a', 'c']);
		const patch = kommo.requests.filter((r) => r.method === 'PATCH').map((r) => r.body);
		expect(patch).toEqual([{ tags_to_add: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }, { tags_to_delete: [{ name: 'b' }, { name: 'not-there' }] }]);
	});

	it('refuses an empty tag list', async () => {
		const lead = kommo.addLead({ name: 'x' });
		const error = await runKommoError(kommo, { resource: 'tag', operation: 'add', entityType: 'lead', leadId: byId(lead.id), tags: ' , ' });
		expect(error.message).toBe('No tag names given [item 0]');
	});
});

describe('Sandbox tag rules (developers.kommo.com/reference/update-tags)', () => {
	const patch = (path: string, body: unknown) =>
		fetch(`${kommo.url}${path}`, {
			method: 'PATCH',
			headers: { authorization: `Bearer ${kommo.longLivedToken}`, 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});

	it('_embedded.tags replaces every tag, null detaches them all, an unknown tag id is refused', async () => {
		const lead = kommo.addLead({ name: 'Rules' });
		expect((await patch(`/api/v4/leads/${lead.id}`, { tags_to_add: [{ name: 'one' }, { name: 'two' }] })).status).toBe(200);
		expect((await patch(`/api/v4/leads/${lead.id}`, { _embedded: { tags: [{ name: 'three' }] } })).status).toBe(200);
		expect(kommo.leads.get(lead.id)!.tags.map((t) => t.name)).toEqual(['three']);
		expect((await patch(`/api/v4/leads/${lead.id}`, { _embedded: { tags: null } })).status).toBe(200);
		expect(kommo.leads.get(lead.id)!.tags).toEqual([]);
		const bad = await patch(`/api/v4/leads/${lead.id}`, { tags_to_add: [{ id: 1 }] });
		expect(bad.status).toBe(400);
		expect(JSON.stringify(await bad.json())).toContain('tags_to_add.0.id');
	});

	it('tag directories are per entity type: a lead tag id is unknown on contacts', async () => {
		const lead = kommo.addLead({ name: 'Dir' });
		await patch(`/api/v4/leads/${lead.id}`, { tags_to_add: [{ name: 'shared-name' }] });
		const tagId = kommo.leads.get(lead.id)!.tags[0].id;
		const contact = kommo.addContact({ name: 'Dir' });
		expect((await patch(`/api/v4/contacts/${contact.id}`, { tags_to_add: [{ id: tagId }] })).status).toBe(400);
	});
});

describe('Note → Add to Contact / Company', () => {
	it('adds notes to a contact and a company in one batch each, and skips a repeated marker', async () => {
		const contact = kommo.addContact({ name: 'Noted' });
		const company = addCompany(kommo, { name: 'Noted Inc' });
		const out = await runKommo(kommo, { resource: 'note', operation: 'addToContact', contactId: byId(contact.id), text: '={{ "Paid " + $json.n }}' }, [{ n: 1 }, { n: 2 }]);
		expect(out.map((i) => i.json)).toEqual([
			{ id: expect.any(Number), contact_id: contact.id, note_type: 'common', text: 'Paid 1' },
			{ id: expect.any(Number), contact_id: contact.id, note_type: 'common', text: 'Paid 2' },
		]);
		expect(posted('/api/v4/contacts/notes')).toHaveLength(1);
		await runKommo(kommo, { resource: 'note', operation: 'addToCompany', companyId: byId(company.id), text: 'Invoice evt_1 sent' });
		const [skipped] = await runKommo(kommo, {
			resource: 'note',
			operation: 'addToCompany',
			companyId: byId(company.id),
			text: 'Invoice evt_1 sent',
			options: { skipIfNoteContains: 'evt_1' },
		});
		expect(skipped.json).toMatchObject({ company_id: company.id, skipped: true });
		expect(kommo.notes.filter((n) => n.entity_type === 'companies' && n.entity_id === company.id)).toHaveLength(1);
	});
});

describe('Simplify', () => {
	it('Lead → Get at version 1.1 returns 10 fields; version 1 (the shipped workflows) keeps the full lead', async () => {
		const lead = kommo.addLead({ name: 'Simple', customFields: { Plan: 'Pro' }, contacts: [{ name: 'Main Person', email: 'main@x.test' }] });
		const [simple] = await runKommo(kommo, { resource: 'lead', operation: 'get', leadId: byId(lead.id) });
		expect(Object.keys(simple.json)).toHaveLength(10);
		expect(simple.json).toMatchObject({ id: lead.id, name: 'Simple', custom_fields_map: { Plan: 'Pro' }, contact: { name: 'Main Person', email: 'main@x.test' } });
		const [v1] = await runKommo(kommo, { resource: 'lead', operation: 'get', leadId: byId(lead.id) }, undefined, { typeVersion: 1 });
		expect(v1.json).toHaveProperty('contacts');
		expect(v1.json).toHaveProperty('custom_fields_values');
		const [contactV1] = await runKommo(kommo, { resource: 'contact', operation: 'get', contactId: byId(lead.contacts[0].id) }, undefined, { typeVersion: 1 });
		expect(contactV1.json).toHaveProperty('emails');
	});

	it('Lead → Find is simplified from version 1.1; version 1 keeps the full leads', async () => {
		kommo.addLead({ name: 'Findable Quokka', contacts: [{ name: 'Q', email: 'quokka@x.test' }] });
		const params = { resource: 'lead', operation: 'find', findBy: 'contactEmail', email: 'quokka@x.test' };
		const [simple] = await runKommo(kommo, params);
		expect(Object.keys(simple.json)).toHaveLength(10);
		expect(simple.json).toMatchObject({ name: 'Findable Quokka', contact: { email: 'quokka@x.test' } });
		const [full] = await runKommo(kommo, params, undefined, { typeVersion: 1 });
		expect(full.json).toHaveProperty('contacts');
	});

	it('Lead → Get Many lists leads simplified, newest first by default', async () => {
		kommo.addLead({ name: 'Listed lead' });
		const out = await runKommo(kommo, { resource: 'lead', operation: 'getAll', query: 'listed lead' });
		expect(out).toHaveLength(1);
		expect(Object.keys(out[0].json).length).toBeLessThanOrEqual(10);
		expect(out[0].json).toMatchObject({ name: 'Listed lead', contact_ids: [] });
	});
});

describe('Resource locator lists load from the sandbox', () => {
	it('searchLeads, searchContacts and searchCompanies return names, ids and Kommo URLs', async () => {
		const ctx = loadOptionsContext(kommo);
		const lead = kommo.addLead({ name: 'Zebra deal' });
		const contact = kommo.addContact({ name: 'Zebra Person' });
		const company = addCompany(kommo, { name: 'Zebra Corp' });
		expect((await listSearch.searchLeads.call(ctx, 'zebra')).results).toEqual([{ name: `Zebra deal (${lead.id})`, value: String(lead.id), url: `${kommo.url}/leads/detail/${lead.id}` }]);
		expect((await listSearch.searchContacts.call(ctx, 'zebra')).results).toEqual([
			{ name: `Zebra Person (${contact.id})`, value: String(contact.id), url: `${kommo.url}/contacts/detail/${contact.id}` },
		]);
		expect((await listSearch.searchCompanies.call(ctx, 'zebra')).results).toEqual([
			{ name: `Zebra Corp (${company.id})`, value: String(company.id), url: `${kommo.url}/companies/detail/${company.id}` },
		]);
		const all = await listSearch.searchCompanies.call(ctx);
		expect(all.results.length).toBeGreaterThan(0);
	});
});
