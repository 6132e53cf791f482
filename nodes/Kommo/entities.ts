/**
 * Reading leads and contacts and shaping them for workflow use: a lead with
 * its main contact flattened (name, first/last name, email, phone), all its
 * contacts, and its custom fields as a {name: value} map. Several leads are
 * fetched in one request per 50 ids, their contacts in one more.
 */
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RequestContext } from '../shared/http';
import { customFieldsMap, multitextValues } from './custom-field-read';
import type { KommoFieldValue } from './custom-fields';
import { chunk, kommoApiRequest } from './transport';

const ID_CHUNK = 50;

export type KommoEntityName = 'lead' | 'contact' | 'company';

/** The API path segment of an entity ('company' → 'companies'), also the one in its Kommo URL. */
export const PLURAL: Record<KommoEntityName, 'leads' | 'contacts' | 'companies'> = { lead: 'leads', contact: 'contacts', company: 'companies' };

/** The entity Kommo created, from its answer to `POST /api/v4/<plural>` (`_embedded.<plural>[0]`); an error when it has no id. */
export function createdEntity(response: IDataObject | undefined, what: KommoEntityName, node: INode, itemIndex: number): IDataObject {
	const created = ((response?._embedded as IDataObject | undefined)?.[PLURAL[what]] as IDataObject[] | undefined)?.[0];
	if (!created?.id) {
		throw new NodeOperationError(node, `Kommo accepted the ${what} but returned no ID`, {
			itemIndex,
			description: `Check in Kommo whether the ${what} was created before running again.`,
		});
	}
	return created;
}

/** A positive integer id from a parameter value (number, "123", or a Kommo URL). */
export function parseEntityId(raw: unknown, what: KommoEntityName, node: INode, itemIndex?: number): number {
	const value = typeof raw === 'object' && raw !== null && 'value' in (raw as IDataObject) ? (raw as IDataObject).value : raw;
	const textValue = String(value ?? '').trim();
	const fromUrl = new RegExp(`/${PLURAL[what]}/detail/(\\d+)`).exec(textValue);
	const candidate = fromUrl ? fromUrl[1] : textValue;
	if (/^\d+$/.test(candidate) && Number(candidate) > 0 && Number.isSafeInteger(Number(candidate))) return Number(candidate);
	throw new NodeOperationError(
		node,
		textValue === '' ? `The ${what} ID is empty` : `"${textValue}" is not a Kommo ${what} ID`,
		{
			itemIndex,
			description: `Use the number from the ${what}'s address in Kommo (…/${PLURAL[what]}/detail/12345 → 12345), or map it from a previous node, e.g. {{ $json.lead_id }}.`,
		},
	);
}

/** The `leadId` / `contactId` resource-locator parameter of item i as a number. */
export function entityIdParameter(
	ctx: IExecuteFunctions,
	name: string,
	what: KommoEntityName,
	itemIndex: number,
): number {
	const raw = ctx.getNodeParameter(name, itemIndex, undefined, { extractValue: true });
	return parseEntityId(raw, what, ctx.getNode(), itemIndex);
}

/** A contact reduced to what workflows need, plus its custom fields map. */
export function flattenContact(contact: IDataObject, isMain: boolean): IDataObject {
	const values = contact.custom_fields_values as KommoFieldValue[] | null | undefined;
	const emails = multitextValues(values, 'EMAIL');
	const phones = multitextValues(values, 'PHONE');
	return {
		id: contact.id,
		name: contact.name ?? null,
		first_name: contact.first_name ?? null,
		last_name: contact.last_name ?? null,
		email: emails[0] ?? null,
		phone: phones[0] ?? null,
		emails,
		phones,
		is_main: isMain,
		responsible_user_id: contact.responsible_user_id ?? null,
		custom_fields_map: customFieldsMap(values),
	};
}

/** Kommo contact response → node output (the API object plus the flattened fields). */
export function shapeContact(contact: IDataObject): IDataObject {
	const { _links, ...rest } = contact;
	void _links;
	const flat = flattenContact(contact, false);
	return {
		...rest,
		email: flat.email,
		phone: flat.phone,
		emails: flat.emails,
		phones: flat.phones,
		custom_fields_map: flat.custom_fields_map,
	};
}

/**
 * Kommo lead → node output: the lead, `custom_fields_map`, and when contacts
 * were resolved `contact` (the main one, or the first) and `contacts`.
 */
export function shapeLead(lead: IDataObject, contactsById?: Map<number, IDataObject>): IDataObject {
	const { _links, _embedded, ...rest } = lead;
	void _links;
	const embedded = (_embedded ?? {}) as IDataObject;
	const links = (Array.isArray(embedded.contacts) ? embedded.contacts : []) as IDataObject[];
	const out: IDataObject = {
		...rest,
		custom_fields_map: customFieldsMap(lead.custom_fields_values as KommoFieldValue[] | null),
		tags: ((embedded.tags ?? []) as IDataObject[]).map((t) => t.name),
		contact_ids: links.map((c) => Number(c.id)),
	};
	if (contactsById) {
		const contacts = links
			.map((link) => {
				const full = contactsById.get(Number(link.id));
				return full ? flattenContact(full, link.is_main === true) : undefined;
			})
			.filter((c): c is IDataObject => c !== undefined);
		contacts.sort((a, b) => Number(b.is_main) - Number(a.is_main));
		out.contact = contacts.find((c) => c.is_main) ?? contacts[0] ?? null;
		out.contacts = contacts;
	}
	return out;
}

/** Leads by id (with their contact links); unknown ids are simply absent from the map. */
export async function fetchLeads(this: RequestContext, ids: number[], withContacts = true): Promise<Map<number, IDataObject>> {
	const unique = [...new Set(ids)];
	const out = new Map<number, IDataObject>();
	if (unique.length === 1) {
		const lead = await kommoApiRequest.call(this, 'GET', `/api/v4/leads/${unique[0]}`, {
			query: withContacts ? { with: 'contacts' } : {},
		});
		if (lead && !lead.is_deleted) out.set(Number(lead.id), lead);
		return out;
	}
	for (const part of chunk(unique, ID_CHUNK)) {
		const response = await kommoApiRequest.call(this, 'GET', '/api/v4/leads', {
			query: { 'filter[id][]': part, limit: 250, ...(withContacts ? { with: 'contacts' } : {}) },
		});
		for (const lead of ((response?._embedded as IDataObject | undefined)?.leads ?? []) as IDataObject[]) {
			out.set(Number(lead.id), lead);
		}
	}
	return out;
}

/** Contacts by id, one request per 50 ids. */
export async function fetchContacts(this: RequestContext, ids: number[]): Promise<Map<number, IDataObject>> {
	const unique = [...new Set(ids)];
	const out = new Map<number, IDataObject>();
	if (unique.length === 1) {
		const contact = await kommoApiRequest.call(this, 'GET', `/api/v4/contacts/${unique[0]}`);
		if (contact) out.set(Number(contact.id), contact);
		return out;
	}
	for (const part of chunk(unique, ID_CHUNK)) {
		const response = await kommoApiRequest.call(this, 'GET', '/api/v4/contacts', {
			query: { 'filter[id][]': part, limit: 250 },
		});
		for (const contact of ((response?._embedded as IDataObject | undefined)?.contacts ?? []) as IDataObject[]) {
			out.set(Number(contact.id), contact);
		}
	}
	return out;
}

/** The contact ids linked to these leads. */
export function contactIdsOf(leads: Iterable<IDataObject>): number[] {
	const ids: number[] = [];
	for (const lead of leads) {
		const links = ((lead._embedded as IDataObject | undefined)?.contacts ?? []) as IDataObject[];
		for (const link of links) ids.push(Number(link.id));
	}
	return ids;
}

/** Leads shaped for output, their contacts resolved in as few requests as possible. */
export async function getShapedLeads(
	this: RequestContext,
	ids: number[],
	includeContacts: boolean,
): Promise<Map<number, IDataObject>> {
	const leads = await fetchLeads.call(this, ids, true);
	const contacts = includeContacts ? await fetchContacts.call(this, contactIdsOf(leads.values())) : undefined;
	const out = new Map<number, IDataObject>();
	for (const [id, lead] of leads) out.set(id, shapeLead(lead, contacts));
	return out;
}
