/**
 * The Kommo webhook decoder on bodies written the way Kommo sends them
 * (form-urlencoded, v2 nested keys, numbers as strings), independent of the
 * sandbox that generates them elsewhere.
 */
import { parse as parseQueryString } from 'node:querystring';

import { passesFilters, targetStatusIds, type TriggerFilters } from '../../../nodes/Kommo/trigger/filters';
import { decodeKommoWebhook, parseNestedForm, splitKey, type KommoWebhookItem } from '../../../nodes/Kommo/trigger/normalize';

/** Builds a form body from [key, value] pairs, encoded as a browser/PHP client does. */
const form = (pairs: Array<[string, string]>) => new URLSearchParams(pairs).toString();

const ACCOUNT: Array<[string, string]> = [
	['account[subdomain]', 'acme'],
	['account[id]', '29000001'],
	['account[_links][self]', 'https://acme.kommo.com'],
];

// A deal moved to "Closed - won" (142) with a text field, a select field (enum) and a multiselect.
const WON_BODY = form([
	['leads[status][0][id]', '31926520'],
	['leads[status][0][name]', 'Acme Corp — annual'],
	['leads[status][0][status_id]', '142'],
	['leads[status][0][old_status_id]', '10216995'],
	['leads[status][0][price]', '4800'],
	['leads[status][0][responsible_user_id]', '938348'],
	['leads[status][0][last_modified]', '1456820780'],
	['leads[status][0][modified_user_id]', '102525'],
	['leads[status][0][created_user_id]', '102525'],
	['leads[status][0][date_create]', '1456808154'],
	['leads[status][0][pipeline_id]', '2116'],
	['leads[status][0][account_id]', '29000001'],
	['leads[status][0][custom_fields][0][id]', '1119321'],
	['leads[status][0][custom_fields][0][name]', 'Subscription ID'],
	['leads[status][0][custom_fields][0][values][0][value]', '000123'],
	['leads[status][0][custom_fields][1][id]', '1119322'],
	['leads[status][0][custom_fields][1][name]', 'Plan'],
	['leads[status][0][custom_fields][1][values][0][value]', 'Pro'],
	['leads[status][0][custom_fields][1][values][0][enum]', '500002'],
	['leads[status][0][custom_fields][2][id]', '1119323'],
	['leads[status][0][custom_fields][2][name]', 'Add-ons'],
	['leads[status][0][custom_fields][2][values][0][value]', 'SSO'],
	['leads[status][0][custom_fields][2][values][0][enum]', '500101'],
	['leads[status][0][custom_fields][2][values][1][value]', 'Audit log'],
	['leads[status][0][custom_fields][2][values][1][enum]', '500102'],
	['leads[status][0][created_at]', '1456808154'],
	['leads[status][0][updated_at]', '1456820780'],
	...ACCOUNT,
]);

function lead(i: number, id: number, statusId: number, name: string): Array<[string, string]> {
	return [
		[`leads[update][${i}][id]`, String(id)],
		[`leads[update][${i}][name]`, name],
		[`leads[update][${i}][status_id]`, String(statusId)],
		[`leads[update][${i}][price]`, ''],
		[`leads[update][${i}][responsible_user_id]`, '938348'],
		[`leads[update][${i}][pipeline_id]`, '2116'],
	];
}

const CONTACT_BODY = form([
	['contacts[update][0][id]', '6000123'],
	['contacts[update][0][name]', 'Ada Lovelace'],
	['contacts[update][0][first_name]', 'Ada'],
	['contacts[update][0][last_name]', 'Lovelace'],
	['contacts[update][0][responsible_user_id]', '938348'],
	['contacts[update][0][date_create]', '1456808154'],
	['contacts[update][0][last_modified]', '1456820780'],
	['contacts[update][0][custom_fields][0][id]', '66191'],
	['contacts[update][0][custom_fields][0][name]', 'Email'],
	['contacts[update][0][custom_fields][0][code]', 'EMAIL'],
	['contacts[update][0][custom_fields][0][values][0][value]', 'ada@acme.test'],
	['contacts[update][0][custom_fields][0][values][0][enum]', '131141'],
	['contacts[update][0][custom_fields][1][id]', '66192'],
	['contacts[update][0][custom_fields][1][name]', 'Phone'],
	['contacts[update][0][custom_fields][1][code]', 'PHONE'],
	['contacts[update][0][custom_fields][1][values][0][value]', '+1 555 0100'],
	['contacts[update][0][custom_fields][1][values][0][enum]', 'WORK'],
	['contacts[update][0][custom_fields][1][values][1][value]', '+1 555 0199'],
	['contacts[update][0][custom_fields][1][values][1][enum]', 'MOB'],
	['contacts[update][0][linked_leads_id][31926520]', '31926520'],
	['contacts[update][0][type]', 'contact'],
	...ACCOUNT,
]);

function decodeOk(input: unknown): KommoWebhookItem[] {
	const result = decodeKommoWebhook(input);
	if (!result.ok) throw new Error(`expected success, got: ${result.error}`);
	return result.items;
}

function decodeError(input: unknown): string {
	const result = decodeKommoWebhook(input);
	if (result.ok) throw new Error('expected a decoding error');
	return result.error;
}

describe('decodeKommoWebhook', () => {
	it('turns a status change to Won (142) into one clean item', () => {
		const [item] = decodeOk(WON_BODY);
		expect(item).toEqual({
			event: 'status_lead',
			entity: 'lead',
			action: 'status',
			id: 31926520,
			lead_id: 31926520,
			name: 'Acme Corp — annual',
			status_id: 142,
			old_status_id: 10216995,
			price: 4800,
			responsible_user_id: 938348,
			last_modified: 1456820780,
			modified_user_id: 102525,
			created_user_id: 102525,
			date_create: 1456808154,
			pipeline_id: 2116,
			account_id: 29000001,
			created_at: 1456808154,
			updated_at: 1456820780,
			custom_fields: [
				{ id: 1119321, name: 'Subscription ID', code: null, values: [{ value: '000123' }] },
				{ id: 1119322, name: 'Plan', code: null, values: [{ value: 'Pro', enum: 500002 }] },
				{ id: 1119323, name: 'Add-ons', code: null, values: [{ value: 'SSO', enum: 500101 }, { value: 'Audit log', enum: 500102 }] },
			],
			custom_fields_map: { 'Subscription ID': '000123', Plan: 'Pro', 'Add-ons': ['SSO', 'Audit log'] },
			account: { subdomain: 'acme', id: 29000001, _links: { self: 'https://acme.kommo.com' } },
		});
	});

	it('keeps text that looks like a number as text (names, custom field values)', () => {
		const body = form([['leads[add][0][id]', '5'], ['leads[add][0][name]', '2024'], ...ACCOUNT]);
		const [item] = decodeOk(body);
		expect(item.name).toBe('2024');
		expect(item.id).toBe(5);
		const [won] = decodeOk(WON_BODY);
		expect(won.custom_fields_map!['Subscription ID']).toBe('000123');
	});

	it('gives one item per lead for a batch of 3', () => {
		const body = form([...lead(0, 101, 142, 'A'), ...lead(1, 102, 143, 'B'), ...lead(2, 103, 7101, 'C'), ...ACCOUNT]);
		const items = decodeOk(body);
		expect(items.map((i) => [i.event, i.id, i.status_id, i.name])).toEqual([
			['update_lead', 101, 142, 'A'],
			['update_lead', 102, 143, 'B'],
			['update_lead', 103, 7101, 'C'],
		]);
		expect(items.every((i) => i.account.id === 29000001)).toBe(true);
		expect(items[0].price).toBeNull(); // Kommo sends an empty price for "no budget"
	});

	it('orders entities by their index, not by key order, and handles more than 10', () => {
		const pairs: Array<[string, string]> = [];
		for (const i of [10, 2, 0, 1, 11, 3, 4, 5, 6, 7, 8, 9]) pairs.push([`leads[add][${i}][id]`, String(1000 + i)]);
		const items = decodeOk(form([...pairs, ...ACCOUNT]));
		expect(items.map((i) => i.id)).toEqual(Array.from({ length: 12 }, (_, i) => 1000 + i));
	});

	it('decodes a contact update with email/phone values and linked leads', () => {
		const [item] = decodeOk(CONTACT_BODY);
		expect(item).toMatchObject({
			event: 'update_contact',
			entity: 'contact',
			id: 6000123,
			lead_id: null,
			first_name: 'Ada',
			linked_leads_id: [31926520],
			custom_fields_map: { Email: 'ada@acme.test', Phone: ['+1 555 0100', '+1 555 0199'] },
		});
		expect(item.custom_fields![0]).toEqual({ id: 66191, name: 'Email', code: 'EMAIL', values: [{ value: 'ada@acme.test', enum: 131141 }] });
		expect(item.custom_fields![1].values[1]).toEqual({ value: '+1 555 0199', enum: 'MOB' });
	});

	it('decodes a note added to a lead, with the lead id', () => {
		const body = form([
			['leads[note][0][note][id]', '8000001'],
			['leads[note][0][note][text]', 'Called, will pay Friday'],
			['leads[note][0][note][note_type]', '4'],
			['leads[note][0][note][element_id]', '31926520'],
			['leads[note][0][note][element_type]', '2'],
			['leads[note][0][type]', 'lead'],
			...ACCOUNT,
		]);
		const [item] = decodeOk(body);
		expect(item).toMatchObject({ event: 'note_lead', entity: 'note', id: 8000001, lead_id: 31926520, text: 'Called, will pay Friday', note_type: 4, element_type: 2 });
	});

	it("gives the same result for the raw body, n8n's flat parsed form, and a Buffer", () => {
		const fromRaw = decodeOk(WON_BODY);
		expect(decodeOk(parseQueryString(WON_BODY))).toEqual(fromRaw);
		expect(decodeOk(Buffer.from(WON_BODY))).toEqual(fromRaw);
	});

	it("n8n's parsed form stops at 1000 keys, so a big batch must be decoded from the raw body", () => {
		const pairs: Array<[string, string]> = [];
		for (let i = 0; i < 60; i++) {
			pairs.push(...lead(i, 2000 + i, 142, `Deal ${i}`));
			for (let f = 0; f < 6; f++) {
				pairs.push([`leads[update][${i}][custom_fields][${f}][id]`, String(100 + f)]);
				pairs.push([`leads[update][${i}][custom_fields][${f}][values][0][value]`, `v${f}`]);
			}
		}
		const body = form([...pairs, ...ACCOUNT]);
		expect(decodeOk(body)).toHaveLength(60);
		// What n8n's body parser (querystring, maxKeys 1000) leaves: fewer entities, and no account.
		expect(decodeError(parseQueryString(body, undefined, undefined, { maxKeys: 1000 }))).toContain('account');
	});

	it('accepts an already nested JSON body', () => {
		const json = JSON.stringify({ leads: { add: [{ id: '7', name: 'J' }] }, account: { id: '1', subdomain: 'x' } });
		expect(decodeOk(json)[0]).toMatchObject({ event: 'add_lead', id: 7, account: { id: 1, subdomain: 'x' } });
	});

	describe('garbage', () => {
		it.each([
			['an empty body', '', 'The body is empty'],
			['a plain word', 'hello', 'account is missing'],
			['no entities', form(ACCOUNT), 'no entity group'],
			['no account at all', form([['leads[add][0][id]', '1']]), 'account is missing'],
			['an account without id or subdomain', form([['leads[add][0][id]', '1'], ['account[x]', '1']]), 'account[id] and account[subdomain] are both missing'],
			['a non-numeric account id', form([['leads[add][0][id]', '1'], ['account[id]', 'x1']]), 'account[id] is not a number'],
			['index 01 next to 1', form([['leads[add][01][id]', '100'], ['leads[add][1][id]', '200'], ...ACCOUNT]), 'Form index "01" is not a plain list position'],
			['only a malformed key (skipped)', 'leads[add][0[id]=1&account[id]=1&account[subdomain]=a', 'no entity group'],
			['a group that is also a value', 'leads=1&leads[add][0][id]=1&account[id]=1&account[subdomain]=a', 'leads[_value] is not a list of entities'],
			['prototype pollution', '__proto__[polluted]=1&account[id]=1&account[subdomain]=a', 'Forbidden form key "__proto__"'],
			['broken JSON', '{"leads": ', 'does not parse'],
			['entities that are not a list', form([['leads[add]', 'x'], ...ACCOUNT]), 'leads[add] is not a list of entities'],
		])('rejects %s with a clear message', (_label, body, message) => {
			expect(decodeError(body)).toContain(message);
			expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		});

		it('rejects too deep nesting and non-form input types', () => {
			expect(decodeError(`${'a'}${'[x]'.repeat(20)}=1`)).toContain('deeper than');
			expect(decodeError(42)).toContain('not a form');
		});
	});
});

describe('splitKey / parseNestedForm', () => {
	it('splits bracketed keys and appends for []', () => {
		expect(splitKey('leads[status][0][custom_fields][1][values][0][enum]')).toEqual(['leads', 'status', '0', 'custom_fields', '1', 'values', '0', 'enum']);
		expect(parseNestedForm('a[]=x&a[]=y&b[c]=1')).toEqual({ a: ['x', 'y'], b: { c: '1' } });
	});
});

describe('trigger filters', () => {
	const base = (over: Partial<TriggerFilters> = {}): TriggerFilters => ({
		events: ['status_lead'],
		pipelineIds: [],
		targetStatusIds: undefined,
		previousStatusIds: [],
		...over,
	});
	const [won] = decodeOk(WON_BODY);

	it('Won / Lost are named choices mapping to 142 / 143', () => {
		expect(targetStatusIds('won', [])).toEqual([142]);
		expect(targetStatusIds('lost', [])).toEqual([143]);
		expect(targetStatusIds('wonOrLost', [])).toEqual([142, 143]);
		expect(targetStatusIds('specific', ['7101', 7102])).toEqual([7101, 7102]);
		expect(targetStatusIds('specific', [])).toBeUndefined();
		expect(targetStatusIds('any', [1])).toBeUndefined();
	});

	it('filters by event, pipeline, target and previous status', () => {
		expect(passesFilters(won, base())).toBe(true);
		expect(passesFilters(won, base({ events: ['add_lead'] }))).toBe(false);
		expect(passesFilters(won, base({ targetStatusIds: [142] }))).toBe(true);
		expect(passesFilters(won, base({ targetStatusIds: [143] }))).toBe(false);
		expect(passesFilters(won, base({ pipelineIds: [2116] }))).toBe(true);
		expect(passesFilters(won, base({ pipelineIds: [9999] }))).toBe(false);
		expect(passesFilters(won, base({ previousStatusIds: [10216995] }))).toBe(true);
		expect(passesFilters(won, base({ previousStatusIds: [1] }))).toBe(false);
	});

	it('lead filters do not apply to contacts', () => {
		const [contact] = decodeOk(CONTACT_BODY);
		expect(passesFilters(contact, base({ events: ['update_contact'], targetStatusIds: [142], pipelineIds: [1] }))).toBe(true);
	});
});
