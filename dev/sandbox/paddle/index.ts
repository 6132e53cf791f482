/**
 * Paddle Billing sandbox: a loopback stand-in for api.paddle.com that speaks
 * Paddle's wire format (see /work/shared/API-FACTS.md and the OpenAPI spec):
 *
 *  - Bearer API keys (403 authentication_missing / authentication_malformed /
 *    invalid_token), JSON `{data, meta: {request_id[, pagination]}}`, errors
 *    `{error: {type, code, detail, documentation_url, errors?}, meta}`;
 *  - customers (409 customer_already_exists naming the ctm_ id), addresses,
 *    businesses, products/prices, transactions (manual → billed makes the
 *    subscription shortly after, automatic → checkout.url), subscriptions with
 *    cancel / pause / resume / item changes, notification settings, events;
 *  - webhook deliveries to every matching destination, signed as Paddle does:
 *    `Paddle-Signature: ts=<unix s>;h1=<hex HMAC-SHA256(secret, ts + ":" + body)>`.
 *
 * The signing here is written independently of nodes/PaddleBilling/trigger/verify.ts
 * so that tests compare two implementations (and the official SDK a third).
 *
 * Simplifications (documented in docs/paddle.md): a flat tax rate, no
 * currency conversion, no proration charges, no automatic retries of failed
 * deliveries (use `redeliver`), scheduled changes only happen when a test
 * calls `applyScheduledChange`.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

import { BillingState, registerBillingRoutes } from './billing';
import { NotificationLog, registerNotificationRoutes } from './notifications';
import { requiredPermissions } from './permissions';
import { perPage, SpecGuard } from './spec';
import { header, SandboxServer, type DeliveryResult, type SandboxRequest, type SandboxResponse } from '../kit';

type Json = Record<string, unknown>;

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Fixed ids of the seeded catalogue, in Paddle's id shape (prefix + 26 of [0-9a-z]). They start
 * with zeros, so they sort before every id made at run time, like objects created first.
 */
export const SEED_IDS = {
	productId: 'pro_000000000000kbseedkommopro',
	monthlyUsd: 'pri_000000000000kbseedmonthusd',
	yearlyUsd: 'pri_000000000000kbseedyearusd0',
	setupFeeUsd: 'pri_000000000000kbseedsetupusd',
	monthlyJpy: 'pri_000000000000kbseedmonthjpy',
	monthlyEur: 'pri_000000000000kbseedmontheur',
} as const;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const SANDBOX_API_KEY = 'pdl_sdbx_apikey_01hsandboxkey000000000000000_sandboxSecretPart0000000000';

export interface DeliveryRecord {
	notificationId: string;
	settingId: string;
	eventId: string;
	eventType: string;
	destination: string;
	body: string;
	signature: string;
	/** The `ts` this attempt was signed with. */
	ts: number;
	attempt: number;
	result?: DeliveryResult;
}

interface PaddleEvent {
	event_id: string;
	event_type: string;
	occurred_at: string;
	data: Json;
}

const EVENT_GROUPS: Record<string, string> = {
	address: 'Address',
	adjustment: 'Adjustment',
	business: 'Business',
	customer: 'Customer',
	subscription: 'Subscription',
	transaction: 'Transaction',
	price: 'Price',
	product: 'Product',
};

export const EVENT_TYPE_NAMES = [
	'address.created',
	'address.updated',
	'adjustment.created',
	'adjustment.updated',
	'business.created',
	'business.updated',
	'customer.created',
	'customer.updated',
	'price.created',
	'price.updated',
	'product.created',
	'product.updated',
	'subscription.activated',
	'subscription.canceled',
	'subscription.created',
	'subscription.past_due',
	'subscription.paused',
	'subscription.resumed',
	'subscription.trialing',
	'subscription.updated',
	'transaction.billed',
	'transaction.canceled',
	'transaction.completed',
	'transaction.created',
	'transaction.paid',
	'transaction.past_due',
	'transaction.payment_failed',
	'transaction.ready',
	'transaction.updated',
];

function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function addInterval(date: Date, interval: string, frequency: number): Date {
	const d = new Date(date.getTime());
	if (interval === 'day') d.setUTCDate(d.getUTCDate() + frequency);
	else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7 * frequency);
	else if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + frequency);
	else if (interval === 'year') d.setUTCFullYear(d.getUTCFullYear() + frequency);
	return d;
}

class FieldErrors {
	readonly errors: Array<{ field: string; message: string }> = [];
	add(field: string, message: string): void {
		this.errors.push({ field, message });
	}
	get any(): boolean {
		return this.errors.length > 0;
	}
}

/** Thrown inside handlers; turned into Paddle's error envelope. */
class PaddleError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		readonly detail: string,
		readonly errors?: Array<{ field: string; message: string }>,
		readonly type: 'request_error' | 'api_error' = 'request_error',
	) {
		super(detail);
	}
}

function docGroup(code: string): string {
	if (code.startsWith('customer_')) return 'customers';
	if (code.startsWith('transaction_')) return 'transactions';
	if (code.startsWith('subscription_')) return 'subscriptions';
	if (code.startsWith('notification_')) return 'notifications';
	if (code.startsWith('address_')) return 'addresses';
	if (code.startsWith('business_')) return 'businesses';
	if (code.startsWith('adjustment_')) return 'adjustments';
	if (code.startsWith('discount_')) return 'discounts';
	return 'shared';
}

export class PaddleSandbox extends SandboxServer {
	readonly apiKeys = new Set<string>([SANDBOX_API_KEY]);
	/** Keys with restricted permissions (Paddle → Developer Tools → Authentication); others have all. */
	readonly keyPermissions = new Map<string, Set<string>>();
	readonly customers = new Map<string, Json>();
	readonly addresses = new Map<string, Json>();
	readonly businesses = new Map<string, Json>();
	readonly products = new Map<string, Json>();
	readonly prices = new Map<string, Json>();
	readonly transactions = new Map<string, Json>();
	readonly subscriptions = new Map<string, Json>();
	readonly notificationSettings = new Map<string, Json>();
	/** Previous secrets still used for signing (rotation), by setting id. */
	readonly previousSecrets = new Map<string, string[]>();
	readonly events: PaddleEvent[] = [];
	readonly deliveries: DeliveryRecord[] = [];
	/** Notification entities (GET /notifications, replay): dev/sandbox/paddle/notifications.ts. */
	readonly notificationLog: NotificationLog = new NotificationLog({ now: () => this.now(), newId: (prefix) => this.newId(prefix) });
	/** Adjustments and discounts (dev/sandbox/paddle/billing.ts). */
	readonly billing = new BillingState();
	/** The account's default payment link; null makes automatic transactions fail as in Paddle. */
	checkoutBaseUrl: string | null = 'https://pay.example.test/checkout';
	/** How long after billing Paddle "creates" the subscription. */
	subscriptionDelayMs = 30;
	/** Flat tax in percent applied to every line. */
	taxPercent = 0;
	/** Deliver events to destinations as they happen (false: only record them). */
	autoDeliver = true;
	/** Clock used for timestamps and signatures (tests may shift it). */
	now: () => Date = () => new Date();
	/**
	 * What a retry (`redeliver`) signs with. Paddle does not document whether a retry keeps the
	 * first attempt's `ts` (../shared/API-FACTS.md: "unconfirmed; one report says they do",
	 * emban.sidelabs.dev/blog/paddle-webhook-skew), so the sandbox offers both: 'fresh' signs each
	 * attempt at its own time, 'original' re-sends the first attempt's ts (and thus its h1).
	 */
	retryTimestamp: 'fresh' | 'original' = 'fresh';
	/** Paddle's OpenAPI spec as referee of every request, answer and notification (spec.ts). */
	readonly specGuard = new SpecGuard(this);
	/** A test sends invalid requests on purpose: still refused (400), not counted as deviations. */
	tolerateInvalidRequests = false;
	private readonly pending = new Set<Promise<unknown>>();
	private idCounter = 0;
	private invoiceCounter = 10_000;

	/** Seeded catalogue, handy in tests. */
	readonly seed: { productId: string; monthlyUsd: string; yearlyUsd: string; setupFeeUsd: string; monthlyJpy: string; monthlyEur: string };

	constructor() {
		super('paddle');
		// The seeded catalogue has fixed ids (SEED_IDS), so that shipped workflows can map plans to
		// these prices and work against any sandbox instance (demo, e2e) without editing.
		const product = this.addProduct({ name: 'Kommo Pro', description: 'Pro plan', id: SEED_IDS.productId });
		const price = (id: string, description: string, amount: string, currency: string, interval: 'month' | 'year' | null) =>
			this.addPrice({ productId: product.id as string, description, amount, currency, interval, id }).id as string;
		this.seed = {
			productId: product.id as string,
			monthlyUsd: price(SEED_IDS.monthlyUsd, 'Monthly', '3000', 'USD', 'month'),
			yearlyUsd: price(SEED_IDS.yearlyUsd, 'Yearly', '30000', 'USD', 'year'),
			setupFeeUsd: price(SEED_IDS.setupFeeUsd, 'Setup fee', '9900', 'USD', null),
			monthlyJpy: price(SEED_IDS.monthlyJpy, 'Monthly (JPY)', '3000', 'JPY', 'month'),
			monthlyEur: price(SEED_IDS.monthlyEur, 'Monthly (EUR)', '2900', 'EUR', 'month'),
		};
		this.registerRoutes();
	}

	// ---------------------------------------------------------------- ids & time

	/** `<prefix>_` + 26 characters of [0-9a-z], sorting by creation order like Paddle's ids. */
	newId(prefix: string): string {
		let time = Date.now();
		let timePart = '';
		for (let i = 0; i < 10; i++) {
			timePart = CROCKFORD[time % 32] + timePart;
			time = Math.floor(time / 32);
		}
		let counter = ++this.idCounter;
		let counterPart = '';
		for (let i = 0; i < 6; i++) {
			counterPart = CROCKFORD[counter % 32] + counterPart;
			counter = Math.floor(counter / 32);
		}
		const random = Array.from(randomBytes(10), (b) => CROCKFORD[b % 32]).join('');
		return `${prefix}_${timePart}${counterPart}${random}`;
	}

	private iso(date = this.now()): string {
		return date.toISOString();
	}

	private secretFor(settingId: string): string {
		const tail = Array.from(randomBytes(32), (b) => ALNUM[b % ALNUM.length]).join('');
		return `pdl_ntfset_${settingId.slice('ntfset_'.length)}_${tail}`;
	}

	// ---------------------------------------------------------------- wire format

	private ok(res: SandboxResponse, status: number, data: unknown): void {
		res.json(status, { data, meta: { request_id: randomUUID() } });
	}

	private fail(res: SandboxResponse, error: PaddleError): void {
		const body: Json = {
			type: error.type,
			code: error.code,
			detail: error.detail,
			documentation_url: `https://developer.paddle.com/errors/${docGroup(error.code)}/${error.code}`,
		};
		if (error.errors) body.errors = error.errors;
		const envelope = { error: body, meta: { request_id: randomUUID() } };
		this.specGuard.errorBody(error.status, envelope);
		res.json(error.status, envelope);
	}

	private list(req: SandboxRequest, res: SandboxResponse, all: Json[], maxPerPage: number, defaultPerPage: number, key = 'id'): void {
		const orderBy = String(req.query.order_by ?? 'id[DESC]');
		const ascending = orderBy === 'id[ASC]';
		if (!/^id\[(ASC|DESC)\]$/.test(orderBy)) {
			throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', [
				{ field: 'order_by', message: 'sandbox supports id[ASC] and id[DESC]' },
			]);
		}
		// The spec's per_page: its default and maximum, and a larger value clamped where the spec says
		// Paddle does so (spec.ts perPage); the spec check has refused non-integers already. Below 1
		// the spec states nothing (no minimum) and Paddle's answer is undocumented: refused here, the
		// stricter guess.
		const rule = perPage(req.method, req.path) ?? { default: defaultPerPage, maximum: maxPerPage, clamps: false };
		const asked = req.query.per_page === undefined ? rule.default : Number(req.query.per_page);
		const perPageCount = rule.clamps ? Math.min(asked, rule.maximum) : asked;
		if (!Number.isInteger(perPageCount) || perPageCount < 1 || perPageCount > rule.maximum) {
			throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', [
				{ field: 'per_page', message: `must be between 1 and ${rule.maximum}` },
			]);
		}
		const sorted = [...all].sort((a, b) => (String(a[key]) < String(b[key]) ? -1 : 1) * (ascending ? 1 : -1));
		const after = req.query.after === undefined ? undefined : String(req.query.after);
		const start = after === undefined ? 0 : sorted.findIndex((e) => (ascending ? String(e[key]) > after : String(e[key]) < after));
		const from = start < 0 ? sorted.length : start;
		const page = sorted.slice(from, from + perPageCount);
		const last = page.length > 0 ? String(page[page.length - 1][key]) : after ?? '';
		const params = new URLSearchParams();
		for (const [k, v] of Object.entries(req.query)) {
			if (k === 'after') continue;
			params.set(k, Array.isArray(v) ? v.join(',') : v);
		}
		params.set('after', last);
		res.json(200, {
			data: page,
			meta: {
				request_id: randomUUID(),
				pagination: {
					per_page: perPageCount,
					next: `${this.url}${req.path}?${params.toString()}`,
					has_more: from + perPageCount < sorted.length,
					estimated_total: sorted.length,
				},
			},
		});
	}

	/** Comma-separated or repeated query values. */
	private queryList(req: SandboxRequest, name: string): string[] | undefined {
		const raw = req.query[name];
		if (raw === undefined) return undefined;
		return (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
	}

	private bodyOf(req: SandboxRequest): Json {
		if (req.rawBody.length === 0) return {};
		if (!(header(req, 'content-type') ?? '').includes('application/json') || !isObject(req.body)) {
			throw new PaddleError(400, 'bad_request', 'Invalid request.');
		}
		return req.body;
	}

	private rejectUnknown(body: Json, allowed: string[]): void {
		const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
		if (unknown.length > 0) {
			throw new PaddleError(
				400,
				'invalid_field',
				'Request does not pass validation.',
				unknown.map((field) => ({ field, message: 'is not a valid field for this request' })),
			);
		}
	}

	private missing(id: string): PaddleError {
		return new PaddleError(404, 'not_found', `Entity ${id} not found`);
	}

	protected override before(req: SandboxRequest, res: SandboxResponse): boolean {
		const authorization = header(req, 'authorization');
		if (authorization === undefined || authorization === '') {
			this.fail(res, new PaddleError(403, 'authentication_missing', 'Authentication header missing.'));
			return false;
		}
		const match = /^bearer\s+(\S+)\s*$/i.exec(authorization);
		if (!match) {
			this.fail(res, new PaddleError(403, 'authentication_malformed', 'Authentication header included, but incorrectly formatted.'));
			return false;
		}
		if (!this.apiKeys.has(match[1])) {
			this.fail(res, new PaddleError(403, 'invalid_token', 'Invalid or revoked API key.'));
			return false;
		}
		const granted = this.keyPermissions.get(match[1]);
		if (granted) {
			// Permissions per operation and per include value, read from Paddle's spec (permissions.ts).
			const needed = requiredPermissions(req.method, req.path, req.query) ?? [];
			if (needed.some((p) => !granted.has(p))) {
				this.fail(res, new PaddleError(403, 'forbidden', "You aren't permitted to perform this request."));
				return false;
			}
		}
		// Query and body against the operation in Paddle's spec (spec.ts): 400 invalid_field if not.
		const invalid = this.specGuard.request(req, this.tolerateInvalidRequests);
		if (invalid.length > 0) {
			this.fail(res, new PaddleError(400, 'invalid_field', 'Request does not pass validation.', invalid));
			return false;
		}
		return true;
	}

	protected override notFound(req: SandboxRequest, res: SandboxResponse): void {
		this.fail(res, new PaddleError(404, 'not_found', `No route ${req.method} ${req.path}`));
	}

	/** Routes with Paddle's error handling around them. */
	private api(method: string, path: string, fn: (req: SandboxRequest, res: SandboxResponse) => unknown): void {
		this.route(method, path, async (req, res) => {
			try {
				await fn(req, res);
			} catch (error) {
				if (error instanceof PaddleError) this.fail(res, error);
				else this.fail(res, new PaddleError(500, 'internal_error', String((error as Error)?.message ?? error), undefined, 'api_error'));
			}
			this.specGuard.response(req, res.sent ? res.status : 204, res.sent ? res.body : '');
		});
	}

	/** Paddle's 429 with Retry-After, per the platform limit (240/min per IP) or a test's own. */
	/** A new API key with only these permissions (e.g. ['price.read']), as a restricted Paddle key. */
	addRestrictedKey(permissions: string[]): string {
		const key = `pdl_sdbx_apikey_01hrestricted${String(this.keyPermissions.size).padStart(13, '0')}_${randomBytes(11).toString('hex').slice(0, 22)}_abc`;
		this.apiKeys.add(key);
		this.keyPermissions.set(key, new Set(permissions));
		return key;
	}

	enableRateLimit(limit = 240, windowMs = 60_000, retryAfterSeconds = 60): void {
		this.setRateLimit({
			limit,
			windowMs,
			respond: (_req, res) => {
				this.fail(
					res,
					new PaddleError(
						429,
						'too_many_requests',
						'IP address exceeded the allowed rate limit. Retry after the number of seconds in the Retry-After header.',
						undefined,
						'api_error',
					),
				);
				res.header('retry-after', String(retryAfterSeconds));
			},
		});
	}

	// ---------------------------------------------------------------- seeds

	addProduct(input: { name: string; description?: string; id?: string }): Json {
		const at = this.iso();
		const product: Json = {
			id: input.id ?? this.newId('pro'),
			name: input.name,
			description: input.description ?? null,
			type: 'standard',
			tax_category: 'standard',
			image_url: null,
			custom_data: null,
			status: 'active',
			import_meta: null,
			created_at: at,
			updated_at: at,
		};
		this.products.set(product.id as string, product);
		return product;
	}

	addPrice(input: {
		productId: string;
		description: string;
		amount: string;
		currency: string;
		interval: 'day' | 'week' | 'month' | 'year' | null;
		frequency?: number;
		status?: 'active' | 'archived';
		id?: string;
	}): Json {
		const at = this.iso();
		const price: Json = {
			id: input.id ?? this.newId('pri'),
			product_id: input.productId,
			type: 'standard',
			description: input.description,
			name: input.description,
			billing_cycle: input.interval ? { interval: input.interval, frequency: input.frequency ?? 1 } : null,
			trial_period: null,
			tax_mode: 'account_setting',
			unit_price: { amount: input.amount, currency_code: input.currency },
			unit_price_overrides: [],
			custom_data: null,
			status: input.status ?? 'active',
			quantity: { minimum: 1, maximum: 100 },
			import_meta: null,
			created_at: at,
			updated_at: at,
		};
		this.prices.set(price.id as string, price);
		return price;
	}

	/** Adds a customer directly (no event), e.g. an archived one. */
	addCustomer(input: { email: string; name?: string | null; status?: 'active' | 'archived'; custom_data?: Json | null }): Json {
		const at = this.iso();
		const customer: Json = {
			id: this.newId('ctm'),
			name: input.name ?? null,
			email: input.email,
			marketing_consent: false,
			status: input.status ?? 'active',
			custom_data: input.custom_data ?? null,
			locale: 'en',
			created_at: at,
			updated_at: at,
			import_meta: null,
		};
		this.customers.set(customer.id as string, customer);
		return customer;
	}

	/** Adds an address to a customer (as POST /customers/{id}/addresses does). */
	createAddressFor(customerId: string, countryCode: string, fields: Json = {}): Json {
		return this.createAddress(customerId, { country_code: countryCode, ...fields });
	}

	// ---------------------------------------------------------------- routes

	private registerRoutes(): void {
		// Event types (also the credential test).
		this.api('GET', '/event-types', (_req, res) => {
			this.ok(res, 200, EVENT_TYPE_NAMES.map((name) => this.eventTypeObject(name)));
		});

		// Customers
		this.api('POST', '/customers', (req, res) => this.ok(res, 201, this.createCustomer(this.bodyOf(req))));
		this.api('GET', '/customers', (req, res) => {
			const emails = this.queryList(req, 'email')?.map((e) => e.toLowerCase());
			const ids = this.queryList(req, 'id');
			const statuses = this.queryList(req, 'status') ?? ['active'];
			const search = req.query.search === undefined ? undefined : String(req.query.search).toLowerCase();
			const found = [...this.customers.values()].filter(
				(c) =>
					statuses.includes(String(c.status)) &&
					(!emails || emails.includes(String(c.email).toLowerCase())) &&
					(!ids || ids.includes(String(c.id))) &&
					(!search || [c.id, c.name, c.email].some((v) => String(v ?? '').toLowerCase().includes(search))),
			);
			this.list(req, res, found, 200, 50);
		});
		this.api('GET', '/customers/:id', (req, res) => this.ok(res, 200, this.mustGet(this.customers, req.params.id)));
		this.api('PATCH', '/customers/:id', (req, res) => this.ok(res, 200, this.updateCustomer(req.params.id, this.bodyOf(req))));

		// Addresses
		this.api('POST', '/customers/:id/addresses', (req, res) =>
			this.ok(res, 201, this.createAddress(req.params.id, this.bodyOf(req))),
		);
		this.api('GET', '/customers/:id/addresses', (req, res) => {
			this.mustGet(this.customers, req.params.id);
			const statuses = this.queryList(req, 'status') ?? ['active'];
			this.list(
				req,
				res,
				[...this.addresses.values()].filter((a) => a.customer_id === req.params.id && statuses.includes(String(a.status))),
				200,
				50,
			);
		});
		this.api('GET', '/customers/:id/addresses/:addressId', (req, res) => {
			const address = this.mustGet(this.addresses, req.params.addressId);
			if (address.customer_id !== req.params.id) throw this.missing(req.params.addressId);
			this.ok(res, 200, address);
		});

		// Businesses
		this.api('POST', '/customers/:id/businesses', (req, res) =>
			this.ok(res, 201, this.createBusiness(req.params.id, this.bodyOf(req))),
		);
		this.api('GET', '/customers/:id/businesses', (req, res) => {
			this.mustGet(this.customers, req.params.id);
			const statuses = this.queryList(req, 'status') ?? ['active'];
			this.list(
				req,
				res,
				[...this.businesses.values()].filter((b) => b.customer_id === req.params.id && statuses.includes(String(b.status))),
				200,
				50,
			);
		});
		this.api('GET', '/customers/:id/businesses/:businessId', (req, res) => {
			const business = this.mustGet(this.businesses, req.params.businessId);
			if (business.customer_id !== req.params.id) throw this.missing(req.params.businessId);
			this.ok(res, 200, business);
		});

		// Catalogue
		this.api('GET', '/products', (req, res) => this.list(req, res, [...this.products.values()], 200, 50));
		this.api('GET', '/prices', (req, res) => {
			const statuses = this.queryList(req, 'status') ?? ['active'];
			const productIds = this.queryList(req, 'product_id');
			const ids = this.queryList(req, 'id');
			const recurring = req.query.recurring === undefined ? undefined : String(req.query.recurring) === 'true';
			const include = this.queryList(req, 'include') ?? [];
			const found = [...this.prices.values()]
				.filter(
					(p) =>
						statuses.includes(String(p.status)) &&
						(!productIds || productIds.includes(String(p.product_id))) &&
						(!ids || ids.includes(String(p.id))) &&
						(recurring === undefined || (p.billing_cycle !== null) === recurring),
				)
				.map((p) => (include.includes('product') ? { ...p, product: this.products.get(String(p.product_id)) ?? null } : p));
			this.list(req, res, found, 200, 50);
		});
		this.api('GET', '/prices/:id', (req, res) => {
			const price = this.mustGet(this.prices, req.params.id);
			// include=product adds the product (spec `get-price`, `include_price_query`)
			const include = this.queryList(req, 'include') ?? [];
			this.ok(res, 200, include.includes('product') ? { ...price, product: this.products.get(String(price.product_id)) ?? null } : price);
		});

		// Transactions
		this.api('POST', '/transactions', (req, res) => this.ok(res, 201, this.createTransaction(this.bodyOf(req))));
		this.api('GET', '/transactions', (req, res) => {
			const customerIds = this.queryList(req, 'customer_id');
			const subscriptionIds = this.queryList(req, 'subscription_id');
			const statuses = this.queryList(req, 'status');
			const ids = this.queryList(req, 'id');
			const origins = this.queryList(req, 'origin');
			const mode = req.query.collection_mode === undefined ? undefined : String(req.query.collection_mode);
			const found = [...this.transactions.values()].filter(
				(t) =>
					(!customerIds || customerIds.includes(String(t.customer_id))) &&
					(!subscriptionIds || subscriptionIds.includes(String(t.subscription_id))) &&
					(!statuses || statuses.includes(String(t.status))) &&
					(!ids || ids.includes(String(t.id))) &&
					(!origins || origins.includes(String(t.origin))) &&
					(!mode || t.collection_mode === mode),
			);
			this.list(req, res, found, 30, 30);
		});
		this.api('GET', '/transactions/:id', (req, res) => this.ok(res, 200, this.mustGet(this.transactions, req.params.id)));
		this.api('PATCH', '/transactions/:id', (req, res) =>
			this.ok(res, 200, this.updateTransaction(req.params.id, this.bodyOf(req))),
		);

		// Subscriptions
		this.api('GET', '/subscriptions', (req, res) => {
			const customerIds = this.queryList(req, 'customer_id');
			const statuses = this.queryList(req, 'status');
			const found = [...this.subscriptions.values()].filter(
				(s) => (!customerIds || customerIds.includes(String(s.customer_id))) && (!statuses || statuses.includes(String(s.status))),
			);
			this.list(req, res, found, 200, 50);
		});
		this.api('GET', '/subscriptions/:id', (req, res) => this.ok(res, 200, this.mustGet(this.subscriptions, req.params.id)));
		this.api('PATCH', '/subscriptions/:id', (req, res) =>
			this.ok(res, 200, this.updateSubscription(req.params.id, this.bodyOf(req))),
		);
		this.api('POST', '/subscriptions/:id/cancel', (req, res) =>
			this.ok(res, 200, this.cancelSubscription(req.params.id, this.bodyOf(req))),
		);
		this.api('POST', '/subscriptions/:id/pause', (req, res) =>
			this.ok(res, 200, this.pauseSubscription(req.params.id, this.bodyOf(req))),
		);
		this.api('POST', '/subscriptions/:id/resume', (req, res) =>
			this.ok(res, 200, this.resumeSubscription(req.params.id, this.bodyOf(req))),
		);

		// Notification settings
		this.api('POST', '/notification-settings', (req, res) =>
			this.ok(res, 201, this.createNotificationSetting(this.bodyOf(req))),
		);
		this.api('GET', '/notification-settings', (req, res) => {
			const active = req.query.active === undefined ? undefined : String(req.query.active) === 'true';
			const traffic = req.query.traffic_source === undefined ? undefined : String(req.query.traffic_source);
			const found = [...this.notificationSettings.values()].filter(
				(s) => (active === undefined || s.active === active) && (traffic === undefined || s.traffic_source === traffic),
			);
			this.list(req, res, found, 200, 200);
		});
		this.api('GET', '/notification-settings/:id', (req, res) =>
			this.ok(res, 200, this.mustGet(this.notificationSettings, req.params.id)),
		);
		this.api('PATCH', '/notification-settings/:id', (req, res) =>
			this.ok(res, 200, this.updateNotificationSetting(req.params.id, this.bodyOf(req))),
		);
		this.api('DELETE', '/notification-settings/:id', (req, res) => {
			this.mustGet(this.notificationSettings, req.params.id);
			this.notificationSettings.delete(req.params.id);
			res.empty(204);
		});

		// Events and notifications (GET /events has no event-type filter in the spec)
		registerNotificationRoutes(
			{
				now: () => this.now(),
				newId: (prefix) => this.newId(prefix),
				events: this.events,
				api: (method, path, fn) => this.api(method, path, fn),
				list: (req, res, all, max, def, key) => this.list(req, res, all, max, def, key),
				ok: (res, status, data) => this.ok(res, status, data),
				error: (status, code, detail, errors) => new PaddleError(status, code, detail, errors),
				deliver: (notification, event) => {
					const setting = this.notificationSettings.get(String(notification.notification_setting_id));
					// A destination deleted since: Paddle does not document this case; the sandbox accepts the
					// replay and records a failed attempt (nowhere to send it).
					if (!setting) this.notificationLog.attempted(String(notification.id), false);
					else this.track(this.deliverEvent(setting, event, String(notification.id)));
				},
			},
			this.notificationLog,
		);

		// Transaction preview and invoice PDF, adjustments, discounts, subscription preview and one-time charges.
		registerBillingRoutes(
			{
				now: () => this.now(),
				newId: (prefix) => this.newId(prefix),
				transactions: this.transactions,
				subscriptions: this.subscriptions,
				prices: this.prices,
				products: this.products,
				customers: this.customers,
				api: (method, path, fn) => this.api(method, path, fn),
				list: (req, res, all, max, def) => this.list(req, res, all, max, def),
				ok: (res, status, data) => this.ok(res, status, data),
				error: (status, code, detail, errors) => new PaddleError(status, code, detail, errors),
				bodyOf: (req) => this.bodyOf(req),
				queryList: (req, name) => this.queryList(req, name),
				lineItems: (items, currency) => this.lineItems(items, currency),
				createTransaction: (body, origin, renewal) => this.createTransaction(body, origin, renewal),
				bill: (transaction) => this.bill(transaction),
				emit: (eventType, entity) => this.emit(eventType, entity),
			},
			this.billing,
		);
	}

	private mustGet(map: Map<string, Json>, id: string): Json {
		const found = map.get(id);
		if (!found) throw this.missing(id);
		return found;
	}

	// ---------------------------------------------------------------- customers

	private validEmail(value: unknown): boolean {
		return typeof value === 'string' && value.length <= 320 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
	}

	private conflictFor(email: string, exceptId?: string): Json | undefined {
		const wanted = email.toLowerCase();
		return [...this.customers.values()].find((c) => c.id !== exceptId && String(c.email).toLowerCase() === wanted);
	}

	createCustomer(body: Json): Json {
		this.rejectUnknown(body, ['email', 'name', 'custom_data', 'locale']);
		const errors = new FieldErrors();
		if (body.email === undefined) errors.add('email', 'must be provided as part of the request');
		else if (!this.validEmail(body.email)) errors.add('email', 'must be a valid email address');
		if (body.name !== undefined && body.name !== null && typeof body.name !== 'string') errors.add('name', 'must be a string or null');
		if (body.custom_data !== undefined && body.custom_data !== null && !isObject(body.custom_data)) {
			errors.add('custom_data', 'must be a JSON object or null');
		}
		if (errors.any) throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', errors.errors);
		const existing = this.conflictFor(String(body.email));
		// developer.paddle.com/errors/customers/customer_already_exists: 409, code customer_already_exists,
		// "customer email conflicts with customer of id %s"
		if (existing) {
			throw new PaddleError(409, 'customer_already_exists', `customer email conflicts with customer of id ${String(existing.id)}`);
		}
		const customer = this.addCustomer({
			email: String(body.email),
			name: (body.name as string | null | undefined) ?? null,
			custom_data: (body.custom_data as Json | null | undefined) ?? null,
		});
		if (typeof body.locale === 'string') customer.locale = body.locale;
		this.emit('customer.created', customer);
		return customer;
	}

	updateCustomer(id: string, body: Json): Json {
		const customer = this.mustGet(this.customers, id);
		this.rejectUnknown(body, ['email', 'name', 'custom_data', 'locale', 'status']);
		const errors = new FieldErrors();
		if (body.email !== undefined && !this.validEmail(body.email)) errors.add('email', 'must be a valid email address');
		if (body.status !== undefined && !['active', 'archived'].includes(String(body.status))) {
			errors.add('status', "must be one of 'active', 'archived'");
		}
		if (body.custom_data !== undefined && body.custom_data !== null && !isObject(body.custom_data)) {
			errors.add('custom_data', 'must be a JSON object or null');
		}
		if (errors.any) throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', errors.errors);
		if (typeof body.email === 'string') {
			const existing = this.conflictFor(body.email, id);
			if (existing) {
				throw new PaddleError(409, 'customer_already_exists', `customer email conflicts with customer of id ${String(existing.id)}`);
			}
		}
		for (const key of ['email', 'name', 'custom_data', 'locale', 'status']) {
			if (body[key] !== undefined) customer[key] = body[key];
		}
		customer.updated_at = this.iso();
		this.emit('customer.updated', customer);
		return customer;
	}

	// ---------------------------------------------------------------- addresses & businesses

	private createAddress(customerId: string, body: Json): Json {
		this.mustGet(this.customers, customerId);
		this.rejectUnknown(body, ['country_code', 'first_line', 'second_line', 'city', 'postal_code', 'region', 'description', 'custom_data']);
		if (typeof body.country_code !== 'string' || !/^[A-Z]{2}$/.test(body.country_code)) {
			throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', [
				{ field: 'country_code', message: 'must be a supported two-letter ISO 3166-1 alpha-2 country code' },
			]);
		}
		const at = this.iso();
		const address: Json = {
			id: this.newId('add'),
			customer_id: customerId,
			description: body.description ?? null,
			first_line: body.first_line ?? null,
			second_line: body.second_line ?? null,
			city: body.city ?? null,
			postal_code: body.postal_code ?? null,
			region: body.region ?? null,
			country_code: body.country_code,
			custom_data: body.custom_data ?? null,
			status: 'active',
			created_at: at,
			updated_at: at,
			import_meta: null,
		};
		this.addresses.set(address.id as string, address);
		this.emit('address.created', address);
		return address;
	}

	private createBusiness(customerId: string, body: Json): Json {
		this.mustGet(this.customers, customerId);
		this.rejectUnknown(body, ['name', 'company_number', 'tax_identifier', 'contacts', 'custom_data']);
		const errors = new FieldErrors();
		if (typeof body.name !== 'string' || body.name.trim() === '') errors.add('name', 'must be provided as part of the request');
		if (body.contacts !== undefined && body.contacts !== null) {
			if (!Array.isArray(body.contacts)) errors.add('contacts', 'must be an array');
			else
				body.contacts.forEach((c, i) => {
					if (!isObject(c) || !this.validEmail(c.email)) errors.add(`contacts[${i}].email`, 'must be a valid email address');
				});
		}
		if (errors.any) throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', errors.errors);
		const at = this.iso();
		const business: Json = {
			id: this.newId('biz'),
			customer_id: customerId,
			name: body.name,
			company_number: body.company_number ?? null,
			tax_identifier: body.tax_identifier ?? null,
			status: 'active',
			// The create schema lets a contact omit its name (spec `business-create`: required email),
			// the entity always has one (spec `business`.contacts: required name, email); what Paddle
			// stores for a missing name is not documented: an empty string keeps the entity's shape.
			contacts: ((body.contacts ?? []) as Json[]).map((c) => ({ name: '', ...c })),
			custom_data: body.custom_data ?? null,
			created_at: at,
			updated_at: at,
			import_meta: null,
		};
		this.businesses.set(business.id as string, business);
		this.emit('business.created', business);
		return business;
	}

	// ---------------------------------------------------------------- transactions

	private lineItems(items: Array<{ price: Json; quantity: number }>, currency: string): { details: Json } {
		let subtotal = 0n;
		let tax = 0n;
		const lines = items.map(({ price, quantity }) => {
			const unit = BigInt(String((price.unit_price as Json).amount));
			const lineSubtotal = unit * BigInt(quantity);
			const lineTax = (lineSubtotal * BigInt(this.taxPercent) + 50n) / 100n;
			const unitTax = (unit * BigInt(this.taxPercent) + 50n) / 100n;
			subtotal += lineSubtotal;
			tax += lineTax;
			const product = this.products.get(String(price.product_id)) ?? null;
			return {
				id: this.newId('txnitm'),
				price_id: price.id,
				quantity,
				proration: null,
				tax_rate: (this.taxPercent / 100).toString(),
				unit_totals: { subtotal: unit.toString(), discount: '0', tax: unitTax.toString(), total: (unit + unitTax).toString() },
				totals: {
					subtotal: lineSubtotal.toString(),
					discount: '0',
					tax: lineTax.toString(),
					total: (lineSubtotal + lineTax).toString(),
				},
				product,
			};
		});
		const total = (subtotal + tax).toString();
		return {
			details: {
				tax_rates_used: [
					{
						tax_rate: (this.taxPercent / 100).toString(),
						totals: { subtotal: subtotal.toString(), discount: '0', tax: tax.toString(), total },
					},
				],
				totals: {
					subtotal: subtotal.toString(),
					tax: tax.toString(),
					discount: '0',
					total,
					grand_total: total,
					fee: null,
					credit: '0',
					credit_to_balance: '0',
					balance: total,
					earnings: null,
					currency_code: currency,
				},
				adjusted_totals: {
					subtotal: subtotal.toString(),
					tax: tax.toString(),
					total,
					grand_total: total,
					fee: '0',
					earnings: '0',
					currency_code: currency,
				},
				payout_totals: null,
				adjusted_payout_totals: null,
				line_items: lines,
			},
		};
	}

	/** `renewal`: a subscription_recurring transaction Paddle makes itself (no transaction.ready: it bills it at once). */
	createTransaction(body: Json, origin = 'api', renewal?: { subscriptionId: string; billingPeriod: Json }): Json {
		this.rejectUnknown(body, [
			'items',
			'status',
			'customer_id',
			'address_id',
			'business_id',
			'custom_data',
			'currency_code',
			'collection_mode',
			'discount_id',
			'billing_details',
			'billing_period',
			'checkout',
		]);
		const errors = new FieldErrors();
		const mode = body.collection_mode ?? 'automatic';
		if (mode !== 'automatic' && mode !== 'manual') errors.add('collection_mode', "must be one of 'automatic', 'manual'");
		if (!Array.isArray(body.items) || body.items.length === 0) {
			errors.add('items', 'must contain at least 1 item');
		}
		const resolved: Array<{ price: Json; quantity: number }> = [];
		((Array.isArray(body.items) ? body.items : []) as unknown[]).forEach((raw, i) => {
			if (!isObject(raw) || typeof raw.price_id !== 'string') {
				errors.add(`items[${i}].price_id`, 'must be provided as part of the request');
				return;
			}
			const price = this.prices.get(raw.price_id);
			if (!price || price.status !== 'active') {
				errors.add(`items[${i}].price_id`, `price ${raw.price_id} not found or not active`);
				return;
			}
			const quantity = raw.quantity === undefined ? 1 : raw.quantity;
			const limits = price.quantity as Json;
			if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < Number(limits.minimum) || quantity > Number(limits.maximum)) {
				errors.add(`items[${i}].quantity`, `must be an integer between ${String(limits.minimum)} and ${String(limits.maximum)}`);
				return;
			}
			resolved.push({ price, quantity });
		});
		const customerId = body.customer_id ?? null;
		const addressId = body.address_id ?? null;
		const businessId = body.business_id ?? null;
		let customer: Json | undefined;
		if (customerId !== null) {
			customer = this.customers.get(String(customerId));
			if (!customer) errors.add('customer_id', `customer ${String(customerId)} not found`);
		}
		if (addressId !== null) {
			const address = this.addresses.get(String(addressId));
			if (!address) errors.add('address_id', `address ${String(addressId)} not found`);
			else if (customerId === null || address.customer_id !== customerId) errors.add('address_id', 'address does not belong to the customer');
		}
		if (businessId !== null) {
			const business = this.businesses.get(String(businessId));
			if (!business) errors.add('business_id', `business ${String(businessId)} not found`);
			else if (customerId === null || business.customer_id !== customerId) errors.add('business_id', 'business does not belong to the customer');
		}
		if (body.custom_data !== undefined && body.custom_data !== null && !isObject(body.custom_data)) {
			errors.add('custom_data', 'must be a JSON object or null');
		}
		const currency = String(body.currency_code ?? (resolved[0]?.price.unit_price as Json | undefined)?.currency_code ?? 'USD');
		resolved.forEach(({ price }, i) => {
			if ((price.unit_price as Json).currency_code !== currency) {
				errors.add(`items[${i}].price_id`, `price currency ${String((price.unit_price as Json).currency_code)} differs from transaction currency ${currency} (the sandbox does not convert currencies)`);
			}
		});
		if (errors.any) throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', errors.errors);

		let billingDetails: Json | null = null;
		if (mode === 'manual') {
			if (!isObject(body.billing_details)) {
				throw new PaddleError(400, 'transaction_billing_details_object_required', 'billing_details must be non null if collection_mode=manual');
			}
			const terms = body.billing_details.payment_terms;
			if (!isObject(terms) || !['day', 'week', 'month', 'year'].includes(String(terms.interval)) || !Number.isInteger(terms.frequency) || Number(terms.frequency) < 1) {
				throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', [
					{ field: 'billing_details.payment_terms', message: 'must have interval (day, week, month, year) and a positive integer frequency' },
				]);
			}
			if (customer && (typeof customer.name !== 'string' || customer.name.trim() === '')) {
				throw new PaddleError(400, 'transaction_customer_not_suitable_for_collection_mode', 'Customer entity must be suitable for the transactions current collection mode');
			}
			billingDetails = {
				enable_checkout: body.billing_details.enable_checkout === true,
				payment_terms: { interval: terms.interval, frequency: terms.frequency },
				additional_information: body.billing_details.additional_information ?? null,
			};
			// The spec types purchase_order_number as a string (never null): absent when not given.
			if (typeof body.billing_details.purchase_order_number === 'string') {
				billingDetails.purchase_order_number = body.billing_details.purchase_order_number;
			}
		} else if (body.billing_details !== undefined && body.billing_details !== null) {
			throw new PaddleError(400, 'transaction_billing_details_must_be_null', 'billing_details must be null if collection_mode=automatic');
		}

		// Manual (invoice) collection only in USD, EUR or GBP: spec, transaction/subscription
		// `currency_code` ("Must be USD, EUR, or GBP if collection_mode is manual") and
		// developer.paddle.com/errors/transactions/transaction_currency_code_not_valid_for_manual (400).
		if (mode === 'manual' && !['USD', 'EUR', 'GBP'].includes(currency)) {
			throw new PaddleError(
				400,
				'transaction_currency_code_not_valid_for_manual',
				`Currency code must be one of the following when collection_mode=manual: USD, GBP, EUR. Attempting to set currency_code=${currency}`,
			);
		}
		const id = this.newId('txn');
		const wantsCheckout = mode === 'automatic' || billingDetails?.enable_checkout === true;
		let checkoutUrl: string | null = null;
		// Every transaction needs the default payment link, "including manually-collected
		// transactions" (developer.paddle.com/build/transactions/default-payment-link).
		if (!this.checkoutBaseUrl && !(isObject(body.checkout) && typeof body.checkout.url === 'string')) {
			throw new PaddleError(
				400,
				'transaction_default_checkout_url_not_set',
				'Cannot create a transaction or open a checkout as no default payment link has been set for this account. Set in the Paddle dashboard, then try again.',
			);
		}
		if (wantsCheckout) {
			const base = isObject(body.checkout) && typeof body.checkout.url === 'string' ? body.checkout.url : this.checkoutBaseUrl;
			if (!base) {
				throw new PaddleError(
					400,
					'transaction_default_checkout_url_not_set',
					'Cannot create a transaction or open a checkout as no default payment link has been set for this account. Set in the Paddle dashboard, then try again.',
				);
			}
			checkoutUrl = `${base}${base.includes('?') ? '&' : '?'}_ptxn=${id}`;
		}
		const at = this.iso();
		const ready = customerId !== null && addressId !== null && resolved.length > 0;
		const transaction: Json = {
			id,
			status: ready ? 'ready' : 'draft',
			customer_id: customerId,
			address_id: addressId,
			business_id: businessId,
			custom_data: body.custom_data ?? null,
			origin,
			collection_mode: mode,
			subscription_id: renewal?.subscriptionId ?? null,
			invoice_id: null,
			invoice_number: null,
			billing_details: billingDetails,
			billing_period: renewal?.billingPeriod ?? null,
			currency_code: currency,
			discount_id: body.discount_id ?? null,
			created_at: at,
			updated_at: at,
			billed_at: null,
			revised_at: null,
			items: resolved.map(({ price, quantity }) => ({ price: clone(price), quantity, proration: null })),
			...this.lineItems(resolved, currency),
			payments: [],
			checkout: { url: checkoutUrl },
		};
		this.transactions.set(id, transaction);
		this.emit('transaction.created', transaction);
		if (ready && !renewal) this.emit('transaction.ready', transaction);
		if (body.status === 'billed') {
			if (!ready) throw new PaddleError(400, 'transaction_invalid_status_change', `Invalid attempt to change status from 'draft' to 'billed'`);
			this.bill(transaction);
		}
		return transaction;
	}

	updateTransaction(id: string, body: Json): Json {
		const transaction = this.mustGet(this.transactions, id);
		this.rejectUnknown(body, ['status', 'custom_data', 'billing_details']);
		const status = String(transaction.status);
		if (!['draft', 'ready'].includes(status)) {
			throw new PaddleError(400, 'transaction_immutable', 'Cannot update immutable transaction');
		}
		if (body.custom_data !== undefined) {
			if (body.custom_data !== null && !isObject(body.custom_data)) {
				throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', [{ field: 'custom_data', message: 'must be a JSON object or null' }]);
			}
			transaction.custom_data = body.custom_data;
		}
		if (body.billing_details !== undefined && transaction.collection_mode === 'manual' && isObject(body.billing_details)) {
			transaction.billing_details = { ...(transaction.billing_details as Json), ...body.billing_details };
		}
		transaction.updated_at = this.iso();
		if (body.status !== undefined) {
			if (body.status === 'billed' && status === 'ready') {
				this.bill(transaction);
				return transaction;
			}
			if (body.status === 'canceled' && status === 'ready') {
				transaction.status = 'canceled';
				this.emit('transaction.canceled', transaction);
				return transaction;
			}
			throw new PaddleError(400, 'transaction_invalid_status_change', `Invalid attempt to change status from '${status}' to '${String(body.status)}'`);
		}
		this.emit('transaction.updated', transaction);
		return transaction;
	}

	private bill(transaction: Json): void {
		const at = this.now();
		transaction.status = 'billed';
		transaction.billed_at = at.toISOString();
		transaction.updated_at = at.toISOString();
		transaction.invoice_number = `${325}-${++this.invoiceCounter}`;
		transaction.invoice_id = this.newId('inv');
		this.emit('transaction.billed', transaction);
		if (transaction.collection_mode === 'manual' && this.recurringItems(transaction).length > 0) {
			// Paddle creates the subscription for a billed invoice shortly after, not in the response.
			this.later(() => this.createSubscriptionFrom(transaction));
		}
	}

	private recurringItems(transaction: Json): Array<{ price: Json; quantity: number }> {
		return ((transaction.items ?? []) as Array<{ price: Json; quantity: number }>).filter((i) => i.price.billing_cycle !== null);
	}

	private later(fn: () => void): void {
		const done = new Promise<void>((resolve) => setTimeout(() => {
			try {
				fn();
			} finally {
				resolve();
			}
		}, this.subscriptionDelayMs));
		this.track(done);
	}

	private track(promise: Promise<unknown>): void {
		this.pending.add(promise);
		void promise.finally(() => this.pending.delete(promise));
	}

	/** Waits until scheduled work (subscription creation) and deliveries in flight are done. */
	async settle(): Promise<void> {
		while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
	}

	private createSubscriptionFrom(transaction: Json): Json | undefined {
		if (transaction.subscription_id) return this.subscriptions.get(String(transaction.subscription_id));
		const recurring = this.recurringItems(transaction);
		if (recurring.length === 0) return undefined;
		const start = new Date(String(transaction.billed_at ?? this.iso()));
		const cycle = recurring[0].price.billing_cycle as { interval: string; frequency: number };
		const end = addInterval(start, cycle.interval, cycle.frequency);
		const at = this.iso();
		const id = this.newId('sub');
		const subscription: Json = {
			id,
			status: 'active',
			customer_id: transaction.customer_id,
			address_id: transaction.address_id,
			business_id: transaction.business_id,
			currency_code: transaction.currency_code,
			created_at: at,
			updated_at: at,
			started_at: start.toISOString(),
			first_billed_at: start.toISOString(),
			next_billed_at: end.toISOString(),
			paused_at: null,
			canceled_at: null,
			discount: null,
			collection_mode: transaction.collection_mode,
			billing_details: transaction.collection_mode === 'manual' ? clone(transaction.billing_details) : null,
			current_billing_period: { starts_at: start.toISOString(), ends_at: end.toISOString() },
			billing_cycle: clone(cycle),
			scheduled_change: null,
			management_urls: {
				update_payment_method: transaction.collection_mode === 'automatic' ? `https://sandbox.paddle.test/subscriptions/${id}/update-payment-method` : null,
				cancel: `https://sandbox.paddle.test/subscriptions/${id}/cancel`,
			},
			items: recurring.map(({ price, quantity }) => this.subscriptionItem(price, quantity, start, end)),
			custom_data: transaction.custom_data ? clone(transaction.custom_data) : null,
			import_meta: null,
			transaction_id: transaction.id,
		};
		this.subscriptions.set(id, subscription);
		transaction.subscription_id = id;
		transaction.billing_period = { starts_at: start.toISOString(), ends_at: end.toISOString() };
		transaction.updated_at = at;
		this.emit('subscription.created', subscription);
		this.emit('transaction.updated', transaction);
		return subscription;
	}

	private subscriptionItem(price: Json, quantity: number, start: Date, end: Date): Json {
		const at = this.iso();
		return {
			status: 'active',
			quantity,
			recurring: true,
			created_at: at,
			updated_at: at,
			previously_billed_at: start.toISOString(),
			next_billed_at: end.toISOString(),
			trial_dates: null,
			price: clone(price),
			product: clone(this.products.get(String(price.product_id)) ?? null),
		};
	}

	// ---- helpers for tests and demos: what happens in Paddle outside the API

	/** The customer paid: transaction.paid, a subscription for automatic checkouts, then transaction.completed. */
	completeTransaction(id: string): Json {
		const transaction = this.mustGet(this.transactions, id);
		if (!['ready', 'billed', 'draft', 'past_due'].includes(String(transaction.status))) {
			throw new Error(`sandbox: transaction ${id} is ${String(transaction.status)}, cannot complete it`);
		}
		const at = this.iso();
		(transaction.payments as Json[]).unshift({
			payment_attempt_id: randomUUID(),
			stored_payment_method_id: randomUUID(),
			payment_method_id: transaction.collection_mode === 'automatic' ? this.newId('paymtd') : null,
			amount: ((transaction.details as Json).totals as Json).grand_total,
			status: 'captured',
			error_code: null,
			method_details: { type: transaction.collection_mode === 'automatic' ? 'card' : 'wire_transfer', card: null },
			created_at: at,
			captured_at: at,
		});
		transaction.status = 'paid';
		transaction.updated_at = at;
		if (!transaction.billed_at) transaction.billed_at = at;
		this.emit('transaction.paid', transaction);
		if (transaction.collection_mode === 'automatic' && this.recurringItems(transaction).length > 0) {
			this.createSubscriptionFrom(transaction);
		}
		if (!transaction.invoice_number) transaction.invoice_number = `${325}-${++this.invoiceCounter}`;
		// Paddle updates the transaction between paid and completed (spec `GET /simulation-types`
		// example: "… transaction.paid, transaction.updated, transaction.completed").
		this.emit('transaction.updated', transaction);
		transaction.status = 'completed';
		transaction.updated_at = this.iso();
		const subscription = transaction.subscription_id ? this.subscriptions.get(String(transaction.subscription_id)) : undefined;
		if (subscription && subscription.status === 'past_due') {
			subscription.status = 'active';
			this.emit('subscription.updated', subscription);
		}
		this.emit('transaction.completed', transaction);
		return transaction;
	}

	/** A payment attempt was declined. */
	failPayment(id: string, errorCode = 'declined'): Json {
		const transaction = this.mustGet(this.transactions, id);
		const at = this.iso();
		(transaction.payments as Json[]).unshift({
			payment_attempt_id: randomUUID(),
			stored_payment_method_id: randomUUID(),
			payment_method_id: null,
			amount: ((transaction.details as Json).totals as Json).grand_total,
			status: 'error',
			error_code: errorCode,
			method_details: { type: 'card', card: null },
			created_at: at,
			captured_at: null,
		});
		transaction.updated_at = at;
		this.emit('transaction.payment_failed', transaction);
		return transaction;
	}

	/** The invoice / renewal went unpaid past its due date. */
	markPastDue(id: string): Json {
		const transaction = this.mustGet(this.transactions, id);
		transaction.status = 'past_due';
		transaction.updated_at = this.iso();
		this.emit('transaction.past_due', transaction);
		const subscription = transaction.subscription_id ? this.subscriptions.get(String(transaction.subscription_id)) : undefined;
		if (subscription && subscription.status === 'active') {
			subscription.status = 'past_due';
			subscription.updated_at = this.iso();
			this.emit('subscription.past_due', subscription);
		}
		return transaction;
	}

	/**
	 * A renewal, as Paddle runs it when the billing period ends (here: now). Paddle's own scenario
	 * list gives the sequence (spec `GET /simulation-types` example, "subscription_renewal", ~line
	 * 9343 of ../shared/specs/paddle-billing-openapi.yaml): subscription.updated (new period),
	 * transaction.created, transaction.billed, transaction.updated, transaction.paid,
	 * transaction.updated, transaction.completed. A manual (invoiced) subscription stops at
	 * transaction.billed until the invoice is paid.
	 */
	renewSubscription(subscriptionId: string): Json {
		const subscription = this.mustGet(this.subscriptions, subscriptionId);
		const start = this.now();
		const cycle = subscription.billing_cycle as { interval: string; frequency: number };
		const end = addInterval(start, cycle.interval, cycle.frequency);
		subscription.current_billing_period = { starts_at: start.toISOString(), ends_at: end.toISOString() };
		subscription.next_billed_at = end.toISOString();
		subscription.updated_at = start.toISOString();
		for (const item of subscription.items as Json[]) {
			item.previously_billed_at = start.toISOString();
			item.next_billed_at = end.toISOString();
			item.updated_at = start.toISOString();
		}
		this.emit('subscription.updated', subscription);
		return this.chargePeriod(subscription);
	}

	/** The subscription_recurring transaction for the period that just began: billed, then paid and completed unless invoiced. */
	private chargePeriod(subscription: Json): Json {
		const items = (subscription.items as Json[]).map((i) => ({ price_id: (i.price as Json).id, quantity: i.quantity }));
		const transaction = this.createTransaction(
			{
				items,
				customer_id: subscription.customer_id,
				address_id: subscription.address_id,
				business_id: subscription.business_id,
				currency_code: subscription.currency_code,
				collection_mode: subscription.collection_mode,
				billing_details: subscription.billing_details,
				custom_data: subscription.custom_data,
			},
			'subscription_recurring',
			{ subscriptionId: String(subscription.id), billingPeriod: clone(subscription.current_billing_period as Json) },
		);
		this.bill(transaction);
		if (subscription.collection_mode !== 'manual') {
			this.emit('transaction.updated', transaction);
			this.completeTransaction(transaction.id as string);
		}
		return transaction;
	}

	// ---------------------------------------------------------------- subscriptions

	private assertChangeable(subscription: Json): void {
		if (subscription.status === 'canceled') {
			throw new PaddleError(400, 'subscription_update_when_canceled', 'cannot update subscription, as the subscription status is \'canceled\'');
		}
		if (subscription.status === 'past_due') {
			throw new PaddleError(400, 'subscription_update_when_past_due', 'cannot update subscription, as the subscription status is \'past_due\'');
		}
	}

	updateSubscription(id: string, body: Json): Json {
		const subscription = this.mustGet(this.subscriptions, id);
		this.rejectUnknown(body, ['items', 'proration_billing_mode', 'custom_data', 'on_payment_failure', 'billing_details', 'next_billed_at', 'scheduled_change']);
		this.assertChangeable(subscription);
		const modes = ['prorated_immediately', 'prorated_next_billing_period', 'full_immediately', 'full_next_billing_period', 'do_not_bill'];
		if (body.items !== undefined) {
			if (body.proration_billing_mode === undefined) {
				throw new PaddleError(400, 'subscription_items_update_missing_proration_billing_mode', 'proration_billing_mode is required when updating subscription items');
			}
			if (!modes.includes(String(body.proration_billing_mode))) {
				throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', [
					{ field: 'proration_billing_mode', message: `must be one of ${modes.join(', ')}` },
				]);
			}
			if (subscription.status === 'paused' && body.proration_billing_mode !== 'do_not_bill') {
				throw new PaddleError(400, 'subscription_incorrect_proration_on_paused_subscription', '`proration_billing_mode` must be set to `do_not_bill` when updating a paused subscription');
			}
			if (subscription.scheduled_change) {
				throw new PaddleError(400, 'subscription_locked_pending_changes', 'cannot update subscription, pending scheduled changes');
			}
			if (!Array.isArray(body.items) || body.items.length === 0) {
				throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', [{ field: 'items', message: 'must contain at least 1 item' }]);
			}
			const errors = new FieldErrors();
			const period = subscription.current_billing_period as Json;
			const next: Json[] = [];
			(body.items as unknown[]).forEach((raw, i) => {
				const item = raw as Json;
				const price = isObject(item) ? this.prices.get(String(item.price_id)) : undefined;
				if (!price || price.status !== 'active') errors.add(`items[${i}].price_id`, `price ${String(item?.price_id)} not found or not active`);
				else if (price.billing_cycle === null) errors.add(`items[${i}].price_id`, 'a one-time price cannot be a subscription item');
				else if ((price.unit_price as Json).currency_code !== subscription.currency_code) errors.add(`items[${i}].price_id`, 'price currency differs from the subscription currency');
				else {
					const existing = (subscription.items as Json[]).find((s) => (s.price as Json).id === price.id);
					const quantity = item.quantity === undefined ? Number(existing?.quantity ?? 1) : Number(item.quantity);
					if (!Number.isInteger(quantity) || quantity < 1) errors.add(`items[${i}].quantity`, 'must be an integer of at least 1');
					// An item added mid-period is first billed now: Paddle's spec example subscription.updated
					// shows the added item with previously_billed_at = its created_at, not the period start.
					else next.push(existing ? { ...existing, quantity, updated_at: this.iso() } : this.subscriptionItem(price, quantity, this.now(), new Date(String(period.ends_at))));
				}
			});
			if (errors.any) throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', errors.errors);
			subscription.items = next;
			subscription.last_proration_billing_mode = body.proration_billing_mode;
		}
		if (body.custom_data !== undefined) subscription.custom_data = body.custom_data;
		if (body.scheduled_change === null) subscription.scheduled_change = null;
		subscription.updated_at = this.iso();
		this.emit('subscription.updated', subscription);
		const { last_proration_billing_mode: _omit, ...visible } = subscription;
		void _omit;
		return visible;
	}

	cancelSubscription(id: string, body: Json): Json {
		const subscription = this.mustGet(this.subscriptions, id);
		this.rejectUnknown(body, ['effective_from']);
		this.assertChangeable(subscription);
		const effectiveFrom = body.effective_from ?? 'next_billing_period';
		if (effectiveFrom === 'immediately') {
			subscription.status = 'canceled';
			subscription.canceled_at = this.iso();
			subscription.scheduled_change = null;
			subscription.next_billed_at = null;
			subscription.updated_at = this.iso();
			this.emit('subscription.updated', subscription); // (Paddle's sequence, spec `GET /simulation-types` example: subscription.updated first)
			this.emit('subscription.canceled', subscription);
			return subscription;
		}
		if (effectiveFrom !== 'next_billing_period') {
			throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', [
				{ field: 'effective_from', message: "must be one of 'next_billing_period', 'immediately'" },
			]);
		}
		if (subscription.scheduled_change) {
			throw new PaddleError(400, 'subscription_locked_pending_changes', 'cannot update subscription, pending scheduled changes');
		}
		subscription.scheduled_change = {
			action: 'cancel',
			effective_at: (subscription.current_billing_period as Json).ends_at,
			resume_at: null,
		};
		subscription.updated_at = this.iso();
		this.emit('subscription.updated', subscription);
		return subscription;
	}

	pauseSubscription(id: string, body: Json): Json {
		const subscription = this.mustGet(this.subscriptions, id);
		this.rejectUnknown(body, ['effective_from', 'resume_at', 'on_resume']);
		this.assertChangeable(subscription);
		if (subscription.status !== 'active') {
			throw new PaddleError(400, 'subscription_not_active', 'action requires the subscription to be active');
		}
		if (subscription.scheduled_change) {
			throw new PaddleError(400, 'subscription_locked_pending_changes', 'cannot update subscription, pending scheduled changes');
		}
		const resumeAt = body.resume_at ?? null;
		if (resumeAt !== null && Number.isNaN(Date.parse(String(resumeAt)))) {
			throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', [{ field: 'resume_at', message: 'must be an RFC 3339 datetime' }]);
		}
		const effectiveFrom = body.effective_from ?? 'next_billing_period';
		if (effectiveFrom === 'immediately') {
			subscription.status = 'paused';
			subscription.paused_at = this.iso();
			subscription.next_billed_at = null;
			subscription.scheduled_change = resumeAt ? { action: 'resume', effective_at: resumeAt, resume_at: null } : null;
			subscription.updated_at = this.iso();
			this.emit('subscription.updated', subscription); // (Paddle's sequence, spec `GET /simulation-types` example: subscription.updated first)
			this.emit('subscription.paused', subscription);
			return subscription;
		}
		subscription.scheduled_change = {
			action: 'pause',
			effective_at: (subscription.current_billing_period as Json).ends_at,
			resume_at: resumeAt,
		};
		subscription.updated_at = this.iso();
		this.emit('subscription.updated', subscription);
		return subscription;
	}

	resumeSubscription(id: string, body: Json): Json {
		const subscription = this.mustGet(this.subscriptions, id);
		this.rejectUnknown(body, ['effective_from', 'on_resume']);
		const scheduled = subscription.scheduled_change as Json | null;
		if (subscription.status === 'active' && scheduled?.action === 'pause') {
			subscription.scheduled_change = null;
			subscription.updated_at = this.iso();
			this.emit('subscription.updated', subscription);
			return subscription;
		}
		if (subscription.status !== 'paused') {
			throw new PaddleError(400, 'subscription_must_be_paused', 'action can only be performed on paused subscription');
		}
		const effectiveFrom = body.effective_from ?? 'immediately';
		if (effectiveFrom !== 'immediately') {
			if (Number.isNaN(Date.parse(String(effectiveFrom)))) {
				throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', [{ field: 'effective_from', message: "must be 'immediately' or an RFC 3339 datetime" }]);
			}
			subscription.scheduled_change = { action: 'resume', effective_at: effectiveFrom, resume_at: null };
			subscription.updated_at = this.iso();
			this.emit('subscription.updated', subscription);
			return subscription;
		}
		this.resumeNow(subscription, String(body.on_resume ?? 'start_new_billing_period'));
		return subscription;
	}

	private resumeNow(subscription: Json, onResume: string): void {
		const now = this.now();
		subscription.status = 'active';
		subscription.paused_at = null;
		subscription.scheduled_change = null;
		if (onResume === 'start_new_billing_period') {
			const cycle = subscription.billing_cycle as { interval: string; frequency: number };
			const end = addInterval(now, cycle.interval, cycle.frequency);
			subscription.current_billing_period = { starts_at: now.toISOString(), ends_at: end.toISOString() };
			subscription.next_billed_at = end.toISOString();
			// As in the SDK's subscription.resumed fixture: every item billed at the new period's start.
			for (const item of subscription.items as Json[]) {
				item.previously_billed_at = now.toISOString();
				item.next_billed_at = end.toISOString();
				item.updated_at = now.toISOString();
			}
		} else {
			subscription.next_billed_at = (subscription.current_billing_period as Json).ends_at;
		}
		subscription.updated_at = now.toISOString();
		// Paddle's "subscription_resume" scenario (spec `GET /simulation-types` example): subscription.updated,
		// subscription.resumed, then the new period's transaction.created … transaction.completed.
		this.emit('subscription.updated', subscription);
		this.emit('subscription.resumed', subscription);
		if (onResume === 'start_new_billing_period') this.chargePeriod(subscription);
	}

	/** Lets a scheduled cancel / pause / resume take effect now (Paddle does it at effective_at). */
	applyScheduledChange(id: string): Json {
		const subscription = this.mustGet(this.subscriptions, id);
		const scheduled = subscription.scheduled_change as Json | null;
		if (!scheduled) throw new Error(`sandbox: subscription ${id} has no scheduled change`);
		const at = this.iso();
		if (scheduled.action === 'cancel') {
			subscription.status = 'canceled';
			subscription.canceled_at = at;
			subscription.next_billed_at = null;
			subscription.scheduled_change = null;
			subscription.updated_at = at;
			this.emit('subscription.updated', subscription); // (Paddle's sequence, spec `GET /simulation-types` example: subscription.updated first)
			this.emit('subscription.canceled', subscription);
		} else if (scheduled.action === 'pause') {
			subscription.status = 'paused';
			subscription.paused_at = at;
			subscription.next_billed_at = null;
			subscription.scheduled_change = scheduled.resume_at ? { action: 'resume', effective_at: scheduled.resume_at, resume_at: null } : null;
			subscription.updated_at = at;
			this.emit('subscription.updated', subscription); // (Paddle's sequence, spec `GET /simulation-types` example: subscription.updated first)
			this.emit('subscription.paused', subscription);
		} else if (scheduled.action === 'resume') {
			this.resumeNow(subscription, 'start_new_billing_period');
		}
		return subscription;
	}

	// ---------------------------------------------------------------- notification settings

	private eventTypeObject(name: string): Json {
		const [entity, action] = name.split('.');
		return {
			name,
			description: `Occurs when ${entity === 'address' ? 'an' : 'a'} ${entity} is ${action.replace('_', ' ')}.`,
			group: EVENT_GROUPS[entity] ?? 'Other',
			available_versions: [1],
		};
	}

	private validateEvents(value: unknown, errors: FieldErrors): string[] {
		if (!Array.isArray(value)) {
			errors.add('subscribed_events', 'must be an array of event type names');
			return [];
		}
		value.forEach((name, i) => {
			if (!EVENT_TYPE_NAMES.includes(String(name))) errors.add(`subscribed_events[${i}]`, `unknown event type ${String(name)}`);
		});
		return [...new Set(value.map(String))];
	}

	createNotificationSetting(body: Json): Json {
		this.rejectUnknown(body, ['description', 'type', 'destination', 'api_version', 'include_sensitive_fields', 'subscribed_events', 'traffic_source']);
		const errors = new FieldErrors();
		if (typeof body.description !== 'string' || body.description === '') errors.add('description', 'must be provided as part of the request');
		else if (body.description.length > 500) errors.add('description', 'maximum length of 500 exceeded');
		if (body.type !== 'url' && body.type !== 'email') errors.add('type', "must be one of 'email', 'url'");
		if (typeof body.destination !== 'string' || body.destination === '') errors.add('destination', 'must be provided as part of the request');
		else if (body.type === 'url' && !/^https?:\/\//.test(body.destination)) errors.add('destination', 'must be a valid URL');
		const events = this.validateEvents(body.subscribed_events, errors);
		const traffic = body.traffic_source ?? 'platform';
		if (!['platform', 'simulation', 'all'].includes(String(traffic))) errors.add('traffic_source', "must be one of 'platform', 'simulation', 'all'");
		if (errors.any) throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', errors.errors);
		this.assertActiveSlot();
		const id = this.newId('ntfset');
		const setting: Json = {
			id,
			description: body.description,
			type: body.type,
			destination: body.destination,
			active: true,
			api_version: body.api_version ?? 1,
			include_sensitive_fields: body.include_sensitive_fields ?? false,
			subscribed_events: events.map((name) => this.eventTypeObject(name)),
			endpoint_secret_key: this.secretFor(id),
			traffic_source: traffic,
		};
		this.notificationSettings.set(id, setting);
		return setting;
	}

	/**
	 * "Only ten notification settings may be active at once, but you may create as many … as you
	 * like" (developer.paddle.com/changelog/2024/notification-settings-pagination; webhooks/
	 * notification-destinations). Over it: 400 notification_maximum_active_settings_reached
	 * (developer.paddle.com/errors/notifications/notification_maximum_active_settings_reached).
	 */
	private assertActiveSlot(exceptId?: string): void {
		const active = [...this.notificationSettings.values()].filter((s) => s.active === true && s.id !== exceptId).length;
		if (active >= 10) {
			throw new PaddleError(400, 'notification_maximum_active_settings_reached', 'Maximum number of notification settings reached');
		}
	}

	private updateNotificationSetting(id: string, body: Json): Json {
		const setting = this.mustGet(this.notificationSettings, id);
		if (body.active === true && setting.active !== true) this.assertActiveSlot(id);
		this.rejectUnknown(body, ['description', 'destination', 'active', 'api_version', 'include_sensitive_fields', 'subscribed_events', 'traffic_source']);
		const errors = new FieldErrors();
		if (body.subscribed_events !== undefined) {
			const events = this.validateEvents(body.subscribed_events, errors);
			if (!errors.any) setting.subscribed_events = events.map((name) => this.eventTypeObject(name));
		}
		if (errors.any) throw new PaddleError(400, 'invalid_field', 'Request does not pass validation.', errors.errors);
		for (const key of ['description', 'destination', 'active', 'api_version', 'include_sensitive_fields', 'traffic_source']) {
			if (body[key] !== undefined) setting[key] = body[key];
		}
		return setting;
	}

	/**
	 * Rotates a destination's secret. While `keepPrevious` holds, deliveries
	 * carry one h1 per secret (new first), so receivers that know either key
	 * keep verifying — the model of a rotation with an overlap window.
	 */
	rotateSecret(settingId: string, keepPrevious = true): { secret: string; previous: string } {
		const setting = this.mustGet(this.notificationSettings, settingId);
		const previous = String(setting.endpoint_secret_key);
		setting.endpoint_secret_key = this.secretFor(settingId);
		this.previousSecrets.set(settingId, keepPrevious ? [previous] : []);
		return { secret: String(setting.endpoint_secret_key), previous };
	}

	/** Ends a rotation's overlap: only the current secret signs from now on. */
	expirePreviousSecrets(settingId: string): void {
		this.previousSecrets.delete(settingId);
	}

	// ---------------------------------------------------------------- events & signed deliveries

	/** hex HMAC-SHA256 of `${ts}:${body}` — Paddle's h1. */
	static sign(secret: string, ts: number, body: string | Buffer): string {
		const mac = createHmac('sha256', secret);
		mac.update(`${ts}:`);
		mac.update(body);
		return mac.digest('hex');
	}

	/** `ts=…;h1=…[;h1=…]` for a body, one h1 per secret. */
	static signatureHeader(secrets: string[], body: string | Buffer, ts: number): string {
		return [`ts=${ts}`, ...secrets.map((s) => `h1=${PaddleSandbox.sign(s, ts, body)}`)].join(';');
	}

	emit(eventType: string, entity: Json): PaddleEvent {
		const event: PaddleEvent = {
			event_id: this.newId('evt'),
			event_type: eventType,
			occurred_at: this.iso(),
			data: clone(entity),
		};
		delete (event.data as Json).last_proration_billing_mode;
		if (eventType.startsWith('subscription.')) {
			// Subscription notifications carry no management_urls (an API-response field), and only
			// subscription.created carries transaction_id (spec examples; SDK fixtures; real capture).
			delete (event.data as Json).management_urls;
			if (eventType !== 'subscription.created') delete (event.data as Json).transaction_id;
		}
		this.events.push(event);
		this.specGuard.notification(JSON.parse(this.notificationBody(event, 'ntf_00000000000000000000000000')) as { event_type: string });
		if (this.autoDeliver) {
			for (const setting of this.notificationSettings.values()) {
				if (!setting.active || setting.type !== 'url' || setting.traffic_source === 'simulation') continue;
				const names = (setting.subscribed_events as Json[]).map((e) => e.name);
				if (!names.includes(eventType)) continue;
				this.track(this.deliverEvent(setting, event, String(this.notificationLog.create(String(setting.id), event).id)));
			}
		}
		return event;
	}

	/** The exact body Paddle posts for an event to one destination. */
	notificationBody(event: PaddleEvent, notificationId: string): string {
		return JSON.stringify({
			event_id: event.event_id,
			event_type: event.event_type,
			occurred_at: event.occurred_at,
			notification_id: notificationId,
			data: event.data,
		});
	}

	private async deliverEvent(setting: Json, event: PaddleEvent, notificationId: string, attempt = 1, signedAt?: number): Promise<DeliveryRecord> {
		const body = this.notificationBody(event, notificationId);
		const secrets = [String(setting.endpoint_secret_key), ...(this.previousSecrets.get(String(setting.id)) ?? [])];
		const ts = signedAt ?? Math.floor(this.now().getTime() / 1000);
		const signature = PaddleSandbox.signatureHeader(secrets, body, ts);
		const record: DeliveryRecord = {
			notificationId,
			settingId: String(setting.id),
			eventId: event.event_id,
			eventType: event.event_type,
			destination: String(setting.destination),
			body,
			signature,
			ts,
			attempt,
		};
		this.deliveries.push(record);
		record.result = await this.deliver(String(setting.destination), {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'paddle-signature': signature, 'user-agent': 'Paddle' },
			body,
			timeoutMs: 5_000,
		});
		this.notificationLog.attempted(notificationId, record.result.status >= 200 && record.result.status < 300);
		return record;
	}

	/** Sends a recorded notification again (a retry: same notification id), signed as `retryTimestamp` says. */
	async redeliver(notificationId: string): Promise<DeliveryRecord> {
		const previous = this.deliveries.find((d) => d.notificationId === notificationId);
		if (!previous) throw new Error(`sandbox: no delivery ${notificationId}`);
		const setting = this.mustGet(this.notificationSettings, previous.settingId);
		const event = this.events.find((e) => e.event_id === previous.eventId) as PaddleEvent;
		const attempts = this.deliveries.filter((d) => d.notificationId === notificationId).length;
		const promise = this.deliverEvent(setting, event, notificationId, attempts + 1, this.retryTimestamp === 'original' ? previous.ts : undefined);
		this.track(promise);
		return await promise;
	}

	/**
	 * Posts an arbitrary body to a URL with the given headers (forged,
	 * replayed or unsigned deliveries in tests). Nothing is recorded as an event.
	 */
	async post(url: string, body: string, headers: Record<string, string>): Promise<DeliveryResult> {
		return await this.deliver(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, timeoutMs: 10_000 });
	}

	/** Deliveries of one event type (for assertions). */
	deliveriesOf(eventType: string): DeliveryRecord[] {
		return this.deliveries.filter((d) => d.eventType === eventType);
	}

	/** Resets state to the seeded catalogue (keeps API keys; prices added since are dropped). */
	reset(): void {
		this.resetLog();
		const seeded = new Set<string>(Object.values(this.seed));
		for (const id of [...this.prices.keys()]) if (!seeded.has(id)) this.prices.delete(id);
		for (const id of [...this.products.keys()]) if (!seeded.has(id)) this.products.delete(id);
		for (const map of [this.customers, this.addresses, this.businesses, this.transactions, this.subscriptions, this.notificationSettings]) map.clear();
		this.previousSecrets.clear();
		this.events.length = 0;
		this.deliveries.length = 0;
		this.notificationLog.clear();
		this.billing.clear();
		this.checkoutBaseUrl = 'https://pay.example.test/checkout';
		this.taxPercent = 0;
		this.autoDeliver = true;
		this.retryTimestamp = 'fresh';
		this.subscriptionDelayMs = 30;
		this.tolerateInvalidRequests = false;
	}

	/** Stops the server, then fails if any of its traffic deviated from Paddle's spec (spec.ts). */
	override async stop(): Promise<void> {
		await super.stop();
		this.specGuard.assertClean();
	}
}
