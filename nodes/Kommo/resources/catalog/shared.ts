/**
 * What the catalog operations share: the catalog search of the locator, Simplify, and the simplified shapes.
 * Kommo calls catalogs "lists" in its interface: a products list (type "products"), an invoices
 * list and regular lists (kommo.com/developers/content/api_v4/lists).
 */
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { kommoGetAll } from '../../transport';


/** A catalog in at most 7 fields. */
export function simplifyCatalog(c: IDataObject): IDataObject {
	return {
		id: c.id,
		name: c.name ?? null,
		type: c.type ?? null,
		sort: c.sort ?? null,
		can_link_multiple: c.can_link_multiple ?? null,
		created_at: c.created_at ?? null,
		updated_at: c.updated_at ?? null,
	};
}

interface FieldValue {
	field_name?: string;
	field_code?: string | null;
	values?: Array<{ value?: unknown }>;
}

function firstValue(values: FieldValue[], code: string): IDataObject[keyof IDataObject] {
	return (values.find((v) => v.field_code === code)?.values?.[0]?.value ?? null) as IDataObject[keyof IDataObject];
}

/**
 * A catalog element in at most 9 fields: the product's SKU and price (field codes SKU and PRICE
 * of Kommo's products list), its custom fields by name, and the quantity when it came linked to
 * a record.
 */
export function simplifyElement(e: IDataObject, quantity?: unknown): IDataObject {
	const values = ((e.custom_fields_values ?? []) as FieldValue[]) ?? [];
	const fields: IDataObject = {};
	for (const v of values) {
		const list = (v.values ?? []).map((x) => x.value);
		fields[String(v.field_name ?? v.field_code ?? '')] = (list.length === 1 ? list[0] : list) as IDataObject[keyof IDataObject];
	}
	return {
		id: e.id,
		catalog_id: e.catalog_id ?? null,
		name: e.name ?? null,
		sku: firstValue(values, 'SKU'),
		price: firstValue(values, 'PRICE'),
		fields,
		...(quantity !== undefined ? { quantity } : {}),
		created_at: e.created_at ?? null,
		updated_at: e.updated_at ?? null,
	};
}

/** Raw output without HAL links. */
export function withoutLinks(o: IDataObject): IDataObject {
	const { _links, ...rest } = o;
	void _links;
	return rest;
}

export const catalogSearch = {
	async searchCatalogs(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const catalogs = await kommoGetAll.call(this, '/api/v4/catalogs', 'catalogs');
		const wanted = (filter ?? '').trim().toLowerCase();
		return {
			results: catalogs
				.filter((c) => wanted === '' || `${String(c.name)} ${String(c.id)}`.toLowerCase().includes(wanted))
				.map((c) => ({ name: `${String(c.name ?? c.id)}${c.type ? ` (${String(c.type)})` : ''}`, value: String(c.id) })),
		};
	},
};
