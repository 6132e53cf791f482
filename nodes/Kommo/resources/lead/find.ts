/**
 * Lead → Find: by ID, by Kommo's full-text query narrowed to an exact match on
 * a chosen field, or by a contact's email/phone (exact) and that contact's
 * leads. Kommo's `query` is full-text over filled fields; filtering by a
 * custom field value is not available on most accounts, hence the exact
 * match done here on the candidates. One output item per lead found; none
 * when nothing matches (enable "Always Output Data" to continue anyway).
 * Several matches can be ranked: leads whose chosen field equals a value
 * first, then the most recently updated (e.g. a contact's current deal
 * before an old one).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { emailProperty, optionsCollection } from '../../../shared/descriptions';
import { customFieldsMap, multitextValues } from '../../custom-field-read';
import { resolveField, withFieldDefinitions, type KommoFieldValue } from '../../custom-fields';
import { getShapedLeads, parseEntityId } from '../../entities';
import { kommoGetAll } from '../../transport';
import { runPerItem, show } from '../common';
import { simplifyLead, simplifyParameter } from '../simplify';

const display = show('lead', 'find');

export const description: INodeProperties[] = [
	{
		displayName: 'Find By',
		name: 'findBy',
		type: 'options',
		noDataExpression: true,
		displayOptions: display,
		options: [
			{ name: 'Contact Email', value: 'contactEmail', description: 'Leads of the contact with exactly this email' },
			{ name: 'Contact Phone', value: 'contactPhone', description: 'Leads of the contact with this phone number (digits compared)' },
			{ name: 'ID', value: 'id', description: 'The lead with this ID (none if it does not exist)' },
			{ name: 'Search Text', value: 'query', description: "Kommo's full-text search, optionally narrowed to an exact match on one field" },
		],
		default: 'query',
	},
	{
		displayName: 'Lead ID',
		name: 'id',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 12345',
		displayOptions: show('lead', 'find', { findBy: ['id'] }),
	},
	{
		displayName: 'Search Text',
		name: 'query',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. sub_01h8… or Acme Corp',
		displayOptions: show('lead', 'find', { findBy: ['query'] }),
		description: "Text Kommo's search looks for in the leads' filled fields",
	},
	{
		displayName: 'Exact Match On',
		name: 'exactMatch',
		type: 'options',
		displayOptions: show('lead', 'find', { findBy: ['query'] }),
		options: [
			{ name: 'Nothing (Any Search Hit)', value: 'none' },
			{ name: 'Lead Name', value: 'name' },
			{ name: 'A Custom Field', value: 'customField' },
		],
		default: 'customField',
		description: 'Keep only leads whose chosen field equals the search text (case and surrounding spaces ignored)',
	},
	{
		displayName: 'Field Name or ID',
		name: 'matchField',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getLeadCustomFields' },
		default: '',
		required: true,
		displayOptions: show('lead', 'find', { findBy: ['query'], exactMatch: ['customField'] }),
		description:
			'The lead field that must equal the search text (its name works too). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	emailProperty({ required: true, displayOptions: show('lead', 'find', { findBy: ['contactEmail'] }) }),
	{
		displayName: 'Phone',
		name: 'phone',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+1 555 0100',
		displayOptions: show('lead', 'find', { findBy: ['contactPhone'] }),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 250 },
		default: 50,
		displayOptions: display,
		description: 'Max number of results to return',
	},
	{
		displayName: 'Include Contacts',
		name: 'includeContacts',
		type: 'boolean',
		default: true,
		displayOptions: display,
		description: "Whether to read each lead's contacts too (name, email, phone)",
	},
	optionsCollection(
		[
			{
				displayName: 'Prefer Leads Where Field Name or ID',
				name: 'preferField',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getLeadCustomFields' },
				default: '',
				description:
					'When several leads match (e.g. a contact with an old and a current deal): leads whose field equals "Prefer Value" come first, then the most recently updated. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Output an Empty Item When Nothing Is Found',
				name: 'emptyItemIfNone',
				type: 'boolean',
				default: false,
				description:
					'Whether an input item whose search finds no lead gives one empty item, so the workflow can branch on "found or not". Unlike the node setting "Always Output Data", it works per item and never hides an error sent to the error output.',
			},
			{
				displayName: 'Prefer Value',
				name: 'preferValue',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $json.normalized.customerId }}',
				description: 'Value the preferred leads have in that field (case and surrounding spaces ignored); empty: only newest first',
			},
		],
		display,
	),
	// Since node version 1.1: version 1 workflows keep the full output.
	simplifyParameter(display, 1.1),
];

export const norm = (v: unknown) => String(v ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
export const digits = (v: unknown) => String(v ?? '').replace(/\D/g, '');

export function phoneMatches(a: string, b: string): boolean {
	const x = digits(a);
	const y = digits(b);
	if (x === '' || y === '') return false;
	if (x === y) return true;
	const [short, long] = x.length < y.length ? [x, y] : [y, x];
	return short.length >= 7 && long.endsWith(short);
}

/**
 * Kommo's full-text `query=` can match more than one page (250) of entities, e.g. a phone suffix
 * or a common word: pages are read until the last one, or until this many hits (10 pages, 10
 * requests at most; Kommo warns against "uncontrolled iteration through all data"). Documented
 * in docs/kommo.md.
 */
export const FIND_SCAN_CAP = 2500;

async function leadIdsOfContacts(ctx: IExecuteFunctions, query: string, match: (contact: IDataObject) => boolean, itemIndex: number): Promise<number[]> {
	const contacts = await kommoGetAll.call(ctx, '/api/v4/contacts', 'contacts', { query, with: 'leads' }, FIND_SCAN_CAP);
	void itemIndex;
	const ids: number[] = [];
	for (const contact of contacts.filter(match)) {
		for (const lead of ((contact._embedded as IDataObject | undefined)?.leads ?? []) as IDataObject[]) ids.push(Number(lead.id));
	}
	return [...new Set(ids)];
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, async (i) => {
		const found = await findLeads.call(this, i);
		return this.getNodeParameter('simplify', i, false) ? found.map((lead) => (Object.keys(lead).length ? simplifyLead(lead) : lead)) : found;
	});
}

async function findLeads(this: IExecuteFunctions, i: number): Promise<IDataObject[]> {
	const findBy = this.getNodeParameter('findBy', i) as string;
	const limit = this.getNodeParameter('limit', i, 50) as number;
	const includeContacts = this.getNodeParameter('includeContacts', i, true) as boolean;
	let ids: number[] = [];

	if (findBy === 'id') {
		ids = [parseEntityId(this.getNodeParameter('id', i), 'lead', this.getNode(), i)];
	} else if (findBy === 'contactEmail') {
		const email = String(this.getNodeParameter('email', i) ?? '').trim();
		if (!email.includes('@')) {
			throw new NodeOperationError(this.getNode(), `"${email}" is not an email address`, { itemIndex: i });
		}
		ids = await leadIdsOfContacts(this, email, (c) =>
			multitextValues(c.custom_fields_values as KommoFieldValue[], 'EMAIL').some((e) => norm(e) === norm(email)), i);
	} else if (findBy === 'contactPhone') {
		const phone = String(this.getNodeParameter('phone', i) ?? '').trim();
		if (digits(phone).length < 5) {
			throw new NodeOperationError(this.getNode(), `"${phone}" is not a phone number`, { itemIndex: i });
		}
		ids = await leadIdsOfContacts(this, digits(phone).slice(-7), (c) =>
			multitextValues(c.custom_fields_values as KommoFieldValue[], 'PHONE').some((p) => phoneMatches(p, phone)), i);
	} else {
		const query = String(this.getNodeParameter('query', i) ?? '').trim();
		if (query === '') throw new NodeOperationError(this.getNode(), 'The search text is empty', { itemIndex: i });
		const exactMatch = this.getNodeParameter('exactMatch', i, 'none') as string;
		let fieldName: string | undefined;
		if (exactMatch === 'customField') {
			const matchField = this.getNodeParameter('matchField', i) as string;
			fieldName = (await withFieldDefinitions(this, 'leads', (defs) => resolveField(defs, matchField, 'leads', this.getNode(), i))).name;
		}
		const candidates = await kommoGetAll.call(this, '/api/v4/leads', 'leads', { query }, FIND_SCAN_CAP);
		const matches = candidates.filter((lead) => {
			if (exactMatch === 'name') return norm(lead.name) === norm(query);
			if (exactMatch === 'customField') {
				const value = customFieldsMap(lead.custom_fields_values as KommoFieldValue[])[fieldName as string];
				return Array.isArray(value) ? value.some((v) => norm(v) === norm(query)) : norm(value) === norm(query);
			}
			return true;
		});
		ids = matches.map((l) => Number(l.id));
	}

	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	if (ids.length === 0) return options.emptyItemIfNone === true ? [{}] : [];
	const preferField = String(options.preferField ?? '').trim();
	if (preferField === '' || ids.length <= 1) {
		ids = ids.slice(0, limit);
		if (ids.length === 0) return [];
		const leads = await getShapedLeads.call(this, ids, includeContacts);
		return ids.map((id) => leads.get(id)).filter((l): l is IDataObject => l !== undefined);
	}
	// Rank every candidate (at most 250), then keep the best `limit`.
	const fieldName = (await withFieldDefinitions(this, 'leads', (defs) => resolveField(defs, preferField, 'leads', this.getNode(), i))).name;
	const wanted = norm(options.preferValue);
	const leads = await getShapedLeads.call(this, ids.slice(0, 250), includeContacts);
	const matches = (lead: IDataObject) => {
		if (wanted === '') return false;
		const value = (lead.custom_fields_map as IDataObject | undefined)?.[fieldName];
		return Array.isArray(value) ? value.some((v) => norm(v) === wanted) : norm(value) === wanted;
	};
	return [...leads.values()]
		.map((lead) => ({ lead, preferred: matches(lead), updated: Number(lead.updated_at ?? 0) }))
		.sort((a, b) => Number(b.preferred) - Number(a.preferred) || b.updated - a.updated || Number(b.lead.id) - Number(a.lead.id))
		.slice(0, limit)
		.map((entry) => entry.lead);
}
