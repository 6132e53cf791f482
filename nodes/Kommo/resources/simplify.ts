/**
 * "Simplify" for the Kommo get and get-many operations: at most 10 flat fields per entity, the
 * ones workflows and AI agents use most (listed per resource in docs/kommo.md). Off, the node
 * returns Kommo's entity with the node's extras (custom_fields_map, flattened email/phone, …).
 */
import type { IDataObject } from 'n8n-workflow';

import { customFieldsMap, multitextValues } from '../custom-field-read';
import type { KommoFieldValue } from '../custom-fields';

export { simplifyParameter } from '../../shared/simplify';

const tagNames = (entity: IDataObject): string[] => {
	if (Array.isArray(entity.tags)) return (entity.tags as unknown[]).map((t) => (typeof t === 'object' && t !== null ? String((t as IDataObject).name) : String(t)));
	const embedded = (entity._embedded as IDataObject | undefined)?.tags;
	return Array.isArray(embedded) ? (embedded as IDataObject[]).map((t) => String(t.name)) : [];
};

/** A lead as shaped by entities.ts (shapeLead) → 10 fields. */
export function simplifyLead(lead: IDataObject): IDataObject {
	const contact = lead.contact as IDataObject | null | undefined;
	return {
		id: lead.id,
		name: lead.name ?? null,
		price: lead.price ?? null,
		status_id: lead.status_id ?? null,
		pipeline_id: lead.pipeline_id ?? null,
		responsible_user_id: lead.responsible_user_id ?? null,
		updated_at: lead.updated_at ?? null,
		tags: tagNames(lead),
		custom_fields_map: lead.custom_fields_map ?? {},
		// The main contact when it was read (Include Contacts), else the linked contact ids.
		...(contact !== undefined
			? { contact: contact ? { id: contact.id, name: contact.name, email: contact.email, phone: contact.phone } : null }
			: { contact_ids: lead.contact_ids ?? [] }),
	};
}

/** A Kommo contact (raw or shaped) → 10 fields. */
export function simplifyContact(contact: IDataObject): IDataObject {
	const values = contact.custom_fields_values as KommoFieldValue[] | null | undefined;
	return {
		id: contact.id,
		name: contact.name ?? null,
		first_name: contact.first_name ?? null,
		last_name: contact.last_name ?? null,
		email: multitextValues(values, 'EMAIL')[0] ?? null,
		phone: multitextValues(values, 'PHONE')[0] ?? null,
		responsible_user_id: contact.responsible_user_id ?? null,
		updated_at: contact.updated_at ?? null,
		tags: tagNames(contact),
		custom_fields_map: customFieldsMap(values),
	};
}

/** A Kommo company → the API object without `_links`, tags as names, custom fields as a map. */
export function shapeCompany(company: IDataObject): IDataObject {
	const { _links, _embedded, ...rest } = company;
	void _links;
	const values = company.custom_fields_values as KommoFieldValue[] | null | undefined;
	const embedded = (_embedded ?? {}) as IDataObject;
	return {
		...rest,
		tags: tagNames(company),
		email: multitextValues(values, 'EMAIL')[0] ?? null,
		phone: multitextValues(values, 'PHONE')[0] ?? null,
		custom_fields_map: customFieldsMap(values),
		...(Array.isArray(embedded.contacts) ? { contact_ids: (embedded.contacts as IDataObject[]).map((c) => Number(c.id)) } : {}),
		...(Array.isArray(embedded.leads) ? { lead_ids: (embedded.leads as IDataObject[]).map((l) => Number(l.id)) } : {}),
	};
}

/** A Kommo company → 10 fields. */
export function simplifyCompany(company: IDataObject): IDataObject {
	const values = company.custom_fields_values as KommoFieldValue[] | null | undefined;
	const web = values?.find((v) => v.field_code === 'WEB')?.values?.[0]?.value;
	return {
		id: company.id,
		name: company.name ?? null,
		email: multitextValues(values, 'EMAIL')[0] ?? null,
		phone: multitextValues(values, 'PHONE')[0] ?? null,
		web: web === undefined ? null : String(web),
		responsible_user_id: company.responsible_user_id ?? null,
		created_at: company.created_at ?? null,
		updated_at: company.updated_at ?? null,
		tags: tagNames(company),
		custom_fields_map: customFieldsMap(values),
	};
}
