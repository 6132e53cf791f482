/**
 * Incoming leads ("unsorted"). Sources: kommo.com/developers/content/api_v4/incoming-leads,
 * developers.kommo.com/reference/incoming-lead-uid, …/declining-incoming-leads, the community
 * OpenAPI (UnsortedAcceptRequest, UnsortedDeclineRequest, UnsortedAcceptResponse) and the official
 * PHP SDK (Unsorted::accept posts, Unsorted::decline deletes):
 *  - categories sip, mail, forms, chats; an incoming lead sits in its pipeline's system stage
 *    (status type 1) with its contact, until it is accepted or declined;
 *  - GET /api/v4/leads/unsorted: paged (≤ 250), filter[uid], filter[category][], filter[pipeline_id],
 *    order[created_at]=asc|desc; GET /api/v4/leads/unsorted/{uid};
 *  - POST /api/v4/leads/unsorted/{uid}/accept `{user_id?, status_id?}`;
 *    DELETE /api/v4/leads/unsorted/{uid}/decline `{user_id?}`; both answer
 *    `{uid, pipeline_id, category, created_at, _embedded: {leads, contacts, companies}}`.
 * Unsure: what Kommo answers for an unknown uid (404 here) and whether status_id may be a stage of
 * another pipeline (refused here: it must be a stage of the incoming lead's pipeline).
 */
import { randomBytes } from 'node:crypto';

import type { SandboxRequest, SandboxResponse, SandboxServer } from '../kit';
import { first, hal, now, paged, problem, queryValues, validationAnswer, type FieldError } from './wire';

export type IncomingCategory = 'sip' | 'mail' | 'forms' | 'chats';

export interface IncomingLead {
	uid: string;
	source_uid: string | null;
	source_name: string | null;
	category: IncomingCategory;
	pipeline_id: number;
	created_at: number;
	metadata: Record<string, unknown>;
	lead_id: number;
	contact_id: number | null;
}

interface Host extends SandboxServer {
	account: { id: number };
	users: Array<{ id: number }>;
	pipelines: Array<{ id: number; is_main: boolean; statuses: Array<{ id: number; type: number; sort: number }> }>;
	leads: Map<number, { status_id: number; is_deleted: boolean; responsible_user_id: number; updated_at: number }>;
	addLead(seed: { name?: string; pipeline_id?: number; status_id?: number; contacts?: Array<{ first_name?: string; email?: string }> }): {
		id: number;
		contacts: Array<{ id: number }>;
	};
}

export class UnsortedStore {
	readonly incoming: IncomingLead[] = [];

	constructor(private readonly host: Host) {}

	/** An incoming lead: a lead in the pipeline's "Incoming leads" stage (type 1) with its contact. */
	add(seed: {
		category?: IncomingCategory;
		pipelineId?: number;
		name?: string;
		contact?: { first_name?: string; email?: string };
		sourceName?: string;
		createdAt?: number;
	}): IncomingLead {
		const pipeline = this.host.pipelines.find((p) => p.id === seed.pipelineId) ?? this.host.pipelines.find((p) => p.is_main)!;
		const stage = pipeline.statuses.find((s) => s.type === 1);
		if (!stage) throw new Error(`sandbox: pipeline ${pipeline.id} has no incoming-leads stage`);
		const lead = this.host.addLead({
			name: seed.name,
			pipeline_id: pipeline.id,
			status_id: stage.id,
			contacts: seed.contact ? [seed.contact] : [],
		});
		const category = seed.category ?? 'forms';
		const created = seed.createdAt ?? now();
		const entry: IncomingLead = {
			uid: randomBytes(30).toString('hex'),
			source_uid: null,
			source_name: seed.sourceName ?? null,
			category,
			pipeline_id: pipeline.id,
			created_at: created,
			metadata:
				category === 'forms'
					? { form_id: '1115559', form_name: 'Website form', form_page: 'https://acme.test/contact', ip: '203.0.113.7', form_sent_at: String(created), referer: 'https://acme.test/' }
					: {},
			lead_id: lead.id,
			contact_id: lead.contacts[0]?.id ?? null,
		};
		this.incoming.push(entry);
		return entry;
	}

	private embedded(u: IncomingLead) {
		const link = (path: string) => ({ self: { href: `${this.host.url}${path}` } });
		return {
			leads: [{ id: u.lead_id, _links: link(`/api/v4/leads/${u.lead_id}`) }],
			contacts: u.contact_id ? [{ id: u.contact_id, _links: link(`/api/v4/contacts/${u.contact_id}`) }] : [],
			companies: [],
		};
	}

	render(u: IncomingLead): Record<string, unknown> {
		const { lead_id, contact_id, ...rest } = u;
		void lead_id;
		void contact_id;
		return {
			...rest,
			account_id: this.host.account.id,
			_links: { self: { href: `${this.host.url}/api/v4/leads/unsorted/${u.uid}` } },
			_embedded: this.embedded(u),
		};
	}

	private answer(res: SandboxResponse, u: IncomingLead): void {
		hal(res, { uid: u.uid, pipeline_id: u.pipeline_id, category: u.category, created_at: u.created_at, _embedded: this.embedded(u) });
	}

	private find(req: SandboxRequest, res: SandboxResponse): IncomingLead | undefined {
		const u = this.incoming.find((x) => x.uid === req.params.uid);
		if (!u) problem(res, 404, 'Not Found', `Incoming lead ${req.params.uid} not found`);
		return u;
	}

	private userError(body: Record<string, unknown>): FieldError | undefined {
		if (body.user_id === undefined) return undefined;
		if (!Number.isInteger(body.user_id)) return { code: 'InvalidType', path: 'user_id', detail: 'This value should be of type int.' };
		if (!this.host.users.some((x) => x.id === body.user_id)) return { code: 'NotFound', path: 'user_id', detail: 'User not found' };
		return undefined;
	}

	install(): this {
		const s = this.host;
		s.route('GET', '/api/v4/leads/unsorted', (req, res) => {
			let all = [...this.incoming];
			const uids = queryValues(req.query, 'filter[uid]');
			if (uids) all = all.filter((u) => uids.includes(u.uid));
			const categories = queryValues(req.query, 'filter[category]');
			if (categories) all = all.filter((u) => categories.includes(u.category));
			const pipelineId = first(req.query['filter[pipeline_id]']);
			if (pipelineId !== undefined) all = all.filter((u) => String(u.pipeline_id) === pipelineId);
			const order = first(req.query['order[created_at]']);
			if (order === 'asc' || order === 'desc') all.sort((a, b) => (order === 'asc' ? 1 : -1) * (a.created_at - b.created_at));
			paged(req, res, s.url, 'unsorted', all, '/api/v4/leads/unsorted', (u) => this.render(u));
		});
		s.route('GET', '/api/v4/leads/unsorted/:uid', (req, res) => {
			const u = this.find(req, res);
			if (u) hal(res, this.render(u));
		});
		s.route('POST', '/api/v4/leads/unsorted/:uid/accept', (req, res) => {
			const u = this.find(req, res);
			if (!u) return;
			const body = (req.body ?? {}) as Record<string, unknown>;
			const errs: FieldError[] = [];
			const userError = this.userError(body);
			if (userError) errs.push(userError);
			const pipeline = s.pipelines.find((p) => p.id === u.pipeline_id)!;
			const regular = [...pipeline.statuses].sort((a, b) => a.sort - b.sort).filter((x) => x.type !== 1);
			let statusId = regular[0].id;
			if (body.status_id !== undefined) {
				if (!Number.isInteger(body.status_id) || !regular.some((x) => x.id === body.status_id)) {
					errs.push({ code: 'NotFound', path: 'status_id', detail: `Status ${String(body.status_id)} is not a stage of pipeline ${u.pipeline_id}` });
				} else statusId = body.status_id as number;
			}
			if (errs.length) return validationAnswer(res, [{ request_id: '0', errors: errs }]);
			const lead = s.leads.get(u.lead_id)!;
			lead.status_id = statusId;
			lead.updated_at = now();
			if (typeof body.user_id === 'number') lead.responsible_user_id = body.user_id;
			this.incoming.splice(this.incoming.indexOf(u), 1);
			this.answer(res, u);
		});
		s.route('DELETE', '/api/v4/leads/unsorted/:uid/decline', (req, res) => {
			const u = this.find(req, res);
			if (!u) return;
			const userError = this.userError((req.body ?? {}) as Record<string, unknown>);
			if (userError) return validationAnswer(res, [{ request_id: '0', errors: [userError] }]);
			const lead = s.leads.get(u.lead_id);
			if (lead) lead.is_deleted = true;
			this.incoming.splice(this.incoming.indexOf(u), 1);
			this.answer(res, u);
		});
		return this;
	}
}
