/**
 * KommoSandbox, second half: creating leads and contacts, the complex create of a lead with its
 * contact and company, companies, tags and notes on contacts and companies. Installed on every
 * KommoSandbox by its constructor (`installEntities`); the routes follow the vendor, not our node:
 *
 *  - `POST /api/v4/leads`, `POST /api/v4/contacts`, `POST /api/v4/companies`: an array of
 *    entities, answer `_embedded.<entity>[] = {id, request_id, _links}` (community OpenAPI of
 *    amoCRM v4, /work/shared/specs/kommo-community: Leads_create / LeadCreateResponse,
 *    Contacts_create, Companies_create). At most 250 per request (../../../../shared/API-FACTS.md
 *    "Batch writes: at most 250 entities a request"). Kommo rejects the whole batch when one
 *    entity is invalid (as the batch PATCH in index.ts).
 *  - `POST /api/v4/leads/complex` (developers.kommo.com/reference/complex-leads): at most 50 leads,
 *    at most one contact and one company per lead, at most 40 custom field values per entity; a
 *    new contact and a new company are linked together; the answer is a bare JSON array of
 *    `{id, contact_id, company_id, request_id: [..], merged}`. Duplicate control runs only when
 *    "the option is enabled for the integration" (here: `duplicateControl`), never between leads
 *    of the same request, and a duplicate answers the existing lead with `merged: true`.
 *  - Companies: `GET /api/v4/companies` (page, limit, query, filter[id], with), `GET /:id`
 *    (204 when unknown), `PATCH /:id` (Companies_list / Companies_getById / Companies_updateById).
 *  - Tags (developers.kommo.com/reference/update-tags, Kommo "Tags" API v4): `_embedded.tags` on a
 *    write replaces all the entity's tags (null detaches all), each tag by `id` or `name` ("Either
 *    id or name is required"); `tags_to_add` / `tags_to_delete` (the community spec's
 *    LeadUpdateById / ContactUpdateById / CompanyUpdateById) change only the listed ones. The tag
 *    directory is per entity type ("A tag will have a different ID for different entities"); a
 *    new name creates the tag, an unknown id is refused.
 *  - Notes on contacts and companies: `POST /api/v4/{contacts|companies}/notes` and
 *    `/{id}/notes`, `GET /api/v4/{contacts|companies}/{id}/notes` (EntityNotes_create with
 *    entity_type leads|contacts|companies|customers), validated as the lead notes are.
 */
import type { SandboxRequest, SandboxResponse } from '../kit';
import { hal, problem, ValidationFailure, type Contact, type CustomFieldValue, type FieldError, type KommoSandbox, type Lead, type Note } from './index';

export interface TagRef {
	id: number;
	name: string;
	color?: string | null;
}

export type TagEntity = 'leads' | 'contacts' | 'companies';

export interface Company {
	id: number;
	name: string;
	responsible_user_id: number;
	group_id: number;
	created_by: number;
	updated_by: number;
	created_at: number;
	updated_at: number;
	closest_task_at: number | null;
	is_deleted: boolean;
	custom_fields_values: CustomFieldValue[] | null;
	account_id: number;
	tags: TagRef[];
}

export interface EntityState {
	companies: Map<number, Company>;
	/** lead id → company id, contact id → company id (a contact has at most one company: developers.kommo.com/docs/subject-area). */
	leadCompany: Map<number, number>;
	contactCompany: Map<number, number>;
	tags: Record<TagEntity, TagRef[]>;
	/** Kommo's duplicate control for the integration (off unless the account enables it). */
	duplicateControl: boolean;
	nextCompanyId: number;
	nextTagId: number;
}

const states = new WeakMap<KommoSandbox, EntityState>();

export function entityState(sandbox: KommoSandbox): EntityState {
	let state = states.get(sandbox);
	if (!state) {
		state = {
			companies: new Map(),
			leadCompany: new Map(),
			contactCompany: new Map(),
			tags: { leads: [], contacts: [], companies: [] },
			duplicateControl: false,
			nextCompanyId: 3_000_001,
			nextTagId: 263_801,
		};
		states.set(sandbox, state);
	}
	return state;
}

/** KommoSandbox members this file uses that are private there (read, never redefined). */
interface Internals {
	guard(res: SandboxResponse, fn: () => void): void;
	link(path: string): { self: { href: string } };
	paged<T>(req: SandboxRequest, res: SandboxResponse, key: string, all: T[], path: string, render: (t: T) => unknown): void;
	withFlags(req: SandboxRequest): Set<string>;
	applyCustomFields(entity: TagEntity, current: CustomFieldValue[] | null, input: unknown, requestId: string): CustomFieldValue[] | null;
	planLeadPatch(lead: Lead, body: Record<string, unknown>, requestId: string): { next: Lead; events: string[] };
	applyContactPatch(contact: Contact, body: Record<string, unknown>, requestId: string): void;
}
const inner = (sandbox: KommoSandbox) => sandbox as unknown as Internals;

const now = () => Math.floor(Date.now() / 1000);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A tag of the entity type's directory by id or name; a new name creates it. Undefined: unknown id. */
function resolveTag(sandbox: KommoSandbox, entity: TagEntity, raw: unknown, create: boolean): TagRef | undefined | 'invalid' {
	if (!isObject(raw)) return 'invalid';
	const state = entityState(sandbox);
	const directory = state.tags[entity];
	if (raw.id !== undefined && raw.id !== null) return directory.find((t) => t.id === Number(raw.id));
	if (typeof raw.name !== 'string' || raw.name.trim() === '') return 'invalid';
	const name = raw.name.trim();
	let tag = directory.find((t) => t.name.toLowerCase() === name.toLowerCase());
	if (!tag && create) {
		tag = { id: state.nextTagId++, name, color: null };
		directory.push(tag);
	}
	return tag ?? { id: 0, name };
}

/**
 * Applies `_embedded.tags`, `tags_to_add` and `tags_to_delete` of a write to `target.tags`;
 * returns the field errors (nothing is changed on `target` when there are any).
 */
export function applyTagWrites(sandbox: KommoSandbox, entity: TagEntity, target: { tags?: TagRef[] }, body: Record<string, unknown>): FieldError[] {
	const errors: FieldError[] = [];
	let tags = [...(target.tags ?? [])];
	const list = (key: string, value: unknown, create: boolean): TagRef[] => {
		if (!Array.isArray(value)) {
			errors.push({ code: 'InvalidType', path: key, detail: 'This value should be of type array.' });
			return [];
		}
		const out: TagRef[] = [];
		value.forEach((raw, i) => {
			const tag = resolveTag(sandbox, entity, raw, create);
			if (tag === 'invalid') errors.push({ code: 'NotBlank', path: `${key}.${i}`, detail: 'Either "id" or "name" is required.' });
			else if (tag === undefined) errors.push({ code: 'NotFound', path: `${key}.${i}.id`, detail: 'Tag not found' });
			else out.push(tag);
		});
		return out;
	};
	const embedded = body._embedded;
	if (isObject(embedded) && 'tags' in embedded) {
		tags = embedded.tags === null ? [] : list('_embedded.tags', embedded.tags, true);
	}
	if (body.tags_to_add !== undefined) {
		for (const tag of list('tags_to_add', body.tags_to_add, true)) if (!tags.some((t) => t.id === tag.id)) tags.push(tag);
	}
	if (body.tags_to_delete !== undefined) {
		const gone = list('tags_to_delete', body.tags_to_delete, false);
		tags = tags.filter((t) => !gone.some((g) => (g.id !== 0 ? g.id === t.id : g.name.toLowerCase() === t.name.toLowerCase())));
	}
	if (errors.length === 0) target.tags = tags.map((t) => ({ id: t.id, name: t.name, color: t.color ?? null }));
	return errors;
}

export function addCompany(sandbox: KommoSandbox, seed: { name?: string; responsible_user_id?: number; customFields?: Record<string, unknown> } = {}): Company {
	const state = entityState(sandbox);
	const t = now();
	const values = (sandbox as unknown as { seedValues(e: TagEntity, v: Record<string, unknown>): CustomFieldValue[] }).seedValues('companies', seed.customFields ?? {});
	const company: Company = {
		id: state.nextCompanyId++,
		name: seed.name ?? '',
		responsible_user_id: seed.responsible_user_id ?? sandbox.users[0]?.id ?? 0,
		group_id: 0,
		created_by: sandbox.users[0]?.id ?? 0,
		updated_by: sandbox.users[0]?.id ?? 0,
		created_at: t,
		updated_at: t,
		closest_task_at: null,
		is_deleted: false,
		custom_fields_values: values.length ? values : null,
		account_id: sandbox.account.id,
		tags: [],
	};
	state.companies.set(company.id, company);
	return company;
}

function checkBatch(res: SandboxResponse, body: unknown, max: number, what: string): body is Array<Record<string, unknown>> {
	if (!Array.isArray(body) || body.length === 0) {
		problem(res, 400, 'Bad Request', `Expected a non-empty array of ${what}`);
		return false;
	}
	if (body.length > max) {
		problem(res, 400, 'Bad Request', `At most ${max} entities per request`);
		return false;
	}
	return true;
}

/** Validates one company write onto a copy of `company`; throws ValidationFailure. */
function planCompany(sandbox: KommoSandbox, company: Company, body: Record<string, unknown>, requestId: string): Company {
	const errors: FieldError[] = [];
	const next = structuredClone(company);
	if (body.name !== undefined) {
		if (typeof body.name !== 'string') errors.push({ code: 'InvalidType', path: 'name', detail: 'This value should be of type string.' });
		else next.name = body.name;
	}
	if (body.responsible_user_id !== undefined) {
		if (!sandbox.users.some((u) => u.id === body.responsible_user_id)) errors.push({ code: 'NotSupportedChoice', path: 'responsible_user_id', detail: 'User not found' });
		else next.responsible_user_id = body.responsible_user_id as number;
	}
	try {
		if (body.custom_fields_values !== undefined) {
			next.custom_fields_values = inner(sandbox).applyCustomFields('companies', company.custom_fields_values, body.custom_fields_values, requestId);
		}
	} catch (error) {
		if (error instanceof ValidationFailure) errors.push(...error.entries.flatMap((e) => e.errors));
		else throw error;
	}
	errors.push(...applyTagWrites(sandbox, 'companies', next, body));
	if (errors.length) throw new ValidationFailure([{ request_id: requestId, errors }]);
	next.updated_at = now();
	next.updated_by = sandbox.currentUserId;
	return next;
}

function blankCompany(sandbox: KommoSandbox): Company {
	return {
		id: 0, name: '', responsible_user_id: sandbox.currentUserId, group_id: 0, created_by: sandbox.currentUserId, updated_by: sandbox.currentUserId,
		created_at: now(), updated_at: now(), closest_task_at: null, is_deleted: false, custom_fields_values: null, account_id: sandbox.account.id, tags: [],
	};
}

function blankLead(sandbox: KommoSandbox): Lead {
	const pipeline = sandbox.mainPipeline;
	return {
		id: 0, name: '', price: 0, responsible_user_id: sandbox.currentUserId, group_id: 0, status_id: pipeline.statuses[0].id, pipeline_id: pipeline.id,
		loss_reason_id: null, created_by: sandbox.currentUserId, updated_by: sandbox.currentUserId, created_at: now(), updated_at: now(), closed_at: null,
		closest_task_at: null, is_deleted: false, custom_fields_values: null, score: null, account_id: sandbox.account.id, labor_cost: null, contacts: [], tags: [],
	};
}

function blankContact(sandbox: KommoSandbox): Contact {
	return {
		id: 0, name: '', first_name: '', last_name: '', responsible_user_id: sandbox.currentUserId, group_id: 0, created_by: sandbox.currentUserId,
		updated_by: sandbox.currentUserId, created_at: now(), updated_at: now(), closest_task_at: null, is_deleted: false, is_unsorted: false,
		custom_fields_values: null, account_id: sandbox.account.id, tags: [],
	};
}

/** Stores a validated lead/contact under a fresh id (the sandbox's own id sequence). */
function storeLead(sandbox: KommoSandbox, planned: Lead): Lead {
	const lead = sandbox.addLead({});
	Object.assign(lead, { ...planned, id: lead.id, created_at: now(), created_by: sandbox.currentUserId });
	if (!planned.name) lead.name = `Deal #${lead.id}`;
	return lead;
}

function storeContact(sandbox: KommoSandbox, planned: Contact): Contact {
	const contact = sandbox.addContact({});
	Object.assign(contact, { ...planned, id: contact.id, created_at: now(), created_by: sandbox.currentUserId });
	if (!contact.name) contact.name = [contact.first_name, contact.last_name].filter(Boolean).join(' ');
	return contact;
}

function countValues(body: Record<string, unknown>): number {
	const cf = body.custom_fields_values;
	return Array.isArray(cf) ? cf.reduce((n: number, f) => n + (isObject(f) && Array.isArray(f.values) ? f.values.length : 0), 0) : 0;
}

/** EMAIL / PHONE values of a contact, lower-cased (phones as digits). */
function contactKeys(contact: Contact): string[] {
	const out: string[] = [];
	for (const cf of contact.custom_fields_values ?? []) {
		if (cf.field_code !== 'EMAIL' && cf.field_code !== 'PHONE') continue;
		for (const v of cf.values) out.push(cf.field_code === 'PHONE' ? String(v.value ?? '').replace(/\D/g, '') : String(v.value ?? '').trim().toLowerCase());
	}
	return out.filter(Boolean);
}

export function installEntities(sandbox: KommoSandbox, seed: boolean): void {
	const state = entityState(sandbox);
	const s = inner(sandbox);
	if (seed) {
		// Kommo's predefined company fields (codes PHONE, EMAIL, WEB, ADDRESS: Kommo custom fields API, "field_code").
		sandbox.addCustomField('companies', { name: 'Phone', type: 'multitext', code: 'PHONE', enums: ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER'], enumCodes: true });
		sandbox.addCustomField('companies', { name: 'Email', type: 'multitext', code: 'EMAIL', enums: ['WORK', 'PRIV', 'OTHER'], enumCodes: true });
		sandbox.addCustomField('companies', { name: 'Web', type: 'url', code: 'WEB' });
		sandbox.addCustomField('companies', { name: 'Address', type: 'textarea', code: 'ADDRESS' });
	}

	const renderCompany = (c: Company, flags: Set<string>) => {
		const { tags, ...rest } = c;
		const embedded: Record<string, unknown> = { tags };
		if (flags.has('contacts')) {
			embedded.contacts = [...state.contactCompany].filter(([, cid]) => cid === c.id).map(([id]) => ({ id, _links: s.link(`/api/v4/contacts/${id}`) }));
		}
		if (flags.has('leads')) {
			embedded.leads = [...state.leadCompany].filter(([, cid]) => cid === c.id).map(([id]) => ({ id, _links: s.link(`/api/v4/leads/${id}`) }));
		}
		return { ...rest, _links: s.link(`/api/v4/companies/${c.id}`), _embedded: embedded };
	};

	// ---- leads and contacts: create
	sandbox.route('POST', '/api/v4/leads', (req, res) =>
		s.guard(res, () => {
			if (!checkBatch(res, req.body, 250, 'leads')) return;
			const errors: Array<{ request_id: string; errors: FieldError[] }> = [];
			const planned = req.body.map((item, i) => {
				const requestId = String(item?.request_id ?? i);
				try {
					const { next } = s.planLeadPatch(blankLead(sandbox), item ?? {}, requestId);
					const embedded = isObject(item._embedded) ? item._embedded : {};
					const contacts = Array.isArray(embedded.contacts) ? (embedded.contacts as Array<Record<string, unknown>>) : [];
					const companies = Array.isArray(embedded.companies) ? (embedded.companies as Array<Record<string, unknown>>) : [];
					const errs: FieldError[] = [];
					contacts.forEach((c, j) => {
						if (!sandbox.contacts.has(Number(c?.id))) errs.push({ code: 'NotFound', path: `_embedded.contacts.${j}.id`, detail: 'Contact not found' });
					});
					companies.forEach((c, j) => {
						if (!state.companies.has(Number(c?.id))) errs.push({ code: 'NotFound', path: `_embedded.companies.${j}.id`, detail: 'Company not found' });
					});
					if (errs.length) throw new ValidationFailure([{ request_id: requestId, errors: errs }]);
					next.contacts = contacts.map((c, j) => ({ id: Number(c.id), is_main: c.is_main === true || (j === 0 && !contacts.some((x) => x.is_main === true)) }));
					return { next, requestId, companyId: companies[0] ? Number(companies[0].id) : undefined };
				} catch (error) {
					if (error instanceof ValidationFailure) errors.push(...error.entries);
					else throw error;
					return undefined;
				}
			});
			if (errors.length) throw new ValidationFailure(errors);
			const out = planned.map((p) => {
				const lead = storeLead(sandbox, p!.next);
				if (p!.companyId !== undefined) state.leadCompany.set(lead.id, p!.companyId);
				return { id: lead.id, request_id: p!.requestId, _links: s.link(`/api/v4/leads/${lead.id}`) };
			});
			hal(res, { _links: s.link('/api/v4/leads'), _embedded: { leads: out } });
		}),
	);

	sandbox.route('POST', '/api/v4/contacts', (req, res) =>
		s.guard(res, () => {
			if (!checkBatch(res, req.body, 250, 'contacts')) return;
			const errors: Array<{ request_id: string; errors: FieldError[] }> = [];
			const planned = req.body.map((item, i) => {
				const requestId = String(item?.request_id ?? i);
				const contact = blankContact(sandbox);
				try {
					s.applyContactPatch(contact, item ?? {}, requestId);
				} catch (error) {
					if (error instanceof ValidationFailure) errors.push(...error.entries);
					else throw error;
				}
				return { contact, requestId };
			});
			if (errors.length) throw new ValidationFailure(errors);
			const out = planned.map(({ contact, requestId }) => {
				const stored = storeContact(sandbox, contact);
				return { id: stored.id, request_id: requestId, _links: s.link(`/api/v4/contacts/${stored.id}`) };
			});
			hal(res, { _links: s.link('/api/v4/contacts'), _embedded: { contacts: out } });
		}),
	);

	// ---- complex create (developers.kommo.com/reference/complex-leads)
	sandbox.route('POST', '/api/v4/leads/complex', (req, res) =>
		s.guard(res, () => {
			if (!checkBatch(res, req.body, 50, 'leads')) return;
			const errors: Array<{ request_id: string; errors: FieldError[] }> = [];
			type Plan = { requestId: string; lead: Lead; contact?: Contact | number; company?: Company | number; duplicateOf?: Lead };
			const plans: Plan[] = [];
			req.body.forEach((item, i) => {
				const requestId = String(item?.request_id ?? i);
				const errs: FieldError[] = [];
				const embedded = isObject(item?._embedded) ? item._embedded : {};
				const contacts = Array.isArray(embedded.contacts) ? (embedded.contacts as Array<Record<string, unknown>>) : [];
				const companies = Array.isArray(embedded.companies) ? (embedded.companies as Array<Record<string, unknown>>) : [];
				// "For one lead, you can specify no more than one related contact and one related company"
				if (contacts.length > 1) errs.push({ code: 'Count', path: '_embedded.contacts', detail: 'This collection should contain 1 element or less.' });
				if (companies.length > 1) errs.push({ code: 'Count', path: '_embedded.companies', detail: 'This collection should contain 1 element or less.' });
				// "no more than 40 values of additional fields" per added entity
				for (const [path, entity] of [['custom_fields_values', item], ['_embedded.contacts.0.custom_fields_values', contacts[0]], ['_embedded.companies.0.custom_fields_values', companies[0]]] as const) {
					if (entity && countValues(entity) > 40) errs.push({ code: 'Count', path, detail: 'This collection should contain 40 elements or less.' });
				}
				const plan: Plan = { requestId, lead: blankLead(sandbox) };
				const leadBody = { ...item, _embedded: embedded.tags !== undefined ? { tags: embedded.tags } : undefined };
				const collect = (fn: () => void, prefix: string) => {
					try {
						fn();
					} catch (error) {
						if (!(error instanceof ValidationFailure)) throw error;
						errs.push(...error.entries.flatMap((e) => e.errors.map((x) => ({ ...x, path: `${prefix}${x.path}` }))));
					}
				};
				collect(() => (plan.lead = s.planLeadPatch(plan.lead, leadBody, requestId).next), '');
				const c = contacts[0];
				if (c) {
					if (c.id !== undefined) {
						if (!sandbox.contacts.has(Number(c.id))) errs.push({ code: 'NotFound', path: '_embedded.contacts.0.id', detail: 'Contact not found' });
						else plan.contact = Number(c.id);
					} else {
						const contact = blankContact(sandbox);
						collect(() => s.applyContactPatch(contact, c, requestId), '_embedded.contacts.0.');
						plan.contact = contact;
					}
				}
				const co = companies[0];
				if (co) {
					if (co.id !== undefined) {
						if (!state.companies.has(Number(co.id))) errs.push({ code: 'NotFound', path: '_embedded.companies.0.id', detail: 'Company not found' });
						else plan.company = Number(co.id);
					} else collect(() => (plan.company = planCompany(sandbox, blankCompany(sandbox), co, requestId)), '_embedded.companies.0.');
				}
				if (errs.length) errors.push({ request_id: requestId, errors: errs });
				// Duplicate control: only against entities that existed before this request.
				if (state.duplicateControl && plan.contact !== undefined && typeof plan.contact !== 'number') {
					const keys = contactKeys(plan.contact);
					const existing = [...sandbox.contacts.values()].find((x) => !x.is_deleted && contactKeys(x).some((k) => keys.includes(k)));
					plan.duplicateOf = existing
						? [...sandbox.leads.values()].find(
								(l) => !l.is_deleted && l.pipeline_id === plan.lead.pipeline_id && l.status_id !== 142 && l.status_id !== 143 && l.contacts.some((x) => x.id === existing.id),
							)
						: undefined;
				}
				plans.push(plan);
			});
			if (errors.length) throw new ValidationFailure(errors);
			const out = plans.map((plan) => {
				if (plan.duplicateOf) {
					const lead = plan.duplicateOf;
					const contactId = lead.contacts.find((c) => c.is_main)?.id ?? lead.contacts[0]?.id ?? null;
					return { id: lead.id, contact_id: contactId, company_id: state.leadCompany.get(lead.id) ?? null, request_id: [plan.requestId], merged: true };
				}
				const lead = storeLead(sandbox, plan.lead);
				const contactId = plan.contact === undefined ? null : typeof plan.contact === 'number' ? plan.contact : storeContact(sandbox, plan.contact).id;
				let companyId: number | null = null;
				if (plan.company !== undefined) {
					if (typeof plan.company === 'number') companyId = plan.company;
					else {
						const company = { ...plan.company, id: state.nextCompanyId++ };
						state.companies.set(company.id, company);
						companyId = company.id;
					}
					state.leadCompany.set(lead.id, companyId);
				}
				if (contactId !== null) {
					lead.contacts = [{ id: contactId, is_main: true }];
					// "When you create a new contact and company, they will be linked together"
					if (companyId !== null && !state.contactCompany.has(contactId)) state.contactCompany.set(contactId, companyId);
				}
				return { id: lead.id, contact_id: contactId, company_id: companyId, request_id: [plan.requestId], merged: false };
			});
			res.json(200, out, 'application/hal+json');
		}),
	);

	// ---- companies
	sandbox.route('GET', '/api/v4/companies', (req, res) => {
		const ids = Object.entries(req.query)
			.filter(([k]) => /^filter\[id\](\[\d*\])?$/.test(k))
			.flatMap(([, v]) => (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')))
			.map(Number);
		const query = String(Array.isArray(req.query.query) ? req.query.query[0] : (req.query.query ?? '')).trim().toLowerCase();
		let all = [...state.companies.values()].filter((c) => !c.is_deleted);
		if (ids.length) all = all.filter((c) => ids.includes(c.id));
		if (query) {
			all = all.filter((c) => {
				const texts = [c.name, String(c.id)];
				for (const cf of c.custom_fields_values ?? []) for (const v of cf.values) texts.push(String(v.value ?? ''), cf.field_code === 'PHONE' ? String(v.value ?? '').replace(/\D/g, '') : '');
				return texts.some((t) => t !== '' && t.toLowerCase().includes(query));
			});
		}
		const flags = s.withFlags(req);
		s.paged(req, res, 'companies', all, '/api/v4/companies', (c) => renderCompany(c, flags));
	});
	sandbox.route('GET', '/api/v4/companies/:id', (req, res) => {
		const company = state.companies.get(Number(req.params.id));
		if (!company || company.is_deleted) return void res.empty(204);
		hal(res, renderCompany(company, s.withFlags(req)));
	});
	sandbox.route('POST', '/api/v4/companies', (req, res) =>
		s.guard(res, () => {
			if (!checkBatch(res, req.body, 250, 'companies')) return;
			const errors: Array<{ request_id: string; errors: FieldError[] }> = [];
			const planned = req.body.map((item, i) => {
				const requestId = String(item?.request_id ?? i);
				try {
					return { company: planCompany(sandbox, blankCompany(sandbox), item ?? {}, requestId), requestId };
				} catch (error) {
					if (error instanceof ValidationFailure) errors.push(...error.entries);
					else throw error;
					return undefined;
				}
			});
			if (errors.length) throw new ValidationFailure(errors);
			const out = planned.map((p) => {
				const company = { ...p!.company, id: state.nextCompanyId++, created_at: now() };
				state.companies.set(company.id, company);
				return { id: company.id, request_id: p!.requestId, _links: s.link(`/api/v4/companies/${company.id}`) };
			});
			hal(res, { _links: s.link('/api/v4/companies'), _embedded: { companies: out } });
		}),
	);
	sandbox.route('PATCH', '/api/v4/companies/:id', (req, res) =>
		s.guard(res, () => {
			const company = state.companies.get(Number(req.params.id));
			if (!company || company.is_deleted) return problem(res, 404, 'Not Found', `Company ${req.params.id} not found`);
			if (!isObject(req.body)) return problem(res, 400, 'Bad Request', 'Expected one company object');
			Object.assign(company, planCompany(sandbox, company, req.body, '0'));
			hal(res, { id: company.id, name: company.name, updated_at: company.updated_at, _links: s.link(`/api/v4/companies/${company.id}`) });
		}),
	);

	// ---- notes on contacts and companies (EntityNotes_create, entity_type contacts|companies)
	const exists = (entity: 'contacts' | 'companies', id: number) =>
		entity === 'contacts' ? sandbox.contacts.has(id) && !sandbox.contacts.get(id)!.is_deleted : state.companies.has(id) && !state.companies.get(id)!.is_deleted;
	const NOTE_TYPES = new Set(['common', 'call_in', 'call_out', 'service_message', 'message_cashier', 'geolocation', 'sms_in', 'sms_out', 'extended_service_message', 'attachment']);
	for (const entity of ['contacts', 'companies'] as const) {
		const add = (req: SandboxRequest, res: SandboxResponse, fixedId?: number) =>
			s.guard(res, () => {
				if (!checkBatch(res, req.body, 250, 'notes')) return;
				const errors: Array<{ request_id: string; errors: FieldError[] }> = [];
				req.body.forEach((n, i) => {
					const errs: FieldError[] = [];
					if (!exists(entity, fixedId ?? Number(n?.entity_id))) errs.push({ code: 'NotFound', path: 'entity_id', detail: `Entity ${String(n?.entity_id)} not found` });
					if (!NOTE_TYPES.has(String(n?.note_type))) errs.push({ code: 'NotSupportedChoice', path: 'note_type', detail: 'The value you selected is not a valid choice.' });
					const params = n?.params as Record<string, unknown> | undefined;
					if (!params || typeof params.text !== 'string' || params.text.length === 0) errs.push({ code: 'NotBlank', path: 'params.text', detail: 'This value should not be blank.' });
					if (errs.length) errors.push({ request_id: String(n?.request_id ?? i), errors: errs });
				});
				if (errors.length) throw new ValidationFailure(errors);
				const created = req.body.map((n, i) => {
					const entityId = fixedId ?? Number(n.entity_id);
					const note = sandbox.addNote(entityId, String((n.params as Record<string, unknown>).text), String(n.note_type));
					note.entity_type = entity;
					note.params = { ...(n.params as Record<string, unknown>) };
					return { id: note.id, entity_id: entityId, request_id: String(n.request_id ?? i), _links: s.link(`/api/v4/${entity}/${entityId}/notes/${note.id}`) };
				});
				hal(res, { _links: s.link(`/api/v4/${entity}/notes`), _embedded: { notes: created } });
			});
		sandbox.route('POST', `/api/v4/${entity}/notes`, (req, res) => add(req, res));
		sandbox.route('POST', `/api/v4/${entity}/:id/notes`, (req, res) => {
			const id = Number(req.params.id);
			if (!exists(entity, id)) return problem(res, 404, 'Not Found', `Entity ${req.params.id} not found`);
			return add(req, res, id);
		});
		sandbox.route('GET', `/api/v4/${entity}/:id/notes`, (req, res) => {
			const notes = sandbox.notes.filter((n: Note) => n.entity_type === entity && n.entity_id === Number(req.params.id));
			const order = first(req.query['order[id]']);
			const types = Object.entries(req.query)
				.filter(([k]) => /^filter\[note_type\](\[\d*\])?$/.test(k))
				.flatMap(([, v]) => (Array.isArray(v) ? v : [v]).flatMap((t) => String(t).split(',')));
			let list = types.length ? notes.filter((n) => types.includes(n.note_type)) : [...notes];
			if (order === 'desc') list = list.sort((a, b) => b.id - a.id);
			s.paged(req, res, 'notes', list, `/api/v4/${entity}/${req.params.id}/notes`, (n) => ({ ...n, _links: s.link(`/api/v4/${entity}/${n.entity_id}/notes/${n.id}`) }));
		});
	}
}

function first(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

/** The company linked to a lead or a contact, as Kommo embeds it (`_embedded.companies`). */
export function companiesOf(sandbox: KommoSandbox, entity: 'leads' | 'contacts', id: number): Array<{ id: number; _links: { self: { href: string } } }> {
	const state = entityState(sandbox);
	const companyId = (entity === 'leads' ? state.leadCompany : state.contactCompany).get(id);
	return companyId === undefined ? [] : [{ id: companyId, _links: inner(sandbox).link(`/api/v4/companies/${companyId}`) }];
}
