// Simplify keeps at most 10 flat fields per Kommo record; tag lists by name are cleaned up.
import { shapeLead } from '../../../nodes/Kommo/entities';
import { shapeCompany, simplifyCompany, simplifyContact, simplifyLead } from '../../../nodes/Kommo/resources/simplify';
import { tagRefs } from '../../../nodes/Kommo/resources/write';

const email = { field_id: 2, field_code: 'EMAIL', field_name: 'Email', field_type: 'multitext', values: [{ value: 'a@b.test', enum_code: 'WORK' }] };
const phone = { field_id: 1, field_code: 'PHONE', field_name: 'Phone', field_type: 'multitext', values: [{ value: '+1 555 0100', enum_code: 'WORK' }] };

describe('simplify', () => {
	it('a lead: 10 fields, tags as names, the linked contact ids when contacts were not read', () => {
		const lead = shapeLead({
			id: 7, name: 'Deal', price: 10, status_id: 1, pipeline_id: 2, responsible_user_id: 3, group_id: 0, created_by: 3, updated_by: 3,
			created_at: 1, updated_at: 2, closed_at: null, custom_fields_values: null, account_id: 9,
			_embedded: { tags: [{ id: 1, name: 'vip' }], contacts: [{ id: 11, is_main: true }] },
		});
		const out = simplifyLead(lead);
		expect(Object.keys(out)).toHaveLength(10);
		expect(out).toMatchObject({ id: 7, tags: ['vip'], contact_ids: [11], custom_fields_map: {} });
	});

	it('a contact: first email and phone, custom field map', () => {
		const out = simplifyContact({ id: 5, name: 'Ada', first_name: 'Ada', last_name: 'L', custom_fields_values: [phone, email], _embedded: { tags: [] }, is_unsorted: false, account_id: 1 });
		expect(Object.keys(out)).toHaveLength(10);
		expect(out).toMatchObject({ email: 'a@b.test', phone: '+1 555 0100', tags: [] });
	});

	it('a company: web from the WEB field; shapeCompany keeps the API fields and linked ids', () => {
		const company = {
			id: 3, name: 'Acme', responsible_user_id: 1, created_at: 1, updated_at: 2, account_id: 9, group_id: 0,
			custom_fields_values: [email, { field_id: 3, field_code: 'WEB', values: [{ value: 'https://acme.test' }] }],
			_links: { self: { href: 'x' } },
			_embedded: { tags: [{ id: 1, name: 'partner' }], contacts: [{ id: 4 }], leads: [{ id: 8 }] },
		};
		const simple = simplifyCompany(company);
		expect(Object.keys(simple)).toHaveLength(10);
		expect(simple).toMatchObject({ web: 'https://acme.test', email: 'a@b.test', phone: null, tags: ['partner'] });
		const full = shapeCompany(company);
		expect(full).toMatchObject({ account_id: 9, contact_ids: [4], lead_ids: [8], tags: ['partner'] });
		expect(full).not.toHaveProperty('_links');
	});
});

describe('tagRefs', () => {
	it('splits on commas, trims, drops empties and case-insensitive repeats', () => {
		expect(tagRefs(' vip, Billing ,,vip, billing ')).toEqual([{ name: 'vip' }, { name: 'billing' }]);
		expect(tagRefs(['a', ' b '])).toEqual([{ name: 'a' }, { name: 'b' }]);
		expect(tagRefs(undefined)).toEqual([]);
	});
});
