/**
 * Catalogs ("lists" in Kommo's interface) and their elements, e.g. products.
 * Source: kommo.com/developers/content/api_v4/lists and the community OpenAPI
 * (/work/shared/specs/kommo-community/hexlet-amocrm-openapi.yaml: Catalog, CatalogElement):
 *  - GET /api/v4/catalogs (paged, ≤ 250), GET /api/v4/catalogs/{id};
 *  - GET /api/v4/catalogs/{id}/elements (paged, `query` full-text, `filter[id]`), GET …/elements/{id};
 *  - at most 10 lists, one of type "products" and one of type "invoices" per account.
 * Elements are what links (./links.ts) attach to leads with `{quantity, catalog_id}`.
 */
import type { SandboxServer } from '../kit';
import { first, hal, now, paged, problem, queryValues } from './wire';

export interface Catalog {
	id: number;
	name: string;
	type: 'regular' | 'invoices' | 'products';
	sort: number;
	created_by: number;
	updated_by: number;
	created_at: number;
	updated_at: number;
	can_add_elements: boolean;
	can_show_in_cards: boolean;
	can_link_multiple: boolean;
	can_be_deleted: boolean;
	sdk_widget_code: string | null;
	account_id: number;
}

export interface CatalogElement {
	id: number;
	catalog_id: number;
	name: string;
	created_by: number;
	updated_by: number;
	created_at: number;
	updated_at: number;
	is_deleted: boolean;
	custom_fields_values: Array<{ field_id: number; field_name: string; field_code: string | null; field_type: string; values: Array<{ value: unknown }> }> | null;
	account_id: number;
}

interface Host extends SandboxServer {
	account: { id: number };
}

export class CatalogStore {
	readonly catalogs: Catalog[] = [];
	readonly elements = new Map<number, CatalogElement>();
	private nextCatalog = 8001;
	private nextElement = 8_100_001;
	private nextField = 900_001;

	constructor(private readonly host: Host) {}

	addCatalog(name: string, type: Catalog['type'] = 'regular'): Catalog {
		// kommo.com/developers/content/api_v4/lists: "no more than 10 lists", one products and one invoices list.
		if (this.catalogs.length >= 10) throw new Error('sandbox: Kommo allows at most 10 lists');
		if (type !== 'regular' && this.catalogs.some((c) => c.type === type)) throw new Error(`sandbox: only one ${type} list`);
		const t = now();
		const catalog: Catalog = {
			id: this.nextCatalog++,
			name,
			type,
			sort: (this.catalogs.length + 1) * 10,
			created_by: 0,
			updated_by: 0,
			created_at: t,
			updated_at: t,
			can_add_elements: type !== 'invoices',
			can_show_in_cards: true,
			can_link_multiple: true,
			can_be_deleted: type === 'regular',
			sdk_widget_code: null,
			account_id: this.host.account.id,
		};
		this.catalogs.push(catalog);
		return catalog;
	}

	/** An element; `sku` and `price` become the SKU / PRICE fields of a products list. */
	addElement(catalogId: number, name: string, fields: { sku?: string; price?: number; [name: string]: unknown } = {}): CatalogElement {
		if (!this.catalogs.some((c) => c.id === catalogId)) throw new Error(`sandbox: no catalog ${catalogId}`);
		const values = Object.entries(fields)
			.filter(([, v]) => v !== undefined)
			.map(([key, value]) => {
				const code = key === 'sku' ? 'SKU' : key === 'price' ? 'PRICE' : null;
				return {
					field_id: this.nextField++,
					field_name: code === 'SKU' ? 'SKU' : code === 'PRICE' ? 'Price' : key,
					field_code: code,
					field_type: code === 'PRICE' ? 'price' : 'text',
					values: [{ value }],
				};
			});
		const t = now();
		const element: CatalogElement = {
			id: this.nextElement++,
			catalog_id: catalogId,
			name,
			created_by: 0,
			updated_by: 0,
			created_at: t,
			updated_at: t,
			is_deleted: false,
			custom_fields_values: values.length ? values : null,
			account_id: this.host.account.id,
		};
		this.elements.set(element.id, element);
		return element;
	}

	private link(path: string) {
		return { self: { href: `${this.host.url}${path}` } };
	}

	renderCatalog(c: Catalog): Record<string, unknown> {
		return { ...c, _links: this.link(`/api/v4/catalogs/${c.id}`) };
	}

	renderElement(e: CatalogElement): Record<string, unknown> {
		return { ...e, invoice_link: null, _links: this.link(`/api/v4/catalogs/${e.catalog_id}/elements/${e.id}`) };
	}

	install(): this {
		const s = this.host;
		s.route('GET', '/api/v4/catalogs', (req, res) =>
			paged(req, res, s.url, 'catalogs', this.catalogs, '/api/v4/catalogs', (c) => this.renderCatalog(c)),
		);
		s.route('GET', '/api/v4/catalogs/:id', (req, res) => {
			const catalog = this.catalogs.find((c) => c.id === Number(req.params.id));
			if (!catalog) return problem(res, 404, 'Not Found', `Catalog ${req.params.id} not found`);
			hal(res, this.renderCatalog(catalog));
		});
		s.route('GET', '/api/v4/catalogs/:id/elements', (req, res) => {
			const catalogId = Number(req.params.id);
			// Unsure what Kommo answers for an unknown list; a 404 is at least as strict as a 204.
			if (!this.catalogs.some((c) => c.id === catalogId)) return problem(res, 404, 'Not Found', `Catalog ${req.params.id} not found`);
			let all = [...this.elements.values()].filter((e) => e.catalog_id === catalogId && !e.is_deleted);
			const ids = queryValues(req.query, 'filter[id]');
			if (ids) all = all.filter((e) => ids.includes(String(e.id)));
			const query = (first(req.query.query) ?? '').trim().toLowerCase();
			if (query) {
				all = all.filter((e) =>
					[e.name, String(e.id), ...(e.custom_fields_values ?? []).flatMap((f) => f.values.map((v) => String(v.value)))].some((t) =>
						t.toLowerCase().includes(query),
					),
				);
			}
			paged(req, res, s.url, 'elements', all, `/api/v4/catalogs/${catalogId}/elements`, (e) => this.renderElement(e));
		});
		s.route('GET', '/api/v4/catalogs/:id/elements/:elementId', (req, res) => {
			const element = this.elements.get(Number(req.params.elementId));
			if (!element || element.catalog_id !== Number(req.params.id) || element.is_deleted) return void res.empty(204);
			hal(res, this.renderElement(element));
		});
		return this;
	}
}
