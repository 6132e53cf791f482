/**
 * The Kommo operations of issue #18 (pipelines, task completion, links, catalogs, incoming leads,
 * Custom API Request) and their resource-locator lists, in real n8n-core contexts against the
 * Kommo sandbox.
 */
import type { IDataObject } from 'n8n-workflow';

import { catalogSearch } from '../../../nodes/Kommo/resources/catalog/shared';
import { locatorSearch } from '../../../nodes/Kommo/locators';
import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { KommoSandbox, LOST_STATUS_ID, WON_STATUS_ID } from '../../../dev/sandbox/kommo';
import { byId, kommoCredentials, loadOptionsContext, nodeOptions, runKommo, runKommoError } from './helpers';
import { createLoadOptionsContext } from '../../helpers/n8n-context';

let kommo: KommoSandbox;

beforeAll(async () => {
	kommo = await new KommoSandbox().start();
});
afterAll(async () => kommo.stop());
beforeEach(() => {
	kommo.resetLog();
	resetLimiters();
});

const fromList = (value: number | string) => ({ __rl: true, mode: 'list', value: String(value) });
const apiRequests = () => kommo.requests.filter((r) => r.path.startsWith('/api/'));

describe('Pipeline → Get Many / Get Many Stages', () => {
	it('lists the pipelines with their stages, and honours Limit', async () => {
		const out = await runKommo(kommo, { resource: 'pipeline', operation: 'getMany', returnAll: true });
		expect(out.map((o) => o.json.name)).toEqual(['Sales', 'Renewals']);
		const sales = out[0].json;
		expect(sales).toMatchObject({ id: kommo.mainPipeline.id, is_main: true });
		expect(sales._links).toBeUndefined();
		expect((sales.statuses as IDataObject[]).map((s) => s.name)).toEqual(['Incoming', 'Qualified', 'Negotiation', 'Closed - won', 'Closed - lost']);

		const limited = await runKommo(kommo, { resource: 'pipeline', operation: 'getMany', returnAll: false, limit: 1 });
		expect(limited).toHaveLength(1);
	});

	it('lists the stages of a pipeline in order, Won and Lost included', async () => {
		const renewals = kommo.pipelines[1];
		const out = await runKommo(kommo, { resource: 'pipeline', operation: 'getStages', pipeline: fromList(renewals.id), returnAll: true });
		expect(out.map((o) => o.json.name)).toEqual(['Up for renewal', 'Renewal offer sent', 'Closed - won', 'Closed - lost']);
		expect(out.map((o) => o.json.id)).toEqual(expect.arrayContaining([WON_STATUS_ID, LOST_STATUS_ID]));
		expect(out[0].json).toMatchObject({ pipeline_id: renewals.id, type: 1 });
		expect(kommo.requestsTo('GET', `/api/v4/leads/pipelines/${renewals.id}/statuses`)).toHaveLength(1);
	});

	it('reads a pipeline given as a plain number (an older workflow) and explains an unknown one', async () => {
		const out = await runKommo(kommo, { resource: 'pipeline', operation: 'getStages', pipeline: kommo.mainPipeline.id, returnAll: true });
		expect(out).toHaveLength(5);
		const error = await runKommoError(kommo, { resource: 'pipeline', operation: 'getStages', pipeline: byId(424242), returnAll: true });
		expect(error.message).toBe('Kommo has no pipeline 424242 [item 0]');
		expect(error.description).toContain('Pipeline → Get Many');
	});
});

describe('resource locator lists load from the sandbox', () => {
	it('pipelines, stages of the chosen pipeline, users and catalogs, with search', async () => {
		const ctx = loadOptionsContext(kommo, { resource: 'pipeline', operation: 'getStages', pipeline: fromList(kommo.pipelines[1].id) });
		const pipelines = await locatorSearch.searchPipelines.call(ctx);
		expect(pipelines.results).toEqual([
			{ name: 'Sales (main)', value: String(kommo.pipelines[0].id) },
			{ name: 'Renewals', value: String(kommo.pipelines[1].id) },
		]);
		expect((await locatorSearch.searchPipelines.call(ctx, 'renew')).results.map((r) => r.name)).toEqual(['Renewals']);

		const stages = await locatorSearch.searchStatuses.call(ctx);
		expect(stages.results.map((r) => r.name)).toEqual(['Won (Closed - Won, 142)', 'Lost (Closed - Lost, 143)', 'Up for renewal', 'Renewal offer sent']);
		expect((await locatorSearch.searchStatuses.call(ctx, 'offer')).results.map((r) => r.name)).toEqual(['Renewal offer sent']);

		const everyStage = await locatorSearch.searchStatuses.call(loadOptionsContext(kommo, { resource: 'unsorted', operation: 'accept' }));
		expect(everyStage.results.map((r) => r.name)).toContain('Sales → Negotiation');

		const users = await locatorSearch.searchUsers.call(ctx, 'bob');
		expect(users.results).toEqual([{ name: 'Bob Sales (bob@acme.test)', value: String(kommo.users[1].id) }]);

		const products = kommo.catalogs.catalogs.find((c) => c.type === 'products') ?? kommo.catalogs.addCatalog('Products', 'products');
		const catalogs = await catalogSearch.searchCatalogs.call(ctx, 'prod');
		expect(catalogs.results).toEqual([{ name: 'Products (products)', value: String(products.id) }]);
	});

	it("the users list tells a non-administrator to switch to By ID", async () => {
		const ctx = createLoadOptionsContext(
			nodeOptions(kommo, { resource: 'unsorted', operation: 'accept' }, { credentials: kommoCredentials(kommo, { accessToken: kommo.memberToken }) }),
		);
		await expect(locatorSearch.searchUsers.call(ctx)).rejects.toThrow('Kommo lists users only to administrators');
	});
});

describe('Task → Complete', () => {
	it('completes the tasks of several items in one PATCH with their result texts', async () => {
		const lead = kommo.addLead({ name: 'Renewal' });
		const a = kommo.addTask(lead.id, 'Call about the failed payment');
		const b = kommo.addTask(lead.id, 'Send the invoice');
		const out = await runKommo(
			kommo,
			{ resource: 'task', operation: 'complete', taskId: '={{ $json.task }}', resultText: '={{ $json.result }}' },
			[
				{ task: a.id, result: 'Paid: invoice INV-1001' },
				{ task: b.id, result: '' },
			],
		);
		expect(out.map((o) => o.json)).toEqual([
			expect.objectContaining({ id: a.id, is_completed: true, result_text: 'Paid: invoice INV-1001' }),
			expect.objectContaining({ id: b.id, is_completed: true, result_text: null }),
		]);
		const patches = kommo.requestsTo('PATCH', '/api/v4/tasks');
		expect(patches).toHaveLength(1);
		expect(patches[0].body).toEqual([
			{ id: a.id, is_completed: true, result: { text: 'Paid: invoice INV-1001' }, request_id: '0' },
			{ id: b.id, is_completed: true, request_id: '1' },
		]);
		expect(kommo.tasks.find((t) => t.id === a.id)).toMatchObject({ is_completed: true, result: { text: 'Paid: invoice INV-1001' } });
	});

	it("carries Kommo's reason for an unknown task, and refuses a non-number before calling Kommo", async () => {
		const error = await runKommoError(kommo, { resource: 'task', operation: 'complete', taskId: '123' });
		expect(error.message).toContain('Task 123 not found');

		kommo.resetLog();
		const bad = await runKommoError(kommo, { resource: 'task', operation: 'complete', taskId: 'abc' });
		expect(bad.message).toBe('"abc" is not a Kommo task ID [item 0]');
		expect(bad.context?.itemIndex).toBe(0);
		expect(apiRequests()).toHaveLength(0);
	});
});

describe('Link → Link / Unlink', () => {
	it('links a contact to a lead as main contact, then unlinks it', async () => {
		const lead = kommo.addLead({ name: 'Link me', contacts: [{ first_name: 'Ada' }] });
		const contact = kommo.addContact({ first_name: 'Grace', last_name: 'Hopper' });
		const params = { resource: 'link', entityType: 'leads', entityId: String(lead.id), toEntityType: 'contacts', toEntityId: String(contact.id) };

		const [linked] = await runKommo(kommo, { ...params, operation: 'link', mainContact: true });
		expect(linked.json).toMatchObject({ entity_type: 'leads', entity_id: lead.id, to_entity_id: contact.id, to_entity_type: 'contacts', metadata: { main_contact: true } });
		expect(kommo.requestsTo('POST', '/api/v4/leads/link')[0].body).toEqual([
			{ entity_id: lead.id, to_entity_id: contact.id, to_entity_type: 'contacts', metadata: { main_contact: true } },
		]);
		expect(kommo.leads.get(lead.id)!.contacts).toEqual([
			{ id: lead.contacts[0].id, is_main: false },
			{ id: contact.id, is_main: true },
		]);

		const [unlinked] = await runKommo(kommo, { ...params, operation: 'unlink' });
		expect(unlinked.json).toMatchObject({ unlinked: true, to_entity_id: contact.id });
		expect(kommo.leads.get(lead.id)!.contacts.map((c) => c.id)).toEqual([lead.contacts[0].id]);

		const again = await runKommoError(kommo, { ...params, operation: 'unlink' });
		expect(again.message).toContain(`Entity ${contact.id} is not linked`);
	});

	it('refuses a pair Kommo cannot link before calling it, and names an unknown record', async () => {
		const error = await runKommoError(kommo, {
			resource: 'link',
			operation: 'link',
			entityType: 'contacts',
			entityId: '1',
			toEntityType: 'leads',
			toEntityId: '2',
		});
		expect(error.message).toBe('Kommo cannot link a Lead to a Contact [item 0]');
		expect(error.description).toContain('Company, Customer, Catalog Element');
		expect(apiRequests()).toHaveLength(0);

		const lead = kommo.addLead();
		const missing = await runKommoError(kommo, {
			resource: 'link',
			operation: 'link',
			entityType: 'leads',
			entityId: String(lead.id),
			toEntityType: 'contacts',
			toEntityId: '999999',
		});
		expect(missing.message).toContain('to_entity_id: Entity 999999 not found');
	});

	it('with Continue On Fail, a failing item gets its own error and the others are linked', async () => {
		const lead = kommo.addLead();
		const good = kommo.addContact({ first_name: 'Good' });
		const out = await runKommo(
			kommo,
			{
				resource: 'link',
				operation: 'link',
				entityType: 'leads',
				entityId: String(lead.id),
				toEntityType: 'contacts',
				toEntityId: '={{ $json.contact }}',
			},
			[{ contact: good.id }, { contact: 'x' }, { contact: 999_999 }],
			{ continueOnFail: true },
		);
		expect(out[0].json).toMatchObject({ to_entity_id: good.id });
		expect(out[1].json.error).toBe('"x" is not a Kommo linked entity ID [item 1]');
		expect(String(out[2].json.error)).toContain('Entity 999999 not found');
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});
});

describe('Catalog', () => {
	let catalogId: number;
	let pro: { id: number };
	let sso: { id: number };

	beforeAll(() => {
		const products = kommo.catalogs.catalogs.find((c) => c.type === 'products') ?? kommo.catalogs.addCatalog('Products', 'products');
		catalogId = products.id;
		pro = kommo.catalogs.addElement(catalogId, 'Pro plan (annual)', { sku: 'PRO-Y', price: 4800 });
		sso = kommo.catalogs.addElement(catalogId, 'SSO add-on', { sku: 'SSO', price: 600 });
		kommo.catalogs.addElement(catalogId, 'Starter plan', { sku: 'START-M', price: 29 });
	});

	it('Get Many: catalogs simplified by default, raw without HAL links on request', async () => {
		const [simple] = await runKommo(kommo, { resource: 'catalog', operation: 'getMany', returnAll: true });
		expect(Object.keys(simple.json).length).toBeLessThanOrEqual(10);
		expect(simple.json).toMatchObject({ id: catalogId, name: 'Products', type: 'products' });
		const [raw] = await runKommo(kommo, { resource: 'catalog', operation: 'getMany', returnAll: true, simplify: false });
		expect(raw.json).toMatchObject({ id: catalogId, can_be_deleted: false, account_id: kommo.account.id });
		expect(raw.json._links).toBeUndefined();
	});

	it('Get Many Elements: SKU and price flattened, search and Limit', async () => {
		const all = await runKommo(kommo, { resource: 'catalog', operation: 'getElements', catalogId: fromList(catalogId), returnAll: true });
		expect(all.map((o) => o.json.name)).toEqual(['Pro plan (annual)', 'SSO add-on', 'Starter plan']);
		expect(all[0].json).toMatchObject({ id: pro.id, catalog_id: catalogId, sku: 'PRO-Y', price: 4800, fields: { SKU: 'PRO-Y', Price: 4800 } });
		expect(Object.keys(all[0].json).length).toBeLessThanOrEqual(10);

		const found = await runKommo(kommo, { resource: 'catalog', operation: 'getElements', catalogId: byId(catalogId), query: 'sso', returnAll: true });
		expect(found.map((o) => o.json.id)).toEqual([sso.id]);
		expect(kommo.requestsTo('GET', `/api/v4/catalogs/${catalogId}/elements`).at(-1)!.query.query).toBe('sso');

		const limited = await runKommo(kommo, { resource: 'catalog', operation: 'getElements', catalogId: byId(catalogId), returnAll: false, limit: 2 });
		expect(limited).toHaveLength(2);
	});

	it("Add Element to Lead puts products on a deal with quantities; Get Many for Lead reads them back", async () => {
		const lead = kommo.addLead({ name: 'Deal with products' });
		for (const [element, quantity] of [
			[pro, 3],
			[sso, 1],
		] as const) {
			const [out] = await runKommo(kommo, {
				resource: 'catalog',
				operation: 'addToLead',
				leadId: byId(lead.id),
				catalogId: fromList(catalogId),
				elementId: String(element.id),
				quantity,
			});
			expect(out.json).toMatchObject({ entity_id: lead.id, to_entity_id: element.id, metadata: { quantity, catalog_id: catalogId } });
		}
		expect(kommo.requestsTo('POST', '/api/v4/leads/link')[0].body).toEqual([
			{ entity_id: lead.id, to_entity_id: pro.id, to_entity_type: 'catalog_elements', metadata: { quantity: 3, catalog_id: catalogId } },
		]);

		const products = await runKommo(kommo, { resource: 'catalog', operation: 'getForLead', leadId: byId(lead.id), returnAll: true });
		expect(products.map((o) => [o.json.sku, o.json.quantity])).toEqual([
			['PRO-Y', 3],
			['SSO', 1],
		]);
		// The lead's links, then both elements of the catalog in one request.
		expect(kommo.requestsTo('GET', `/api/v4/catalogs/${catalogId}/elements`)).toHaveLength(1);
	});

	it("a wrong catalog or a fractional quantity comes back with Kommo's field", async () => {
		const lead = kommo.addLead();
		const params = { resource: 'catalog', operation: 'addToLead', leadId: byId(lead.id), elementId: String(pro.id) };
		const wrongCatalog = await runKommoError(kommo, { ...params, catalogId: byId(catalogId + 1), quantity: 1 });
		expect(wrongCatalog.message).toContain('metadata.catalog_id');
		// developers.kommo.com/reference/linking-entities: metadata[quantity] is an int.
		const fractional = await runKommoError(kommo, { ...params, catalogId: byId(catalogId), quantity: 1.5 });
		expect(fractional.message).toContain('metadata.quantity: This value should be of type int.');
	});
});

describe('Incoming Lead', () => {
	it('Get Many filters by category and pipeline; Accept moves it to the chosen stage for the chosen user', async () => {
		const form = kommo.unsorted.add({ category: 'forms', name: 'Website request', contact: { first_name: 'Lin' }, createdAt: 1_700_000_000 });
		const call = kommo.unsorted.add({ category: 'sip', name: 'Inbound call', createdAt: 1_700_000_100 });
		const renewal = kommo.unsorted.add({ category: 'forms', pipelineId: kommo.pipelines[1].id, createdAt: 1_700_000_200 });

		const forms = await runKommo(kommo, { resource: 'unsorted', operation: 'getMany', returnAll: true, filters: { categories: ['forms'] } });
		expect(forms.map((o) => o.json.uid)).toEqual([form.uid, renewal.uid]);
		expect(forms[0].json).toMatchObject({ category: 'forms', lead_id: form.lead_id, contact_id: form.contact_id, company_id: null });
		expect(Object.keys(forms[0].json).length).toBeLessThanOrEqual(10);

		const inSales = await runKommo(kommo, {
			resource: 'unsorted',
			operation: 'getMany',
			returnAll: true,
			filters: { newestFirst: true },
			pipeline: fromList(kommo.mainPipeline.id),
		});
		expect(inSales.map((o) => o.json.uid)).toEqual([call.uid, form.uid]);
		expect(kommo.requestsTo('GET', '/api/v4/leads/unsorted').at(-1)!.query).toMatchObject({
			'filter[pipeline_id]': String(kommo.mainPipeline.id),
			'order[created_at]': 'desc',
		});

		const negotiation = kommo.mainPipeline.statuses.find((s) => s.name === 'Negotiation')!;
		const [accepted] = await runKommo(kommo, {
			resource: 'unsorted',
			operation: 'accept',
			uid: form.uid,
			stage: fromList(negotiation.id),
			userId: fromList(kommo.users[1].id),
		});
		expect(accepted.json).toMatchObject({ uid: form.uid, accepted: true, lead_id: form.lead_id, pipeline_id: kommo.mainPipeline.id });
		expect(kommo.requestsTo('POST', `/api/v4/leads/unsorted/${form.uid}/accept`)[0].body).toEqual({
			user_id: kommo.users[1].id,
			status_id: negotiation.id,
		});
		expect(kommo.leads.get(form.lead_id)).toMatchObject({ status_id: negotiation.id, responsible_user_id: kommo.users[1].id });
		expect(kommo.unsorted.incoming.some((u) => u.uid === form.uid)).toBe(false);
	});

	it('Decline sends DELETE as Kommo documents it; an unknown uid and a stage of another pipeline are explained', async () => {
		const spam = kommo.unsorted.add({ category: 'forms', name: 'Spam' });
		const [declined] = await runKommo(kommo, { resource: 'unsorted', operation: 'decline', uid: spam.uid });
		expect(declined.json).toMatchObject({ uid: spam.uid, declined: true, lead_id: spam.lead_id });
		expect(kommo.requestsTo('DELETE', `/api/v4/leads/unsorted/${spam.uid}/decline`)).toHaveLength(1);
		expect(kommo.leads.get(spam.lead_id)!.is_deleted).toBe(true);

		const unknown = await runKommoError(kommo, { resource: 'unsorted', operation: 'decline', uid: spam.uid });
		expect(unknown.message).toContain(`Incoming lead ${spam.uid} not found`);

		const other = kommo.unsorted.add({ category: 'forms' });
		const wrongStage = await runKommoError(kommo, {
			resource: 'unsorted',
			operation: 'accept',
			uid: other.uid,
			stage: byId(kommo.pipelines[1].statuses[1].id),
		});
		expect(wrongStage.message).toContain('status_id');

		const badUid = await runKommoError(kommo, { resource: 'unsorted', operation: 'accept', uid: '../../leads' });
		expect(badUid.message).toBe('"../../leads" is not an incoming lead UID [item 0]');
	});
});

describe('Custom API Request', () => {
	it('GETs with query parameters and POSTs a JSON body through the credential', async () => {
		const lead = kommo.addLead({ name: 'Custom', contacts: [{ first_name: 'Q' }] });
		const [got] = await runKommo(kommo, {
			resource: 'customApiRequest',
			operation: 'request',
			method: 'GET',
			path: `/api/v4/leads/${lead.id}`,
			queryParameters: '{"with": "contacts"}',
		});
		expect(got.json).toMatchObject({ id: lead.id, name: 'Custom' });
		const request = kommo.requestsTo('GET', `/api/v4/leads/${lead.id}`)[0];
		expect(request.query.with).toBe('contacts');
		expect(request.headers.authorization).toBe(`Bearer ${kommo.longLivedToken}`);

		const task = kommo.addTask(lead.id, 'Via custom request');
		const [patched] = await runKommo(kommo, {
			resource: 'customApiRequest',
			operation: 'request',
			method: 'PATCH',
			path: `${kommo.url}/api/v4/tasks`,
			jsonBody: JSON.stringify([{ id: task.id, is_completed: true }]),
		});
		expect(((patched.json._embedded as IDataObject).tasks as IDataObject[])[0].id).toBe(task.id);
		expect(kommo.tasks.find((t) => t.id === task.id)!.is_completed).toBe(true);

		const [empty] = await runKommo(kommo, { resource: 'customApiRequest', operation: 'request', method: 'GET', path: '/api/v4/leads/999999' });
		expect(empty.json).toEqual({});
	});

	it('refuses other hosts and paths outside /api/v4/ before sending anything, and maps Kommo errors', async () => {
		for (const [path, message] of [
			['https://evil.example/api/v4/leads', 'Refused to send the Kommo credential to https://evil.example'],
			['//evil.example/api/v4/leads', 'Refused to send the Kommo credential to https://evil.example'],
			['/oauth2/access_token', 'The path "/oauth2/access_token" is not under /api/v4/'],
			['/api/v4/../oauth2/access_token', 'may not contain "." or ".." segments'],
			['/api/v4/%2e%2e/oauth2', 'may not contain "." or ".." segments'],
		]) {
			const error = await runKommoError(kommo, { resource: 'customApiRequest', operation: 'request', method: 'GET', path });
			expect(error.message).toContain(message);
			expect(error.context?.itemIndex).toBe(0);
		}
		expect(apiRequests()).toHaveLength(0);

		const invalid = await runKommoError(kommo, {
			resource: 'customApiRequest',
			operation: 'request',
			method: 'POST',
			path: '/api/v4/tasks',
			jsonBody: '[{"text": ""}]',
		});
		expect(invalid.message).toContain('text: This value should not be blank.');

		const broken = await runKommoError(kommo, { resource: 'customApiRequest', operation: 'request', method: 'POST', path: '/api/v4/tasks', jsonBody: '[{' });
		expect(broken.message).toContain('Body is not valid JSON');
	});
});
