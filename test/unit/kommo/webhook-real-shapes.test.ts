/**
 * Value shapes real Kommo sends that the first decoder refused with 400
 * (issue 14 item 1; ../shared/reviews/fidelity-kommo-chargebee.md A1, C3, C4):
 * bare date values, nested address / legal-entity values, the contact
 * `linked_leads_id[<id>][ID]` map, subdomain-only accounts, and a note whose
 * key is both a value and a group. Each fixture cites its source.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { knownAccount, sameAccount } from '../../../nodes/Kommo/trigger/verify';
import { decodeKommoWebhook, type KommoWebhookItem } from '../../../nodes/Kommo/trigger/normalize';

const PAYLOADS = join(__dirname, '../../fixtures/kommo-payloads');
const form = (pairs: Array<[string, string]>) => new URLSearchParams(pairs).toString();

function decodeOk(body: string): { items: KommoWebhookItem[]; warnings: string[] } {
	const result = decodeKommoWebhook(body);
	if (!result.ok) throw new Error(`expected success, got: ${result.error}`);
	return result;
}

describe('real value shapes', () => {
	it('a bare date value (2023 status webhook: `[values][0]=1689282000`) is the field value', () => {
		// Shape from fidelity review A1: 'leads[status][0][custom_fields][7][values][0]': '1689282000'.
		const { items, warnings } = decodeOk(
			form([
				['account[subdomain]', 'acme'],
				['account[id]', '29000001'],
				['leads[status][0][id]', '5'],
				['leads[status][0][status_id]', '142'],
				['leads[status][0][custom_fields][0][id]', '77'],
				['leads[status][0][custom_fields][0][name]', 'Дата доступа'],
				['leads[status][0][custom_fields][0][values][0]', '1689282000'],
			]),
		);
		expect(warnings).toEqual([]);
		expect(items[0].custom_fields).toEqual([{ id: 77, name: 'Дата доступа', code: null, values: [{ value: '1689282000' }] }]);
		expect(items[0].custom_fields_map).toEqual({ 'Дата доступа': '1689282000' });
	});

	it('the 2018 capture (bare date plus checkboxes) decodes without warnings', () => {
		const body = readFileSync(join(PAYLOADS, 'fs6040547942__apfitness_2018_leads_status_bare_date_checkbox.DECODED-BY-AUTHOR.txt'), 'utf8');
		const { items, warnings } = decodeOk(body);
		expect(warnings).toEqual([]);
		expect(items[0].custom_fields_map).toMatchObject({ 'Дата проведения': '1542067200', 'Заявка оплачена': '1' });
		expect(items[0].account).toMatchObject({ id: null, subdomain: 'apfitness' });
	});

	it('address / legal-entity values nested under [values][0][value][…] stay objects', () => {
		// Shape per ../shared/API-FACTS.md (Kommo corrections): objects under `[values][0][value][…]`.
		const { items, warnings } = decodeOk(
			form([
				['account[id]', '1'],
				['leads[update][0][id]', '9'],
				['leads[update][0][custom_fields][0][id]', '300'],
				['leads[update][0][custom_fields][0][name]', 'Legal entity'],
				['leads[update][0][custom_fields][0][values][0][value][name]', 'Acme LLC'],
				['leads[update][0][custom_fields][0][values][0][value][vat_id]', '0123456789'],
				['leads[update][0][custom_fields][0][values][0][value][address]', 'Main st 1'],
			]),
		);
		expect(warnings).toEqual([]);
		// Text stays text inside the object (a VAT id with a leading zero is not a number).
		expect(items[0].custom_fields_map).toEqual({ 'Legal entity': { name: 'Acme LLC', vat_id: '0123456789', address: 'Main st 1' } });
	});

	it('contacts carry linked_leads_id[<id>][ID]=<id>: a list of lead ids', () => {
		const body = readFileSync(join(PAYLOADS, 'fs6040547942__apfitness_2018_contacts_update_phone_email_im_linked_leads.body'), 'utf8');
		const { items } = decodeOk(body);
		const linked = items[0].linked_leads_id as number[];
		expect(linked.length).toBe(32);
		expect(linked.every((id) => typeof id === 'number' && id > 0)).toBe(true);
	});

	it('a note key that is both a value and a group (fs 56994332924) keeps both, with a warning', () => {
		const result = decodeOk(
			form([
				['contacts[note][0][note][id]', '1'],
				['contacts[note][0][note][type]', '3'],
				['contacts[note][0][note][type][message_uuid]', 'abc'],
				['account[id]', '1'],
			]),
		);
		expect(result.items[0]).toMatchObject({ entity: 'note', id: 1, type: { _value: '3', message_uuid: 'abc' } });
		expect(result.warnings.join()).toContain('both a value and a group');
	});

	it('an entity field it cannot read is passed on with decode_warnings, not refused', () => {
		const { items } = decodeOk(form([['leads[add][0][id]', 'abc'], ['leads[add][0][custom_fields]', 'x'], ['account[id]', '1']]));
		expect(items[0]).toMatchObject({ id: null, custom_fields_raw: 'x' });
		expect(items[0].decode_warnings).toEqual(['leads[add]: the entity id is not a number', 'leads[add]: custom_fields is not a list; passed on as it came in custom_fields_raw']);
	});
});

describe('account check', () => {
	const known = knownAccount({ accountId: 29000001, accountSubdomain: 'acme', currentUserId: 7 });
	it('compares account[id] when present, else account[subdomain] (older accounts)', () => {
		expect(sameAccount({ id: 29000001, subdomain: 'other' }, known)).toBe(true);
		expect(sameAccount({ id: 1, subdomain: 'acme' }, known)).toBe(false);
		expect(sameAccount({ id: null, subdomain: 'ACME' }, known)).toBe(true);
		expect(sameAccount({ id: null, subdomain: 'evil' }, known)).toBe(false);
	});
	it('never passes when our side does not know the account', () => {
		const unknown = knownAccount({ accountId: null });
		expect(sameAccount({ id: 29000001, subdomain: 'acme' }, unknown)).toBe(false);
		expect(sameAccount({ id: null, subdomain: 'acme' }, unknown)).toBe(false);
	});
});
