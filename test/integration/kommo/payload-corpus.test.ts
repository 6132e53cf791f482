/**
 * Every Kommo webhook body captured from real accounts (../shared/payloads/kommo,
 * provenance in ../shared/payloads/SOURCES.md) goes through the Kommo Trigger
 * in-process, with the account adjusted to the trigger's: each is accepted
 * (2xx), normalised to one item per entity with the body's ids, statuses and
 * event names, and fully understood (no decode warnings). Then the sandbox's
 * own generated webhooks are compared with the corpus: same keys and value
 * shapes, so the sandbox cannot drift into a friendlier dialect.
 */
import type { IDataObject } from 'n8n-workflow';

import { secretDigest } from '../../../nodes/Kommo/trigger/verify';
import { decodeKommoWebhook } from '../../../nodes/Kommo/trigger/normalize';
import { TRIGGER_EVENTS } from '../../../nodes/Kommo/trigger/filters';
import { KOMMO_CORPUS_FILES, readKommoCorpus, withAccount } from '../../helpers/kommo-corpus';
import { KommoSandbox, WON_STATUS_ID } from '../../../dev/sandbox/kommo';
import { callTrigger } from './helpers';

const FILES = KOMMO_CORPUS_FILES;
const SECRET = 'corpus-secret-0123456789abcdef';

let kommo: KommoSandbox;
beforeAll(async () => {
	kommo = await new KommoSandbox().start();
});
afterAll(async () => kommo.stop());

const adjusted = (body: string): string => withAccount(body, kommo.account);

const pairs = (body: string) => [...new URLSearchParams(body)];

/** What each body says about itself: `leads[status][0][id]=…` → [{group, action, id}]. */
function entitiesOf(body: string): Array<{ group: string; action: string; id: string; status?: string }> {
	const out = new Map<string, { group: string; action: string; id: string; status?: string }>();
	for (const [key, value] of pairs(body)) {
		const m = /^(\w+)\[(\w+)\]\[(\d+)\](?:\[note\])?\[(id|status_id)\]$/.exec(key);
		if (!m) continue;
		const slot = `${m[1]}|${m[2]}|${m[3]}`;
		const entry = out.get(slot) ?? { group: m[1], action: m[2], id: '' };
		if (m[4] === 'id') entry.id = value;
		else entry.status = value;
		out.set(slot, entry);
	}
	return [...out.values()];
}

const ALL_EVENTS = [...TRIGGER_EVENTS.map((e) => e.value), 'restore_lead', 'restore_contact', 'add_company', 'delete_company', 'update_company'];

describe('real Kommo bodies through the Kommo Trigger', () => {
	it('the corpus is there (30 bodies)', () => {
		expect(FILES.length).toBeGreaterThanOrEqual(30);
	});

	it.each(FILES)('%s: accepted, one item per entity, fully understood', async (file) => {
		const body = adjusted(readKommoCorpus(file));
		const staticData: IDataObject = {
			'node:Kommo Trigger': { secretDigest: secretDigest(SECRET), accountId: kommo.account.id, accountSubdomain: kommo.account.subdomain },
		};
		const parameters = { events: ALL_EVENTS, targetStatus: 'any' };
		const { result, response } = await callTrigger(kommo, parameters, staticData, { body, query: { secret: SECRET } });
		expect(response.statusCode).toBe(200);
		const items = result.workflowData![0].map((i) => i.json);
		// Only the bodies their collector visibly truncated have a broken key, skipped with a warning.
		const decoded = decodeKommoWebhook(body);
		expect(decoded.ok && decoded.warnings.length > 0).toBe(file.includes('EDITED') && /%5B&|%5B$/.test(body));
		const expected = entitiesOf(body);
		expect(items).toHaveLength(expected.length);
		items.forEach((item, i) => {
			const want = expected[i];
			expect(item.decode_warnings).toBeUndefined();
			expect(item.action).toBe(want.action);
			expect(String(item.id)).toBe(want.id);
			expect(item.id).toBe(Number(want.id));
			if (want.group === 'leads') {
				expect(item).toMatchObject({ entity: 'lead', lead_id: Number(want.id), event: `${want.action}_lead` });
				if (want.status !== undefined) expect(item.status_id).toBe(Number(want.status));
			} else {
				expect(['contact', 'company']).toContain(item.entity);
				expect(item.event).toBe(`${want.action}_${item.entity}`);
			}
			expect((item.account as IDataObject).subdomain).toBe(kommo.account.subdomain);
		});
	});

	it('the 2018 Won body with a bare date field gives the date value and status 142', async () => {
		const file = 'fs6040547942__apfitness_2018_leads_status_bare_date_checkbox.DECODED-BY-AUTHOR.txt';
		const body = adjusted(readKommoCorpus(file));
		const staticData: IDataObject = { 'node:Kommo Trigger': { secretDigest: secretDigest(SECRET), accountId: kommo.account.id, accountSubdomain: 'acme' } };
		const { result } = await callTrigger(kommo, { events: ['status_lead'], targetStatus: 'won' }, staticData, { body, query: { secret: SECRET } });
		const [item] = result.workflowData![0].map((i) => i.json);
		expect(item).toMatchObject({ event: 'status_lead', id: 10701093, status_id: WON_STATUS_ID, price: 22500 });
		expect((item.custom_fields_map as IDataObject)['Дата проведения']).toBe('1542067200');
	});
});

/** `leads[status][0][custom_fields][3][values][0][value]` → `leads[status][N][custom_fields][N][values][N][value]`. */
function keyShape(key: string): string {
	// The entity keys are the same whatever the action (a status body has what an add body has).
	return key
		.replace(/^(leads|contacts)\[\w+\]/, '$1[ACTION]')
		.replace(/\[linked_leads_id\]\[\d+\]/, '[linked_leads_id][ID]')
		.replace(/\[\d+\]/g, '[N]');
}
function valueShape(value: string): string {
	if (value === '') return 'empty';
	if (/^-?\d+$/.test(value)) return 'integer';
	return 'text';
}

describe('the sandbox speaks the corpus dialect', () => {
	const corpus = new Map<string, Set<string>>();
	beforeAll(() => {
		for (const file of FILES) {
			for (const [key, value] of pairs(readKommoCorpus(file))) {
				const shape = keyShape(key);
				if (!corpus.has(shape)) corpus.set(shape, new Set());
				corpus.get(shape)!.add(valueShape(value));
			}
		}
	});

	it('every key the sandbox sends for leads and contacts occurs in real bodies, with a value shape seen there', async () => {
		const lead = kommo.addLead({
			name: 'Corpus check',
			price: 900,
			customFields: { Plan: 'Pro', 'Contract start': 1_700_000_000 },
			contacts: [{ first_name: 'Ann', email: 'ann@x.test', phone: '+15550100' }],
		});
		await kommo.moveLead(lead.id, WON_STATUS_ID, { fire: false });
		const bodies = [
			kommo.webhookBody('status_lead', [lead.id]),
			kommo.webhookBody('add_lead', [lead.id]),
			kommo.webhookBody('update_lead', [lead.id]),
			kommo.webhookBody('delete_lead', [lead.id]),
			kommo.webhookBody('update_contact', [lead.contacts[0].id]),
			kommo.webhookBody('add_contact', [lead.contacts[0].id]),
		];
		const unknown: string[] = [];
		for (const body of bodies) {
			for (const [key, value] of pairs(body)) {
				const shape = keyShape(key);
				const seen = corpus.get(shape);
				// Our own integer-or-text values (names) may be either; an integer key must stay integer.
				if (!seen) unknown.push(`${shape} (not in any real body)`);
				else if (!seen.has(valueShape(value)) && !(seen.has('text') && valueShape(value) === 'integer')) {
					unknown.push(`${shape}=${valueShape(value)} (real bodies: ${[...seen].join('/')})`);
				}
			}
		}
		expect(unknown).toEqual([]);
		// The date field went out bare, as the 2018 capture shows.
		expect(bodies[0]).toMatch(/custom_fields%5D%5B\d+%5D%5Bvalues%5D%5B0%5D=1700000000/);
	});
});
