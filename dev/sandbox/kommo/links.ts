/**
 * Links between entities. Sources: kommo.com/developers/content/api_v4/links-between-entities,
 * developers.kommo.com/reference/linking-entities and the community OpenAPI
 * (EntityLinkItem, EntityLinkType):
 *  - POST /api/v4/{leads|contacts|companies|customers}/link and …/unlink take an array of
 *    `{entity_id, to_entity_id, to_entity_type, metadata?}`; link answers the links it made
 *    (`_embedded.links`), unlink answers 204 (the official PHP SDK treats No Content as success);
 *  - what may be linked: leads → contacts, companies, catalog elements; contacts → companies,
 *    customers, catalog elements; companies → contacts, leads, customers, catalog elements;
 *    customers → contacts, companies, catalog elements;
 *  - a catalog element carries metadata `{quantity (int), catalog_id}`; a contact `{main_contact}`;
 *  - GET /api/v4/{entity_type}/{id}/links lists them (filter[to_entity_type] with
 *    filter[to_entity_id], or filter[to_catalog_id]).
 * Lead ↔ contact links live in the lead's own contact list (index.ts), so Lead → Get sees them.
 * Unsure what Kommo answers for unlinking a link that does not exist: this sandbox refuses it
 * (400), which is at least as strict.
 */
import type { SandboxRequest, SandboxResponse, SandboxServer } from '../kit';
import type { CatalogStore } from './catalogs';
import { first, hal, validationAnswer, type FieldError } from './wire';

const ENTITY_TYPES = ['leads', 'contacts', 'companies', 'customers'] as const;

export const LINKABLE: Record<string, string[]> = {
	leads: ['contacts', 'companies', 'catalog_elements'],
	contacts: ['companies', 'customers', 'catalog_elements'],
	companies: ['contacts', 'leads', 'customers', 'catalog_elements'],
	customers: ['contacts', 'companies', 'catalog_elements'],
};

export interface EntityLink {
	entity_id: number;
	entity_type: string;
	to_entity_id: number;
	to_entity_type: string;
	metadata: Record<string, unknown> | null;
}

interface Host extends SandboxServer {
	leads: Map<number, { is_deleted: boolean; contacts: Array<{ id: number; is_main: boolean }> }>;
	contacts: Map<number, { is_deleted: boolean }>;
	catalogs: CatalogStore;
}

export class LinkStore {
	/** Every link except lead ↔ contact (kept on the lead). */
	readonly links: EntityLink[] = [];

	constructor(private readonly host: Host) {}

	private exists(type: string, id: number): boolean {
		if (type === 'leads') return this.host.leads.get(id)?.is_deleted === false;
		if (type === 'contacts') return this.host.contacts.get(id)?.is_deleted === false;
		if (type === 'catalog_elements') return this.host.catalogs.elements.get(id)?.is_deleted === false;
		// Companies and customers, when another part of the sandbox keeps them as a Map under that name.
		const store = (this.host as unknown as Record<string, unknown>)[type];
		return store instanceof Map && store.has(id);
	}

	/** The links of one entity, lead ↔ contact ones included. */
	linksOf(entityType: string, entityId: number): EntityLink[] {
		const out: EntityLink[] = [];
		if (entityType === 'leads') {
			for (const c of this.host.leads.get(entityId)?.contacts ?? []) {
				out.push({ entity_id: entityId, entity_type: 'leads', to_entity_id: c.id, to_entity_type: 'contacts', metadata: { main_contact: c.is_main } });
			}
		}
		out.push(...this.links.filter((l) => l.entity_type === entityType && l.entity_id === entityId));
		return out;
	}

	private check(entityType: string, body: unknown, res: SandboxResponse): Array<Record<string, unknown>> | undefined {
		if (!Array.isArray(body) || body.length === 0) {
			validationAnswer(res, [{ request_id: '0', errors: [{ code: 'NotBlank', path: '', detail: 'Expected a non-empty array of links' }] }]);
			return undefined;
		}
		if (body.length > 250) {
			validationAnswer(res, [{ request_id: '0', errors: [{ code: 'TooMany', path: '', detail: 'At most 250 entities per request' }] }]);
			return undefined;
		}
		const errors: Array<{ request_id: string; errors: FieldError[] }> = [];
		body.forEach((item: Record<string, unknown>, i) => {
			const errs: FieldError[] = [];
			const entityId = Number(item?.entity_id);
			const toId = Number(item?.to_entity_id);
			const toType = String(item?.to_entity_type ?? '');
			if (!Number.isInteger(item?.entity_id)) errs.push({ code: 'InvalidType', path: 'entity_id', detail: 'This value should be of type int.' });
			else if (!this.exists(entityType, entityId)) errs.push({ code: 'NotFound', path: 'entity_id', detail: `Entity ${entityId} not found` });
			if (!Number.isInteger(item?.to_entity_id)) errs.push({ code: 'InvalidType', path: 'to_entity_id', detail: 'This value should be of type int.' });
			if (!LINKABLE[entityType].includes(toType)) {
				errs.push({ code: 'NotSupportedChoice', path: 'to_entity_type', detail: 'The value you selected is not a valid choice.' });
			} else if (Number.isInteger(item?.to_entity_id) && !this.exists(toType, toId)) {
				errs.push({ code: 'NotFound', path: 'to_entity_id', detail: `Entity ${toId} not found` });
			}
			const metadata = item?.metadata as Record<string, unknown> | undefined | null;
			if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
				errs.push({ code: 'InvalidType', path: 'metadata', detail: 'This value should be of type object.' });
			} else if (toType === 'catalog_elements') {
				const catalogId = metadata?.catalog_id;
				const element = this.host.catalogs.elements.get(toId);
				if (!Number.isInteger(catalogId)) errs.push({ code: 'NotBlank', path: 'metadata.catalog_id', detail: 'This value should not be blank.' });
				else if (element && element.catalog_id !== catalogId) {
					errs.push({ code: 'NotFound', path: 'metadata.catalog_id', detail: `Element ${toId} is not in catalog ${String(catalogId)}` });
				}
				const quantity = metadata?.quantity;
				if (quantity !== undefined && (!Number.isInteger(quantity) || (quantity as number) < 0)) {
					errs.push({ code: 'InvalidType', path: 'metadata.quantity', detail: 'This value should be of type int.' });
				}
			}
			if (errs.length) errors.push({ request_id: String(i), errors: errs });
		});
		if (errors.length) {
			validationAnswer(res, errors);
			return undefined;
		}
		return body as Array<Record<string, unknown>>;
	}

	private link(entityType: string, req: SandboxRequest, res: SandboxResponse): void {
		const items = this.check(entityType, req.body, res);
		if (!items) return;
		const made: EntityLink[] = items.map((item) => {
			const link: EntityLink = {
				entity_id: Number(item.entity_id),
				entity_type: entityType,
				to_entity_id: Number(item.to_entity_id),
				to_entity_type: String(item.to_entity_type),
				metadata: null,
			};
			const metadata = (item.metadata ?? {}) as Record<string, unknown>;
			if (entityType === 'leads' && link.to_entity_type === 'contacts') {
				const lead = this.host.leads.get(link.entity_id)!;
				const main = metadata.main_contact === true || lead.contacts.length === 0;
				if (main) for (const c of lead.contacts) c.is_main = false;
				const existing = lead.contacts.find((c) => c.id === link.to_entity_id);
				if (existing) existing.is_main = existing.is_main || main;
				else lead.contacts.push({ id: link.to_entity_id, is_main: main });
				link.metadata = { main_contact: main };
				return link;
			}
			if (link.to_entity_type === 'catalog_elements') {
				link.metadata = { quantity: metadata.quantity ?? 1, catalog_id: metadata.catalog_id };
			} else if (Object.keys(metadata).length) link.metadata = metadata;
			const i = this.links.findIndex(
				(l) => l.entity_type === entityType && l.entity_id === link.entity_id && l.to_entity_type === link.to_entity_type && l.to_entity_id === link.to_entity_id,
			);
			if (i >= 0) this.links[i] = link;
			else this.links.push(link);
			return link;
		});
		hal(res, { _total_items: made.length, _links: { self: { href: `${this.host.url}/api/v4/${entityType}/link` } }, _embedded: { links: made } });
	}

	private unlink(entityType: string, req: SandboxRequest, res: SandboxResponse): void {
		const items = this.check(entityType, req.body, res);
		if (!items) return;
		const missing: Array<{ request_id: string; errors: FieldError[] }> = [];
		const removals: Array<() => void> = [];
		items.forEach((item, i) => {
			const entityId = Number(item.entity_id);
			const toId = Number(item.to_entity_id);
			const toType = String(item.to_entity_type);
			if (entityType === 'leads' && toType === 'contacts') {
				const lead = this.host.leads.get(entityId)!;
				if (lead.contacts.some((c) => c.id === toId)) {
					removals.push(() => {
						const [gone] = lead.contacts.splice(lead.contacts.findIndex((c) => c.id === toId), 1);
						if (gone?.is_main && lead.contacts[0]) lead.contacts[0].is_main = true;
					});
					return;
				}
			} else {
				const match = (l: EntityLink) =>
					l.entity_type === entityType && l.entity_id === entityId && l.to_entity_type === toType && l.to_entity_id === toId;
				if (this.links.some(match)) {
					removals.push(() => {
						const at = this.links.findIndex(match);
						if (at >= 0) this.links.splice(at, 1);
					});
					return;
				}
			}
			missing.push({ request_id: String(i), errors: [{ code: 'NotFound', path: 'to_entity_id', detail: `Entity ${toId} is not linked` }] });
		});
		if (missing.length) return validationAnswer(res, missing);
		for (const remove of removals) remove();
		res.empty(204);
	}

	install(): this {
		const s = this.host;
		for (const entityType of ENTITY_TYPES) {
			s.route('POST', `/api/v4/${entityType}/link`, (req, res) => this.link(entityType, req, res));
			s.route('POST', `/api/v4/${entityType}/unlink`, (req, res) => this.unlink(entityType, req, res));
			s.route('GET', `/api/v4/${entityType}/:id/links`, (req, res) => {
				const id = Number(req.params.id);
				let all = this.linksOf(entityType, id);
				const toType = first(req.query['filter[to_entity_type]']);
				const toId = first(req.query['filter[to_entity_id]']);
				if (toType !== undefined && toId !== undefined) all = all.filter((l) => l.to_entity_type === toType && String(l.to_entity_id) === toId);
				const catalogId = first(req.query['filter[to_catalog_id]']);
				if (catalogId !== undefined) all = all.filter((l) => String(l.metadata?.catalog_id) === catalogId);
				if (all.length === 0) return void res.empty(204);
				hal(res, { _total_items: all.length, _links: { self: { href: `${s.url}/api/v4/${entityType}/${id}/links` } }, _embedded: { links: all } });
			});
		}
		return this;
	}
}
