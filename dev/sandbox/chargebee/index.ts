/**
 * ChargebeeSandbox: a loopback stand-in for one Chargebee site (API v2,
 * Product Catalog 2.0) that speaks the wire format the official SDK and our
 * node use:
 *  - `/api/v2/...`, HTTP Basic auth with the API key as user and an empty
 *    password (read-only keys get 403 on writes);
 *  - form-encoded request bodies (`subscription_items[item_price_id][0]`,
 *    `enabled_events[0]`, `meta_data` as a JSON string, `cf_*` fields);
 *  - JSON answers wrapped the Chargebee way (`{customer: {...}}`,
 *    `{list: [{customer}], next_offset}`) and error bodies
 *    `{message, type, api_error_code, param, error_code, error_msg, error_param, http_status_code}`;
 *  - `chargebee-idempotency-key` replay for 30 minutes with
 *    `chargebee-idempotency-replayed: true`;
 *  - a per-minute request limit (default 150, a test site's) answered with
 *    429 + Retry-After;
 *  - events for what happens (customer/subscription created, invoices,
 *    payments, changes, cancellations…), `GET /events[/{id}]`, and delivery to
 *    registered webhook endpoints with their Basic-auth pair.
 *
 *   const cb = await new ChargebeeSandbox().start();
 *   // credentials: { site: 'acme-test', apiKey: cb.apiKey, baseUrl: cb.url }
 *   await cb.simulatePaymentSucceeded('sub-1');   // → payment_succeeded to every endpoint
 *
 * Behaviour that real Chargebee documents but the sandbox simplifies is noted
 * where it happens (proration, dunning, taxes are not modelled).
 */
import { randomBytes } from 'node:crypto';

import { CHARGEBEE_EVENT_TYPES } from '../../../nodes/ChargebeeBilling/trigger/event-types';
import {
	basicAuth,
	header,
	SandboxServer,
	type DeliveryResult,
	type Handler,
	type SandboxRequest,
	type SandboxResponse,
} from '../kit';
import { decodeChargebeeForm, type FormObject, type FormValue } from './form';
import { checkRequest, operationFor, preloadSchemas } from './spec-check';
import { checkResponse, checkWebhookEvent, loadTypeSchemas } from './type-check';

type Json = Record<string, unknown>;

export type PaymentOutcome = 'succeed' | 'fail' | 'none';

export interface ChargebeeSandboxOptions {
	/** Site name, as in `https://{site}.chargebee.com` (informational). */
	site?: string;
	/** Full-access API key accepted as Basic-auth user. */
	apiKey?: string;
	/** Keys that may read but not write (403 on POST). */
	readOnlyApiKeys?: string[];
	/** Requests per minute before 429 (test sites: 150). 0 = unlimited. */
	requestsPerMinute?: number;
	/** What happens when an invoice is charged: a test card that works, one that declines, or no charge. */
	payments?: PaymentOutcome;
	/** Deliver events to webhook endpoints as they happen (default true). */
	autoDeliver?: boolean;
	/**
	 * Every new customer starts with a valid card as primary payment source, as if it had been
	 * added in the console or a hosted page before (default false: customers start card-less, as
	 * on a real site, and a paid subscription with auto collection on is refused).
	 */
	customersHaveCard?: boolean;
	/** Seed a small item-price catalogue (default true). */
	seedCatalog?: boolean;
	/**
	 * Custom fields defined on the site (Settings → Configure Chargebee → Custom Fields), per
	 * resource. A `cf_*` key that is not defined here is refused. Default: the customer field the
	 * shipped workflow and the node's default send (`cf_kommo_lead_id`), none on subscriptions.
	 */
	customFields?: { customer?: string[]; subscription?: string[] };
	/**
	 * Check every request against the SDK's request schemas and every answer and webhook against
	 * its resource types (spec-check.ts, type-check.ts); deviations are recorded and `stop()`
	 * throws listing them, so any suite that starts a sandbox fails on one. Default true. Turn it
	 * off only in a test that sends bad requests on purpose (or read them with `takeDeviations()`).
	 */
	specCheck?: boolean;
}

/** Something the sandbox received or sent that the official SDK's schemas or types do not allow. */
export interface Deviation {
	kind: 'request' | 'response' | 'webhook';
	/** `POST /api/v2/customers` or `webhook subscription_created`. */
	where: string;
	problems: string[];
}

/**
 * What the shipped nodes and workflows send by default: the customer custom field holding the
 * Kommo lead id (nodes/ChargebeeBilling/helpers.ts DEFAULT_KOMMO_FIELD,
 * workflows/kommo-won-to-chargebee.json `kommoLeadIdField`). The README tells the user to create it.
 */
export const DEFAULT_CUSTOM_FIELDS = { customer: ['cf_kommo_lead_id'], subscription: [] as string[] };

export interface ItemPriceSeed {
	id: string;
	name?: string;
	item_id?: string;
	item_type?: 'plan' | 'addon' | 'charge';
	pricing_model?: 'flat_fee' | 'per_unit' | 'tiered' | 'volume' | 'stairstep';
	price: number;
	currency_code: string;
	period?: number;
	period_unit?: 'day' | 'week' | 'month' | 'year';
	status?: 'active' | 'archived';
}

export interface DeliveryRecord extends DeliveryResult {
	eventId: string;
	eventType: string;
	endpointId: string;
	url: string;
}

interface Stored {
	/** Method, path and sorted parameters of the first request: a replay must match them. */
	fingerprint: string;
	status: number;
	headers: Record<string, string>;
	body: Buffer | string;
	expiresAt: number;
}

interface WebhookEndpointRecord {
	id: string;
	name: string;
	url: string;
	api_version: 'v1' | 'v2';
	disabled: boolean;
	primary_url: boolean;
	send_card_resource: boolean;
	enabled_events: string[];
	basic_auth_username?: string;
	basic_auth_password?: string;
	created_at: number;
}

/** A Chargebee error answered with its documented body. */
export class ChargebeeApiError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly apiErrorCode: string,
		readonly param?: string,
		readonly type?: string,
		readonly errorCode?: string,
	) {
		super(message);
	}

	body(): Json {
		return {
			message: this.message,
			...(this.type ? { type: this.type } : {}),
			api_error_code: this.apiErrorCode,
			...(this.param ? { param: this.param } : {}),
			error_code: this.errorCode ?? this.apiErrorCode,
			error_msg: this.message,
			...(this.param ? { error_param: this.param } : {}),
			http_status_code: this.status,
		};
	}
}

const invalid = (param: string, what: string, code = 'param_wrong_value') =>
	new ChargebeeApiError(400, `${param} : ${what}`, code, param, 'invalid_request', code === 'param_wrong_value' ? 'param_invalid_value' : code);
const notFound = (resource: string, id: string, param?: string) =>
	new ChargebeeApiError(404, `Sorry, we couldn't find that resource: ${resource} ${id} not found`, 'resource_not_found', param, 'invalid_request', 'referenced_resource_not_found');
const duplicate = (param: string, value: string) =>
	new ChargebeeApiError(400, `${param} : The value ${value} is already present.`, 'duplicate_entry', param, 'invalid_request', 'param_not_unique');
const invalidState = (message: string) =>
	new ChargebeeApiError(400, message, 'invalid_state_for_request', undefined, 'invalid_request', 'invalid_state_for_request');

/**
 * A `cf_*` key the site does not define. Chargebee knows only the custom fields created on the
 * site (apidocs.chargebee.com/docs/api/advanced-features "Custom fields": they are created in
 * Settings → Configure Chargebee → Custom Fields, then passed as `cf_*` parameters). Chargebee
 * refuses custom-field parameters it cannot take with an invalid_request naming the key, e.g.
 * `cf_push_licenses : not in allowed values` (chargebee/chargebee-php issue #6, a live answer).
 * The exact wording for an undefined field is not in our sources: the same shape, HTTP 400,
 * type invalid_request, api_error_code param_wrong_value, param = the key.
 */
const undefinedCustomField = (key: string, resource: string) =>
	new ChargebeeApiError(400, `${key} : is not a custom field defined for ${resource} on this site`, 'param_wrong_value', key, 'invalid_request', 'param_invalid_value');

/**
 * The same idempotency key again with other parameters. Chargebee: "any requests with the same
 * idempotency key and parameters will be considered as a replay of the original request"
 * (apidocs.chargebee.com/docs/api/v1/idempotency); anything else is not a replay. The body
 * Chargebee answers is not in our sources; the sandbox refuses it (at least as strict as
 * Chargebee) with its error shape, HTTP 400, type invalid_request, naming the header.
 */
const idempotencyConflict = (key: string) =>
	new ChargebeeApiError(
		400,
		`chargebee-idempotency-key : ${key} was already used with different parameters within the idempotency window`,
		'invalid_request',
		'chargebee-idempotency-key',
		'invalid_request',
		'invalid_request',
	);

/** Method, path and sorted parameters (query and form body), so that order does not matter. */
function requestFingerprint(req: SandboxRequest): string {
	const pairs: string[] = [];
	for (const [k, v] of Object.entries(req.query)) for (const one of Array.isArray(v) ? v : [v]) pairs.push(`${k}=${one}`);
	for (const [k, v] of new URLSearchParams(req.rawBody.toString('utf8'))) pairs.push(`${k}=${v}`);
	return `${req.method} ${req.path}\n${pairs.sort().join('&')}`;
}

/**
 * A paid subscription that must be charged now (not future, not in trial, auto collection on)
 * for a customer with no payment source. Real Chargebee refuses it: HTTP 400, error type
 * `payment`, `api_error_code: payment_method_not_present` (the SDK's own typings list it as one of
 * the three payment error codes: chargebee-typescript `ErrorCodeMap`; a live-site test
 * `WhenSubscribeToPaidPlanWithoutPaymentSource_ThenReturnsError` and a measured note "400
 * payment_method_not_present, no valid card on file"; see /work/shared/API-FACTS.md, "Corrections").
 * Error body keys as in apidocs.chargebee.com "Error handling" (message, type, api_error_code,
 * http_status_code; param absent because no single parameter is at fault).
 */
const paymentMethodNotPresent = (customerId: string) =>
	new ChargebeeApiError(
		400,
		`No valid card on file for customer ${customerId}. Add a payment method, or create the subscription with auto_collection off.`,
		'payment_method_not_present',
		undefined,
		'payment',
		'payment_method_not_present',
	);

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomId(prefix = '', length = 16): string {
	const bytes = randomBytes(length);
	let id = '';
	for (const b of bytes) id += ID_CHARS[b % ID_CHARS.length];
	return `${prefix}${id}`;
}

const IDEMPOTENCY_TTL_MS = 30 * 60 * 1000;
export const MAX_WEBHOOK_ENDPOINTS = 5;
const KNOWN_EVENTS = new Set<string>(CHARGEBEE_EVENT_TYPES);

function str(v: FormValue | undefined): string | undefined {
	return typeof v === 'string' ? v : undefined;
}

function intParam(v: FormValue | undefined, param: string, min = 0): number | undefined {
	if (v === undefined || v === '') return undefined;
	if (typeof v !== 'string' || !/^-?\d+$/.test(v.trim())) throw invalid(param, 'invalid integer');
	const n = Number(v);
	if (n < min) throw invalid(param, `must be at least ${min}`);
	return n;
}

function boolParam(v: FormValue | undefined, param: string): boolean | undefined {
	if (v === undefined || v === '') return undefined;
	if (v === 'true') return true;
	if (v === 'false') return false;
	throw invalid(param, 'invalid boolean, use true or false');
}

function jsonParam(v: FormValue | undefined, param: string): Json | undefined {
	if (v === undefined || v === '') return undefined;
	if (typeof v !== 'string') throw invalid(param, 'must be a JSON string');
	try {
		const parsed = JSON.parse(v) as unknown;
		if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
		return parsed as Json;
	} catch {
		throw invalid(param, 'invalid JSON');
	}
}

function addPeriod(unixSeconds: number, period: number, unit: string): number {
	const d = new Date(unixSeconds * 1000);
	if (unit === 'day') d.setUTCDate(d.getUTCDate() + period);
	else if (unit === 'week') d.setUTCDate(d.getUTCDate() + 7 * period);
	else if (unit === 'year') d.setUTCFullYear(d.getUTCFullYear() + period);
	else d.setUTCMonth(d.getUTCMonth() + period);
	return Math.floor(d.getTime() / 1000);
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class ChargebeeSandbox extends SandboxServer {
	readonly site: string;
	readonly apiKey: string;
	readonly readOnlyApiKeys: Set<string>;
	requestsPerMinute: number;
	payments: PaymentOutcome;
	autoDeliver: boolean;
	/** Added to the wall clock (tests move time, e.g. past the 30-minute idempotency window). */
	clockOffsetMs = 0;

	readonly customers = new Map<string, Json>();
	readonly subscriptions = new Map<string, Json>();
	readonly itemPrices = new Map<string, Json>();
	readonly invoices = new Map<string, Json>();
	readonly transactions = new Map<string, Json>();
	readonly creditNotes = new Map<string, Json>();
	readonly events: Json[] = [];
	readonly webhookEndpoints = new Map<string, WebhookEndpointRecord>();
	readonly hostedPages = new Map<string, Json & { _request?: { customer: FormObject; subscription: FormObject; items: FormObject[] } }>();
	readonly portalSessions = new Map<string, Json>();
	readonly deliveries: DeliveryRecord[] = [];
	/** What spec-check / type-check found so far (see `specCheck`); `stop()` throws if any. */
	readonly deviations: Deviation[] = [];
	readonly specCheck: boolean;
	/** Custom fields defined on the site, per resource (see `customFields` option). */
	readonly customFields: { customer: Set<string>; subscription: Set<string> };

	private readonly idempotency = new Map<string, Stored>();
	private readonly downloads = new Map<string, { invoiceId: string; validTill: number }>();
	private readonly pending = new Set<Promise<unknown>>();
	private readonly typeChecked = new Set<string>();
	private arrivals: number[] = [];
	private invoiceSeq = 1;
	private creditNoteSeq = 1;
	private version = 0;

	constructor(private readonly options: ChargebeeSandboxOptions = {}) {
		super('chargebee');
		this.site = options.site ?? 'acme-test';
		this.apiKey = options.apiKey ?? 'test_cbsandbox_FullAccessKey0001';
		this.readOnlyApiKeys = new Set(options.readOnlyApiKeys ?? []);
		this.requestsPerMinute = options.requestsPerMinute ?? 150;
		this.payments = options.payments ?? 'succeed';
		this.autoDeliver = options.autoDeliver ?? true;
		this.specCheck = options.specCheck ?? true;
		this.customFields = {
			customer: new Set(options.customFields?.customer ?? DEFAULT_CUSTOM_FIELDS.customer),
			subscription: new Set(options.customFields?.subscription ?? DEFAULT_CUSTOM_FIELDS.subscription),
		};
		if (options.seedCatalog ?? true) this.seedCatalog();
		this.registerRoutes();
	}

	// ------------------------------------------------------------------ time

	nowMs(): number {
		return Date.now() + this.clockOffsetMs;
	}

	now(): number {
		return Math.floor(this.nowMs() / 1000);
	}

	advanceClock(ms: number): void {
		this.clockOffsetMs += ms;
	}

	private nextVersion(): number {
		this.version = Math.max(this.version + 1, this.nowMs() * 1000);
		return this.version;
	}

	// ----------------------------------------------------------------- seeds

	seedCatalog(): void {
		const seeds: ItemPriceSeed[] = [
			{ id: 'pro-USD-monthly', name: 'Pro USD Monthly', item_id: 'pro', price: 3000, currency_code: 'USD' },
			{ id: 'pro-USD-yearly', name: 'Pro USD Yearly', item_id: 'pro', price: 30000, currency_code: 'USD', period_unit: 'year' },
			{ id: 'pro-EUR-monthly', name: 'Pro EUR Monthly', item_id: 'pro', price: 2800, currency_code: 'EUR' },
			{ id: 'basic-JPY-monthly', name: 'Basic JPY Monthly', item_id: 'basic', price: 3000, currency_code: 'JPY' },
			{ id: 'enterprise-USD-monthly', name: 'Enterprise USD Monthly', item_id: 'enterprise', price: 50000, currency_code: 'USD' },
			{ id: 'seats-USD-monthly', name: 'Extra seats USD Monthly', item_id: 'seats', item_type: 'addon', price: 500, currency_code: 'USD' },
			{ id: 'onboarding-USD', name: 'Onboarding USD', item_id: 'onboarding', item_type: 'charge', pricing_model: 'flat_fee', price: 9900, currency_code: 'USD', period: undefined, period_unit: undefined },
			{ id: 'legacy-USD-monthly', name: 'Legacy USD Monthly', item_id: 'legacy', price: 1000, currency_code: 'USD', status: 'archived' },
		];
		for (const seed of seeds) this.addItemPrice(seed);
	}

	addItemPrice(seed: ItemPriceSeed): Json {
		const type = seed.item_type ?? 'plan';
		const recurring = type !== 'charge';
		const at = this.now();
		const itemPrice: Json = {
			id: seed.id,
			name: seed.name ?? seed.id,
			item_family_id: 'default-family',
			item_id: seed.item_id ?? seed.id,
			status: seed.status ?? 'active',
			external_name: seed.name ?? seed.id,
			pricing_model: seed.pricing_model ?? 'per_unit',
			price: seed.price,
			...(recurring ? { period: seed.period ?? 1, period_unit: seed.period_unit ?? 'month' } : {}),
			currency_code: seed.currency_code,
			free_quantity: 0,
			channel: 'web',
			resource_version: this.nextVersion(),
			updated_at: at,
			created_at: at,
			is_taxable: true,
			item_type: type,
			show_description_in_invoices: false,
			show_description_in_quotes: false,
			deleted: false,
			object: 'item_price',
		};
		this.itemPrices.set(seed.id, itemPrice);
		return clone(itemPrice);
	}

	/** Puts a customer straight into the store (no event). */
	addCustomer(fields: Json & { id: string }): Json {
		for (const key of Object.keys(fields)) {
			if (key.startsWith('cf_') && !this.customFields.customer.has(key)) {
				throw new Error(`sandbox chargebee: ${key} is not a customer custom field of this site (option customFields)`);
			}
		}
		const customer = this.buildCustomer(fields);
		this.customers.set(customer.id as string, customer);
		return clone(customer);
	}

	/** Returns the deviations found so far and forgets them (for tests that provoke one on purpose). */
	takeDeviations(): Deviation[] {
		return this.deviations.splice(0, this.deviations.length);
	}

	/** Throws listing every deviation found so far (then forgets them); nothing when there is none. */
	assertNoDeviations(): void {
		const found = this.takeDeviations();
		if (found.length === 0) return;
		const lines = found.slice(0, 40).map((d) => `- ${d.kind} ${d.where}:\n    ${d.problems.slice(0, 12).join('\n    ')}`);
		throw new Error(
			`Chargebee sandbox: ${found.length} deviation(s) from the official chargebee package's request schemas / resource types ` +
				`(dev/sandbox/chargebee/spec-check.ts, type-check.ts):\n${lines.join('\n')}${found.length > 40 ? `\n… ${found.length - 40} more` : ''}`,
		);
	}

	/** Starts the server; with the spec check on, its schemas and types are loaded first. */
	override async start(port = 0): Promise<this> {
		if (this.specCheck) {
			preloadSchemas(['customer', 'subscription', 'itemPrice', 'invoice', 'event', 'hostedPage', 'webhookEndpoint', 'creditNote', 'portalSession']);
			loadTypeSchemas();
		}
		return await super.start(port);
	}

	/** Stops the server, then fails (throws) if spec-check or type-check found a deviation. */
	override async stop(): Promise<void> {
		await super.stop();
		if (this.specCheck) this.assertNoDeviations();
	}

	/** Forgets every resource, event and log entry, then seeds the catalogue again (deviations are kept until stop). */
	reset(): void {
		for (const map of [this.customers, this.subscriptions, this.itemPrices, this.invoices, this.transactions, this.creditNotes, this.webhookEndpoints, this.hostedPages, this.portalSessions]) {
			map.clear();
		}
		this.events.length = 0;
		this.deliveries.length = 0;
		this.idempotency.clear();
		this.downloads.clear();
		this.arrivals = [];
		this.clockOffsetMs = 0;
		this.resetLog();
		if (this.options.seedCatalog ?? true) this.seedCatalog();
	}

	// -------------------------------------------------------------- plumbing

	protected override decodeBody(contentType: string, raw: Buffer): unknown {
		if (raw.length === 0) return {};
		if (contentType.includes('application/x-www-form-urlencoded')) return decodeChargebeeForm(raw.toString('utf8'));
		return super.decodeBody(contentType, raw);
	}

	protected override before(req: SandboxRequest, res: SandboxResponse): boolean {
		if (!req.path.startsWith('/api/v2/')) return true;
		// Rate limit per site and minute, counted on arrival like the real one.
		if (this.requestsPerMinute > 0) {
			const nowMs = this.nowMs();
			this.arrivals = this.arrivals.filter((t) => t > nowMs - 60_000);
			if (this.arrivals.length >= this.requestsPerMinute) {
				this.stats.rateLimited++;
				const retryAfter = Math.max(1, Math.ceil((this.arrivals[0] + 60_000 - nowMs) / 1000));
				res.json(429, new ChargebeeApiError(
					429,
					'Sorry, access has been blocked temporarily due to request count exceeding acceptable limits. Please try after some time.',
					'api_request_limit_exceeded',
					undefined,
					undefined,
					'api_request_limit_exceeded',
				).body());
				res.header('retry-after', String(retryAfter));
				return false;
			}
			this.arrivals.push(nowMs);
		}
		const auth = basicAuth(req);
		const key = auth?.user;
		if (!key || (key !== this.apiKey && !this.readOnlyApiKeys.has(key))) {
			res.json(401, new ChargebeeApiError(
				401,
				'Sorry, authentication failed. Invalid api key',
				'api_authentication_failed',
				undefined,
				undefined,
				'api_authentication_failed',
			).body());
			return false;
		}
		if (req.method === 'POST' && this.readOnlyApiKeys.has(key)) {
			res.json(403, new ChargebeeApiError(
				403,
				'Sorry, authorization failed. The key does not have the required permissions',
				'api_authorization_failed',
				undefined,
				undefined,
				'api_authorization_failed',
			).body());
			return false;
		}
		if (req.method === 'POST') {
			const idem = header(req, 'chargebee-idempotency-key');
			if (idem !== undefined) {
				if (idem.length === 0 || idem.length > 100) {
					res.json(400, invalid('chargebee-idempotency-key', 'must be between 1 and 100 characters').body());
					return false;
				}
				const stored = this.idempotency.get(idem);
				if (stored && stored.expiresAt > this.nowMs() && stored.fingerprint !== requestFingerprint(req)) {
					res.json(400, idempotencyConflict(idem).body());
					return false;
				}
				if (stored && stored.expiresAt > this.nowMs()) {
					res.status = stored.status;
					Object.assign(res.headers, stored.headers);
					res.header('chargebee-idempotency-replayed', 'true');
					res.body = stored.body;
					res.sent = true;
					return false;
				}
			}
		}
		return true;
	}

	protected override notFound(req: SandboxRequest, res: SandboxResponse): void {
		if (this.specCheck && req.path.startsWith('/api/v2/') && !operationFor(req.method, req.path.slice('/api/v2'.length))) {
			this.deviations.push({ kind: 'request', where: `${req.method} ${req.path}`, problems: ['not a Chargebee API operation (SDK api_endpoints.js)'] });
		}
		res.json(404, new ChargebeeApiError(404, `Sorry, we couldn't find that resource (${req.method} ${req.path})`, 'resource_not_found', undefined, 'invalid_request').body());
	}

	/** Registers a Chargebee API route; errors become Chargebee error bodies, POSTs honour idempotency keys. */
	private api(method: 'GET' | 'POST', path: string, handler: (req: SandboxRequest, form: FormObject) => Json): void {
		const wrapped: Handler = (req, res) => {
			const form = (req.method === 'GET' ? this.queryForm(req) : (req.body as FormObject | undefined)) ?? {};
			const where = `${req.method} ${req.path}`;
			const spec = this.specCheck ? this.checkRequestSpec(req, where) : undefined;
			if (spec?.refuse) {
				res.json(400, spec.refuse.body());
				return;
			}
			const operation = spec?.operation;
			try {
				res.json(200, handler(req, form));
			} catch (error) {
				if (error instanceof ChargebeeApiError) res.json(error.status, error.body());
				else throw error;
			}
			if (operation && res.status >= 200 && res.status < 300) {
				const { root, problems } = checkResponse(operation.resource, operation.action, JSON.parse(String(res.body)));
				if (problems.length > 0) this.deviations.push({ kind: 'response', where: `${where} (${root})`, problems });
			}
			const idem = header(req, 'chargebee-idempotency-key');
			if (req.method === 'POST' && idem && res.status >= 200 && res.status < 300) {
				this.idempotency.set(idem, {
					fingerprint: requestFingerprint(req),
					status: res.status,
					headers: { ...res.headers },
					body: res.body,
					expiresAt: this.nowMs() + IDEMPOTENCY_TTL_MS,
				});
			}
		};
		this.route(method, `/api/v2${path}`, wrapped);
	}

	/**
	 * spec-check.ts on one request: parameters the SDK's request schema refuses are answered the way
	 * Chargebee answers invalid parameters (400 invalid_request, param_wrong_value, the parameter
	 * named: apidocs.chargebee.com "Error handling") and recorded; unknown parameters are recorded.
	 * Returns the operation (for the answer's type check).
	 */
	private checkRequestSpec(req: SandboxRequest, where: string): { operation?: { resource: string; action: string }; refuse?: ChargebeeApiError } {
		const pairs: Array<[string, string]> = [];
		if (req.method === 'GET') {
			for (const [k, v] of Object.entries(req.query)) for (const one of Array.isArray(v) ? v : [v]) pairs.push([k, one]);
		} else {
			for (const pair of new URLSearchParams(req.rawBody.toString('utf8'))) pairs.push(pair);
		}
		const check = checkRequest(req.method, req.path.slice('/api/v2'.length), pairs);
		if (!check.operation) {
			this.deviations.push({ kind: 'request', where, problems: ['not a Chargebee API operation (SDK api_endpoints.js)'] });
			return {};
		}
		const problems = [
			...check.invalid.map((i) => `${i.param}: ${i.message}`),
			...check.unknown.map((name) => `${name}: not a parameter of ${check.operation?.resource}.${check.operation?.action}`),
		];
		if (problems.length > 0) this.deviations.push({ kind: 'request', where: `${where} (${check.operation.resource}.${check.operation.action})`, problems });
		const [first] = check.invalid;
		return { operation: check.operation, ...(first ? { refuse: invalid(first.param, first.message) } : {}) };
	}

	private queryForm(req: SandboxRequest): FormObject {
		const out: FormObject = {};
		for (const [k, v] of Object.entries(req.query)) out[k] = Array.isArray(v) ? v[v.length - 1] : v;
		return out;
	}

	/** Chargebee list filters: `field[is]`, `[is_not]`, `[in]`/`[not_in]` (JSON array), `[after]`, `[before]`, `[starts_with]`. */
	private applyFilters(items: Json[], query: FormObject, allowed: string[]): Json[] {
		let out = items;
		for (const [key, raw] of Object.entries(query)) {
			const m = /^(\w+)\[(is|is_not|in|not_in|after|before|starts_with)\]$/.exec(key);
			if (!m) continue;
			const [, field, op] = m;
			if (!allowed.includes(field)) throw invalid(key, 'is not a supported filter');
			const value = String(raw);
			let list: string[] = [];
			if (op === 'in' || op === 'not_in') {
				try {
					list = (JSON.parse(value) as unknown[]).map(String);
				} catch {
					throw invalid(key, 'must be a JSON array such as ["a","b"]');
				}
			}
			// Exact match, case included, for every field. Chargebee documents the operators (`is`,
			// `is_not`, `starts_with`, `in`, `not_in`: apidocs.chargebee.com "Filtering", and the
			// SDK's ListCustomerEmailSchema) but not case folding, so the sandbox is strict: an email
			// differing only in case is another value.
			const norm = (v: unknown) => String(v ?? '');
			out = out.filter((item) => {
				const actual = item[field];
				switch (op) {
					case 'is':
						return actual !== undefined && norm(actual) === norm(value);
					case 'is_not':
						return norm(actual) !== norm(value);
					case 'in':
						return list.map(norm).includes(norm(actual));
					case 'not_in':
						return !list.map(norm).includes(norm(actual));
					case 'after':
						return Number(actual) > Number(value);
					case 'before':
						return Number(actual) < Number(value);
					case 'starts_with':
						return norm(actual).startsWith(norm(value));
					default:
						return true;
				}
			});
		}
		return out;
	}

	/** One page of a list: `limit` 1..100 (default 10), opaque `offset`, `next_offset` when more remain. */
	private page(items: Json[], query: FormObject, wrap: (item: Json) => Json): Json {
		const limit = intParam(query.limit, 'limit', 1) ?? 10;
		if (limit > 100) throw invalid('limit', 'must be at most 100');
		let start = 0;
		if (query.offset !== undefined && query.offset !== '') {
			try {
				const parsed = JSON.parse(String(query.offset)) as unknown;
				if (!Array.isArray(parsed) || !/^\d+$/.test(String(parsed[1]))) throw new Error('bad');
				start = Number(parsed[1]);
			} catch {
				throw invalid('offset', 'invalid offset');
			}
		}
		const slice = items.slice(start, start + limit);
		const result: Json = { list: slice.map((item) => wrap(clone(item))) };
		if (start + limit < items.length) {
			const last = slice[slice.length - 1];
			result.next_offset = JSON.stringify([String(Number(last?.created_at ?? 0) * 1000), String(start + limit)]);
		}
		return result;
	}

	private sortByCreated(items: Json[], query: FormObject): Json[] {
		const asc = query['sort_by[asc]'] !== undefined;
		return [...items].sort((a, b) => {
			const d = Number(a.created_at ?? 0) - Number(b.created_at ?? 0) || Number(a.resource_version ?? 0) - Number(b.resource_version ?? 0);
			return asc ? d : -d;
		});
	}

	// ---------------------------------------------------------------- routes

	private registerRoutes(): void {
		// Customers
		this.api('POST', '/customers', (_req, form) => {
			const customer = this.createCustomer(form);
			return { customer: clone(customer) };
		});
		this.api('GET', '/customers', (_req, q) => {
			const items = this.applyFilters([...this.customers.values()].filter((c) => !c.deleted), q, ['id', 'email', 'first_name', 'last_name', 'company', 'phone', 'created_at', 'updated_at']);
			return this.page(this.sortByCreated(items, q), q, (customer) => ({ customer }));
		});
		this.api('GET', '/customers/:id', (req) => ({ customer: clone(this.customer(req.params.id)) }));
		this.api('POST', '/customers/:id', (req, form) => ({ customer: clone(this.updateCustomer(req.params.id, form)) }));
		this.api('POST', '/customers/:id/subscription_for_items', (req, form) => this.createSubscription(req.params.id, form));
		this.api('GET', '/customers/:id/subscriptions', (req, q) => {
			this.customer(req.params.id);
			const items = [...this.subscriptions.values()].filter((s) => s.customer_id === req.params.id);
			// entries without the customer: SDK Subscription.SubscriptionsForCustomerResponse (`list: {subscription}[]`)
			return this.page(this.sortByCreated(items, q), q, (subscription) => ({ subscription: this.publicSubscription(subscription) }));
		});

		// Subscriptions
		this.api('GET', '/subscriptions', (_req, q) => {
			const items = this.applyFilters([...this.subscriptions.values()], q, ['id', 'customer_id', 'status', 'created_at', 'updated_at', 'next_billing_at', 'cancelled_at']);
			return this.page(this.sortByCreated(items, q), q, (subscription) => this.subscriptionListEntry(subscription));
		});
		this.api('GET', '/subscriptions/:id', (req) => {
			const subscription = this.subscription(req.params.id);
			return { subscription: clone(subscription), customer: clone(this.customer(subscription.customer_id as string)) };
		});
		this.api('POST', '/subscriptions/:id/update_for_items', (req, form) => this.updateSubscriptionItems(req.params.id, form, 'api'));
		this.api('POST', '/subscriptions/:id/cancel_for_items', (req, form) => this.cancelSubscription(req.params.id, form, 'api'));
		// Pause, resume, reactivate: apidocs.chargebee.com/docs/api/subscriptions/{pause-a-subscription,
		// resume-a-subscription,reactivate-a-subscription}; answers typed by the SDK's Subscription.{Pause,
		// Resume,Reactivate}Response (subscription, customer, invoice?).
		this.api('POST', '/subscriptions/:id/pause', (req, form) => this.pauseSubscription(req.params.id, form, 'api'));
		this.api('POST', '/subscriptions/:id/resume', (req, form) => this.resumeSubscription(req.params.id, form, 'api'));
		this.api('POST', '/subscriptions/:id/reactivate', (req, form) => this.reactivateSubscription(req.params.id, form, 'api'));

		// Item prices
		this.api('GET', '/item_prices', (_req, q) => {
			const items = this.applyFilters([...this.itemPrices.values()].filter((p) => !p.deleted), q, ['id', 'item_id', 'item_type', 'status', 'currency_code', 'period_unit', 'name', 'item_family_id', 'pricing_model', 'updated_at']);
			return this.page(this.sortByCreated(items, { 'sort_by[asc]': 'created_at', ...q }), q, (item_price) => ({ item_price }));
		});
		this.api('GET', '/item_prices/:id', (req) => ({ item_price: clone(this.itemPrice(req.params.id)) }));

		// Invoices
		this.api('GET', '/invoices', (_req, q) => {
			const items = this.applyFilters([...this.invoices.values()], q, ['id', 'customer_id', 'subscription_id', 'status', 'date', 'updated_at']);
			return this.page(this.sortByCreated(items, q), q, (invoice) => ({ invoice }));
		});
		this.api('GET', '/invoices/:id', (req) => ({ invoice: clone(this.invoice(req.params.id)) }));
		this.api('POST', '/invoices/:id/pdf', (req, form) => {
			const invoice = this.invoice(req.params.id);
			const disposition = str(form.disposition_type) ?? 'attachment';
			if (!['inline', 'attachment'].includes(disposition)) throw invalid('disposition_type', 'must be inline or attachment');
			const token = randomId('', 32);
			const validTill = this.now() + 60 * 60;
			this.downloads.set(token, { invoiceId: invoice.id as string, validTill });
			return {
				download: {
					download_url: `${this.url}/downloads/invoices/${encodeURIComponent(invoice.id as string)}.pdf?token=${token}&disposition=${disposition}`,
					valid_till: validTill,
					mime_type: 'application/pdf',
					object: 'download',
				},
			};
		});
		this.api('POST', '/invoices/:id/record_payment', (req, form) => this.recordPayment(req.params.id, form));

		// Credit notes: apidocs.chargebee.com/docs/api/credit_notes (create-credit-note, list, retrieve);
		// list filters and sort_by[date] as the SDK's ListCreditNoteBodySchema allows them.
		this.api('POST', '/credit_notes', (_req, form) => this.createCreditNoteApi(form));
		this.api('GET', '/credit_notes', (_req, q) => {
			const items = this.applyFilters([...this.creditNotes.values()], q, ['id', 'customer_id', 'subscription_id', 'reference_invoice_id', 'type', 'status', 'date', 'updated_at']);
			const asc = q['sort_by[asc]'] !== undefined;
			const sorted = [...items].sort((a, b) => (Number(a.date) - Number(b.date) || Number(a.resource_version) - Number(b.resource_version)) * (asc ? 1 : -1));
			return this.page(sorted, q, (credit_note) => ({ credit_note }));
		});
		this.api('GET', '/credit_notes/:id', (req) => ({ credit_note: clone(this.creditNote(req.params.id)) }));

		// Customer portal: apidocs.chargebee.com/docs/api/portal_sessions/create-a-portal-session
		this.api('POST', '/portal_sessions', (_req, form) => ({ portal_session: this.createPortalSession(form) }));

		this.route('GET', '/downloads/invoices/:file', (req, res) => {
			const token = String(req.query.token ?? '');
			const download = this.downloads.get(token);
			const id = req.params.file.replace(/\.pdf$/, '');
			if (!download || download.invoiceId !== id || download.validTill < this.now()) {
				res.text(403, 'Request has expired');
				return;
			}
			res.text(200, `%PDF-1.4\n% Chargebee sandbox invoice ${id}\n%%EOF\n`, 'application/pdf');
		});

		// Events
		this.api('GET', '/events', (_req, q) => {
			const items = this.applyFilters(this.events, q, ['id', 'event_type', 'source', 'occurred_at', 'webhook_status']);
			// Newest first unless sort_by[asc]=occurred_at (the SDK's ListEventSortBySchema: occurred_at only)
			const asc = q['sort_by[asc]'] !== undefined;
			const sorted = [...items].sort((a, b) => (Number(a.occurred_at) - Number(b.occurred_at) || this.events.indexOf(a) - this.events.indexOf(b)) * (asc ? 1 : -1));
			return this.page(sorted, q, (event) => ({ event }));
		});
		this.api('GET', '/events/:id', (req) => {
			const event = this.events.find((e) => e.id === req.params.id);
			if (!event) throw notFound('Event', req.params.id);
			return { event: clone(event) };
		});

		// Hosted pages (checkout for a new subscription; the customer pays there, then Chargebee
		// creates the subscription). apidocs.chargebee.com "Hosted Pages" → "Checkout new subscription"
		// (POST /hosted_pages/checkout_new_for_items); shapes from the SDK's types/resources/HostedPage.d.ts.
		this.api('POST', '/hosted_pages/checkout_new_for_items', (_req, form) => ({ hosted_page: this.publicHostedPage(this.createCheckout(form)) }));
		this.api('POST', '/hosted_pages/manage_payment_sources', (_req, form) => ({ hosted_page: this.publicHostedPage(this.createManagePaymentSources(form)) }));
		this.api('GET', '/hosted_pages/:id', (req) => ({ hosted_page: this.publicHostedPage(this.hostedPage(req.params.id)) }));
		this.route('GET', '/pages/v4/:id/', (req, res) => {
			const page = this.hostedPages.get(req.params.id);
			if (!page) {
				res.text(404, 'Page not found');
				return;
			}
			res.text(200, `<html><body>Chargebee sandbox checkout ${page.id as string} (${page.state as string})</body></html>`, 'text/html');
		});

		// Webhook endpoints
		this.api('POST', '/webhook_endpoints', (_req, form) => ({ webhook_endpoint: this.endpointJson(this.createEndpoint(form)) }));
		this.api('GET', '/webhook_endpoints', (_req, q) => {
			const items = [...this.webhookEndpoints.values()].map((e) => this.endpointJson(e));
			return this.page(this.sortByCreated(items, q), q, (webhook_endpoint) => ({ webhook_endpoint }));
		});
		this.api('GET', '/webhook_endpoints/:id', (req) => ({ webhook_endpoint: this.endpointJson(this.endpoint(req.params.id)) }));
		this.api('POST', '/webhook_endpoints/:id', (req, form) => ({ webhook_endpoint: this.endpointJson(this.updateEndpoint(req.params.id, form)) }));
		this.api('POST', '/webhook_endpoints/:id/delete', (req) => {
			const endpoint = this.endpoint(req.params.id);
			this.webhookEndpoints.delete(endpoint.id);
			return { webhook_endpoint: this.endpointJson(endpoint) };
		});
	}

	/**
	 * One entry of the subscription list: the subscription with its customer, as the SDK's
	 * Subscription.ListResponse types it (`list: {subscription, customer, card?}[]`).
	 */
	private subscriptionListEntry(subscription: Json): Json {
		return { subscription: this.publicSubscription(subscription), customer: clone(this.customers.get(subscription.customer_id as string) ?? {}) };
	}

	// -------------------------------------------------------------- lookups

	private customer(id: string): Json {
		const c = this.customers.get(id);
		if (!c || c.deleted) throw notFound('Customer', id);
		return c;
	}

	private subscription(id: string): Json {
		const s = this.subscriptions.get(id);
		if (!s) throw notFound('Subscription', id);
		return s;
	}

	private itemPrice(id: string, param?: string): Json {
		const p = this.itemPrices.get(id);
		if (!p || p.deleted) throw notFound('Item price', id, param);
		return p;
	}

	private invoice(id: string): Json {
		const i = this.invoices.get(id);
		if (!i) throw notFound('Invoice', id);
		return i;
	}

	private creditNote(id: string): Json {
		const c = this.creditNotes.get(id);
		if (!c) throw notFound('Credit note', id);
		return c;
	}

	private hostedPage(id: string): Json {
		const page = this.hostedPages.get(id);
		if (!page) throw notFound('Hosted page', id);
		return page;
	}

	private endpoint(id: string): WebhookEndpointRecord {
		const e = this.webhookEndpoints.get(id);
		if (!e) throw notFound('Webhook endpoint', id);
		return e;
	}

	// ------------------------------------------------------------ customers

	private buildCustomer(fields: Json): Json {
		const at = this.now();
		return {
			id: fields.id,
			auto_collection: 'on',
			net_term_days: 0,
			allow_direct_debit: false,
			created_at: at,
			taxability: 'taxable',
			updated_at: at,
			pii_cleared: 'active',
			channel: 'web',
			resource_version: this.nextVersion(),
			deleted: false,
			object: 'customer',
			card_status: 'no_card',
			...(this.options.customersHaveCard
				? {
						card_status: 'valid',
						primary_payment_source_id: `pm_${String(fields.id)}`,
						payment_method: { object: 'payment_method', type: 'card', reference_id: `tok_${String(fields.id)}`, gateway: 'chargebee', gateway_account_id: 'gw_sandbox', status: 'valid' },
					}
				: {}),
			promotional_credits: 0,
			refundable_credits: 0,
			excess_payments: 0,
			unbilled_charges: 0,
			preferred_currency_code: 'USD',
			mrr: 0,
			...fields,
		};
	}

	private customerFields(form: FormObject): Json {
		const out: Json = {};
		for (const key of ['first_name', 'last_name', 'email', 'phone', 'company', 'locale', 'preferred_currency_code', 'vat_number', 'invoice_notes']) {
			const v = form[key];
			if (v === undefined) continue;
			if (typeof v !== 'string') throw invalid(key, 'must be a string');
			if (v.length > 150) throw invalid(key, 'cannot be longer than 150 characters');
			out[key] = v;
		}
		if (typeof out.email === 'string' && out.email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(out.email)) {
			throw invalid('email', 'invalid email');
		}
		if (typeof out.preferred_currency_code === 'string' && !/^[A-Z]{3}$/.test(out.preferred_currency_code)) {
			throw invalid('preferred_currency_code', 'invalid currency code');
		}
		const autoCollection = str(form.auto_collection);
		if (autoCollection !== undefined) {
			if (!['on', 'off'].includes(autoCollection)) throw invalid('auto_collection', 'must be on or off');
			out.auto_collection = autoCollection;
		}
		const netTerm = intParam(form.net_term_days, 'net_term_days');
		if (netTerm !== undefined) out.net_term_days = netTerm;
		const meta = jsonParam(form.meta_data, 'meta_data');
		if (meta !== undefined) out.meta_data = meta;
		for (const [key, value] of Object.entries(form)) {
			if (!key.startsWith('cf_')) continue;
			if (!this.customFields.customer.has(key)) throw undefinedCustomField(key, 'customer');
			if (typeof value !== 'string') throw invalid(key, 'must be a string');
			out[key] = value;
		}
		if (form.billing_address !== undefined) {
			if (typeof form.billing_address !== 'object' || Array.isArray(form.billing_address)) throw invalid('billing_address', 'invalid');
			out.billing_address = { ...(form.billing_address as Json), object: 'billing_address' };
		}
		return out;
	}

	private createCustomer(form: FormObject): Json {
		const id = str(form.id) ?? randomId();
		if (id.length > 50) throw invalid('id', 'cannot be longer than 50 characters');
		if (!/^[A-Za-z0-9_\-.@~]+$/.test(id)) throw invalid('id', 'only letters, digits and _ - . @ ~ are allowed');
		if (this.customers.has(id)) throw duplicate('id', id);
		const customer = this.buildCustomer({ id, ...this.customerFields(form) });
		this.customers.set(id, customer);
		this.emit('customer_created', { customer }, 'api');
		return customer;
	}

	private updateCustomer(id: string, form: FormObject): Json {
		const customer = this.customer(id);
		// meta_data is replaced whole, as Chargebee does.
		const changes = this.customerFields(form);
		Object.assign(customer, changes, { updated_at: this.now(), resource_version: this.nextVersion() });
		this.emit('customer_changed', { customer }, 'api');
		return customer;
	}

	// -------------------------------------------------------- subscriptions

	private parseItems(form: FormObject, required: boolean): Array<{ itemPrice: Json; quantity?: number; unitPrice?: number; billingCycles?: number; index: number }> {
		const raw = form.subscription_items;
		if (raw === undefined) {
			if (required) throw invalid('subscription_items[item_price_id][0]', 'cannot be blank');
			return [];
		}
		if (!Array.isArray(raw)) throw invalid('subscription_items', 'invalid, use subscription_items[attribute][index]');
		return raw.map((row, index) => {
			const r = (row ?? {}) as FormObject;
			const param = (attr: string) => `subscription_items[${attr}][${index}]`;
			const id = str(r.item_price_id);
			if (!id) throw invalid(param('item_price_id'), 'cannot be blank');
			const itemPrice = this.itemPrice(id, param('item_price_id'));
			if (itemPrice.status !== 'active') {
				throw new ChargebeeApiError(400, `${param('item_price_id')} : item price ${id} is ${String(itemPrice.status)} and cannot be used`, 'param_wrong_value', param('item_price_id'), 'invalid_request');
			}
			return {
				itemPrice,
				quantity: intParam(r.quantity, param('quantity'), 1),
				unitPrice: intParam(r.unit_price, param('unit_price'), 0),
				billingCycles: intParam(r.billing_cycles, param('billing_cycles'), 1),
				index,
			};
		});
	}

	private subscriptionItem(p: { itemPrice: Json; quantity?: number; unitPrice?: number; billingCycles?: number }): Json {
		const { itemPrice } = p;
		const flat = itemPrice.pricing_model === 'flat_fee';
		const quantity = flat ? 1 : (p.quantity ?? 1);
		const unitPrice = p.unitPrice ?? (itemPrice.price as number);
		return {
			item_price_id: itemPrice.id,
			item_type: itemPrice.item_type,
			...(flat ? {} : { quantity }),
			unit_price: unitPrice,
			amount: unitPrice * quantity,
			free_quantity: 0,
			...(p.billingCycles !== undefined ? { billing_cycles: p.billingCycles } : {}),
			object: 'subscription_item',
		};
	}

	private checkPlanAndCurrency(items: Json[], param = 'subscription_items[item_price_id][0]'): { plan: Json; currency: string } {
		const plans = items.filter((i) => i.item_type === 'plan');
		if (plans.length === 0) throw invalid(param, 'a plan item price is mandatory for a subscription');
		if (plans.length > 1) throw invalid(param, 'only one plan item price is allowed per subscription');
		const currencies = new Set(items.map((i) => (this.itemPrices.get(i.item_price_id as string)?.currency_code as string)));
		if (currencies.size > 1) throw invalid(param, `all item prices must be in the same currency (got ${[...currencies].join(', ')})`);
		return { plan: plans[0], currency: [...currencies][0] };
	}

	private createSubscription(customerId: string, form: FormObject, source = 'api'): Json {
		const customer = this.customer(customerId);
		const id = str(form.id) ?? randomId();
		if (id.length > 50) throw invalid('id', 'cannot be longer than 50 characters');
		if (this.subscriptions.has(id)) throw duplicate('id', id);
		const parsed = this.parseItems(form, true);
		const items = parsed.map((p) => this.subscriptionItem(p));
		const { plan, currency } = this.checkPlanAndCurrency(items);
		const planPrice = this.itemPrices.get(plan.item_price_id as string) as Json;
		const now = this.now();
		const startDate = intParam(form.start_date, 'start_date');
		const trialEnd = intParam(form.trial_end, 'trial_end');
		const meta = jsonParam(form.meta_data, 'meta_data');
		const autoCollection = str(form.auto_collection);
		if (autoCollection !== undefined && !['on', 'off'].includes(autoCollection)) throw invalid('auto_collection', 'must be on or off');
		const future = startDate !== undefined && startDate > now;
		const inTrial = !future && trialEnd !== undefined && trialEnd > now;
		const effectiveAutoCollection = autoCollection ?? String(customer.auto_collection ?? 'on');
		const chargeNow = items.reduce((sum, i) => sum + Number(i.amount ?? 0), 0);
		if (!future && !inTrial && chargeNow > 0 && effectiveAutoCollection === 'on' && !customer.primary_payment_source_id) {
			throw paymentMethodNotPresent(customerId);
		}
		const start = future ? (startDate as number) : now;
		const period = Number(planPrice.period ?? 1);
		const unit = String(planPrice.period_unit ?? 'month');
		const termEnd = inTrial ? (trialEnd as number) : addPeriod(start, period, unit);
		const subscription: Json = {
			id,
			billing_period: period,
			billing_period_unit: unit,
			customer_id: customerId,
			status: future ? 'future' : inTrial ? 'in_trial' : 'active',
			...(future ? { start_date: start } : { current_term_start: start, current_term_end: termEnd, next_billing_at: termEnd }),
			...(inTrial ? { trial_start: now, trial_end: trialEnd } : {}),
			created_at: now,
			...(future ? {} : { started_at: start }),
			...(future || inTrial ? {} : { activated_at: start }),
			updated_at: now,
			has_scheduled_advance_invoices: false,
			has_scheduled_changes: false,
			channel: 'web',
			resource_version: this.nextVersion(),
			deleted: false,
			object: 'subscription',
			currency_code: currency,
			subscription_items: items,
			due_invoices_count: 0,
			mrr: 0,
			auto_collection: autoCollection ?? customer.auto_collection,
			...(str(form.po_number) ? { po_number: str(form.po_number) } : {}),
			...(str(form.invoice_notes) ? { invoice_notes: str(form.invoice_notes) } : {}),
			...(meta !== undefined ? { meta_data: meta } : {}),
			decommissioned: false,
		};
		for (const [key, value] of Object.entries(form)) {
			if (!key.startsWith('cf_')) continue;
			if (!this.customFields.subscription.has(key)) throw undefinedCustomField(key, 'subscription');
			subscription[key] = value;
		}
		this.subscriptions.set(id, subscription);
		const result: Json = { subscription, customer };
		let invoice: Json | undefined;
		if (!future && !inTrial) {
			invoice = this.createInvoice(subscription, { first: true });
			result.invoice = invoice;
		}
		this.emit('subscription_created', { subscription, customer, ...(invoice ? { invoice } : {}) }, source);
		if (invoice) {
			this.emit('invoice_generated', { invoice }, source);
			this.collect(invoice, subscription.auto_collection === 'off' ? 'none' : this.payments);
		}
		return clone(result);
	}

	private updateSubscriptionItems(id: string, form: FormObject, source: string): Json {
		const subscription = this.subscription(id);
		if (subscription.status === 'cancelled') throw invalidState(`Subscription ${id} is cancelled and cannot be changed.`);
		const parsed = this.parseItems(form, true);
		const replace = boolParam(form.replace_items_list, 'replace_items_list') ?? false;
		const endOfTerm = (boolParam(form.end_of_term, 'end_of_term') ?? false) || str(form.change_option) === 'end_of_term';
		const changeOption = str(form.change_option);
		if (changeOption !== undefined && !['immediately', 'end_of_term', 'specific_date'].includes(changeOption)) {
			throw invalid('change_option', 'must be immediately, end_of_term or specific_date');
		}
		const current = (subscription.subscription_items as Json[]) ?? [];
		let next: Json[];
		if (replace) {
			next = parsed.map((p) => this.subscriptionItem(p));
		} else {
			next = current.map((i) => ({ ...i }));
			for (const p of parsed) {
				const existing = next.findIndex((i) => i.item_price_id === p.itemPrice.id);
				const old = existing >= 0 ? next[existing] : undefined;
				const item = this.subscriptionItem({
					itemPrice: p.itemPrice,
					quantity: p.quantity ?? (old?.quantity as number | undefined),
					unitPrice: p.unitPrice ?? (old?.unit_price as number | undefined),
					billingCycles: p.billingCycles ?? (old?.billing_cycles as number | undefined),
				});
				if (existing >= 0) next[existing] = item;
				else if (item.item_type === 'plan') {
					// A subscription has one plan: a new plan item price replaces the old one.
					const planAt = next.findIndex((i) => i.item_type === 'plan');
					if (planAt >= 0) next[planAt] = item;
					else next.unshift(item);
				} else next.push(item);
			}
		}
		this.checkPlanAndCurrency(next);
		if ((next[0] ?? {}).item_type !== 'plan') next.sort((a, b) => (a.item_type === 'plan' ? -1 : b.item_type === 'plan' ? 1 : 0));
		if (this.itemPrices.get(next[0].item_price_id as string)?.currency_code !== subscription.currency_code) {
			throw invalid('subscription_items[item_price_id][0]', `currency must stay ${String(subscription.currency_code)}`);
		}
		const meta = jsonParam(form.meta_data, 'meta_data');
		const customer = this.customer(subscription.customer_id as string);
		if (endOfTerm) {
			Object.assign(subscription, {
				has_scheduled_changes: true,
				changes_scheduled_at: subscription.current_term_end ?? subscription.start_date,
				updated_at: this.now(),
				resource_version: this.nextVersion(),
			});
			(subscription as Json & { _scheduled?: Json[] })._scheduled = next;
			this.emit('subscription_changes_scheduled', { subscription: this.publicSubscription(subscription), customer }, source);
			return clone({ subscription: this.publicSubscription(subscription), customer });
		}
		Object.assign(subscription, {
			subscription_items: next,
			...(meta !== undefined ? { meta_data: meta } : {}),
			updated_at: this.now(),
			resource_version: this.nextVersion(),
		});
		this.emit('subscription_changed', { subscription, customer }, source);
		return clone({ subscription, customer });
	}

	/** The subscription as the API shows it (internal bookkeeping removed). */
	private publicSubscription(subscription: Json): Json {
		const copy = clone(subscription);
		delete copy._scheduled;
		return copy;
	}

	private cancelSubscription(id: string, form: FormObject, source: string): Json {
		const subscription = this.subscription(id);
		if (subscription.status === 'cancelled') throw invalidState(`Subscription ${id} is already cancelled.`);
		const endOfTerm = (boolParam(form.end_of_term, 'end_of_term') ?? false) || str(form.cancel_option) === 'end_of_term';
		const cancelOption = str(form.cancel_option);
		if (cancelOption !== undefined && !['immediately', 'end_of_term', 'specific_date', 'end_of_billing_term'].includes(cancelOption)) {
			throw invalid('cancel_option', 'invalid value');
		}
		const creditOption = str(form.credit_option_for_current_term_charges);
		if (creditOption !== undefined && !['none', 'prorate', 'full'].includes(creditOption)) {
			throw invalid('credit_option_for_current_term_charges', 'must be none, prorate or full');
		}
		const reason = str(form.cancel_reason_code);
		const customer = this.customer(subscription.customer_id as string);
		const now = this.now();
		if (endOfTerm && subscription.status !== 'future') {
			Object.assign(subscription, {
				status: 'non_renewing',
				cancelled_at: subscription.current_term_end,
				cancel_schedule_created_at: now,
				...(reason ? { cancel_reason_code: reason } : {}),
				updated_at: now,
				resource_version: this.nextVersion(),
			});
			delete subscription.next_billing_at;
			this.emit('subscription_cancellation_scheduled', { subscription: this.publicSubscription(subscription), customer }, source);
			return clone({ subscription: this.publicSubscription(subscription), customer });
		}
		Object.assign(subscription, {
			status: 'cancelled',
			cancelled_at: now,
			...(reason ? { cancel_reason_code: reason } : {}),
			updated_at: now,
			resource_version: this.nextVersion(),
		});
		delete subscription.next_billing_at;
		const result: Json = { subscription: this.publicSubscription(subscription), customer };
		const creditNotes: Json[] = [];
		if (creditOption === 'prorate' || creditOption === 'full') {
			const paid = [...this.invoices.values()].filter((i) => i.subscription_id === id && i.status === 'paid').pop();
			if (paid) {
				const start = Number(subscription.current_term_start ?? now);
				const end = Number(subscription.current_term_end ?? now);
				const share = creditOption === 'full' || end <= start ? 1 : Math.max(0, (end - now) / (end - start));
				const amount = Math.floor(Number(paid.total) * share);
				if (amount > 0) creditNotes.push(this.createCreditNote(paid, amount, 'subscription_cancellation'));
			}
		}
		if (creditNotes.length > 0) result.credit_notes = creditNotes;
		// The answer lists them as `credit_notes` (SDK Subscription.CancelForItemsResponse); the event
		// content as `credit_note`, an array (SDK WebhookEvent.d.ts SubscriptionCancelledContent).
		this.emit('subscription_cancelled', { subscription: result.subscription, customer, ...(creditNotes.length ? { credit_note: creditNotes } : {}) }, source);
		for (const creditNote of creditNotes) this.emit('credit_note_created', { credit_note: creditNote }, source);
		return clone(result);
	}

	// ------------------------------------------- pause, resume, reactivate

	/**
	 * Pause (apidocs.chargebee.com/docs/api/subscriptions/pause-a-subscription): "Only subscriptions in
	 * the active or non_renewing state can be paused" ("If it isn't, the API returns an
	 * invalid_state_for_pause error"), and a subscription with `has_scheduled_changes` is refused
	 * ("operation_failed"). pause_option: `immediately` (status paused now), `end_of_term` (at
	 * current_term_end), `specific_date` (pause_date), `billing_cycles` (at term end, resuming after
	 * skip_billing_cycles terms). The doc names no default for pause_option: the sandbox requires it.
	 * A scheduled pause is recorded (pause_date) and announced (subscription_pause_scheduled); the
	 * sandbox does not run it at that date.
	 */
	private pauseSubscription(id: string, form: FormObject, source: string): Json {
		const subscription = this.subscription(id);
		if (!['active', 'non_renewing'].includes(String(subscription.status))) {
			throw new ChargebeeApiError(400, `Subscription ${id} is ${String(subscription.status)}; only active or non_renewing subscriptions can be paused.`, 'invalid_state_for_request', undefined, 'invalid_request', 'invalid_state_for_pause');
		}
		if (subscription.has_scheduled_changes === true) {
			throw new ChargebeeApiError(400, `Subscription ${id} has scheduled changes; remove them before pausing.`, 'invalid_state_for_request', undefined, 'operation_failed', 'operation_failed');
		}
		const option = str(form.pause_option);
		if (option === undefined) throw invalid('pause_option', 'cannot be blank');
		const now = this.now();
		const termEnd = Number(subscription.current_term_end ?? now);
		let pauseDate = now;
		if (option === 'end_of_term' || option === 'billing_cycles') pauseDate = termEnd;
		if (option === 'specific_date') {
			const date = intParam(form.pause_date, 'pause_date');
			if (date === undefined) throw invalid('pause_date', 'cannot be blank when pause_option is specific_date');
			if (date <= now) throw invalid('pause_date', 'must be in the future');
			pauseDate = date;
		}
		let resumeDate = intParam(form.resume_date, 'resume_date');
		if (option === 'billing_cycles') {
			const skip = intParam(form.skip_billing_cycles, 'skip_billing_cycles', 1);
			if (skip === undefined) throw invalid('skip_billing_cycles', 'cannot be blank when pause_option is billing_cycles');
			resumeDate = addPeriod(termEnd, Number(subscription.billing_period ?? 1) * skip, String(subscription.billing_period_unit ?? 'month'));
		}
		if (resumeDate !== undefined && resumeDate <= pauseDate) throw invalid('resume_date', 'must be after the pause date');
		const customer = this.customer(subscription.customer_id as string);
		Object.assign(subscription, { pause_date: pauseDate, ...(resumeDate !== undefined ? { resume_date: resumeDate } : {}), updated_at: now, resource_version: this.nextVersion() });
		if (option === 'immediately') {
			subscription.status = 'paused';
			delete subscription.next_billing_at;
			this.emit('subscription_paused', { subscription, customer }, source);
		} else {
			this.emit('subscription_pause_scheduled', { subscription, customer }, source);
		}
		return clone({ subscription: this.publicSubscription(subscription), customer });
	}

	/**
	 * Resume (apidocs.chargebee.com/docs/api/subscriptions/resume-a-subscription): "used to resume a
	 * paused subscription"; resume_option `immediately` or `specific_date` (resume_date). In-term
	 * (before current_term_end) nothing is invoiced; out of term a new term starts with an invoice.
	 * The sandbox requires resume_option (no documented default).
	 */
	private resumeSubscription(id: string, form: FormObject, source: string): Json {
		const subscription = this.subscription(id);
		if (subscription.status !== 'paused') {
			throw invalidState(`Subscription ${id} is ${String(subscription.status)}; only paused subscriptions can be resumed.`);
		}
		const option = str(form.resume_option);
		if (option === undefined) throw invalid('resume_option', 'cannot be blank');
		const now = this.now();
		const customer = this.customer(subscription.customer_id as string);
		if (option === 'specific_date') {
			const date = intParam(form.resume_date, 'resume_date');
			if (date === undefined) throw invalid('resume_date', 'cannot be blank when resume_option is specific_date');
			if (date <= now) throw invalid('resume_date', 'must be in the future');
			Object.assign(subscription, { resume_date: date, updated_at: now, resource_version: this.nextVersion() });
			this.emit('subscription_resumption_scheduled', { subscription, customer }, source);
			return clone({ subscription: this.publicSubscription(subscription), customer });
		}
		delete subscription.pause_date;
		delete subscription.resume_date;
		let invoice: Json | undefined;
		const termEnd = Number(subscription.current_term_end ?? 0);
		if (termEnd > now) {
			Object.assign(subscription, { status: 'active', next_billing_at: termEnd });
		} else {
			const end = addPeriod(now, Number(subscription.billing_period ?? 1), String(subscription.billing_period_unit ?? 'month'));
			Object.assign(subscription, { status: 'active', current_term_start: now, current_term_end: end, next_billing_at: end });
			invoice = this.createInvoice(subscription);
		}
		Object.assign(subscription, { updated_at: now, resource_version: this.nextVersion() });
		this.emit('subscription_resumed', { subscription, customer, ...(invoice ? { invoice } : {}) }, source);
		if (invoice) this.collect(invoice, this.collectionFor(subscription, customer));
		return clone({ subscription: this.publicSubscription(subscription), customer, ...(invoice ? { invoice: this.invoices.get(invoice.id as string) } : {}) });
	}

	/**
	 * Reactivate (apidocs.chargebee.com/docs/api/subscriptions/reactivate-a-subscription): "The
	 * subscription status must be cancelled" (non_renewing ones use remove_scheduled_cancellation).
	 * With trial_end in the future it comes back in_trial; otherwise active, a new term from now and,
	 * unless invoice_immediately is false, an invoice charged as the customer's auto collection says.
	 * A card-less customer with auto collection on is refused with payment_method_not_present, as
	 * when creating (API-FACTS "Corrections"; not confirmed for reactivation: at least as strict).
	 */
	private reactivateSubscription(id: string, form: FormObject, source: string): Json {
		const subscription = this.subscription(id);
		if (subscription.status !== 'cancelled') {
			throw invalidState(`Subscription ${id} is ${String(subscription.status)}; only cancelled subscriptions can be reactivated (use remove_scheduled_cancellation for non_renewing ones).`);
		}
		const now = this.now();
		const customer = this.customer(subscription.customer_id as string);
		const trialEnd = intParam(form.trial_end, 'trial_end');
		const invoiceNow = boolParam(form.invoice_immediately, 'invoice_immediately') ?? true;
		const inTrial = trialEnd !== undefined && trialEnd > now;
		const amount = ((subscription.subscription_items as Json[]) ?? []).reduce((sum, i) => sum + Number(i.amount ?? 0), 0);
		const autoCollection = String(subscription.auto_collection ?? customer.auto_collection ?? 'on');
		if (!inTrial && amount > 0 && autoCollection === 'on' && !customer.primary_payment_source_id) throw paymentMethodNotPresent(customer.id as string);
		const end = inTrial ? (trialEnd as number) : addPeriod(now, Number(subscription.billing_period ?? 1), String(subscription.billing_period_unit ?? 'month'));
		for (const key of ['cancelled_at', 'cancel_reason_code', 'cancel_schedule_created_at', 'pause_date', 'resume_date']) delete subscription[key];
		Object.assign(subscription, {
			status: inTrial ? 'in_trial' : 'active',
			current_term_start: now,
			current_term_end: end,
			next_billing_at: end,
			...(inTrial ? { trial_start: now, trial_end: trialEnd } : { activated_at: now }),
			updated_at: now,
			resource_version: this.nextVersion(),
		});
		const invoice = !inTrial && invoiceNow ? this.createInvoice(subscription) : undefined;
		this.emit('subscription_reactivated', { subscription, customer, ...(invoice ? { invoice } : {}) }, source);
		if (invoice) this.collect(invoice, this.collectionFor(subscription, customer));
		return clone({ subscription: this.publicSubscription(subscription), customer, ...(invoice ? { invoice: this.invoices.get(invoice.id as string) } : {}) });
	}

	/** How an invoice of this subscription is collected: not at all with auto collection off or no card. */
	private collectionFor(subscription: Json, customer: Json): PaymentOutcome {
		const auto = String(subscription.auto_collection ?? customer.auto_collection ?? 'on');
		return auto === 'off' || !customer.primary_payment_source_id ? 'none' : this.payments;
	}

	// ------------------------------------- offline payments, credit notes

	/**
	 * Record an invoice payment (apidocs.chargebee.com/docs/api/invoices/record-an-invoice-payment):
	 * "The invoice status must be payment_due, posted, or not_paid"; amount_due decreases by
	 * transaction[amount] when transaction[status] is success, and the invoice becomes paid at zero.
	 * Without an amount the amount due is recorded (simworkflow copy of the spec: "If no transaction
	 * amount is specified, the system will automatically use the invoice's due amount"). A larger
	 * amount is refused (the same copy's FAQ: "does not allow recording a payment amount greater than
	 * the invoice's outstanding balance"; the apidocs page says the excess becomes excess payments:
	 * the sources differ, the sandbox takes the stricter). The sandbox requires
	 * transaction[payment_method] (the SDK schema makes it required inside `transaction`). An offline
	 * payment is announced as payment_succeeded with gateway not_applicable (Chargebee KB "How to
	 * differentiate payment succeeded events for offline payment").
	 */
	private recordPayment(invoiceId: string, form: FormObject): Json {
		const invoice = this.invoice(invoiceId);
		if (!['payment_due', 'posted', 'not_paid'].includes(String(invoice.status))) {
			throw invalidState(`Invoice ${invoiceId} is ${String(invoice.status)}; payments can be recorded only for payment_due, posted or not_paid invoices.`);
		}
		const t = (form.transaction ?? {}) as FormObject;
		if (typeof t !== 'object' || Array.isArray(t)) throw invalid('transaction', 'invalid, use transaction[attribute]');
		const method = str(t.payment_method);
		if (!method) throw invalid('transaction[payment_method]', 'cannot be blank');
		const due = Number(invoice.amount_due);
		const amount = intParam(t.amount, 'transaction[amount]', 0) ?? due;
		if (amount > due) throw invalid('transaction[amount]', `cannot be more than the amount due (${due})`);
		const status = str(t.status) ?? 'success';
		const now = this.now();
		const date = intParam(t.date, 'transaction[date]') ?? now;
		if (date > now) throw invalid('transaction[date]', 'cannot be in the future');
		const success = status === 'success';
		const transaction: Json = {
			id: randomId('txn_'),
			customer_id: invoice.customer_id,
			...(invoice.subscription_id ? { subscription_id: invoice.subscription_id } : {}),
			payment_method: method,
			...(str(t.reference_number) ? { reference_number: str(t.reference_number) } : {}),
			gateway: 'not_applicable',
			type: 'payment',
			date,
			exchange_rate: 1.0,
			amount,
			...(str(t.id_at_gateway) ? { id_at_gateway: str(t.id_at_gateway) } : {}),
			status,
			...(success ? { settled_at: date } : { error_code: str(t.error_code) ?? 'failed', error_text: str(t.error_text) ?? 'Payment failed' }),
			updated_at: now,
			resource_version: this.nextVersion(),
			deleted: false,
			object: 'transaction',
			currency_code: invoice.currency_code,
			base_currency_code: invoice.currency_code,
			amount_unused: 0,
			linked_invoices: [{ invoice_id: invoice.id, applied_amount: success ? amount : 0, applied_at: now, invoice_date: invoice.date, invoice_total: invoice.total, invoice_status: success && amount === due ? 'paid' : invoice.status }],
		};
		this.transactions.set(transaction.id as string, transaction);
		if (success) {
			const left = due - amount;
			Object.assign(invoice, {
				amount_paid: Number(invoice.amount_paid) + amount,
				amount_due: left,
				amount_to_collect: left,
				...(left === 0 ? { status: 'paid', paid_at: date } : {}),
				updated_at: now,
				resource_version: this.nextVersion(),
			});
			(invoice.linked_payments as Json[]).push({ txn_id: transaction.id, applied_amount: amount, applied_at: now, txn_status: 'success', txn_date: date, txn_amount: amount });
			const subscription = this.subscriptions.get(invoice.subscription_id as string);
			if (subscription) {
				subscription.due_invoices_count = [...this.invoices.values()].filter((i) => i.subscription_id === subscription.id && i.status === 'payment_due').length;
				if (subscription.due_invoices_count === 0) delete subscription.due_since;
			}
			const customer = this.customers.get(invoice.customer_id as string) as Json;
			this.emit('payment_succeeded', { transaction, invoice, customer, ...(subscription ? { subscription } : {}) }, 'api');
		}
		return clone({ invoice, transaction });
	}

	/**
	 * Create a credit note (apidocs.chargebee.com/docs/api/credit_notes/create-credit-note):
	 * reference_invoice_id is "Required when type is adjustment or store"; a refundable one without it
	 * needs customer_id (a standalone credit note). An adjustment's total must not exceed the invoice's
	 * amount due; a refundable or store one's must not exceed what was paid minus credit notes already
	 * issued against it. Adjustment → status adjusted, amount_allocated = total; refundable/store →
	 * refund_due, amount_available = total. Only `total` is modelled: the sandbox refuses line_items
	 * (the doc's other way) rather than guessing its rules.
	 */
	private createCreditNoteApi(form: FormObject): Json {
		const type = str(form.type) as 'adjustment' | 'refundable' | 'store';
		const invoiceId = str(form.reference_invoice_id);
		if (form.line_items !== undefined) throw invalid('line_items', 'not modelled by the sandbox; pass total');
		const total = intParam(form.total, 'total', 1);
		if (total === undefined) throw invalid('total', 'cannot be blank (pass total or line_items)');
		const reason = str(form.create_reason_code) ?? str(form.reason_code) ?? 'other';
		let invoice: Json | undefined;
		if (invoiceId === undefined) {
			if (type !== 'refundable') throw invalid('reference_invoice_id', `cannot be blank for a ${type} credit note`);
			const customerId = str(form.customer_id);
			if (!customerId) throw invalid('customer_id', 'cannot be blank when reference_invoice_id is not given');
			const customer = this.customer(customerId);
			const currency = str(form.currency_code) ?? String(customer.preferred_currency_code ?? 'USD');
			const creditNote = this.createCreditNote({ customer_id: customerId, currency_code: currency }, total, reason);
			delete creditNote.subscription_id;
			delete creditNote.reference_invoice_id;
			this.creditNoteReasons(creditNote, form);
			this.emit('credit_note_created', { credit_note: creditNote }, 'api');
			return { credit_note: clone(creditNote) };
		}
		invoice = this.invoices.get(invoiceId);
		if (!invoice) throw notFound('Invoice', invoiceId, 'reference_invoice_id');
		const issued = [...this.creditNotes.values()].filter((c) => c.reference_invoice_id === invoiceId && c.status !== 'voided');
		if (type === 'adjustment') {
			if (!['payment_due', 'posted', 'not_paid'].includes(String(invoice.status))) throw invalidState(`Invoice ${invoiceId} is ${String(invoice.status)}; an adjustment credit note needs an unpaid invoice.`);
			if (total > Number(invoice.amount_due)) throw invalid('total', `cannot be more than the invoice's amount due (${String(invoice.amount_due)})`);
		} else {
			const refundable = Number(invoice.amount_paid) - issued.filter((c) => c.type !== 'adjustment').reduce((sum, c) => sum + Number(c.total), 0);
			if (total > refundable) throw invalid('total', `cannot be more than the refundable amount of the invoice (${refundable})`);
		}
		const creditNote = this.createCreditNote(invoice, total, reason);
		this.creditNoteReasons(creditNote, form);
		if (str(form.customer_notes)) creditNote.customer_notes = str(form.customer_notes);
		if (type === 'adjustment') {
			Object.assign(creditNote, { type, status: 'adjusted', amount_allocated: total, amount_available: 0 });
			const left = Number(invoice.amount_due) - total;
			Object.assign(invoice, { amount_adjusted: Number(invoice.amount_adjusted) + total, amount_due: left, amount_to_collect: left, ...(left === 0 ? { status: 'paid', paid_at: this.now() } : {}), updated_at: this.now(), resource_version: this.nextVersion() });
		} else {
			creditNote.type = type;
		}
		this.emit('credit_note_created', { credit_note: creditNote }, 'api');
		return clone({ credit_note: creditNote, invoice });
	}

	/**
	 * reason_code is Chargebee's enum (deprecated, SDK CreditNote.reason_code), create_reason_code
	 * the site's own reason text: each is stored only as given.
	 */
	private creditNoteReasons(creditNote: Json, form: FormObject): void {
		delete creditNote.reason_code;
		delete creditNote.create_reason_code;
		if (str(form.reason_code)) creditNote.reason_code = str(form.reason_code);
		if (str(form.create_reason_code)) creditNote.create_reason_code = str(form.create_reason_code);
	}

	// -------------------------------------------- portal, payment methods

	/**
	 * Portal session (apidocs.chargebee.com/docs/api/portal_sessions): customer[id] required (the SDK's
	 * CustomerCreateInputParam.id); the access URL "should be accessed by the customer within one
	 * hour", so expires_at is an hour on.
	 */
	private createPortalSession(form: FormObject): Json {
		const customerForm = (form.customer ?? {}) as FormObject;
		const customerId = typeof customerForm === 'object' && !Array.isArray(customerForm) ? str(customerForm.id) : undefined;
		if (!customerId) throw invalid('customer[id]', 'cannot be blank');
		this.customerFor(customerId, 'customer[id]');
		for (const key of ['redirect_url', 'forward_url']) {
			const url = str(form[key]);
			if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) throw invalid(key, 'invalid URL');
		}
		const now = this.now();
		const token = randomId('', 32);
		const session: Json = {
			id: randomId('portal_'),
			token,
			access_url: `${this.url}/portal/access/${token}`,
			...(str(form.redirect_url) ? { redirect_url: str(form.redirect_url) } : {}),
			status: 'created',
			created_at: now,
			expires_at: now + 3600,
			customer_id: customerId,
			object: 'portal_session',
		};
		this.portalSessions.set(session.id as string, session);
		return clone(session);
	}

	/**
	 * Hosted page to add or change payment methods (apidocs.chargebee.com "Manage payment sources",
	 * POST /hosted_pages/manage_payment_sources; customer[id] required: the SDK's
	 * CustomerManagePaymentSourcesInputParam.id). `simulateHostedPageCompleted` saves a card.
	 */
	private createManagePaymentSources(form: FormObject): Json {
		const customerForm = (form.customer ?? {}) as FormObject;
		const customerId = typeof customerForm === 'object' && !Array.isArray(customerForm) ? str(customerForm.id) : undefined;
		if (!customerId) throw invalid('customer[id]', 'cannot be blank');
		this.customerFor(customerId, 'customer[id]');
		const url = str(form.redirect_url);
		if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) throw invalid('redirect_url', 'invalid URL');
		const now = this.now();
		const id = randomId('hp_', 24);
		const page: Json = {
			id,
			type: 'manage_payment_sources',
			url: `${this.url}/pages/v4/${id}/`,
			state: 'created',
			embed: false,
			created_at: now,
			expires_at: now + 24 * 3600,
			updated_at: now,
			resource_version: this.nextVersion(),
			object: 'hosted_page',
		};
		(page as { _customerId?: string })._customerId = customerId;
		this.hostedPages.set(id, page);
		return page;
	}

	/** The customer, or 404 naming the parameter that gave its id. */
	private customerFor(id: string, param: string): Json {
		const c = this.customers.get(id);
		if (!c || c.deleted) throw notFound('Customer', id, param);
		return c;
	}

	/** The customer saves a card on a manage_payment_sources page. */
	async simulatePaymentMethodPageCompleted(hostedPageId: string): Promise<Json> {
		const page = this.hostedPage(hostedPageId);
		if (page.type !== 'manage_payment_sources') throw new Error(`sandbox chargebee: hosted page ${hostedPageId} is ${String(page.type)}`);
		const customer = this.addPaymentSource((page as { _customerId?: string })._customerId as string);
		Object.assign(page, { state: 'succeeded', content: { customer }, updated_at: this.now(), resource_version: this.nextVersion() });
		await this.settle();
		return this.publicHostedPage(page);
	}

	// ---------------------------------------------------------- hosted pages

	private createCheckout(form: FormObject): Json {
		const customerForm = (form.customer ?? {}) as FormObject;
		const subscriptionForm = (form.subscription ?? {}) as FormObject;
		if (typeof customerForm !== 'object' || Array.isArray(customerForm)) throw invalid('customer', 'invalid, use customer[attribute]');
		if (typeof subscriptionForm !== 'object' || Array.isArray(subscriptionForm)) throw invalid('subscription', 'invalid, use subscription[attribute]');
		const items = this.parseItems(form, true).map((p) => this.subscriptionItem(p));
		this.checkPlanAndCurrency(items);
		const customerId = str(customerForm.id);
		if (customerId !== undefined && this.customers.get(customerId)?.deleted) throw notFound('Customer', customerId, 'customer[id]');
		const subscriptionId = str(subscriptionForm.id);
		if (subscriptionId !== undefined && this.subscriptions.has(subscriptionId)) throw duplicate('subscription[id]', subscriptionId);
		for (const key of ['redirect_url', 'cancel_url']) {
			const url = str(form[key]);
			if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) throw invalid(key, 'invalid URL');
		}
		const now = this.now();
		const id = randomId('hp_', 24);
		const page: Json & { _request?: { customer: FormObject; subscription: FormObject; items: FormObject[] } } = {
			id,
			type: 'checkout_new',
			url: `${this.url}/pages/v4/${id}/`,
			state: 'created',
			embed: false,
			created_at: now,
			// The link's life is not modelled from a source; a day is enough for every test.
			expires_at: now + 24 * 3600,
			updated_at: now,
			resource_version: this.nextVersion(),
			object: 'hosted_page',
			...(str(form.pass_thru_content) !== undefined ? { pass_thru_content: str(form.pass_thru_content) } : {}),
		};
		page._request = { customer: clone(customerForm), subscription: clone(subscriptionForm), items: clone((form.subscription_items ?? []) as FormObject[]) };
		this.hostedPages.set(id, page);
		return page;
	}

	private publicHostedPage(page: Json): Json {
		const copy = clone(page);
		delete copy._request;
		delete copy._customerId;
		return copy;
	}

	/** Gives a customer a valid card as their primary payment source (what a checkout or the console does). */
	addPaymentSource(customerId: string): Json {
		const customer = this.customer(customerId);
		const sourceId = randomId('pm_');
		Object.assign(customer, {
			card_status: 'valid',
			primary_payment_source_id: sourceId,
			payment_method: { object: 'payment_method', type: 'card', reference_id: `tok_${sourceId}`, gateway: 'chargebee', gateway_account_id: 'gw_sandbox', status: 'valid' },
			updated_at: this.now(),
			resource_version: this.nextVersion(),
		});
		this.emit('payment_source_added', { customer }, 'hosted_page');
		return clone(customer);
	}

	/**
	 * The customer completes the checkout page: card saved, subscription created and charged
	 * (as the sandbox's `payments` says), events subscription_created, invoice_generated and
	 * payment_succeeded from source hosted_page. Returns the hosted page, now `succeeded`.
	 */
	async simulateCheckoutCompleted(hostedPageId: string): Promise<Json> {
		const page = this.hostedPage(hostedPageId);
		if (page.state !== 'created' && page.state !== 'requested') throw invalidState(`Hosted page ${hostedPageId} is ${String(page.state)}`);
		const request = (page as { _request?: { customer: FormObject; subscription: FormObject; items: FormObject[] } })._request as {
			customer: FormObject;
			subscription: FormObject;
			items: FormObject[];
		};
		let customerId = str(request.customer.id);
		if (!customerId || !this.customers.has(customerId)) customerId = this.createCustomer(request.customer).id as string;
		this.addPaymentSource(customerId);
		const created = this.createSubscription(customerId, { ...request.subscription, subscription_items: request.items }, 'hosted_page');
		Object.assign(page, { state: 'succeeded', content: created, updated_at: this.now(), resource_version: this.nextVersion() });
		await this.settle();
		return this.publicHostedPage(page);
	}

	// ------------------------------------------------------ invoices, money

	private createInvoice(subscription: Json, opts: { first?: boolean } = {}): Json {
		const id = String(this.invoiceSeq++);
		const now = this.now();
		const from = Number(subscription.current_term_start ?? now);
		const to = Number(subscription.current_term_end ?? now);
		const lineItems = ((subscription.subscription_items as Json[]) ?? []).map((item) => {
			const price = this.itemPrices.get(item.item_price_id as string) as Json;
			return {
				id: randomId('li_'),
				date_from: from,
				date_to: to,
				unit_amount: item.unit_price,
				quantity: item.quantity ?? 1,
				amount: item.amount,
				pricing_model: price?.pricing_model,
				is_taxed: false,
				tax_amount: 0,
				object: 'line_item',
				subscription_id: subscription.id,
				customer_id: subscription.customer_id,
				description: price?.external_name ?? item.item_price_id,
				entity_type: `${String(item.item_type)}_item_price`,
				entity_id: item.item_price_id,
				discount_amount: 0,
				item_level_discount_amount: 0,
			};
		});
		const total = lineItems.reduce((sum, li) => sum + Number(li.amount), 0);
		const invoice: Json = {
			id,
			customer_id: subscription.customer_id,
			subscription_id: subscription.id,
			recurring: true,
			status: 'posted',
			price_type: 'tax_exclusive',
			date: now,
			due_date: now,
			net_term_days: 0,
			exchange_rate: 1.0,
			total,
			amount_paid: 0,
			amount_adjusted: 0,
			write_off_amount: 0,
			credits_applied: 0,
			amount_due: total,
			updated_at: now,
			resource_version: this.nextVersion(),
			deleted: false,
			object: 'invoice',
			first_invoice: opts.first ?? false,
			amount_to_collect: total,
			round_off_amount: 0,
			new_sales_amount: opts.first ? total : 0,
			has_advance_charges: false,
			currency_code: subscription.currency_code,
			base_currency_code: subscription.currency_code,
			generated_at: now,
			is_gifted: false,
			term_finalized: true,
			channel: 'web',
			tax: 0,
			sub_total: total,
			line_items: lineItems,
			linked_payments: [],
			dunning_attempts: [],
		};
		this.invoices.set(id, invoice);
		return invoice;
	}

	/** Charges an invoice the way the sandbox's gateway is set up; emits payment_succeeded/failed. */
	private collect(invoice: Json, outcome: PaymentOutcome, errorText?: string): Json | undefined {
		const subscription = this.subscriptions.get(invoice.subscription_id as string);
		const customer = this.customers.get(invoice.customer_id as string) as Json;
		const now = this.now();
		if (Number(invoice.total) === 0) {
			Object.assign(invoice, { status: 'paid', paid_at: now, amount_due: 0, amount_to_collect: 0 });
			return undefined;
		}
		if (outcome === 'none') {
			Object.assign(invoice, { status: 'payment_due', updated_at: now, resource_version: this.nextVersion() });
			if (subscription) this.markDue(subscription, now);
			return undefined;
		}
		const success = outcome === 'succeed';
		const transaction: Json = {
			id: randomId('txn_'),
			customer_id: invoice.customer_id,
			subscription_id: invoice.subscription_id,
			payment_source_id: 'pm_sandbox_card',
			payment_method: 'card',
			gateway: 'chargebee',
			gateway_account_id: 'gw_sandbox',
			type: 'payment',
			date: now,
			exchange_rate: 1.0,
			amount: invoice.total,
			id_at_gateway: randomId('cb_'),
			status: success ? 'success' : 'failure',
			...(success ? { settled_at: now } : { error_code: 'card_declined', error_text: errorText ?? 'Your card was declined.' }),
			updated_at: now,
			resource_version: this.nextVersion(),
			deleted: false,
			object: 'transaction',
			masked_card_number: '************1111',
			currency_code: invoice.currency_code,
			base_currency_code: invoice.currency_code,
			amount_unused: 0,
			linked_invoices: [
				{
					invoice_id: invoice.id,
					applied_amount: success ? invoice.total : 0,
					applied_at: now,
					invoice_date: invoice.date,
					invoice_total: invoice.total,
					invoice_status: success ? 'paid' : 'payment_due',
				},
			],
		};
		this.transactions.set(transaction.id as string, transaction);
		if (success) {
			Object.assign(invoice, {
				status: 'paid',
				paid_at: now,
				amount_paid: invoice.total,
				amount_due: 0,
				amount_to_collect: 0,
				updated_at: now,
				resource_version: this.nextVersion(),
			});
			(invoice.linked_payments as Json[]).push({
				txn_id: transaction.id,
				applied_amount: invoice.total,
				applied_at: now,
				txn_status: 'success',
				txn_date: now,
				txn_amount: invoice.total,
			});
			if (subscription && Number(subscription.due_invoices_count) > 0) {
				const stillDue = [...this.invoices.values()].filter((i) => i.subscription_id === subscription.id && i.status === 'payment_due').length;
				subscription.due_invoices_count = stillDue;
				if (stillDue === 0) delete subscription.due_since;
			}
		} else {
			Object.assign(invoice, {
				status: 'payment_due',
				dunning_status: 'in_progress',
				next_retry_at: now + 3 * 24 * 3600,
				updated_at: now,
				resource_version: this.nextVersion(),
			});
			(invoice.dunning_attempts as Json[]).push({ attempt: (invoice.dunning_attempts as Json[]).length, transaction_id: transaction.id, dunning_type: 'auto_collect', created_at: now, txn_status: 'failure', txn_amount: invoice.total });
			if (subscription) this.markDue(subscription, now);
		}
		this.emit(success ? 'payment_succeeded' : 'payment_failed', {
			transaction,
			invoice,
			customer,
			...(subscription ? { subscription } : {}),
		}, 'system');
		return transaction;
	}

	private markDue(subscription: Json, now: number): void {
		subscription.due_invoices_count = [...this.invoices.values()].filter((i) => i.subscription_id === subscription.id && i.status === 'payment_due').length;
		subscription.due_since ??= now;
	}

	private createCreditNote(invoice: Json, amount: number, reason: string): Json {
		const now = this.now();
		const creditNote: Json = {
			id: `CN-${this.creditNoteSeq++}`,
			customer_id: invoice.customer_id,
			subscription_id: invoice.subscription_id,
			reference_invoice_id: invoice.id,
			type: 'refundable',
			reason_code: reason,
			create_reason_code: reason,
			status: 'refund_due',
			date: now,
			price_type: 'tax_exclusive',
			exchange_rate: 1.0,
			total: amount,
			amount_allocated: 0,
			amount_refunded: 0,
			amount_available: amount,
			generated_at: now,
			updated_at: now,
			channel: 'web',
			resource_version: this.nextVersion(),
			deleted: false,
			object: 'credit_note',
			currency_code: invoice.currency_code,
			base_currency_code: invoice.currency_code,
			round_off_amount: 0,
			fractional_correction: 0,
			sub_total: amount,
			line_items: [],
			allocations: [],
		};
		this.creditNotes.set(creditNote.id as string, creditNote);
		return creditNote;
	}

	// ------------------------------------------------------------ endpoints

	private endpointFields(form: FormObject, creating: boolean): Partial<WebhookEndpointRecord> {
		const out: Partial<WebhookEndpointRecord> = {};
		const name = str(form.name);
		if (creating && !name) throw invalid('name', 'cannot be blank');
		if (name !== undefined) {
			if (name.length > 50) throw invalid('name', 'cannot be longer than 50 characters');
			out.name = name;
		}
		const url = str(form.url);
		if (creating && !url) throw invalid('url', 'cannot be blank');
		if (url !== undefined) {
			let parsed: URL;
			try {
				parsed = new URL(url);
			} catch {
				throw invalid('url', 'invalid URL');
			}
			if (!['http:', 'https:'].includes(parsed.protocol)) throw invalid('url', 'must be an http(s) URL');
			out.url = url;
		}
		const apiVersion = str(form.api_version);
		if (apiVersion !== undefined) {
			if (apiVersion !== 'v1' && apiVersion !== 'v2') throw invalid('api_version', 'must be v1 or v2');
			out.api_version = apiVersion;
		}
		for (const key of ['disabled', 'primary_url', 'send_card_resource'] as const) {
			const v = boolParam(form[key], key);
			if (v !== undefined) out[key] = v;
		}
		const user = str(form.basic_auth_username);
		const pass = str(form.basic_auth_password);
		if (user !== undefined) out.basic_auth_username = user;
		if (pass !== undefined) out.basic_auth_password = pass;
		if (form.enabled_events !== undefined) {
			if (!Array.isArray(form.enabled_events)) throw invalid('enabled_events[0]', 'use enabled_events[index]');
			out.enabled_events = form.enabled_events.map((e, i) => {
				if (typeof e !== 'string' || !KNOWN_EVENTS.has(e)) throw invalid(`enabled_events[${i}]`, `unknown event type ${String(e)}`);
				return e;
			});
		}
		return out;
	}

	private createEndpoint(form: FormObject): WebhookEndpointRecord {
		const fields = this.endpointFields(form, true);
		// "You can create up to five Webhooks" (chargebee.com/docs/2.0/webhook_settings.html; KB "how
		// can I be notified of only certain events": "A maximum of 5 endpoints can be configured per
		// site"). The exact error code is not in our sources: a 400 invalid_request, as strict as Chargebee.
		if (this.webhookEndpoints.size >= MAX_WEBHOOK_ENDPOINTS) {
			throw new ChargebeeApiError(400, `You can create up to ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints for a site`, 'invalid_request', undefined, 'invalid_request', 'invalid_request');
		}
		if ((fields.basic_auth_username === undefined) !== (fields.basic_auth_password === undefined)) {
			throw invalid(fields.basic_auth_username === undefined ? 'basic_auth_username' : 'basic_auth_password', 'username and password must be given together');
		}
		const endpoint: WebhookEndpointRecord = {
			id: randomId('whv2_'),
			name: fields.name as string,
			url: fields.url as string,
			api_version: fields.api_version ?? 'v2',
			disabled: fields.disabled ?? false,
			primary_url: fields.primary_url ?? this.webhookEndpoints.size === 0,
			send_card_resource: fields.send_card_resource ?? false,
			enabled_events: fields.enabled_events ?? [],
			basic_auth_username: fields.basic_auth_username,
			basic_auth_password: fields.basic_auth_password,
			created_at: this.now(),
		};
		this.webhookEndpoints.set(endpoint.id, endpoint);
		return endpoint;
	}

	private updateEndpoint(id: string, form: FormObject): WebhookEndpointRecord {
		const endpoint = this.endpoint(id);
		Object.assign(endpoint, this.endpointFields(form, false));
		return endpoint;
	}

	/** What the API returns: the Basic-auth pair is write-only. */
	private endpointJson(e: WebhookEndpointRecord): Json {
		return {
			id: e.id,
			name: e.name,
			url: e.url,
			send_card_resource: e.send_card_resource,
			disabled: e.disabled,
			primary_url: e.primary_url,
			api_version: e.api_version,
			chargebee_response_schema_type: 'compat',
			...(e.enabled_events.length > 0 ? { enabled_events: [...e.enabled_events] } : {}),
			object: 'webhook_endpoint',
		};
	}

	// --------------------------------------------------------------- events

	/** Records an event (content is copied as it is now) and, with autoDeliver, sends it to the endpoints. */
	emit(eventType: string, content: Json, source = 'api'): Json {
		const copy: Json = {};
		for (const [key, value] of Object.entries(content)) {
			copy[key] = key === 'subscription' && value ? this.publicSubscription(value as Json) : clone(value);
		}
		const event: Json = {
			id: randomId('ev_'),
			occurred_at: this.now(),
			source,
			object: 'event',
			api_version: 'v2',
			content: copy,
			event_type: eventType,
			webhook_status: this.matchingEndpoints(eventType).length > 0 ? 'scheduled' : 'not_configured',
			webhooks: this.matchingEndpoints(eventType).map((e) => ({ id: e.id, webhook_status: 'scheduled', object: 'webhook' })),
		};
		this.events.push(event);
		if (this.autoDeliver) {
			const p = this.deliverEvent(event).finally(() => this.pending.delete(p));
			this.pending.add(p);
		}
		return event;
	}

	private matchingEndpoints(eventType: string): WebhookEndpointRecord[] {
		return [...this.webhookEndpoints.values()].filter(
			(e) => !e.disabled && e.api_version === 'v2' && (e.enabled_events.length === 0 || e.enabled_events.includes(eventType)),
		);
	}

	/** Sends one event to every enabled endpoint that takes its type, with that endpoint's Basic auth. */
	async deliverEvent(eventOrId: Json | string, endpoints?: WebhookEndpointRecord[]): Promise<DeliveryRecord[]> {
		const event = typeof eventOrId === 'string' ? this.events.find((e) => e.id === eventOrId) : eventOrId;
		if (!event) throw new Error(`sandbox chargebee: no event ${String(eventOrId)}`);
		const targets = endpoints ?? this.matchingEndpoints(event.event_type as string);
		const wire = this.wireEvent(event);
		if (this.specCheck && targets.length > 0 && !this.typeChecked.has(String(event.id))) {
			this.typeChecked.add(String(event.id));
			const problems = checkWebhookEvent(wire);
			if (problems.length > 0) this.deviations.push({ kind: 'webhook', where: `webhook ${String(event.event_type)} ${String(event.id)}`, problems });
		}
		const body = JSON.stringify(wire);
		const records = await Promise.all(
			targets.map(async (endpoint) => {
				const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'ChargeBee' };
				if (endpoint.basic_auth_username !== undefined) {
					headers.authorization = `Basic ${Buffer.from(`${endpoint.basic_auth_username}:${endpoint.basic_auth_password ?? ''}`).toString('base64')}`;
				}
				const result = await this.deliver(endpoint.url, { method: 'POST', headers, body, timeoutMs: 20_000 });
				const record: DeliveryRecord = { ...result, eventId: event.id as string, eventType: event.event_type as string, endpointId: endpoint.id, url: endpoint.url };
				this.deliveries.push(record);
				const ok = result.status >= 200 && result.status < 300;
				const webhooks = (event.webhooks as Json[]) ?? [];
				const entry = webhooks.find((w) => w.id === endpoint.id);
				if (entry) entry.webhook_status = ok ? 'succeeded' : 'failed';
				else webhooks.push({ id: endpoint.id, webhook_status: ok ? 'succeeded' : 'failed', object: 'webhook' });
				event.webhooks = webhooks;
				return record;
			}),
		);
		if (records.length > 0) {
			const statuses = (event.webhooks as Json[]).map((w) => w.webhook_status);
			event.webhook_status = statuses.every((s) => s === 'succeeded') ? 'succeeded' : statuses.includes('failed') ? 're_scheduled' : 'scheduled';
			if (records.some((r) => r.status < 200 || r.status >= 300)) event.webhook_failure_reason = `HTTP ${records.find((r) => r.status < 200 || r.status >= 300)?.status}`;
		}
		return records;
	}

	/** The event as Chargebee posts it (no per-endpoint webhook bookkeeping). */
	private wireEvent(event: Json): Json {
		const { webhooks: _w, webhook_failure_reason: _f, ...rest } = event;
		void _w;
		void _f;
		return clone(rest);
	}

	/** Waits until every automatic delivery started so far has finished. */
	async settle(): Promise<void> {
		while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
	}

	eventsOfType(type: string): Json[] {
		return this.events.filter((e) => e.event_type === type);
	}

	// ----------------------------------------------------------- simulation
	// What real Chargebee does on its own (renewals, gateway results, console
	// actions), for tests and the demo. Each returns the main event and waits
	// for its deliveries when autoDeliver is on.

	private async settled<T>(value: T): Promise<T> {
		await this.settle();
		return value;
	}

	private latestUnpaid(subscriptionId: string): Json | undefined {
		return [...this.invoices.values()].filter((i) => i.subscription_id === subscriptionId && (i.status === 'payment_due' || i.status === 'posted')).pop();
	}

	/** A successful charge for the subscription's open invoice (a new one for the current term if none is open). */
	async simulatePaymentSucceeded(subscriptionId: string): Promise<Json> {
		const subscription = this.subscription(subscriptionId);
		let invoice = this.latestUnpaid(subscriptionId);
		if (!invoice) {
			invoice = this.createInvoice(subscription);
			this.emit('invoice_generated', { invoice }, 'system');
		}
		this.collect(invoice, 'succeed');
		return this.settled(this.events[this.events.length - 1]);
	}

	/** A declined charge (dunning starts; the subscription stays active). */
	async simulatePaymentFailed(subscriptionId: string, errorText?: string): Promise<Json> {
		const subscription = this.subscription(subscriptionId);
		let invoice = this.latestUnpaid(subscriptionId);
		if (!invoice) {
			invoice = this.createInvoice(subscription);
			this.emit('invoice_generated', { invoice }, 'system');
		}
		this.collect(invoice, 'fail', errorText);
		return this.settled(this.events[this.events.length - 1]);
	}

	/** A new invoice for the current term, not yet charged. */
	async simulateInvoiceGenerated(subscriptionId: string): Promise<Json> {
		const invoice = this.createInvoice(this.subscription(subscriptionId));
		return this.settled(this.emit('invoice_generated', { invoice }, 'system'));
	}

	/** The term rolls over: new term, invoice, charge (as the sandbox's `payments` says unless given). */
	async simulateRenewal(subscriptionId: string, payment: PaymentOutcome = this.payments): Promise<Json> {
		const subscription = this.subscription(subscriptionId);
		if (!['active', 'non_renewing', 'in_trial'].includes(String(subscription.status))) {
			throw new Error(`sandbox chargebee: subscription ${subscriptionId} is ${String(subscription.status)} and does not renew`);
		}
		const scheduled = (subscription as Json & { _scheduled?: Json[] })._scheduled;
		if (scheduled) {
			subscription.subscription_items = scheduled;
			delete subscription._scheduled;
			subscription.has_scheduled_changes = false;
			delete subscription.changes_scheduled_at;
		}
		const start = Number(subscription.current_term_end ?? this.now());
		const end = addPeriod(start, Number(subscription.billing_period ?? 1), String(subscription.billing_period_unit ?? 'month'));
		Object.assign(subscription, {
			status: 'active',
			current_term_start: start,
			current_term_end: end,
			next_billing_at: end,
			updated_at: this.now(),
			resource_version: this.nextVersion(),
		});
		const invoice = this.createInvoice(subscription);
		const customer = this.customer(subscription.customer_id as string);
		const event = this.emit('subscription_renewed', { subscription, customer, invoice }, 'scheduled_job');
		this.emit('invoice_generated', { invoice }, 'scheduled_job');
		this.collect(invoice, subscription.auto_collection === 'off' ? 'none' : payment);
		return this.settled(event);
	}

	/** A plan/quantity change made in the Chargebee console. */
	async simulateSubscriptionChanged(
		subscriptionId: string,
		items: Array<{ itemPriceId: string; quantity?: number; unitPrice?: number }>,
		replace = false,
	): Promise<Json> {
		const form: FormObject = {
			subscription_items: items.map((i) => ({
				item_price_id: i.itemPriceId,
				...(i.quantity !== undefined ? { quantity: String(i.quantity) } : {}),
				...(i.unitPrice !== undefined ? { unit_price: String(i.unitPrice) } : {}),
			})),
			...(replace ? { replace_items_list: 'true' } : {}),
		};
		this.updateSubscriptionItems(subscriptionId, form, 'admin_console');
		return this.settled(this.eventsOfType('subscription_changed').pop() as Json);
	}

	/** Cancellation now (dunning exhausted or a console action). */
	async simulateCancellation(subscriptionId: string, reasonCode = 'Not Paid', creditOption?: 'none' | 'prorate' | 'full'): Promise<Json> {
		this.cancelSubscription(subscriptionId, { cancel_reason_code: reasonCode, ...(creditOption ? { credit_option_for_current_term_charges: creditOption } : {}) }, 'admin_console');
		return this.settled(this.eventsOfType('subscription_cancelled').pop() as Json);
	}

	async simulatePause(subscriptionId: string): Promise<Json> {
		const subscription = this.subscription(subscriptionId);
		if (subscription.status !== 'active') throw invalidState(`Subscription ${subscriptionId} is ${String(subscription.status)}; only active subscriptions pause`);
		Object.assign(subscription, { status: 'paused', pause_date: this.now(), updated_at: this.now(), resource_version: this.nextVersion() });
		delete subscription.next_billing_at;
		const customer = this.customer(subscription.customer_id as string);
		return this.settled(this.emit('subscription_paused', { subscription, customer }, 'admin_console'));
	}

	async simulateResume(subscriptionId: string): Promise<Json> {
		const subscription = this.subscription(subscriptionId);
		if (subscription.status !== 'paused') throw invalidState(`Subscription ${subscriptionId} is not paused`);
		Object.assign(subscription, { status: 'active', resume_date: this.now(), next_billing_at: subscription.current_term_end, updated_at: this.now(), resource_version: this.nextVersion() });
		delete subscription.pause_date;
		const customer = this.customer(subscription.customer_id as string);
		return this.settled(this.emit('subscription_resumed', { subscription, customer }, 'admin_console'));
	}

	/** A credit note against the subscription's latest invoice (all of it unless an amount in minor units is given). */
	async simulateCreditNote(subscriptionId: string, amount?: number, reasonCode = 'product_unsatisfactory'): Promise<Json> {
		const invoice = [...this.invoices.values()].filter((i) => i.subscription_id === subscriptionId).pop();
		if (!invoice) throw new Error(`sandbox chargebee: subscription ${subscriptionId} has no invoice to credit`);
		const creditNote = this.createCreditNote(invoice, amount ?? Number(invoice.total), reasonCode);
		return this.settled(this.emit('credit_note_created', { credit_note: creditNote }, 'admin_console'));
	}

	/**
	 * Any event with hand-made content (for event types the sandbox does not model). Resources given
	 * in part are completed with the fields every such resource has (the SDK's resource types
	 * require them: Customer, Subscription, Invoice, Transaction, CreditNote); given fields win.
	 */
	async simulateEvent(eventType: string, content: Json, source = 'admin_console'): Promise<Json> {
		return this.settled(this.emit(eventType, this.completeContent(content), source));
	}

	private completeContent(content: Json): Json {
		const out: Json = { ...content };
		const currency = (r: Json) => (typeof r.currency_code === 'string' ? r.currency_code : 'USD');
		const complete = (key: string, defaults: (given: Json) => Json) => {
			const given = out[key];
			if (given && typeof given === 'object' && !Array.isArray(given)) out[key] = { ...defaults(given as Json), ...(given as Json) };
		};
		complete('customer', (c) => this.buildCustomer({ id: c.id }));
		complete('subscription', (sub) => ({
			currency_code: 'USD',
			status: 'active',
			has_scheduled_advance_invoices: false,
			has_scheduled_changes: false,
			deleted: false,
			decommissioned: false,
			object: 'subscription',
			...(sub.id === undefined ? { id: randomId() } : {}),
		}));
		complete('invoice', (inv) => ({
			recurring: true,
			status: 'posted',
			price_type: 'tax_exclusive',
			currency_code: currency(inv),
			tax: 0,
			sub_total: typeof inv.total === 'number' ? inv.total : 0,
			term_finalized: true,
			is_gifted: false,
			deleted: false,
			object: 'invoice',
		}));
		complete('transaction', (txn) => ({
			payment_method: 'card',
			gateway: 'chargebee',
			type: 'payment',
			currency_code: currency(txn),
			deleted: false,
			object: 'transaction',
		}));
		complete('credit_note', (cn) => ({
			type: 'refundable',
			status: 'refund_due',
			price_type: 'tax_exclusive',
			currency_code: currency(cn),
			sub_total: typeof cn.total === 'number' ? cn.total : 0,
			deleted: false,
			object: 'credit_note',
		}));
		return out;
	}
}

export default ChargebeeSandbox;
