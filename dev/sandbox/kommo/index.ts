/**
 * KommoSandbox: a loopback stand-in for one Kommo account speaking API v4 as
 * /work/shared/API-FACTS.md describes it.
 *
 *  - Bearer auth (long-lived tokens and OAuth access tokens it issued);
 *    a bad or expired token answers 401 problem+json.
 *  - `POST /oauth2/access_token` (JSON or form body): authorization_code and
 *    refresh_token grants; refresh tokens rotate on every refresh.
 *  - At most 7 API requests in any second (configurable): over it 429
 *    `{title, status, retry_after}`; after `blockAfterViolations` violations
 *    the "IP" is blocked and every call answers 403.
 *  - Leads, contacts, custom fields (with enums), pipelines with 142/143,
 *    users, notes, tasks and webhooks with Kommo's shapes (HAL `_embedded`,
 *    `_links`, `_page`), `204 No Content` for empty lists and unknown ids,
 *    problem+json errors and `validation-errors` for bad writes.
 *  - Fires real webhooks (form-urlencoded, v2 nested keys, several entities
 *    per request) at registered destinations (loopback only) and records for
 *    each delivery its status and whether it was a 2xx within 2 seconds.
 *
 *   const kommo = await new KommoSandbox().start();
 *   const lead = kommo.addLead({ name: 'Acme deal', price: 1200, customFields: { Plan: 'Pro' },
 *     contacts: [{ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' }] });
 *   await kommo.moveLead(lead.id, 142);   // fires status_lead to registered webhooks
 */
import { randomBytes } from 'node:crypto';

import { bearerToken, SandboxServer, type SandboxRequest, type SandboxResponse } from '../kit';
import { applyTagWrites, companiesOf, installEntities, type TagRef } from './entities';
import { CatalogStore } from './catalogs';
import { LinkStore } from './links';
import { installTaskUpdates } from './tasks';
import { UnsortedStore } from './unsorted';

export const WON_STATUS_ID = 142;
export const LOST_STATUS_ID = 143;

export type FieldType =
	| 'text'
	| 'textarea'
	| 'numeric'
	| 'checkbox'
	| 'select'
	| 'multiselect'
	| 'radiobutton'
	| 'date'
	| 'date_time'
	| 'birthday'
	| 'url'
	| 'multitext'
	| 'price';

export interface EnumDef {
	id: number;
	value: string;
	sort: number;
	code?: string | null;
}

export interface CustomFieldDef {
	id: number;
	name: string;
	type: FieldType;
	code: string | null;
	sort: number;
	entity_type: 'leads' | 'contacts' | 'companies';
	enums: EnumDef[] | null;
	is_api_only: boolean;
}

export interface CfValue {
	value?: unknown;
	enum_id?: number;
	enum_code?: string | null;
}

/** Field types whose webhook values come bare (`[values][0]=<unix>`), per the real captures. */
const BARE_WEBHOOK_TYPES = new Set<FieldType>(['date', 'date_time', 'birthday']);

export interface CustomFieldValue {
	field_id: number;
	field_name: string;
	field_code: string | null;
	field_type: FieldType;
	values: CfValue[];
}

export interface Lead {
	id: number;
	name: string;
	price: number;
	responsible_user_id: number;
	group_id: number;
	status_id: number;
	pipeline_id: number;
	loss_reason_id: number | null;
	created_by: number;
	updated_by: number;
	created_at: number;
	updated_at: number;
	closed_at: number | null;
	closest_task_at: number | null;
	is_deleted: boolean;
	custom_fields_values: CustomFieldValue[] | null;
	score: number | null;
	account_id: number;
	labor_cost: number | null;
	contacts: Array<{ id: number; is_main: boolean }>;
	tags: Array<{ id: number; name: string }>;
}

export interface Contact {
	id: number;
	name: string;
	first_name: string;
	last_name: string;
	responsible_user_id: number;
	group_id: number;
	created_by: number;
	updated_by: number;
	created_at: number;
	updated_at: number;
	closest_task_at: number | null;
	is_deleted: boolean;
	is_unsorted: boolean;
	custom_fields_values: CustomFieldValue[] | null;
	account_id: number;
	tags?: TagRef[];
}

export interface Note {
	id: number;
	entity_id: number;
	entity_type: 'leads' | 'contacts' | 'companies';
	created_by: number;
	updated_by: number;
	created_at: number;
	updated_at: number;
	responsible_user_id: number;
	group_id: number;
	note_type: string;
	params: Record<string, unknown>;
	account_id: number;
}

export interface Task {
	id: number;
	created_by: number;
	updated_by: number;
	created_at: number;
	updated_at: number;
	responsible_user_id: number;
	group_id: number;
	/** null (and entity_type null) for a task that is not attached to anything. */
	entity_id: number | null;
	entity_type: string | null;
	is_completed: boolean;
	task_type_id: number;
	text: string;
	duration: number;
	complete_till: number;
	result: unknown[];
	account_id: number;
}

export interface Status {
	id: number;
	name: string;
	sort: number;
	is_editable: boolean;
	pipeline_id: number;
	color: string;
	type: number;
	account_id: number;
}

export interface Pipeline {
	id: number;
	name: string;
	sort: number;
	is_main: boolean;
	is_unsorted_on: boolean;
	is_archive: boolean;
	account_id: number;
	statuses: Status[];
}

export interface User {
	id: number;
	name: string;
	email: string;
	lang: string;
	is_admin: boolean;
}

export interface Webhook {
	id: number;
	destination: string;
	created_at: number;
	updated_at: number;
	account_id: number;
	created_by: number;
	sort: number;
	disabled: boolean;
	settings: string[];
}

export interface WebhookDelivery {
	webhookId: number;
	destination: string;
	events: string[];
	/** The form body as sent. */
	body: string;
	status: number;
	ms: number;
	/** 2xx within the 2 seconds Kommo allows. */
	ok: boolean;
	error?: string;
	at: number;
}

export const WEBHOOK_EVENTS = [
	'add_lead',
	'update_lead',
	'delete_lead',
	'restore_lead',
	'status_lead',
	'responsible_lead',
	'note_lead',
	'add_contact',
	'update_contact',
	'delete_contact',
	'restore_contact',
	'responsible_contact',
	'note_contact',
	'add_company',
	'update_company',
	'delete_company',
	'note_company',
	'add_task',
	'update_task',
	'delete_task',
] as const;

export interface ContactSeed {
	first_name?: string;
	last_name?: string;
	name?: string;
	email?: string | string[];
	phone?: string | string[];
	responsible_user_id?: number;
	customFields?: Record<string, unknown>;
}

export interface LeadSeed {
	name?: string;
	price?: number;
	status_id?: number;
	pipeline_id?: number;
	responsible_user_id?: number;
	/** By field name or id; selects by enum label. */
	customFields?: Record<string, unknown>;
	contacts?: Array<ContactSeed | number>;
	created_at?: number;
}

const VALID_NOTE_TYPES = new Set([
	'common',
	'call_in',
	'call_out',
	'service_message',
	'message_cashier',
	'geolocation',
	'sms_in',
	'sms_out',
	'extended_service_message',
	'attachment',
]);

export interface FieldError {
	code: string;
	path: string;
	detail: string;
}

export class ValidationFailure extends Error {
	constructor(readonly entries: Array<{ request_id: string; errors: FieldError[] }>) {
		super('validation failed');
	}
}

const now = () => Math.floor(Date.now() / 1000);

export function problem(res: SandboxResponse, status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
	res.json(
		status,
		{ title, type: `https://httpstatus.es/${status}`, status, detail, ...extra },
		'application/problem+json',
	);
}

export function hal(res: SandboxResponse, body: unknown, status = 200) {
	res.json(status, body, 'application/hal+json');
}

/** `filter[id][]=1&filter[id][]=2`, `filter[id][0]=1`, `filter[id]=1,2` → [1, 2]. */
function idFilter(query: Record<string, string | string[]>, name = 'id'): number[] | undefined {
	const out: string[] = [];
	let seen = false;
	for (const [key, value] of Object.entries(query)) {
		if (key === `filter[${name}]` || key === `filter[${name}][]` || new RegExp(`^filter\\[${name}\\]\\[\\d+\\]$`).test(key)) {
			seen = true;
			for (const v of Array.isArray(value) ? value : [value]) out.push(...String(v).split(','));
		}
	}
	if (!seen) return undefined;
	return out.map((v) => Number(v.trim())).filter((n) => Number.isInteger(n));
}

function first(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

function isLoopback(url: URL): boolean {
	return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

export class KommoSandbox extends SandboxServer {
	account = { id: 29_000_001, name: 'Acme Sandbox', subdomain: 'acme', country: 'US', currency: 'USD' };
	/** Valid Bearer tokens (long-lived tokens and issued access tokens) → expiry (ms since epoch, Infinity = never). */
	readonly tokens = new Map<string, number>();
	readonly longLivedToken = 'kommo-sandbox-long-lived-token-0001';
	/** A long-lived token of a non-administrator (the second seeded user, "Bob Sales"). */
	readonly memberToken = 'kommo-sandbox-member-token-0002';
	/** OAuth integrations: client id → {secret, redirect uri}. */
	readonly oauthClients = new Map<string, { secret: string; redirectUri: string }>();
	private readonly authCodes = new Map<string, string>();
	/** refresh token → client id */
	private readonly refreshTokens = new Map<string, string>();
	/** Seconds an issued access token lives (Kommo: 86400). */
	accessTokenTtlSeconds = 86_400;
	/** Requests per window before 429. */
	rateLimitPerSecond = 7;
	/** Violations before the "IP" is blocked (every call then 403). */
	blockAfterViolations = 20;
	blocked = false;
	/** Kommo's `retry_after` hint (seconds) in 429 bodies. */
	retryAfterSeconds = 1;
	/** Fire webhooks for changes made through the API (as Kommo does). Off by default for deterministic tests. */
	emitWebhooksForApiChanges = false;

	readonly users: User[] = [];
	readonly pipelines: Pipeline[] = [];
	readonly customFields: CustomFieldDef[] = [];
	readonly leads = new Map<number, Lead>();
	readonly contacts = new Map<number, Contact>();
	readonly notes: Note[] = [];
	readonly tasks: Task[] = [];
	readonly webhooks: Webhook[] = [];
	readonly deliveries: WebhookDelivery[] = [];
	private readonly pendingDeliveries = new Set<Promise<unknown>>();
	private readonly webhookFailures = new Map<number, number[]>();
	// These install their routes before registerRoutes() does (field initialisers run first), so that
	// GET /api/v4/leads/unsorted is not taken for GET /api/v4/leads/:id.
	/** Catalogs (Kommo "lists", e.g. products) and their elements: ./catalogs.ts */
	readonly catalogs = new CatalogStore(this).install();
	/** Links between entities (…/link, …/unlink, …/{id}/links): ./links.ts */
	readonly entityLinks = new LinkStore(this).install();
	/** Incoming (unsorted) leads: ./unsorted.ts */
	readonly unsorted = new UnsortedStore(this).install();

	private nextId = {
		lead: 5_000_001,
		contact: 6_000_001,
		note: 8_000_001,
		task: 9_000_001,
		field: 400_001,
		enumId: 500_001,
		webhook: 1_000_001,
		pipeline: 7001,
		status: 71_001,
		user: 1001,
	};

	constructor(options: { seed?: boolean } = {}) {
		super('kommo');
		this.tokens.set(this.longLivedToken, Number.POSITIVE_INFINITY);
		this.tokens.set(this.memberToken, Number.POSITIVE_INFINITY);
		this.installRateLimit();
		installTaskUpdates(this); // PATCH /api/v4/tasks: ./tasks.ts
		this.registerRoutes();
		if (options.seed !== false) this.seedDefaults();
		installEntities(this, options.seed !== false); // companies, creates, tags, contact/company notes: ./entities.ts
	}

	// ------------------------------------------------------------------ seed

	/** The account every test starts with: two users, two pipelines, lead and contact fields. */
	seedDefaults(): void {
		this.addUser({ name: 'Alice Admin', email: 'alice@acme.test', is_admin: true });
		this.addUser({ name: 'Bob Sales', email: 'bob@acme.test' });
		this.addPipeline('Sales', ['Incoming', 'Qualified', 'Negotiation'], true);
		this.addPipeline('Renewals', ['Up for renewal', 'Renewal offer sent']);
		this.addCustomField('leads', { name: 'Plan', type: 'select', enums: ['Starter', 'Pro', 'Enterprise'] });
		this.addCustomField('leads', { name: 'Billing customer ID', type: 'text' });
		this.addCustomField('leads', { name: 'Subscription ID', type: 'text' });
		this.addCustomField('leads', { name: 'Subscription status', type: 'text' });
		this.addCustomField('leads', { name: 'Billing system', type: 'select', enums: ['Chargebee', 'Paddle', 'Zuora'] });
		this.addCustomField('leads', { name: 'Seats', type: 'numeric' });
		this.addCustomField('leads', { name: 'Add-ons', type: 'multiselect', enums: ['SSO', 'Audit log', 'Priority support'] });
		this.addCustomField('leads', { name: 'Auto-renew', type: 'checkbox' });
		this.addCustomField('leads', { name: 'Contract start', type: 'date' });
		this.addCustomField('contacts', {
			name: 'Phone',
			type: 'multitext',
			code: 'PHONE',
			enums: ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER'],
			enumCodes: true,
		});
		this.addCustomField('contacts', {
			name: 'Email',
			type: 'multitext',
			code: 'EMAIL',
			enums: ['WORK', 'PRIV', 'OTHER'],
			enumCodes: true,
		});
		this.addCustomField('contacts', { name: 'Position', type: 'text', code: 'POSITION' });
		// Added last so that the ids above stay as they were. Used by the Won → Paddle workflow.
		this.addCustomField('leads', { name: 'Payment method', type: 'select', enums: ['Invoice', 'Card'] });
		this.addCustomField('leads', { name: 'Country', type: 'text' });
		// The events workflows keep the last applied version per billing object here (Check Order).
		this.addCustomField('leads', { name: 'Billing versions', type: 'text' });
	}

	addUser(user: Partial<User> & { name: string }): User {
		const full: User = {
			id: this.nextId.user++,
			email: `${user.name.toLowerCase().replace(/\s+/g, '.')}@acme.test`,
			lang: 'en',
			is_admin: false,
			...user,
		};
		this.users.push(full);
		return full;
	}

	/** A pipeline with the given open stages plus 142 "Closed - won" and 143 "Closed - lost". */
	addPipeline(name: string, stages: string[], isMain = false): Pipeline {
		const id = this.nextId.pipeline++;
		const statuses: Status[] = stages.map((stage, i) => ({
			id: this.nextId.status++,
			name: stage,
			sort: (i + 1) * 10,
			is_editable: i > 0,
			pipeline_id: id,
			color: '#99ccff',
			type: i === 0 ? 1 : 0,
			account_id: this.account.id,
		}));
		statuses.push(
			{ id: WON_STATUS_ID, name: 'Closed - won', sort: 10000, is_editable: false, pipeline_id: id, color: '#CCFF66', type: 0, account_id: this.account.id },
			{ id: LOST_STATUS_ID, name: 'Closed - lost', sort: 11000, is_editable: false, pipeline_id: id, color: '#D5D8DB', type: 0, account_id: this.account.id },
		);
		const pipeline: Pipeline = {
			id,
			name,
			sort: this.pipelines.length + 1,
			is_main: isMain || this.pipelines.length === 0,
			is_unsorted_on: false,
			is_archive: false,
			account_id: this.account.id,
			statuses,
		};
		this.pipelines.push(pipeline);
		return pipeline;
	}

	addCustomField(
		entity: 'leads' | 'contacts' | 'companies',
		def: { name: string; type: FieldType; code?: string | null; enums?: string[]; enumCodes?: boolean; is_api_only?: boolean },
	): CustomFieldDef {
		const field: CustomFieldDef = {
			id: this.nextId.field++,
			name: def.name,
			type: def.type,
			code: def.code ?? null,
			sort: this.customFields.filter((f) => f.entity_type === entity).length * 10 + 10,
			entity_type: entity,
			is_api_only: def.is_api_only ?? false,
			enums: def.enums
				? def.enums.map((value, i) => ({
						id: this.nextId.enumId++,
						value,
						sort: (i + 1) * 2,
						...(def.enumCodes ? { code: value } : {}),
					}))
				: null,
		};
		this.customFields.push(field);
		return field;
	}

	field(entity: 'leads' | 'contacts' | 'companies', nameOrId: string | number): CustomFieldDef {
		const found = this.customFields.find(
			(f) => f.entity_type === entity && (f.id === Number(nameOrId) || f.name === nameOrId || (f.code !== null && f.code === nameOrId)),
		);
		if (!found) throw new Error(`sandbox: no ${entity} custom field ${nameOrId}`);
		return found;
	}

	get mainPipeline(): Pipeline {
		return this.pipelines.find((p) => p.is_main) ?? this.pipelines[0];
	}

	/** Builds stored custom field values from a {name: value} seed (labels for enums). */
	private seedValues(entity: 'leads' | 'contacts' | 'companies', values: Record<string, unknown>): CustomFieldValue[] {
		return Object.entries(values).map(([key, raw]) => {
			const def = this.field(entity, key);
			const list = Array.isArray(raw) ? raw : [raw];
			const out: CfValue[] = list.map((v) => {
				if (def.enums && def.type !== 'multitext') {
					const e = def.enums.find((x) => x.value === v || x.id === v);
					if (!e) throw new Error(`sandbox: ${def.name} has no option ${String(v)}`);
					return { value: e.value, enum_id: e.id, enum_code: e.code ?? null };
				}
				if (def.type === 'multitext') {
					const e = def.enums![0];
					return { value: v, enum_id: e.id, enum_code: e.code ?? null };
				}
				if (def.type === 'numeric') return { value: String(v) };
				return { value: v };
			});
			return { field_id: def.id, field_name: def.name, field_code: def.code, field_type: def.type, values: out };
		});
	}

	addContact(seed: ContactSeed = {}): Contact {
		const id = this.nextId.contact++;
		const first_name = seed.first_name ?? '';
		const last_name = seed.last_name ?? '';
		const cf: Record<string, unknown> = { ...(seed.customFields ?? {}) };
		if (seed.email !== undefined) cf.EMAIL = seed.email;
		if (seed.phone !== undefined) cf.PHONE = seed.phone;
		const values = this.seedValues('contacts', cf);
		const t = now();
		const contact: Contact = {
			id,
			name: seed.name ?? [first_name, last_name].filter(Boolean).join(' '),
			first_name,
			last_name,
			responsible_user_id: seed.responsible_user_id ?? this.users[0]?.id ?? 0,
			group_id: 0,
			created_by: this.users[0]?.id ?? 0,
			updated_by: this.uiUserId,
			created_at: t,
			updated_at: t,
			closest_task_at: null,
			is_deleted: false,
			is_unsorted: false,
			custom_fields_values: values.length ? values : null,
			account_id: this.account.id,
		};
		this.contacts.set(id, contact);
		return contact;
	}

	addLead(seed: LeadSeed = {}): Lead {
		const pipeline = this.pipelines.find((p) => p.id === seed.pipeline_id) ?? this.mainPipeline;
		const id = this.nextId.lead++;
		const values = this.seedValues('leads', seed.customFields ?? {});
		const contacts = (seed.contacts ?? []).map((c, i) => ({
			id: typeof c === 'number' ? c : this.addContact(c).id,
			is_main: i === 0,
		}));
		const t = seed.created_at ?? now();
		const lead: Lead = {
			id,
			name: seed.name ?? `Deal #${id}`,
			price: seed.price ?? 0,
			responsible_user_id: seed.responsible_user_id ?? this.users[this.users.length > 1 ? 1 : 0]?.id ?? 0,
			group_id: 0,
			status_id: seed.status_id ?? pipeline.statuses[0].id,
			pipeline_id: pipeline.id,
			loss_reason_id: null,
			created_by: this.users[0]?.id ?? 0,
			updated_by: this.uiUserId,
			created_at: t,
			updated_at: t,
			closed_at: null,
			closest_task_at: null,
			is_deleted: false,
			custom_fields_values: values.length ? values : null,
			score: null,
			account_id: this.account.id,
			labor_cost: null,
			contacts,
			tags: [],
		};
		this.leads.set(id, lead);
		return lead;
	}

	addNote(leadId: number, text: string, noteType = 'common'): Note {
		const t = now();
		const note: Note = {
			id: this.nextId.note++,
			entity_id: leadId,
			entity_type: 'leads',
			created_by: this.users[0]?.id ?? 0,
			updated_by: this.uiUserId,
			created_at: t,
			updated_at: t,
			responsible_user_id: this.users[0]?.id ?? 0,
			group_id: 0,
			note_type: noteType,
			params: { text },
			account_id: this.account.id,
		};
		this.notes.push(note);
		return note;
	}

	addTask(leadId: number, text: string, completeTill = now() + 86_400, taskTypeId = 1, responsible?: number): Task {
		const t = now();
		const task: Task = {
			id: this.nextId.task++,
			created_by: this.users[0]?.id ?? 0,
			updated_by: this.uiUserId,
			created_at: t,
			updated_at: t,
			responsible_user_id: responsible ?? this.leads.get(leadId)?.responsible_user_id ?? this.users[0]?.id ?? 0,
			group_id: 0,
			entity_id: leadId,
			entity_type: 'leads',
			is_completed: false,
			task_type_id: taskTypeId,
			text,
			duration: 0,
			complete_till: completeTill,
			result: [],
			account_id: this.account.id,
		};
		this.tasks.push(task);
		return task;
	}

	notesFor(leadId: number): Note[] {
		return this.notes.filter((n) => n.entity_type === 'leads' && n.entity_id === leadId);
	}

	tasksFor(leadId: number): Task[] {
		return this.tasks.filter((t) => t.entity_type === 'leads' && t.entity_id === leadId);
	}

	/** A lead's custom field values as {name: value | value[]} (labels for enums). */
	leadFieldMap(leadId: number): Record<string, unknown> {
		const lead = this.leads.get(leadId);
		const out: Record<string, unknown> = {};
		for (const cf of lead?.custom_fields_values ?? []) {
			const values = cf.values.map((v) => v.value);
			out[cf.field_name] = values.length === 1 && cf.field_type !== 'multiselect' ? values[0] : values;
		}
		return out;
	}

	// ------------------------------------------------------------------ OAuth

	/** Registers an OAuth integration and returns a one-time authorization code for it. */
	registerOAuthClient(clientId: string, clientSecret: string, redirectUri: string): void {
		this.oauthClients.set(clientId, { secret: clientSecret, redirectUri });
	}

	issueAuthorizationCode(clientId: string): string {
		const code = `code_${randomBytes(12).toString('hex')}`;
		this.authCodes.set(code, clientId);
		return code;
	}

	/** Makes every issued access token (not long-lived ones) expire now. */
	expireAccessTokens(): void {
		for (const [token, expiry] of this.tokens) if (Number.isFinite(expiry)) this.tokens.set(token, 0);
	}

	private issueTokens(clientId: string): Record<string, unknown> {
		const access = `at_${randomBytes(16).toString('hex')}`;
		const refresh = `rt_${randomBytes(16).toString('hex')}`;
		this.tokens.set(access, Date.now() + this.accessTokenTtlSeconds * 1000);
		this.refreshTokens.set(refresh, clientId);
		return { token_type: 'Bearer', expires_in: this.accessTokenTtlSeconds, access_token: access, refresh_token: refresh };
	}

	private handleToken(req: SandboxRequest, res: SandboxResponse): void {
		const body = (req.body ?? {}) as Record<string, string>;
		let clientId = first(body.client_id);
		let clientSecret = first(body.client_secret);
		const basic = req.headers.authorization?.startsWith('Basic ')
			? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8')
			: undefined;
		if (basic && !clientId) {
			const i = basic.indexOf(':');
			clientId = decodeURIComponent(basic.slice(0, i));
			clientSecret = decodeURIComponent(basic.slice(i + 1));
		}
		const client = clientId ? this.oauthClients.get(clientId) : undefined;
		if (!client || client.secret !== clientSecret) {
			return problem(res, 401, 'Unauthorized', 'Client authentication failed', { hint: 'check client_id and client_secret' });
		}
		const grant = first(body.grant_type);
		if (grant === 'authorization_code') {
			const code = first(body.code) ?? '';
			if (this.authCodes.get(code) !== clientId) {
				return problem(res, 400, 'Bad Request', 'Authorization code has expired', { hint: 'invalid_grant', error: 'invalid_grant' });
			}
			this.authCodes.delete(code);
			return res.json(200, this.issueTokens(clientId!)) as unknown as void;
		}
		if (grant === 'refresh_token') {
			const refresh = first(body.refresh_token) ?? '';
			if (this.refreshTokens.get(refresh) !== clientId) {
				return problem(res, 400, 'Bad Request', 'Token has been revoked', { hint: 'invalid_grant', error: 'invalid_grant' });
			}
			this.refreshTokens.delete(refresh); // rotated
			return res.json(200, this.issueTokens(clientId!)) as unknown as void;
		}
		problem(res, 400, 'Bad Request', `Unsupported grant_type "${grant ?? ''}"`, { error: 'unsupported_grant_type' });
	}

	// ------------------------------------------------------------------ plumbing

	private installRateLimit(): void {
		this.setRateLimit({
			limit: this.rateLimitPerSecond,
			windowMs: 1000,
			match: (req) => req.path.startsWith('/api/'),
			respond: (_req, res, violations) => {
				if (violations >= this.blockAfterViolations) this.blocked = true;
				if (this.blocked) return this.blockedAnswer(res);
				res.json(
					429,
					{ title: 'Too Many Requests', type: 'https://httpstatus.es/429', status: 429, detail: 'Too many requests', retry_after: this.retryAfterSeconds },
					'application/problem+json',
				);
			},
		});
	}

	/** Changes the limit (and forgets the request history). */
	setRequestsPerSecond(limit: number): void {
		this.rateLimitPerSecond = limit;
		this.installRateLimit();
	}

	private blockedAnswer(res: SandboxResponse): void {
		problem(res, 403, 'Forbidden', 'Access from your IP address is blocked after repeated violations of the request limit');
	}

	override resetLog(): void {
		super.resetLog();
		this.deliveries.length = 0;
		this.blocked = false;
	}

	/** Number of 429 answers so far (since the last resetLog). */
	get rateLimitedCount(): number {
		return this.stats.rateLimited;
	}

	/** Lets all fired webhooks finish. */
	async settle(): Promise<void> {
		while (this.pendingDeliveries.size > 0) await Promise.all([...this.pendingDeliveries]);
	}

	protected override before(req: SandboxRequest, res: SandboxResponse): boolean {
		if (!req.path.startsWith('/api/')) return true;
		if (this.blocked) {
			this.blockedAnswer(res);
			return false;
		}
		const token = bearerToken(req);
		const expiry = token ? this.tokens.get(token) : undefined;
		if (expiry === undefined || expiry <= Date.now()) {
			problem(res, 401, 'Unauthorized', expiry === undefined ? 'Unauthorized' : 'Access token has expired');
			return false;
		}
		// Administrator-only endpoints: the users list ("available for administrator users only",
		// developers.kommo.com/reference/users-list) and webhooks (../shared/API-FACTS.md: "Admin only").
		if (token === this.memberToken && (req.path.startsWith('/api/v4/users') || req.path.startsWith('/api/v4/webhooks'))) {
			problem(res, 403, 'Forbidden', 'Access denied');
			return false;
		}
		if ((req.method === 'POST' || req.method === 'PATCH') && !(req.headers['content-type'] ?? '').includes('json')) {
			problem(res, 400, 'Bad Request', 'Request body must be JSON (Content-Type: application/json)');
			return false;
		}
		return true;
	}

	protected override notFound(req: SandboxRequest, res: SandboxResponse): void {
		problem(res, 404, 'Not Found', `No route ${req.method} ${req.path}`);
	}

	private link(path: string): { self: { href: string } } {
		return { self: { href: `${this.url}${path}` } };
	}

	private paged<T>(req: SandboxRequest, res: SandboxResponse, key: string, all: T[], path: string, render: (t: T) => unknown): void {
		const limit = Math.min(250, Math.max(1, Number(first(req.query.limit) ?? 50) || 50));
		const page = Math.max(1, Number(first(req.query.page) ?? 1) || 1);
		const slice = all.slice((page - 1) * limit, page * limit);
		if (slice.length === 0) {
			res.empty(204);
			return;
		}
		const links: Record<string, { href: string }> = { self: { href: `${this.url}${path}?page=${page}&limit=${limit}` } };
		if (page * limit < all.length) links.next = { href: `${this.url}${path}?page=${page + 1}&limit=${limit}` };
		if (page > 1) links.prev = { href: `${this.url}${path}?page=${page - 1}&limit=${limit}` };
		hal(res, { _page: page, _links: links, _embedded: { [key]: slice.map(render) } });
	}

	private withFlags(req: SandboxRequest): Set<string> {
		return new Set((first(req.query.with) ?? '').split(',').map((s) => s.trim()).filter(Boolean));
	}

	// ------------------------------------------------------------------ renderers

	renderLead(lead: Lead, withContacts: boolean): Record<string, unknown> {
		const { contacts, tags, ...rest } = lead;
		const embedded: Record<string, unknown> = { tags, companies: companiesOf(this, 'leads', lead.id) };
		if (withContacts) {
			embedded.contacts = contacts.map((c) => ({ id: c.id, is_main: c.is_main, _links: this.link(`/api/v4/contacts/${c.id}`) }));
		}
		return { ...rest, _links: this.link(`/api/v4/leads/${lead.id}`), _embedded: embedded };
	}

	renderContact(contact: Contact, withLeads: boolean): Record<string, unknown> {
		const { tags, ...plain } = contact;
		const embedded: Record<string, unknown> = { tags: tags ?? [], companies: companiesOf(this, 'contacts', contact.id) };
		if (withLeads) {
			embedded.leads = [...this.leads.values()]
				.filter((l) => l.contacts.some((c) => c.id === contact.id))
				.map((l) => ({ id: l.id, _links: this.link(`/api/v4/leads/${l.id}`) }));
		}
		return { ...plain, _links: this.link(`/api/v4/contacts/${contact.id}`), _embedded: embedded };
	}

	private renderPipeline(p: Pipeline): Record<string, unknown> {
		const { statuses, ...rest } = p;
		return {
			...rest,
			_links: this.link(`/api/v4/leads/pipelines/${p.id}`),
			_embedded: { statuses: statuses.map((s) => ({ ...s, _links: this.link(`/api/v4/leads/pipelines/${p.id}/statuses/${s.id}`) })) },
		};
	}

	private renderField(f: CustomFieldDef): Record<string, unknown> {
		return {
			id: f.id,
			name: f.name,
			type: f.type,
			account_id: this.account.id,
			code: f.code,
			sort: f.sort,
			is_api_only: f.is_api_only,
			enums: f.enums,
			group_id: null,
			required_statuses: [],
			is_deletable: f.code === null,
			is_predefined: f.code !== null,
			entity_type: f.entity_type,
			remind: null,
			_links: this.link(`/api/v4/${f.entity_type}/custom_fields/${f.id}`),
		};
	}

	// ------------------------------------------------------------------ routes

	private registerRoutes(): void {
		this.route('POST', '/oauth2/access_token', (req, res) => this.handleToken(req, res));

		this.route('GET', '/api/v4/account', (req, res) => {
			const flags = this.withFlags(req);
			const embedded: Record<string, unknown> = {};
			if (flags.has('task_types')) {
				embedded.task_types = [
					{ id: 1, name: 'Follow-up', color: null, icon_id: null, code: 'FOLLOW_UP' },
					{ id: 2, name: 'Meeting', color: null, icon_id: null, code: 'MEETING' },
				];
			}
			if (flags.has('users_groups')) embedded.users_groups = [{ id: 0, name: 'Main', uuid: null }];
			hal(res, {
				id: this.account.id,
				name: this.account.name,
				subdomain: this.account.subdomain,
				created_at: 1_600_000_000,
				created_by: this.users[0]?.id ?? 0,
				updated_at: 1_600_000_000,
				updated_by: this.users[0]?.id ?? 0,
				current_user_id: this.currentUserId,
				country: this.account.country,
				currency: this.account.currency,
				customers_mode: 'disabled',
				is_unsorted_on: false,
				is_loss_reason_enabled: false,
				is_helpbot_enabled: false,
				is_technical_account: false,
				contact_name_display_order: 1,
				_links: this.link('/api/v4/account'),
				...(Object.keys(embedded).length ? { _embedded: embedded } : {}),
			});
		});

		this.route('GET', '/api/v4/users', (req, res) =>
			this.paged(req, res, 'users', this.users, '/api/v4/users', (u) => ({
				id: u.id,
				name: u.name,
				email: u.email,
				lang: u.lang,
				rights: { is_admin: u.is_admin, is_free: false, is_active: true, status_rights: [] },
				_links: this.link(`/api/v4/users/${u.id}`),
			})),
		);

		this.route('GET', '/api/v4/leads/pipelines', (_req, res) => {
			if (this.pipelines.length === 0) return void res.empty(204);
			hal(res, {
				_total_items: this.pipelines.length,
				_links: this.link('/api/v4/leads/pipelines'),
				_embedded: { pipelines: this.pipelines.map((p) => this.renderPipeline(p)) },
			});
		});
		this.route('GET', '/api/v4/leads/pipelines/:id', (req, res) => {
			const p = this.pipelines.find((x) => x.id === Number(req.params.id));
			if (!p) return void res.empty(204);
			hal(res, this.renderPipeline(p));
		});
		this.route('GET', '/api/v4/leads/pipelines/:id/statuses', (req, res) => {
			const p = this.pipelines.find((x) => x.id === Number(req.params.id));
			if (!p) return void res.empty(204);
			hal(res, {
				_total_items: p.statuses.length,
				_embedded: { statuses: (this.renderPipeline(p)._embedded as { statuses: unknown[] }).statuses },
			});
		});

		for (const entity of ['leads', 'contacts', 'companies'] as const) {
			this.route('GET', `/api/v4/${entity}/custom_fields`, (req, res) =>
				this.paged(
					req,
					res,
					'custom_fields',
					this.customFields.filter((f) => f.entity_type === entity),
					`/api/v4/${entity}/custom_fields`,
					(f) => this.renderField(f),
				),
			);
		}

		// ---- leads
		this.route('GET', '/api/v4/leads', (req, res) => {
			const ids = idFilter(req.query);
			const query = (first(req.query.query) ?? '').trim().toLowerCase();
			let all = [...this.leads.values()].filter((l) => !l.is_deleted);
			if (ids) all = all.filter((l) => ids.includes(l.id));
			if (query) all = all.filter((l) => this.leadMatches(l, query));
			const withContacts = this.withFlags(req).has('contacts');
			this.paged(req, res, 'leads', all, '/api/v4/leads', (l) => this.renderLead(l, withContacts));
		});
		this.route('GET', '/api/v4/leads/:id', (req, res) => {
			const lead = this.leads.get(Number(req.params.id));
			if (!lead || lead.is_deleted) return void res.empty(204);
			hal(res, this.renderLead(lead, this.withFlags(req).has('contacts')));
		});
		this.route('PATCH', '/api/v4/leads/:id', (req, res) =>
			this.guard(res, () => {
				const lead = this.leads.get(Number(req.params.id));
				if (!lead) return problem(res, 404, 'Not Found', `Lead ${req.params.id} not found`);
				if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
					return problem(res, 400, 'Bad Request', 'Expected one lead object');
				}
				const { next, events } = this.planLeadPatch(lead, req.body as Record<string, unknown>, '0');
				this.commitLead(lead, next);
				this.emitForApi(events, [lead]);
				hal(res, { id: lead.id, updated_at: lead.updated_at, _links: this.link(`/api/v4/leads/${lead.id}`) });
			}),
		);
		this.route('PATCH', '/api/v4/leads', (req, res) =>
			this.guard(res, () => {
				const body = req.body;
				if (!Array.isArray(body) || body.length === 0) return problem(res, 400, 'Bad Request', 'Expected a non-empty array of leads');
				if (body.length > 250) return problem(res, 400, 'Bad Request', 'At most 250 entities per request');
				// Kommo rejects the whole batch when any entity fails validation.
				const planned: Array<{ lead: Lead; next: Lead; events: string[]; requestId: string }> = [];
				const errors: Array<{ request_id: string; errors: FieldError[] }> = [];
				body.forEach((item: Record<string, unknown>, i) => {
					const requestId = String(item?.request_id ?? i);
					const lead = this.leads.get(Number(item?.id));
					if (!lead) {
						errors.push({ request_id: requestId, errors: [{ code: 'NotFound', path: 'id', detail: `Lead ${String(item?.id)} not found` }] });
						return;
					}
					try {
						planned.push({ lead, requestId, ...this.planLeadPatch(lead, item, requestId) });
					} catch (error) {
						if (error instanceof ValidationFailure) errors.push(...error.entries);
						else throw error;
					}
				});
				if (errors.length) throw new ValidationFailure(errors);
				const out = planned.map(({ lead, next, events, requestId }) => {
					this.commitLead(lead, next);
					this.emitForApi(events, [lead]);
					return { id: lead.id, updated_at: lead.updated_at, request_id: requestId, _links: this.link(`/api/v4/leads/${lead.id}`) };
				});
				hal(res, { _links: this.link('/api/v4/leads'), _embedded: { leads: out } });
			}),
		);

		// ---- contacts
		this.route('GET', '/api/v4/contacts', (req, res) => {
			const ids = idFilter(req.query);
			const query = (first(req.query.query) ?? '').trim().toLowerCase();
			let all = [...this.contacts.values()].filter((c) => !c.is_deleted);
			if (ids) all = all.filter((c) => ids.includes(c.id));
			if (query) all = all.filter((c) => this.contactMatches(c, query));
			const withLeads = this.withFlags(req).has('leads');
			this.paged(req, res, 'contacts', all, '/api/v4/contacts', (c) => this.renderContact(c, withLeads));
		});
		this.route('GET', '/api/v4/contacts/:id', (req, res) => {
			const contact = this.contacts.get(Number(req.params.id));
			if (!contact || contact.is_deleted) return void res.empty(204);
			hal(res, this.renderContact(contact, this.withFlags(req).has('leads')));
		});
		this.route('PATCH', '/api/v4/contacts/:id', (req, res) =>
			this.guard(res, () => {
				const contact = this.contacts.get(Number(req.params.id));
				if (!contact) return problem(res, 404, 'Not Found', `Contact ${req.params.id} not found`);
				if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
					return problem(res, 400, 'Bad Request', 'Expected one contact object');
				}
				this.applyContactPatch(contact, req.body as Record<string, unknown>, '0');
				if (this.emitWebhooksForApiChanges) this.fireAsync('update_contact', [contact.id]);
				hal(res, { id: contact.id, name: contact.name, updated_at: contact.updated_at, _links: this.link(`/api/v4/contacts/${contact.id}`) });
			}),
		);

		// ---- notes
		const addNotes = (req: SandboxRequest, res: SandboxResponse, fixedLeadId?: number) =>
			this.guard(res, () => {
				const body = req.body;
				if (!Array.isArray(body) || body.length === 0) return problem(res, 400, 'Bad Request', 'Expected a non-empty array of notes');
				if (body.length > 250) return problem(res, 400, 'Bad Request', 'At most 250 entities per request');
				const errors: Array<{ request_id: string; errors: FieldError[] }> = [];
				body.forEach((n: Record<string, unknown>, i) => {
					const errs: FieldError[] = [];
					const entityId = fixedLeadId ?? Number(n?.entity_id);
					if (!this.leads.has(entityId)) errs.push({ code: 'NotFound', path: 'entity_id', detail: `Lead ${String(n?.entity_id)} not found` });
					if (!VALID_NOTE_TYPES.has(String(n?.note_type))) {
						errs.push({ code: 'NotSupportedChoice', path: 'note_type', detail: 'The value you selected is not a valid choice.' });
					}
					const params = n?.params as Record<string, unknown> | undefined;
					if (!params || typeof params.text !== 'string' || params.text.length === 0) {
						errs.push({ code: 'NotBlank', path: 'params.text', detail: 'This value should not be blank.' });
					}
					if (errs.length) errors.push({ request_id: String(n?.request_id ?? i), errors: errs });
				});
				if (errors.length) throw new ValidationFailure(errors);
				const created = body.map((n: Record<string, unknown>, i) => {
					const note = this.addNote(fixedLeadId ?? Number(n.entity_id), String((n.params as Record<string, unknown>).text), String(n.note_type));
					note.params = { ...(n.params as Record<string, unknown>) };
					if (typeof n.created_by === 'number') note.created_by = n.created_by;
					return {
						id: note.id,
						entity_id: note.entity_id,
						request_id: String(n.request_id ?? i),
						_links: this.link(`/api/v4/leads/${note.entity_id}/notes/${note.id}`),
					};
				});
				hal(res, { _links: this.link('/api/v4/leads/notes'), _embedded: { notes: created } });
			});
		this.route('POST', '/api/v4/leads/notes', (req, res) => addNotes(req, res));
		this.route('POST', '/api/v4/leads/:id/notes', (req, res) => {
			const id = Number(req.params.id);
			if (!this.leads.has(id)) return problem(res, 404, 'Not Found', `Lead ${req.params.id} not found`);
			return addNotes(req, res, id);
		});
		const renderNote = (n: Note) => ({ ...n, _links: this.link(`/api/v4/leads/${n.entity_id}/notes/${n.id}`) });
		// Kommo's note lists: filter[note_type] (one or several), order[id|updated_at]=asc|desc
		const noteList = (req: SandboxRequest, notes: Note[]): Note[] => {
			const types = Object.entries(req.query)
				.filter(([key]) => /^filter\[note_type\](\[\d*\])?$/.test(key))
				.flatMap(([, v]) => (Array.isArray(v) ? v : [v]).flatMap((t) => String(t).split(',')));
			let out = types.length > 0 ? notes.filter((n) => types.includes(n.note_type)) : [...notes];
			const order = Object.entries(req.query).find(([key]) => /^order\[(id|updated_at)\]$/.test(key));
			if (order) {
				const field = order[0] === 'order[id]' ? 'id' : 'updated_at';
				const sign = first(order[1]) === 'desc' ? -1 : 1;
				out = out.sort((a, b) => sign * (Number(a[field]) - Number(b[field])));
			}
			return out;
		};
		this.route('GET', '/api/v4/leads/notes', (req, res) => {
			const entityIds = idFilter(req.query, 'entity_id');
			let all = this.notes.filter((n) => n.entity_type === 'leads');
			if (entityIds) all = all.filter((n) => entityIds.includes(n.entity_id));
			this.paged(req, res, 'notes', noteList(req, all), '/api/v4/leads/notes', renderNote);
		});
		this.route('GET', '/api/v4/leads/:id/notes', (req, res) =>
			this.paged(req, res, 'notes', noteList(req, this.notesFor(Number(req.params.id))), `/api/v4/leads/${req.params.id}/notes`, renderNote),
		);

		// ---- tasks
		this.route('POST', '/api/v4/tasks', (req, res) =>
			this.guard(res, () => {
				const body = req.body;
				if (!Array.isArray(body) || body.length === 0) return problem(res, 400, 'Bad Request', 'Expected a non-empty array of tasks');
				if (body.length > 250) return problem(res, 400, 'Bad Request', 'At most 250 entities per request');
				const errors: Array<{ request_id: string; errors: FieldError[] }> = [];
				body.forEach((t: Record<string, unknown>, i) => {
					const errs: FieldError[] = [];
					if (typeof t?.text !== 'string' || t.text.trim() === '') errs.push({ code: 'NotBlank', path: 'text', detail: 'This value should not be blank.' });
					if (!Number.isInteger(t?.complete_till)) errs.push({ code: 'InvalidType', path: 'complete_till', detail: 'This value should be of type int.' });
					if (t?.entity_type !== undefined && t.entity_type !== 'leads' && t.entity_type !== 'contacts') {
						errs.push({ code: 'NotSupportedChoice', path: 'entity_type', detail: 'The value you selected is not a valid choice.' });
					}
					if (t?.entity_id !== undefined && t.entity_type === 'leads' && !this.leads.has(Number(t.entity_id))) {
						errs.push({ code: 'NotFound', path: 'entity_id', detail: `Lead ${String(t.entity_id)} not found` });
					}
					if (t?.responsible_user_id !== undefined && !this.users.some((u) => u.id === t.responsible_user_id)) {
						errs.push({ code: 'NotSupportedChoice', path: 'responsible_user_id', detail: 'User not found' });
					}
					if (t?.task_type_id !== undefined && t.task_type_id !== 1 && t.task_type_id !== 2) {
						errs.push({ code: 'NotSupportedChoice', path: 'task_type_id', detail: 'Task type not found' });
					}
					if (errs.length) errors.push({ request_id: String(t?.request_id ?? i), errors: errs });
				});
				if (errors.length) throw new ValidationFailure(errors);
				const created = body.map((t: Record<string, unknown>, i) => {
					const task = this.addTask(
						Number(t.entity_id ?? 0),
						String(t.text),
						Number(t.complete_till),
						Number(t.task_type_id ?? 1),
						(t.responsible_user_id as number | undefined) ?? this.users[0]?.id,
					);
					if (t.entity_id === undefined || t.entity_id === null) {
						task.entity_id = null;
						task.entity_type = null;
					} else task.entity_type = String(t.entity_type ?? 'leads');
					return { id: task.id, request_id: String(t.request_id ?? i), _links: this.link(`/api/v4/tasks/${task.id}`) };
				});
				hal(res, { _links: this.link('/api/v4/tasks'), _embedded: { tasks: created } });
			}),
		);
		this.route('GET', '/api/v4/tasks', (req, res) => {
			const entityIds = idFilter(req.query, 'entity_id');
			let all = [...this.tasks];
			if (entityIds) all = all.filter((t) => t.entity_id !== null && entityIds.includes(t.entity_id));
			const entityType = first(req.query['filter[entity_type]']);
			if (entityType) all = all.filter((t) => t.entity_type === entityType);
			const completed = first(req.query['filter[is_completed]']);
			if (completed === '0' || completed === '1') all = all.filter((t) => t.is_completed === (completed === '1'));
			this.paged(req, res, 'tasks', all, '/api/v4/tasks', (t) => ({ ...t, _links: this.link(`/api/v4/tasks/${t.id}`) }));
		});

		// ---- webhooks (admin only: the sandbox's tokens all belong to the admin)
		this.route('GET', '/api/v4/webhooks', (req, res) => {
			const destination = first(req.query['filter[destination]']);
			const all = destination === undefined ? this.webhooks : this.webhooks.filter((w) => w.destination === destination);
			if (all.length === 0) return void res.empty(204);
			hal(res, { _total_items: all.length, _embedded: { webhooks: all } });
		});
		this.route('POST', '/api/v4/webhooks', (req, res) => {
			const body = (req.body ?? {}) as { destination?: unknown; settings?: unknown; sort?: unknown };
			const errs: FieldError[] = [];
			let url: URL | undefined;
			try {
				url = new URL(String(body.destination));
			} catch {
				errs.push({ code: 'InvalidUrl', path: 'destination', detail: 'This value is not a valid URL.' });
			}
			const settings = body.settings;
			if (!Array.isArray(settings) || settings.length === 0) {
				errs.push({ code: 'NotBlank', path: 'settings', detail: 'This value should not be blank.' });
			} else {
				settings.forEach((s, i) => {
					if (!(WEBHOOK_EVENTS as readonly string[]).includes(String(s))) {
						errs.push({ code: 'NotSupportedChoice', path: `settings.${i}`, detail: 'The value you selected is not a valid choice.' });
					}
				});
			}
			if (errs.length) return this.validationAnswer(res, [{ request_id: '0', errors: errs }]);
			void url;
			const destination = String(body.destination);
			let hook = this.webhooks.find((w) => w.destination === destination);
			if (!hook) {
				if (this.webhooks.length >= 100) return problem(res, 400, 'Bad Request', 'An account can have at most 100 webhooks');
				hook = {
					id: this.nextId.webhook++,
					destination,
					created_at: now(),
					updated_at: now(),
					account_id: this.account.id,
					created_by: this.users[0]?.id ?? 0,
					sort: Number(body.sort ?? 1) || 1,
					disabled: false,
					settings: [],
				};
				this.webhooks.push(hook);
			}
			hook.settings = [...new Set((settings as string[]).map(String))];
			hook.updated_at = now();
			hook.disabled = false;
			hal(res, hook);
		});
		this.route('DELETE', '/api/v4/webhooks', (req, res) => {
			const destination = (req.body as { destination?: string } | undefined)?.destination;
			if (!destination) return this.validationAnswer(res, [{ request_id: '0', errors: [{ code: 'NotBlank', path: 'destination', detail: 'This value should not be blank.' }] }]);
			const i = this.webhooks.findIndex((w) => w.destination === destination);
			if (i < 0) return problem(res, 404, 'Not Found', 'Webhook not found');
			this.webhooks.splice(i, 1);
			res.empty(204);
		});
	}

	private guard(res: SandboxResponse, fn: () => void): void {
		try {
			fn();
		} catch (error) {
			if (error instanceof ValidationFailure) return this.validationAnswer(res, error.entries);
			throw error;
		}
	}

	private validationAnswer(res: SandboxResponse, entries: Array<{ request_id: string; errors: FieldError[] }>): void {
		problem(res, 400, 'Bad Request', 'Request validation failed', { 'validation-errors': entries });
	}

	private leadMatches(lead: Lead, query: string): boolean {
		const texts = [lead.name, String(lead.id), String(lead.price)];
		for (const cf of lead.custom_fields_values ?? []) for (const v of cf.values) texts.push(String(v.value ?? ''));
		return texts.some((t) => t.toLowerCase().includes(query));
	}

	private contactMatches(contact: Contact, query: string): boolean {
		const texts = [contact.name, contact.first_name, contact.last_name, String(contact.id)];
		for (const cf of contact.custom_fields_values ?? []) {
			for (const v of cf.values) {
				texts.push(String(v.value ?? ''));
				// Kommo's search finds phone numbers by their digits.
				if (cf.field_code === 'PHONE') texts.push(String(v.value ?? '').replace(/\D/g, ''));
			}
		}
		return texts.some((t) => t.toLowerCase().includes(query));
	}

	// ------------------------------------------------------------------ writes

	/** Validates and applies `custom_fields_values` from a write; throws ValidationFailure. */
	private applyCustomFields(
		entity: 'leads' | 'contacts' | 'companies',
		current: CustomFieldValue[] | null,
		input: unknown,
		requestId: string,
	): CustomFieldValue[] | null {
		if (input === null) return current;
		if (!Array.isArray(input)) {
			throw new ValidationFailure([{ request_id: requestId, errors: [{ code: 'InvalidType', path: 'custom_fields_values', detail: 'This value should be of type array.' }] }]);
		}
		const errors: FieldError[] = [];
		const result = new Map<number, CustomFieldValue>((current ?? []).map((v) => [v.field_id, v]));
		input.forEach((raw: Record<string, unknown>, i) => {
			const base = `custom_fields_values.${i}`;
			const def = this.customFields.find(
				(f) => f.entity_type === entity && ((raw?.field_id !== undefined && f.id === Number(raw.field_id)) || (raw?.field_code !== undefined && f.code === raw.field_code)),
			);
			if (!def) {
				errors.push({ code: 'NotSupportedChoice', path: `${base}.field_id`, detail: 'The field you selected does not exist.' });
				return;
			}
			if (raw.values === null) {
				result.delete(def.id);
				return;
			}
			if (!Array.isArray(raw.values) || raw.values.length === 0) {
				errors.push({ code: 'NotBlank', path: `${base}.values`, detail: 'This value should not be blank.' });
				return;
			}
			if (def.type !== 'multiselect' && def.type !== 'multitext' && raw.values.length > 1) {
				errors.push({ code: 'Count', path: `${base}.values`, detail: 'This collection should contain exactly 1 element.' });
				return;
			}
			const values: CfValue[] = [];
			raw.values.forEach((v: Record<string, unknown>, j: number) => {
				const path = `${base}.values.${j}`;
				if (def.enums && def.type !== 'multitext') {
					const e = def.enums.find(
						(x) =>
							(v?.enum_id !== undefined && x.id === Number(v.enum_id)) ||
							(v?.enum_id === undefined && v?.enum_code !== undefined && x.code === v.enum_code) ||
							(v?.enum_id === undefined && v?.enum_code === undefined && v?.value !== undefined && x.value === v.value),
					);
					if (!e) {
						errors.push({ code: 'NotSupportedChoice', path: `${path}.enum_id`, detail: 'The value you selected is not a valid choice.' });
						return;
					}
					values.push({ value: e.value, enum_id: e.id, enum_code: e.code ?? null });
					return;
				}
				const value = v?.value;
				switch (def.type) {
					case 'numeric':
					case 'price':
						if (value === null || value === '' || !Number.isFinite(Number(value)) || typeof value === 'boolean') {
							errors.push({ code: 'InvalidType', path: `${path}.value`, detail: 'This value should be a number.' });
							return;
						}
						values.push({ value: String(value) });
						return;
					case 'checkbox':
						if (typeof value !== 'boolean') {
							errors.push({ code: 'InvalidType', path: `${path}.value`, detail: 'This value should be of type bool.' });
							return;
						}
						values.push({ value });
						return;
					case 'date':
					case 'date_time':
					case 'birthday':
						if (!Number.isInteger(value)) {
							errors.push({ code: 'InvalidType', path: `${path}.value`, detail: 'This value should be a timestamp.' });
							return;
						}
						values.push({ value });
						return;
					case 'multitext': {
						const e = def.enums!.find((x) => (v?.enum_id !== undefined ? x.id === Number(v.enum_id) : x.code === (v?.enum_code ?? 'WORK')));
						if (typeof value !== 'string' || value === '') {
							errors.push({ code: 'NotBlank', path: `${path}.value`, detail: 'This value should not be blank.' });
							return;
						}
						if (!e) {
							errors.push({ code: 'NotSupportedChoice', path: `${path}.enum_code`, detail: 'The value you selected is not a valid choice.' });
							return;
						}
						if (def.code === 'EMAIL' && !/^[^@\s]+@[^@\s]+$/.test(value)) {
							errors.push({ code: 'InvalidEmail', path: `${path}.value`, detail: 'This value is not a valid email address.' });
							return;
						}
						values.push({ value, enum_id: e.id, enum_code: e.code ?? null });
						return;
					}
					case 'url':
						try {
							new URL(String(value));
						} catch {
							errors.push({ code: 'InvalidUrl', path: `${path}.value`, detail: 'This value is not a valid URL.' });
							return;
						}
						values.push({ value });
						return;
					default:
						if (typeof value !== 'string' && typeof value !== 'number') {
							errors.push({ code: 'InvalidType', path: `${path}.value`, detail: 'This value should be of type string.' });
							return;
						}
						if (String(value).length > 256 && def.type === 'text') {
							errors.push({ code: 'Length', path: `${path}.value`, detail: 'This value is too long. It should have 256 characters or less.' });
							return;
						}
						values.push({ value: String(value) });
				}
			});
			result.set(def.id, { field_id: def.id, field_name: def.name, field_code: def.code, field_type: def.type, values });
		});
		if (errors.length) throw new ValidationFailure([{ request_id: requestId, errors }]);
		const list = [...result.values()];
		return list.length ? list : null;
	}

	/** Validates one lead write; returns the lead as it would be and the webhook events it causes. */
	private planLeadPatch(lead: Lead, body: Record<string, unknown>, requestId: string): { next: Lead; events: string[] } {
		const errors: FieldError[] = [];
		const events: string[] = [];
		const next = structuredClone(lead);
		if (body.name !== undefined) {
			if (typeof body.name !== 'string') errors.push({ code: 'InvalidType', path: 'name', detail: 'This value should be of type string.' });
			else next.name = body.name;
		}
		if (body.price !== undefined) {
			if (!Number.isInteger(body.price) || (body.price as number) < 0) {
				errors.push({ code: 'InvalidType', path: 'price', detail: 'This value should be of type int.' });
			} else next.price = body.price as number;
		}
		if (body.responsible_user_id !== undefined) {
			if (!this.users.some((u) => u.id === body.responsible_user_id)) {
				errors.push({ code: 'NotSupportedChoice', path: 'responsible_user_id', detail: 'User not found' });
			} else next.responsible_user_id = body.responsible_user_id as number;
		}
		if (body.pipeline_id !== undefined || body.status_id !== undefined) {
			const pipeline = this.pipelines.find((p) => p.id === Number(body.pipeline_id ?? lead.pipeline_id));
			if (!pipeline) {
				errors.push({ code: 'NotSupportedChoice', path: 'pipeline_id', detail: 'Pipeline not found' });
			} else {
				const statusId = body.status_id !== undefined ? Number(body.status_id) : pipeline.id === lead.pipeline_id ? lead.status_id : pipeline.statuses[0].id;
				if (!pipeline.statuses.some((s) => s.id === statusId)) {
					errors.push({ code: 'NotSupportedChoice', path: 'status_id', detail: `Status ${statusId} is not in pipeline ${pipeline.id}` });
				} else {
					next.pipeline_id = pipeline.id;
					next.status_id = statusId;
				}
			}
		}
		try {
			if (body.custom_fields_values !== undefined) {
				next.custom_fields_values = this.applyCustomFields('leads', lead.custom_fields_values, body.custom_fields_values, requestId);
			}
		} catch (error) {
			if (error instanceof ValidationFailure) errors.push(...error.entries.flatMap((e) => e.errors));
			else throw error;
		}
		errors.push(...applyTagWrites(this, 'leads', next, body));
		if (errors.length) throw new ValidationFailure([{ request_id: requestId, errors }]);
		if (next.status_id !== lead.status_id || next.pipeline_id !== lead.pipeline_id) {
			events.push('status_lead');
			next.closed_at = next.status_id === WON_STATUS_ID || next.status_id === LOST_STATUS_ID ? now() : null;
		}
		if (next.responsible_user_id !== lead.responsible_user_id) events.push('responsible_lead');
		events.push('update_lead');
		next.updated_at = now();
		// A change through the API is the token's user's change: Kommo puts that user in the
		// webhook's modified_user_id, which is how the trigger recognises its own writes (loops).
		next.updated_by = this.currentUserId;
		return { next, events };
	}

	private commitLead(lead: Lead, next: Lead): void {
		this.lastPrevious.set(lead.id, { status_id: lead.status_id, pipeline_id: lead.pipeline_id, responsible_user_id: lead.responsible_user_id });
		Object.assign(lead, next);
	}

	private readonly lastPrevious = new Map<number, { status_id: number; pipeline_id: number; responsible_user_id: number }>();

	private applyContactPatch(contact: Contact, body: Record<string, unknown>, requestId: string): void {
		const errors: FieldError[] = [];
		const next = structuredClone(contact);
		for (const key of ['name', 'first_name', 'last_name'] as const) {
			if (body[key] !== undefined) {
				if (typeof body[key] !== 'string') errors.push({ code: 'InvalidType', path: key, detail: 'This value should be of type string.' });
				else next[key] = body[key] as string;
			}
		}
		if ((body.first_name !== undefined || body.last_name !== undefined) && body.name === undefined) {
			next.name = [next.first_name, next.last_name].filter(Boolean).join(' ');
		}
		if (body.responsible_user_id !== undefined) {
			if (!this.users.some((u) => u.id === body.responsible_user_id)) {
				errors.push({ code: 'NotSupportedChoice', path: 'responsible_user_id', detail: 'User not found' });
			} else next.responsible_user_id = body.responsible_user_id as number;
		}
		try {
			if (body.custom_fields_values !== undefined) {
				next.custom_fields_values = this.applyCustomFields('contacts', contact.custom_fields_values, body.custom_fields_values, requestId);
			}
		} catch (error) {
			if (error instanceof ValidationFailure) errors.push(...error.entries.flatMap((e) => e.errors));
			else throw error;
		}
		errors.push(...applyTagWrites(this, 'contacts', next, body));
		if (errors.length) throw new ValidationFailure([{ request_id: requestId, errors }]);
		next.updated_at = now();
		next.updated_by = this.currentUserId;
		Object.assign(contact, next);
	}

	private emitForApi(events: string[], leads: Lead[]): void {
		if (!this.emitWebhooksForApiChanges) return;
		for (const event of events) this.fireAsync(event, leads.map((l) => l.id));
	}

	private fireAsync(event: string, ids: number[]): void {
		const p = this.fire(event, ids).catch(() => undefined);
		this.pendingDeliveries.add(p);
		void p.finally(() => this.pendingDeliveries.delete(p));
	}

	/** The user every sandbox token belongs to (GET /api/v4/account current_user_id). */
	get currentUserId(): number {
		return this.users[0]?.id ?? 0;
	}

	/** The user whose UI changes the helpers simulate: the first non-token user, else the token's user. */
	get uiUserId(): number {
		return this.users[1]?.id ?? this.currentUserId;
	}

	// ------------------------------------------------------------------ webhooks out

	/**
	 * Moves a lead to another status the way a manager does in the UI and
	 * fires `status_lead` (and `update_lead`) to the subscribed destinations
	 * (unless `fire: false`; `webhookBody('status_lead', …)` then gives the body).
	 */
	async moveLead(
		leadId: number,
		statusId: number,
		options: { pipelineId?: number; fire?: boolean; byUserId?: number } = {},
	): Promise<WebhookDelivery[]> {
		const lead = this.leads.get(leadId);
		if (!lead) throw new Error(`sandbox: no lead ${leadId}`);
		const pipeline = this.pipelines.find((p) => p.id === (options.pipelineId ?? lead.pipeline_id))!;
		if (!pipeline.statuses.some((s) => s.id === statusId)) throw new Error(`sandbox: status ${statusId} not in pipeline ${pipeline.id}`);
		this.lastPrevious.set(lead.id, { status_id: lead.status_id, pipeline_id: lead.pipeline_id, responsible_user_id: lead.responsible_user_id });
		lead.status_id = statusId;
		lead.pipeline_id = pipeline.id;
		lead.updated_at = now();
		// A manager in the UI, not the API token's user (unless a test says otherwise).
		lead.updated_by = options.byUserId ?? this.uiUserId;
		lead.closed_at = statusId === WON_STATUS_ID || statusId === LOST_STATUS_ID ? now() : null;
		if (options.fire === false) return [];
		const out = await this.fire('status_lead', [leadId]);
		out.push(...(await this.fire('update_lead', [leadId])));
		return out;
	}

	/**
	 * Sends one webhook request per subscribed destination carrying all the
	 * given entities (several entities per request, as Kommo batches them).
	 * `ids` are lead ids for *_lead events, contact ids for *_contact events and
	 * note ids for note_* events.
	 */
	async fire(event: string, ids: number[]): Promise<WebhookDelivery[]> {
		const body = this.webhookBody(event, ids);
		const targets = this.webhooks.filter((w) => !w.disabled && w.settings.includes(event));
		return await Promise.all(targets.map((w) => this.sendTo(w, [event], body)));
	}

	/** Sends an arbitrary body (e.g. a forged or malformed one) to a URL, recorded like a delivery. */
	async sendRaw(destination: string, body: string, contentType = 'application/x-www-form-urlencoded'): Promise<WebhookDelivery> {
		return await this.sendTo(
			{ id: 0, destination, settings: [], created_at: 0, updated_at: 0, account_id: this.account.id, created_by: 0, sort: 0, disabled: false },
			[],
			body,
			contentType,
		);
	}

	private async sendTo(hook: Webhook, events: string[], body: string, contentType = 'application/x-www-form-urlencoded'): Promise<WebhookDelivery> {
		const url = new URL(hook.destination);
		const at = Date.now();
		if (!isLoopback(url)) {
			const d: WebhookDelivery = { webhookId: hook.id, destination: hook.destination, events, body, status: 0, ms: 0, ok: false, error: 'sandbox only delivers to loopback', at };
			this.deliveries.push(d);
			return d;
		}
		if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
		const result = await this.deliver(url.toString(), {
			method: 'POST',
			headers: { 'content-type': contentType, 'user-agent': 'amoCRM-Webhooks/3.0' },
			body,
			timeoutMs: 10_000,
		});
		const ok = result.status >= 200 && result.status < 300 && result.ms < 2000;
		const d: WebhookDelivery = {
			webhookId: hook.id,
			destination: hook.destination,
			events,
			body,
			status: result.status,
			ms: result.ms,
			ok,
			...(result.error ? { error: result.error } : {}),
			at,
		};
		this.deliveries.push(d);
		if (!ok && hook.id !== 0) {
			// More than 100 bad answers within 2 hours disable the webhook.
			const list = (this.webhookFailures.get(hook.id) ?? []).filter((t) => t > at - 2 * 3600_000);
			list.push(at);
			this.webhookFailures.set(hook.id, list);
			if (list.length > 100) hook.disabled = true;
		}
		return d;
	}

	/**
	 * The form body Kommo would send for `event` about the given entities (v2 nested keys). Only
	 * keys and value shapes that occur in real bodies (test/fixtures/kommo-payloads, from ../shared/payloads/kommo) are written;
	 * test/integration/kommo/payload-corpus.test.ts compares them.
	 */
	webhookBody(event: string, ids: number[]): string {
		const params = new URLSearchParams();
		const match = /^(add|update|delete|restore|status|responsible|note)_(lead|contact|company|task)$/.exec(event);
		if (!match) throw new Error(`sandbox: unknown webhook event ${event}`);
		const [, action, entity] = match;
		const group = entity === 'lead' ? 'leads' : entity === 'contact' ? 'contacts' : entity === 'company' ? 'contacts' : 'task';
		ids.forEach((id, i) => {
			const prefix = `${group}[${action}][${i}]`;
			if (action === 'note') {
				const note = this.notes.find((n) => n.id === id);
				if (!note) throw new Error(`sandbox: no note ${id}`);
				const p = `${prefix}[note]`;
				params.append(`${p}[id]`, String(note.id));
				params.append(`${p}[text]`, String(note.params.text ?? ''));
				params.append(`${p}[note_type]`, note.note_type === 'common' ? '4' : '25');
				params.append(`${p}[element_id]`, String(note.entity_id));
				params.append(`${p}[element_type]`, note.entity_type === 'leads' ? '2' : '1');
				params.append(`${p}[date_create]`, String(note.created_at));
				params.append(`${p}[last_modified]`, String(note.updated_at));
				params.append(`${p}[created_by]`, String(note.created_by));
				params.append(`${p}[responsible_user_id]`, String(note.responsible_user_id));
				params.append(`${p}[account_id]`, String(note.account_id));
				params.append(`${prefix}[type]`, note.entity_type === 'leads' ? 'lead' : 'contact');
				return;
			}
			if (entity === 'lead') {
				const lead = this.leads.get(id);
				if (!lead) throw new Error(`sandbox: no lead ${id}`);
				params.append(`${prefix}[id]`, String(lead.id));
				if (action === 'delete') {
					params.append(`${prefix}[status_id]`, String(lead.status_id));
					params.append(`${prefix}[pipeline_id]`, String(lead.pipeline_id));
					return;
				}
				params.append(`${prefix}[name]`, lead.name);
				params.append(`${prefix}[status_id]`, String(lead.status_id));
				if (action === 'status') {
					const prev = this.lastPrevious.get(lead.id);
					params.append(`${prefix}[old_status_id]`, String(prev?.status_id ?? lead.status_id));
					if (prev && prev.pipeline_id !== lead.pipeline_id) params.append(`${prefix}[old_pipeline_id]`, String(prev.pipeline_id));
				}
				params.append(`${prefix}[price]`, String(lead.price));
				params.append(`${prefix}[responsible_user_id]`, String(lead.responsible_user_id));
				if (action === 'responsible') {
					params.append(`${prefix}[old_responsible_user_id]`, String(this.lastPrevious.get(lead.id)?.responsible_user_id ?? lead.responsible_user_id));
				}
				params.append(`${prefix}[last_modified]`, String(lead.updated_at));
				params.append(`${prefix}[modified_user_id]`, String(lead.updated_by));
				params.append(`${prefix}[created_user_id]`, String(lead.created_by));
				params.append(`${prefix}[date_create]`, String(lead.created_at));
				params.append(`${prefix}[pipeline_id]`, String(lead.pipeline_id));
				params.append(`${prefix}[account_id]`, String(lead.account_id));
				this.appendCustomFields(params, prefix, lead.custom_fields_values);
				return;
			}
			if (entity === 'contact') {
				const contact = this.contacts.get(id);
				if (!contact) throw new Error(`sandbox: no contact ${id}`);
				params.append(`${prefix}[id]`, String(contact.id));
				params.append(`${prefix}[name]`, contact.name);
				params.append(`${prefix}[responsible_user_id]`, String(contact.responsible_user_id));
				params.append(`${prefix}[date_create]`, String(contact.created_at));
				params.append(`${prefix}[last_modified]`, String(contact.updated_at));
				params.append(`${prefix}[created_user_id]`, String(contact.created_by));
				params.append(`${prefix}[modified_user_id]`, String(contact.updated_by));
				params.append(`${prefix}[account_id]`, String(contact.account_id));
				this.appendCustomFields(params, prefix, contact.custom_fields_values);
				const leadIds = [...this.leads.values()].filter((l) => l.contacts.some((c) => c.id === contact.id)).map((l) => l.id);
				// A map keyed by lead id: `linked_leads_id[9982719][ID]=9982719`
				// (test/fixtures/kommo-payloads, from ../shared/payloads/kommo/fs6040547942__apfitness_2018_contacts_update_phone_email_im_linked_leads.body).
				leadIds.forEach((leadId) => params.append(`${prefix}[linked_leads_id][${leadId}][ID]`, String(leadId)));
				params.append(`${prefix}[type]`, 'contact');
				return;
			}
			throw new Error(`sandbox: firing ${event} is not implemented`);
		});
		params.append('account[subdomain]', this.account.subdomain);
		params.append('account[id]', String(this.account.id));
		params.append('account[_links][self]', `https://${this.account.subdomain}.kommo.com`);
		return params.toString();
	}

	private appendCustomFields(params: URLSearchParams, prefix: string, values: CustomFieldValue[] | null): void {
		(values ?? []).forEach((cf, j) => {
			const p = `${prefix}[custom_fields][${j}]`;
			params.append(`${p}[id]`, String(cf.field_id));
			params.append(`${p}[name]`, cf.field_name);
			if (cf.field_code) params.append(`${p}[code]`, cf.field_code);
			cf.values.forEach((v, k) => {
				if (BARE_WEBHOOK_TYPES.has(cf.field_type)) {
					// Date-like values are sent bare, without [value]: `…[custom_fields][2][values][0]=1542067200`
					// (test/fixtures/kommo-payloads, from ../shared/payloads/kommo/fs6040547942__apfitness_2018_leads_status_bare_date_checkbox.DECODED-BY-AUTHOR.txt;
					// VENDOR-FACTS.md, Kommo 1).
					params.append(`${p}[values][${k}]`, String(v.value ?? ''));
					return;
				}
				params.append(`${p}[values][${k}][value]`, String(v.value ?? ''));
				if (v.enum_id !== undefined) params.append(`${p}[values][${k}][enum]`, String(v.enum_id));
			});
		});
	}
}
