/**
 * ZuoraSandbox: a loopback stand-in for a Zuora tenant's REST API, speaking
 * its wire format as /work/shared/API-FACTS.md describes:
 *
 *  - `POST /oauth/token` (client credentials, form body) issuing expiring
 *    bearer tokens; a per-IP rate limit; every token request is counted;
 *  - accounts (`POST /v1/accounts`, `GET /v1/accounts/{key}`) and ZOQL
 *    `POST /v1/action/query` (`select … from Account where CrmId = '…'`);
 *  - `POST /v1/orders` with the order actions CreateSubscription,
 *    CancelSubscription, RemoveProduct and AddProduct; `GET /v1/subscriptions/{key}`;
 *  - the product catalog (`GET /v1/catalog/products`, paged with `nextPage`);
 *  - usage: one record (`POST /v1/object/usage`, CRUD style) and the bulk CSV
 *    upload (`POST /v1/usage`, multipart, ≤ 4 MB, file name ≤ 50 chars)
 *    processed asynchronously (`GET /v1/usage/{id}/status`: Pending →
 *    Processing → Completed | Failed; atomic: one bad row fails the file);
 *  - Zuora's error style: HTTP 200 with `{success: false, processId, reasons}`
 *    (REST) or `{Success: false, Errors}` (CRUD/actions);
 *  - `Idempotency-Key` on POST: kept 24 h; a repeat replays the stored answer,
 *    a concurrent repeat gets 409, the same key with another body 422;
 *  - callouts to a receiver with Basic auth (first without credentials,
 *    expecting `401` + `WWW-Authenticate: Basic`, then with them), HMAC, or none.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

import {
	bearerToken,
	type DeliveryResult,
	header,
	type SandboxRequest,
	type SandboxResponse,
	SandboxServer,
} from '../kit';
import { answerObjectQuery } from './object-query';
import { type OperationRef, ZuoraSpec } from './spec';

type Json = Record<string, unknown>;

export interface ZuoraContact {
	id: string;
	firstName: string;
	lastName: string;
	workEmail?: string;
	workPhone?: string;
	country?: string;
	state?: string;
	city?: string;
	address1?: string;
	zipCode?: string;
}

export interface ZuoraAccount {
	id: string;
	accountNumber: string;
	name: string;
	currency: string;
	billCycleDay: number;
	paymentTerm: string;
	autoPay: boolean;
	crmId?: string;
	status: string;
	billToContact: ZuoraContact;
	soldToContact: ZuoraContact;
	createdDate: string;
}

export interface ZuoraCharge {
	id: string;
	name: string;
	type: 'Recurring' | 'Usage' | 'OneTime';
	model: 'FlatFee' | 'PerUnit';
	uom?: string;
	billingPeriod?: 'Month' | 'Annual';
	pricing: Array<{ currency: string; price: number }>;
}

export interface ZuoraRatePlan {
	id: string;
	name: string;
	status: 'Active' | 'Expired';
	productRatePlanCharges: ZuoraCharge[];
}

export interface ZuoraProduct {
	id: string;
	sku: string;
	name: string;
	description?: string;
	productRatePlans: ZuoraRatePlan[];
}

export interface ZuoraSubscriptionRatePlan {
	id: string;
	productId: string;
	productName: string;
	productRatePlanId: string;
	ratePlanName: string;
	ratePlanCharges: Array<{ id: string; name: string; type: string; model: string; uom?: string; price?: number; currency: string }>;
	/**
	 * Spec GETSubscriptionRatePlanType.lastChangeType (Add | Update | Remove): Zuora keeps a removed
	 * rate plan in later subscription versions, marked "Remove" (fidelity review A2).
	 */
	lastChangeType?: 'Add' | 'Update' | 'Remove';
}

export interface ZuoraSubscription {
	id: string;
	subscriptionNumber: string;
	accountId: string;
	accountNumber: string;
	accountName: string;
	status: 'Active' | 'Cancelled' | 'Pending Activation' | 'Pending Acceptance';
	version: number;
	termType: 'TERMED' | 'EVERGREEN';
	initialTerm: number | null;
	initialTermPeriodType: string | null;
	currentTerm: number | null;
	renewalTerm: number | null;
	renewalTermPeriodType: string | null;
	renewalSetting: string;
	autoRenew: boolean;
	contractEffectiveDate: string;
	serviceActivationDate: string;
	customerAcceptanceDate: string;
	subscriptionStartDate: string;
	termStartDate: string;
	termEndDate: string | null;
	subscriptionEndDate: string | null;
	cancelledDate: string | null;
	currency: string;
	contractedMrr: number;
	totalContractedValue: number | null;
	ratePlans: ZuoraSubscriptionRatePlan[];
	orderNumber: string;
	crmId?: string;
	/** Spec GETSubscriptionByKeyWithSuccess.invoiceOwnerAccountNumber: may differ from the owner. */
	invoiceOwnerAccountNumber?: string;
}

export interface ZuoraUsage {
	Id: string;
	AccountId: string;
	AccountNumber: string;
	Quantity: number;
	StartDateTime: string;
	EndDateTime?: string;
	UOM: string;
	SubscriptionNumber?: string;
	ChargeNumber?: string;
	Description?: string;
	ImportId?: string;
}

export interface ZuoraImport {
	id: string;
	fileName: string;
	size: number;
	polls: number;
	outcome: 'Completed' | 'Failed';
	message: string;
	totalCount: number;
	importedCount: number;
	rows: Array<Omit<ZuoraUsage, 'Id'>>;
	applied: boolean;
	createdDate: string;
}

interface IdempotencyEntry {
	fingerprint: string;
	state: 'running' | 'done';
	status?: number;
	headers?: Record<string, string>;
	body?: Buffer | string;
	at: number;
}

export type CalloutAuth =
	| { type: 'none' }
	| { type: 'basic'; user: string; password: string; preemptive?: boolean }
	| {
			type: 'hmac';
			secret: string;
			algorithm?: 'sha1' | 'sha256' | 'sha512';
			headerName?: string;
			encoding?: 'hex' | 'base64';
			prefix?: string;
			/** What is signed; default the raw body. */
			data?: (rawBody: string, payload: Json) => string;
	  };

export interface CalloutResult {
	attempts: DeliveryResult[];
	final: DeliveryResult;
}

export interface SpecDeviation {
	method: string;
	path: string;
	status?: number;
	operation: string;
	errors: string[];
}

function describe(op: OperationRef): string {
	return `${op.operationId || 'operation'} (${op.method} ${op.template})`;
}

/**
 * Routes real Zuora serves that the compact spec leaves out; neither request nor answer can be
 * checked against it.
 *  - `GET /v1/usage/{import-id}/status`: the URL that POST /v1/usage answers in
 *    `checkImportStatus` (spec POSTUsageResponseType.checkImportStatus); the spec has no
 *    operation for it.
 */
const OFF_SPEC_ROUTES: Array<{ method: string; pattern: RegExp }> = [{ method: 'GET', pattern: /^\/v1\/usage\/[^/]+\/status\/?$/ }];

/**
 * Statuses the spec does not declare for an operation although Zuora answers them:
 *  - `/oauth/token` declares only 200 and 429; a refused client gets OAuth 2.0's own error
 *    answer, RFC 6749 §5.2 (`400 invalid_request | unsupported_grant_type`, `401 invalid_client`).
 */
const UNDECLARED_STATUSES: Array<{ path: string; statuses: number[] }> = [{ path: '/oauth/token', statuses: [400, 401] }];

/** RFC 3339 §5.6 date-time: the offset (Z or ±hh:mm) is not optional. */
const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_USAGE_FILE_BYTES = 4 * 1024 * 1024;
const TENANT_CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF'];
const PAYMENT_TERMS = ['Due Upon Receipt', 'Net 15', 'Net 30', 'Net 45', 'Net 60'];
const USAGE_HEADER = ['ACCOUNT_ID', 'UOM', 'QTY', 'STARTDATE', 'ENDDATE', 'SUBSCRIPTION_ID', 'CHARGE_ID', 'DESCRIPTION'];

/**
 * The minor version a request asks for: `Zuora-Version` as a number (211.0) or a date
 * (2024-05-20 and later, all newer than every numbered version: Zuora "API upgrades"); without
 * the header Zuora uses the tenant's version, 186.0 for a tenant never upgraded ("API versions").
 */
export function minorVersion(req: SandboxRequest): number {
	const value = String(header(req, 'zuora-version') ?? '').trim();
	if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Number.POSITIVE_INFINITY;
	const numbered = Number(value);
	return value && Number.isFinite(numbered) ? numbered : 186;
}

function zuoraId(): string {
	return `8ad0${randomBytes(14).toString('hex')}`;
}

function today(): string {
	return new Date().toISOString().slice(0, 10);
}

function isDate(value: unknown): value is string {
	return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
}

function addPeriod(date: string, amount: number, periodType: string): string {
	const d = new Date(`${date}T00:00:00Z`);
	switch (periodType) {
		case 'Year':
			d.setUTCFullYear(d.getUTCFullYear() + amount);
			break;
		case 'Week':
			d.setUTCDate(d.getUTCDate() + amount * 7);
			break;
		case 'Day':
			d.setUTCDate(d.getUTCDate() + amount);
			break;
		default:
			d.setUTCMonth(d.getUTCMonth() + amount);
	}
	return d.toISOString().slice(0, 10);
}

/**
 * Leaves out null fields: the spec types these fields without `nullable` (e.g.
 * GETSubscriptionByKeyWithSuccess.subscriptionEndDate: string, GETAccountTypeBasicInfo.notes:
 * string), so an absent field is the only way to say "none" that it allows.
 */
function withoutNulls<T>(value: T): T {
	if (Array.isArray(value)) return value.map((v) => withoutNulls(v)) as T;
	if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
		const out: Json = {};
		for (const [k, v] of Object.entries(value as Json)) if (v !== null && v !== undefined) out[k] = withoutNulls(v);
		return out as T;
	}
	return value;
}

/** A decimal as the spec's `format: decimal` string (e.g. GETAccountType.metrics.balance). */
function decimal(value: number): string {
	return (Math.round(value * 100) / 100).toFixed(2);
}

/** Same JSON whatever the key order. */
function canonical(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	if (value && typeof value === 'object') {
		return `{${Object.keys(value as Json)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonical((value as Json)[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

export interface MultipartPart {
	name: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

/** Minimal multipart/form-data parser (enough for Zuora's usage upload). */
export function parseMultipart(contentType: string, raw: Buffer): MultipartPart[] {
	const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!match) return [];
	const boundary = Buffer.from(`--${match[1] ?? match[2]}`);
	const parts: MultipartPart[] = [];
	let start = raw.indexOf(boundary);
	while (start >= 0) {
		const next = raw.indexOf(boundary, start + boundary.length);
		if (next < 0) break;
		const chunk = raw.subarray(start + boundary.length + 2, next - 2); // skip CRLF after boundary, before next
		const headerEnd = chunk.indexOf('\r\n\r\n');
		if (headerEnd >= 0) {
			const head = chunk.subarray(0, headerEnd).toString('utf8');
			const data = chunk.subarray(headerEnd + 4);
			const disposition = /content-disposition:[^\r\n]*/i.exec(head)?.[0] ?? '';
			const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
			const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
			const partType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
			parts.push({ name, filename, contentType: partType, data });
		}
		start = next;
	}
	return parts;
}

/** RFC 4180-ish CSV reader (quotes, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') {
			row.push(field);
			field = '';
		} else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
		} else field += c;
	}
	if (field !== '' || row.length > 0) {
		row.push(field);
		rows.push(row);
	}
	return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

export const DEFAULT_CATALOG: ZuoraProduct[] = [
	{
		id: '8ad09be48db5aba7018db5prod000001',
		sku: 'SKU-PRO',
		name: 'Pro',
		description: 'Pro plan',
		productRatePlans: [
			{
				id: '8ad09be48db5aba7018db5plan00pro-m',
				name: 'Pro Monthly',
				status: 'Active',
				productRatePlanCharges: [
					{
						id: '8ad09be48db5aba7018db5chrg00pro-m',
						name: 'Pro Monthly Fee',
						type: 'Recurring',
						model: 'FlatFee',
						billingPeriod: 'Month',
						pricing: [
							{ currency: 'USD', price: 49 },
							{ currency: 'EUR', price: 45 },
							{ currency: 'JPY', price: 7000 },
						],
					},
				],
			},
			{
				id: '8ad09be48db5aba7018db5plan00pro-a',
				name: 'Pro Annual',
				status: 'Active',
				productRatePlanCharges: [
					{
						id: '8ad09be48db5aba7018db5chrg00pro-a',
						name: 'Pro Annual Fee',
						type: 'Recurring',
						model: 'FlatFee',
						billingPeriod: 'Annual',
						pricing: [
							{ currency: 'USD', price: 490 },
							{ currency: 'EUR', price: 450 },
						],
					},
				],
			},
		],
	},
	{
		id: '8ad09be48db5aba7018db5prod000002',
		sku: 'SKU-ENT',
		name: 'Enterprise',
		productRatePlans: [
			{
				id: '8ad09be48db5aba7018db5plan00ent-m',
				name: 'Enterprise Monthly',
				status: 'Active',
				productRatePlanCharges: [
					{
						id: '8ad09be48db5aba7018db5chrg00ent-m',
						name: 'Enterprise Monthly Fee',
						type: 'Recurring',
						model: 'FlatFee',
						billingPeriod: 'Month',
						pricing: [
							{ currency: 'USD', price: 199 },
							{ currency: 'EUR', price: 185 },
						],
					},
				],
			},
			{
				id: '8ad09be48db5aba7018db5plan00ent-old',
				name: 'Enterprise Legacy',
				status: 'Expired',
				productRatePlanCharges: [],
			},
		],
	},
	{
		id: '8ad09be48db5aba7018db5prod000003',
		sku: 'SKU-API',
		name: 'API Usage',
		productRatePlans: [
			{
				id: '8ad09be48db5aba7018db5plan00api-u',
				name: 'API Calls (pay as you go)',
				status: 'Active',
				productRatePlanCharges: [
					{
						id: '8ad09be48db5aba7018db5chrg00api-u',
						name: 'API Calls',
						type: 'Usage',
						model: 'PerUnit',
						uom: 'API Call',
						billingPeriod: 'Month',
						pricing: [
							{ currency: 'USD', price: 0.01 },
							{ currency: 'EUR', price: 0.01 },
						],
					},
				],
			},
		],
	},
];

export class ZuoraSandbox extends SandboxServer {
	readonly clients = new Map<string, string>();
	readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();
	readonly accounts: ZuoraAccount[] = [];
	readonly subscriptions: ZuoraSubscription[] = [];
	readonly usage: ZuoraUsage[] = [];
	readonly imports = new Map<string, ZuoraImport>();
	catalog: ZuoraProduct[] = structuredClone(DEFAULT_CATALOG);
	readonly idempotency = new Map<string, IdempotencyEntry>();
	/** Token lifetime handed out (`expires_in`). */
	tokenTtlSeconds = 3599;
	/** Token requests received (including refused ones). */
	tokenRequests = 0;
	/** Extra time an order or account creation takes (makes concurrent duplicates observable). */
	processingDelayMs = 0;
	/**
	 * Tenant settings "Require Service Activation of Orders?" / "Require Customer Acceptance of
	 * Orders?": a new subscription without that trigger date stays "Pending Activation" /
	 * "Pending Acceptance" and its order "Pending" (spec PostOrderResponseType: order status
	 * Pending, subscription status Pending Activation | Pending Acceptance).
	 */
	requireServiceActivation = false;
	requireCustomerAcceptance = false;
	/** Status polls before an import reaches its final state. */
	importPollsUntilDone = 2;
	readonly counters = { account: 0, subscription: 0, order: 0, contact: 0, usage: 0 };

	constructor(options: { tokenRateLimit?: { limit: number; windowMs: number } } = {}) {
		super('zuora');
		const tokenLimit = options.tokenRateLimit ?? { limit: 20, windowMs: 60_000 };
		this.addRateLimit({
			limit: tokenLimit.limit,
			windowMs: tokenLimit.windowMs,
			match: (req) => req.path === '/oauth/token',
			// Zuora counts per client IP; loopback callers share one address.
			key: (req) => header(req, 'x-forwarded-for') ?? '127.0.0.1',
			respond: (_req, res) => {
				this.tokenRequests++;
				res.json(429, { message: 'Too many requests to the token endpoint from this IP address' });
				res.header('retry-after', String(Math.ceil(tokenLimit.windowMs / 1000)));
			},
		});

		this.route('POST', '/oauth/token', (req, res) => this.token(req, res));
		this.post('/v1/accounts', (req, res) => this.createAccount(req, res));
		this.route('GET', '/v1/accounts/:key', (req, res) => this.getAccount(req, res));
		this.post('/v1/action/query', (req, res) => this.query(req, res));
		this.route('GET', '/v1/catalog/products', (req, res) => this.listProducts(req, res));
		this.route('GET', '/v1/products/:key/product-rate-plans', (req, res) => this.listProductRatePlans(req, res));
		this.post('/v1/orders', (req, res) => this.createOrder(req, res));
		this.route('GET', '/v1/subscriptions/accounts/:key', (req, res) => this.subscriptionsOfAccount(req, res));
		this.route('GET', '/v1/subscriptions/:key', (req, res) => this.getSubscription(req, res));
		this.post('/v1/object/usage', (req, res) => this.createUsage(req, res));
		this.route('GET', '/v1/object/usage/:id', (req, res) => this.getUsage(req, res));
		this.post('/v1/usage', (req, res) => this.uploadUsage(req, res));
		this.route('GET', '/v1/usage/:id/status', (req, res) => this.importStatus(req, res));
		this.route('GET', '/v1/object/import/:id', (req, res) => this.getImport(req, res));
		this.route('GET', '/v1/payments/:key', (req, res) => this.getRecord(this.payments, 'number', req, res));
		this.route('GET', '/v1/invoices/:key', (req, res) => this.getRecord(this.invoices, 'invoiceNumber', req, res));
		this.route('PUT', '/v1/accounts/:key', (req, res) => this.updateAccount(req, res));
		this.route('GET', '/v1/payments', (req, res) => this.listPayments(req, res));
		this.route('GET', '/v1/invoices/:key/files', (req, res) => this.invoiceFiles(req, res));
		this.route('GET', '/v1/files/:id', (req, res) => this.getFile(req, res));
		this.route('GET', '/object-query/accounts', (req, res) => this.objectQuery(req, res, 'accounts'));
		this.route('GET', '/object-query/subscriptions', (req, res) => this.objectQuery(req, res, 'subscriptions'));
		this.route('GET', '/object-query/invoices', (req, res) => this.objectQuery(req, res, 'invoices'));
	}

	/** Payments (spec GETARPaymentType) and invoices (spec GetInvoiceResponse), seeded by tests. */
	readonly payments: Json[] = [];
	readonly invoices: Json[] = [];

	seedPayment(account: ZuoraAccount, fields: Json = {}): Json {
		const payment: Json = {
			id: zuoraId(),
			number: `P-${String(this.payments.length + 1).padStart(8, '0')}`,
			accountId: account.id,
			accountNumber: account.accountNumber,
			amount: 49,
			currency: account.currency,
			status: 'Processed',
			type: 'Electronic',
			// spec GETARPaymentType.effectiveDate: format date-time
			effectiveDate: `${today()}T00:00:00+00:00`,
			gatewayResponse: 'Approved',
			createdDate: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
			updatedDate: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
			...fields,
		};
		this.payments.push(payment);
		return payment;
	}

	seedInvoice(account: ZuoraAccount, fields: Json = {}): Json {
		const invoice: Json = {
			id: zuoraId(),
			invoiceNumber: `INV${String(this.invoices.length + 1).padStart(8, '0')}`,
			accountId: account.id,
			amount: 49,
			balance: 49,
			currency: account.currency,
			status: 'Posted',
			invoiceDate: today(),
			dueDate: today(),
			updatedDate: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
			...fields,
		};
		this.invoices.push(invoice);
		// Zuora generates the PDF when an invoice is posted; a draft has no file yet.
		if (invoice.status === 'Posted') this.addInvoiceFile(invoice);
		return invoice;
	}

	/**
	 * Invoice PDFs by file id. Zuora generates a PDF when an invoice is posted; GET
	 * /v1/invoices/{key}/files lists them newest first as `{id, pdfFileUrl: "/v1/files/<file id>",
	 * versionNumber}` (spec GET_InvoiceFiles; developer.zuora.com "List all files of an invoice"
	 * response sample), and GET /v1/files/{file-id} answers the file itself (spec GET_Files: a
	 * 200 without a JSON schema).
	 */
	readonly files = new Map<string, { recordId: string; invoiceId: string; versionNumber: number; pdf: Buffer }>();

	/** A small but well-formed PDF naming the invoice. */
	static invoicePdf(invoiceNumber: string): Buffer {
		return Buffer.from(`%PDF-1.4\n% Zuora sandbox invoice ${invoiceNumber}\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`, 'latin1');
	}

	/** Adds a (new) PDF version to an invoice, as re-generating the invoice file does. */
	addInvoiceFile(invoice: Json): string {
		const id = zuoraId();
		const versions = [...this.files.values()].filter((f) => f.invoiceId === invoice.id).map((f) => f.versionNumber);
		const versionNumber = Math.max(Date.now(), ...versions.map((v) => v + 1));
		this.files.set(id, { recordId: zuoraId(), invoiceId: String(invoice.id), versionNumber, pdf: ZuoraSandbox.invoicePdf(String(invoice.invoiceNumber)) });
		return id;
	}

	private invoiceFiles(req: SandboxRequest, res: SandboxResponse): void {
		const invoice = this.invoices.find((r) => r.id === req.params.key || r.invoiceNumber === req.params.key);
		if (!invoice) return this.fail(res, 50000040, `Cannot find entity by key: '${req.params.key}'.`);
		const page = Number(req.query.page ?? 1);
		const pageSize = Number(req.query.pageSize ?? 20);
		const all = [...this.files.entries()]
			.filter(([, f]) => f.invoiceId === invoice.id)
			.sort(([, a], [, b]) => b.versionNumber - a.versionNumber)
			.map(([id, f]) => ({ id: f.recordId, pdfFileUrl: `/v1/files/${id}`, versionNumber: f.versionNumber }));
		const body: Json = { invoiceFiles: all.slice((page - 1) * pageSize, page * pageSize), success: true };
		if (page * pageSize < all.length) body.nextPage = `${this.url}/v1/invoices/${req.params.key}/files?page=${page + 1}&pageSize=${pageSize}`;
		res.json(200, body);
	}

	private getFile(req: SandboxRequest, res: SandboxResponse): void {
		const file = this.files.get(req.params.id);
		if (!file) return this.fail(res, 50000040, `Cannot find file by id: '${req.params.id}'.`, 404);
		res.status = 200;
		res.header('content-type', 'application/pdf');
		res.header('content-disposition', `attachment; filename="${req.params.id}.pdf"`);
		res.body = file.pdf;
		res.sent = true;
	}

	/**
	 * GET /v1/payments (spec GET_RetrieveAllPayments): filters `accountId`, `status`, `currency`,
	 * `number`; `page` ≥ 1, `pageSize` ≤ 40 (default 20); `nextPage` is the URL of the next page.
	 */
	private listPayments(req: SandboxRequest, res: SandboxResponse): void {
		const page = Number(req.query.page ?? 1);
		const pageSize = Number(req.query.pageSize ?? 20);
		const filters = (['accountId', 'status', 'currency', 'number'] as const).filter((f) => typeof req.query[f] === 'string');
		const all = this.payments.filter((p) => filters.every((f) => String(p[f]) === req.query[f]));
		const body: Json = { payments: all.slice((page - 1) * pageSize, page * pageSize).map((p) => withoutNulls(p)), success: true };
		if (page * pageSize < all.length) {
			const qs = new URLSearchParams({ ...Object.fromEntries(filters.map((f) => [f, String(req.query[f])])), page: String(page + 1), pageSize: String(pageSize) });
			body.nextPage = `${this.url}/v1/payments?${qs.toString()}`;
		}
		res.json(200, body);
	}

	/**
	 * PUT /v1/accounts/{account-key} (spec PUT_Account): only the fields sent change; the answer
	 * is `{success: true}`. The same business rules as POST /v1/accounts (see createAccount).
	 */
	private updateAccount(req: SandboxRequest, res: SandboxResponse): void {
		const account = this.findAccount(req.params.key);
		if (!account) return this.fail(res, 50000040, `Cannot find entity by key: '${req.params.key}'.`);
		const b = (req.body ?? {}) as Json;
		if (b.name !== undefined && (typeof b.name !== 'string' || b.name.trim() === '')) return this.fail(res, 53100020, "Invalid value for field 'name': must not be empty");
		if (typeof b.name === 'string' && b.name.length > 255) return this.fail(res, 53100020, "'name' must be at most 255 characters");
		if (b.billCycleDay !== undefined) {
			const bcd = Number(b.billCycleDay);
			if (!Number.isInteger(bcd) || bcd < 0 || bcd > 31) return this.fail(res, 53100020, "Invalid value for field 'billCycleDay': must be a whole number from 0 to 31");
		}
		if (b.paymentTerm !== undefined && !PAYMENT_TERMS.includes(String(b.paymentTerm))) {
			return this.fail(res, 53100020, `Invalid value for field 'paymentTerm': '${String(b.paymentTerm)}' is not a payment term of this tenant`);
		}
		if (b.autoPay === true) return this.fail(res, 53100030, 'Cannot set autoPay to true for an account without a default payment method');
		if (b.crmId !== undefined && String(b.crmId).length > 100) return this.fail(res, 53100020, "'crmId' must be at most 100 characters");
		for (const which of ['billToContact', 'soldToContact'] as const) {
			const contact = b[which] as Json | undefined;
			if (contact?.workEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(contact.workEmail))) {
				return this.fail(res, 53100020, `Invalid value for field '${which}.workEmail': ${String(contact.workEmail)}`);
			}
			for (const field of ['firstName', 'lastName']) {
				if (contact && contact[field] !== undefined && String(contact[field]).trim() === '') {
					return this.fail(res, 53100020, `Invalid value for field '${which}.${field}': must not be empty`);
				}
			}
		}
		if (typeof b.name === 'string') account.name = b.name;
		if (b.billCycleDay !== undefined) account.billCycleDay = Number(b.billCycleDay);
		if (b.paymentTerm !== undefined) account.paymentTerm = String(b.paymentTerm);
		if (b.crmId !== undefined) account.crmId = String(b.crmId);
		if (b.billToContact) account.billToContact = { ...account.billToContact, ...(b.billToContact as Partial<ZuoraContact>) };
		if (b.soldToContact) account.soldToContact = { ...account.soldToContact, ...(b.soldToContact as Partial<ZuoraContact>) };
		for (const [key, value] of Object.entries(b)) if (/__c$/.test(key)) (account as unknown as Json)[key] = value;
		res.json(200, { success: true });
	}

	/**
	 * The Object Query views (spec ExpandedAccount, ExpandedSubscription, ExpandedInvoice) and
	 * the fields each accepts in `filter[]` (developer.zuora.com object-query guide and examples:
	 * accounts by currency, name, accountnumber, updateddate; invoices by accountId;
	 * subscriptions by status). Subscriptions: Object Query calls the subscription number `name`.
	 */
	private objectQuery(req: SandboxRequest, res: SandboxResponse, object: 'accounts' | 'subscriptions' | 'invoices'): void {
		let records: Json[];
		let filterable: string[];
		if (object === 'accounts') {
			filterable = ['id', 'accountnumber', 'name', 'crmid', 'status', 'currency', 'createddate', 'updateddate'];
			records = this.accounts.map((a) => ({
				id: a.id,
				accountNumber: a.accountNumber,
				name: a.name,
				crmId: a.crmId,
				status: a.status,
				currency: a.currency,
				billCycleDay: a.billCycleDay,
				autoPay: a.autoPay,
				paymentTerm: a.paymentTerm,
				balance: 0,
				billToId: a.billToContact.id,
				soldToId: a.soldToContact.id,
				createdDate: a.createdDate,
				updatedDate: a.createdDate,
			}));
		} else if (object === 'subscriptions') {
			filterable = ['id', 'name', 'status', 'accountid', 'termtype', 'updateddate'];
			records = this.subscriptions.map((s) => ({
				id: s.id,
				name: s.subscriptionNumber,
				accountId: s.accountId,
				status: s.status,
				version: s.version,
				isLatestVersion: true,
				termType: s.termType,
				autoRenew: s.autoRenew,
				contractEffectiveDate: s.contractEffectiveDate,
				subscriptionStartDate: s.subscriptionStartDate,
				termStartDate: s.termStartDate,
				termEndDate: s.termEndDate,
				currency: s.currency,
				cMRR: s.contractedMrr,
			}));
		} else {
			filterable = ['id', 'accountid', 'invoicenumber', 'status', 'invoicedate', 'duedate', 'updateddate'];
			const keys = ['id', 'invoiceNumber', 'accountId', 'amount', 'balance', 'currency', 'status', 'invoiceDate', 'dueDate', 'postedDate', 'updatedDate', 'taxAmount', 'paymentAmount'];
			records = this.invoices.map((i) => {
				const view: Json = Object.fromEntries(keys.filter((k) => i[k] !== undefined).map((k) => [k, i[k]]));
				// GetInvoiceResponse.postedDate is a date, ExpandedInvoice.postedDate a date-time
				if (isDate(view.postedDate)) view.postedDate = `${view.postedDate}T00:00:00+00:00`;
				return view;
			});
		}
		const answer = answerObjectQuery(req.query, records.map((r) => withoutNulls(r)), filterable);
		res.json(answer.status, answer.body);
	}

	private getRecord(list: Json[], numberField: string, req: SandboxRequest, res: SandboxResponse): void {
		const found = list.find((r) => r.id === req.params.key || r[numberField] === req.params.key);
		if (!found) return this.fail(res, 50000040, `Cannot find entity by key: '${req.params.key}'.`);
		res.json(200, withoutNulls({ ...found, success: true }));
	}

	// ---------------------------------------------------------------- seeding

	addClient(clientId: string, clientSecret: string): this {
		this.clients.set(clientId, clientSecret);
		return this;
	}

	/** Every issued token stops working (as if Zuora expired them early). */
	revokeTokens(): void {
		this.tokens.clear();
	}

	seedAccount(partial: Partial<ZuoraAccount> & { name: string }): ZuoraAccount {
		const contact = (c?: Partial<ZuoraContact>): ZuoraContact =>
			c
				? ({ ...c, id: zuoraId() } as ZuoraContact)
				: { id: zuoraId(), firstName: 'Ada', lastName: 'Lovelace', workEmail: 'ada@example.com', country: 'United States' };
		const account: ZuoraAccount = {
			id: zuoraId(),
			accountNumber: this.nextAccountNumber(),
			currency: 'USD',
			billCycleDay: 1,
			paymentTerm: 'Due Upon Receipt',
			autoPay: false,
			status: 'Active',
			createdDate: new Date().toISOString(),
			...partial,
			billToContact: contact(partial.billToContact),
			soldToContact: contact(partial.soldToContact ?? partial.billToContact),
		};
		this.accounts.push(account);
		return account;
	}

	/** Clears business data (accounts, subscriptions, usage, keys, tokens) and the request log. */
	reset(): void {
		this.accounts.length = 0;
		this.subscriptions.length = 0;
		this.usage.length = 0;
		this.payments.length = 0;
		this.invoices.length = 0;
		this.files.clear();
		this.imports.clear();
		this.idempotency.clear();
		this.internalFaults = [];
		this.tokens.clear();
		this.tokenRequests = 0;
		this.processingDelayMs = 0;
		this.requireServiceActivation = false;
		this.requireCustomerAcceptance = false;
		this.catalog = structuredClone(DEFAULT_CATALOG);
		for (const key of Object.keys(this.counters) as Array<keyof typeof this.counters>) this.counters[key] = 0;
		this.resetLog();
	}

	findAccount(key: string): ZuoraAccount | undefined {
		return this.accounts.find((a) => a.id === key || a.accountNumber === key);
	}

	findSubscription(key: string): ZuoraSubscription | undefined {
		return this.subscriptions.find((s) => s.id === key || s.subscriptionNumber === key);
	}

	// ------------------------------------------------------------ plumbing

	private nextAccountNumber(): string {
		return `A${String(++this.counters.account).padStart(8, '0')}`;
	}

	private fail(res: SandboxResponse, code: number, message: string, status = 200): void {
		// spec CommonResponse.reasons[].code is a string (e.g. "53100020")
		res.json(status, { success: false, processId: randomBytes(8).toString('hex').toUpperCase(), reasons: [{ code: String(code), message }] });
	}

	private crudFail(res: SandboxResponse, code: string, message: string): void {
		res.json(200, { Success: false, Errors: [{ Code: code, Message: message }] });
	}

	protected override decodeBody(contentType: string, raw: Buffer): unknown {
		if (contentType.toLowerCase().startsWith('multipart/form-data')) return parseMultipart(contentType, raw);
		return super.decodeBody(contentType, raw);
	}

	protected override before(req: SandboxRequest, res: SandboxResponse): boolean {
		if (req.path !== '/oauth/token') {
			const token = bearerToken(req);
			const known = token ? this.tokens.get(token) : undefined;
			if (!known || known.expiresAt <= Date.now()) {
				this.fail(res, 90000011, 'this resource is protected, please sign in first', 401);
				this.checkResponse(req, res);
				return false;
			}
		}
		return this.checkRequest(req, res);
	}

	// ------------------------------------------------------- spec referee (issue 15 item 15)

	/**
	 * Every request is checked against Zuora's OpenAPI spec (dev/sandbox/zuora/spec.ts) before a
	 * route sees it, and every answer after. `ZUORA_SANDBOX_SPEC_CHECK=off` turns both off, for
	 * debugging only.
	 */
	specCheck = process.env.ZUORA_SANDBOX_SPEC_CHECK !== 'off';
	/** Requests the spec refuses; answered as Zuora answers invalid input (see refuseRequest). */
	readonly invalidRequests: SpecDeviation[] = [];
	/** Answers of this sandbox that the spec does not allow; stop() throws while any is left. */
	readonly responseDeviations: SpecDeviation[] = [];

	/** Returns and forgets the recorded response deviations (for tests that provoke one). */
	takeResponseDeviations(): SpecDeviation[] {
		return this.responseDeviations.splice(0);
	}

	override route(method: string, path: string, handler: (req: SandboxRequest, res: SandboxResponse) => unknown): this {
		return super.route(method, path, async (req, res) => {
			await handler(req, res);
			if (!res.sent) res.empty(204);
			this.checkResponse(req, res);
		});
	}

	/** Parses the spec (or reads its cache) while the sandbox starts, not in the first test. */
	override async start(port = 0): Promise<this> {
		if (this.specCheck) ZuoraSpec.get();
		return await super.start(port);
	}

	override async stop(): Promise<void> {
		await super.stop();
		if (this.responseDeviations.length > 0) {
			const grouped = new Map<string, { first: SpecDeviation; count: number }>();
			for (const d of this.responseDeviations) {
				const key = `${d.operation} ${d.status} ${d.errors.join('; ')}`;
				const entry = grouped.get(key);
				if (entry) entry.count++;
				else grouped.set(key, { first: d, count: 1 });
			}
			const list = [...grouped.values()].map(
				({ first: d, count }) => `- ${d.method} ${d.path} → ${d.status} (${d.operation})${count > 1 ? ` ×${count}` : ''}: ${d.errors.join('; ')}`,
			);
			throw new Error(`Zuora sandbox answered ${this.responseDeviations.length} time(s) outside Zuora's OpenAPI spec:\n${list.join('\n')}`);
		}
	}

	private checkRequest(req: SandboxRequest, res: SandboxResponse): boolean {
		if (!this.specCheck) return true;
		const offSpec = OFF_SPEC_ROUTES.find((r) => r.method === req.method && r.pattern.test(req.path));
		if (offSpec) return true;
		const result = ZuoraSpec.get().requestErrors(req);
		if (!result) return true; // no such operation: the router answers 404 (or checkResponse records the route)
		if (result.errors.length === 0) return true;
		this.invalidRequests.push({ method: req.method, path: req.path, operation: describe(result.operation), errors: result.errors });
		this.refuseRequest(req, res, result.operation, result.errors);
		this.checkResponse(req, res);
		return false;
	}

	/**
	 * Zuora's answer to input its spec refuses, in the error shape of the API family:
	 *  - OAuth: RFC 6749 §5.2 `400 {error: "invalid_request", error_description}` (the spec
	 *    declares no error body for /oauth/token);
	 *  - CRUD / actions (`/v1/object/…`, `/v1/action/…`): spec ProxyBadRequestResponse,
	 *    `400 {success: false, errors: [{code, message}]}` (e.g. Object_POSTUsage responses.400);
	 *  - REST and Orders: spec CommonResponse (the `4XX` response of e.g. POST_Order),
	 *    `400 {success: false, processId, reasons: [{code, message}]}`; code 50000020 is Zuora's
	 *    "invalid value" category (last two digits 20).
	 */
	private refuseRequest(req: SandboxRequest, res: SandboxResponse, operation: OperationRef, errors: string[]): void {
		const message = `Request does not match ${describe(operation)}: ${errors.join('; ')}`;
		if (req.path === '/oauth/token') {
			res.json(400, { error: 'invalid_request', error_description: message });
		} else if (/^\/v1\/(object|action)\//.test(req.path)) {
			res.json(400, { success: false, errors: [{ code: 'INVALID_VALUE', message }] });
		} else {
			this.fail(res, 50000020, message, 400);
		}
	}

	private checkResponse(req: SandboxRequest, res: SandboxResponse): void {
		if (!this.specCheck || res.status < 0) return;
		const offSpec = OFF_SPEC_ROUTES.find((r) => r.method === req.method && r.pattern.test(req.path));
		if (offSpec) return;
		const body = Buffer.isBuffer(res.body) ? res.body.toString('utf8') : res.body;
		const result = ZuoraSpec.get().responseErrors(req.method, req.path, res.status, res.headers['content-type'] ?? '', body);
		let errors: string[];
		let operation: string;
		if (!result) {
			errors = ['the spec has no such operation'];
			operation = 'no operation';
		} else {
			operation = describe(result.operation);
			errors = result.errors;
			const allowed = UNDECLARED_STATUSES.find((u) => u.path === req.path && u.statuses.includes(res.status));
			if (allowed && errors.length === 1 && errors[0].startsWith(`status ${res.status} is not declared`)) errors = [];
		}
		if (errors.length === 0) return;
		const deviation = { method: req.method, path: req.path, status: res.status, operation, errors };
		this.responseDeviations.push(deviation);
		// the node under test sees the deviation too
		res.json(500, { sandbox_spec_violation: deviation });
	}

	/** What identifies a request body for the idempotency rules. */
	private fingerprint(req: SandboxRequest): string {
		let content: string;
		if (Array.isArray(req.body) && req.body.every((p) => p && typeof p === 'object' && 'data' in p)) {
			content = canonical(
				(req.body as MultipartPart[]).map((p) => ({
					name: p.name,
					filename: p.filename,
					data: createHash('sha256').update(p.data).digest('hex'),
				})),
			);
		} else if (req.body !== undefined && typeof req.body === 'object') content = canonical(req.body);
		else content = req.rawBody.toString('base64');
		return createHash('sha256').update(`${req.method} ${req.path}\n${content}`).digest('hex');
	}

	/** A POST route with Zuora's Idempotency-Key rules. */
	private post(path: string, handler: (req: SandboxRequest, res: SandboxResponse) => unknown): void {
		this.route('POST', path, async (req, res): Promise<void> => {
			const key = header(req, 'idempotency-key');
			if (key === undefined) {
				await handler(req, res);
				return;
			}
			if (key.length === 0 || key.length > 255) {
				return this.fail(res, 50000040, 'Idempotency-Key must be 1 to 255 characters', 400);
			}
			const now = Date.now();
			const existing = this.idempotency.get(key);
			const fingerprint = this.fingerprint(req);
			if (existing && now - existing.at < IDEMPOTENCY_TTL_MS) {
				if (existing.fingerprint !== fingerprint) {
					return this.fail(
						res,
						50000022,
						'The Idempotency-Key has already been used with a different request body',
						422,
					);
				}
				if (existing.state === 'running') {
					return this.fail(
						res,
						50000050,
						'A request with the same Idempotency-Key is currently being processed',
						409,
					);
				}
				res.status = existing.status as number;
				Object.assign(res.headers, existing.headers);
				res.body = existing.body as Buffer | string;
				res.sent = true;
				return;
			}
			const entry: IdempotencyEntry = { fingerprint, state: 'running', at: now };
			this.idempotency.set(key, entry);
			try {
				const internal = this.takeInternalFault(req);
				if (internal) res.json(internal.status, internal.body);
				else await handler(req, res);
			} catch (error) {
				this.idempotency.delete(key);
				throw error;
			}
			// Zuora saves "the resulting status code, headers, and the body of this request …
			// regardless of whether it succeeded or failed" and replays them for 24 h
			// (developer.zuora.com guides/idempotent-requests): 5xx and success:false included.
			Object.assign(entry, { state: 'done', status: res.status, headers: { ...res.headers }, body: res.body });
		});
	}

	/**
	 * Failures that Zuora itself answers (inside its idempotency layer, so they are stored and
	 * replayed for the key), unlike `faults`, which model a proxy or network in front of Zuora.
	 */
	internalFaults: Array<{ method: string; path: string; status: number; body: Json; times: number }> = [];

	private takeInternalFault(req: SandboxRequest): { status: number; body: Json } | undefined {
		const fault = this.internalFaults.find((f) => f.method === req.method && f.path === req.path && f.times > 0);
		if (!fault) return undefined;
		fault.times--;
		return fault;
	}

	private async pause(): Promise<void> {
		if (this.processingDelayMs > 0) await new Promise((r) => setTimeout(r, this.processingDelayMs));
	}

	// ----------------------------------------------------------------- OAuth

	private token(req: SandboxRequest, res: SandboxResponse): void {
		this.tokenRequests++;
		const form = (req.body ?? {}) as Record<string, string>;
		if (!String(header(req, 'content-type') ?? '').includes('application/x-www-form-urlencoded')) {
			res.json(400, { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' });
			return;
		}
		if (form.grant_type !== 'client_credentials') {
			res.json(400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
			return;
		}
		const secret = this.clients.get(form.client_id);
		if (secret === undefined || secret !== form.client_secret) {
			res.json(401, { error: 'invalid_client', error_description: 'Bad client credentials' });
			return;
		}
		const accessToken = randomBytes(24).toString('hex');
		this.tokens.set(accessToken, { clientId: form.client_id, expiresAt: Date.now() + this.tokenTtlSeconds * 1000 });
		res.json(200, {
			access_token: accessToken,
			token_type: 'bearer',
			expires_in: this.tokenTtlSeconds,
			scope: 'entity.1a2b7a37-3e7d-4cb3-b0e2-883de9e766cc user.7b6e2d3f platform.write service.usage.write',
			jti: randomUUID(),
		});
	}

	// -------------------------------------------------------------- accounts

	private async createAccount(req: SandboxRequest, res: SandboxResponse): Promise<void> {
		const b = (req.body ?? {}) as Json;
		const contact = (b.billToContact ?? undefined) as Json | undefined;
		if (typeof b.name !== 'string' || b.name.trim() === '') return this.fail(res, 53100022, "'name' is required");
		if (b.name.length > 255) return this.fail(res, 53100020, "'name' must be at most 255 characters");
		if (typeof b.currency !== 'string' || b.currency === '') return this.fail(res, 53100022, "'currency' is required");
		if (!TENANT_CURRENCIES.includes(b.currency)) {
			return this.fail(res, 53100020, `Invalid value for field 'currency': ${b.currency} is not an active currency of this tenant`);
		}
		const bcd = Number(b.billCycleDay);
		if (b.billCycleDay === undefined || !Number.isInteger(bcd) || bcd < 0 || bcd > 31) {
			return this.fail(res, 53100020, "Invalid value for field 'billCycleDay': must be a whole number from 0 to 31");
		}
		const paymentTerm = (b.paymentTerm as string | undefined) ?? 'Due Upon Receipt';
		if (!PAYMENT_TERMS.includes(paymentTerm)) {
			return this.fail(res, 53100020, `Invalid value for field 'paymentTerm': '${paymentTerm}' is not a payment term of this tenant`);
		}
		if (b.autoPay === true) {
			return this.fail(res, 53100030, 'Cannot set autoPay to true for an account without a default payment method');
		}
		if (!contact) return this.fail(res, 53100022, "'billToContact' is required");
		for (const field of ['firstName', 'lastName']) {
			if (typeof contact[field] !== 'string' || (contact[field] as string).trim() === '') {
				return this.fail(res, 53100022, `'billToContact.${field}' is required`);
			}
		}
		if (contact.workEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(contact.workEmail))) {
			return this.fail(res, 53100020, `Invalid value for field 'billToContact.workEmail': ${String(contact.workEmail)}`);
		}
		if (b.crmId !== undefined && String(b.crmId).length > 100) {
			return this.fail(res, 53100020, "'crmId' must be at most 100 characters");
		}
		await this.pause();
		const account = this.seedAccount({
			name: b.name,
			currency: b.currency,
			billCycleDay: bcd,
			paymentTerm,
			autoPay: false,
			crmId: b.crmId === undefined ? undefined : String(b.crmId),
			billToContact: contact as unknown as ZuoraContact,
			soldToContact: (b.soldToContact as ZuoraContact | undefined) ?? (contact as unknown as ZuoraContact),
		});
		res.json(200, {
			success: true,
			accountId: account.id,
			accountNumber: account.accountNumber,
			billToContactId: account.billToContact.id,
			soldToContactId: account.soldToContact.id,
		});
	}

	accountView(account: ZuoraAccount): Json {
		const mrr = this.subscriptions
			.filter((s) => s.accountId === account.id && s.status === 'Active')
			.reduce((sum, s) => sum + s.contractedMrr, 0);
		return {
			basicInfo: {
				id: account.id,
				name: account.name,
				accountNumber: account.accountNumber,
				notes: null,
				status: account.status,
				crmId: account.crmId ?? null,
				batch: 'Batch1',
				invoiceTemplateId: null,
				communicationProfileId: null,
				salesRep: null,
				parentId: null,
			},
			billingAndPayment: {
				billCycleDay: account.billCycleDay,
				currency: account.currency,
				paymentTerm: account.paymentTerm,
				paymentGateway: null,
				invoiceDeliveryPrefsPrint: false,
				invoiceDeliveryPrefsEmail: true,
				additionalEmailAddresses: [],
				autoPay: account.autoPay,
			},
			// spec GETAccountType.metrics: decimal strings
			metrics: {
				balance: decimal(0),
				totalInvoiceBalance: decimal(0),
				creditBalance: decimal(0),
				contractedMrr: decimal(mrr),
			},
			billToContact: account.billToContact,
			soldToContact: account.soldToContact,
			success: true,
		};
	}

	private getAccount(req: SandboxRequest, res: SandboxResponse): void {
		const account = this.findAccount(req.params.key);
		if (!account) return this.fail(res, 50000040, `Cannot find entity by key: '${req.params.key}'.`);
		res.json(200, withoutNulls(this.accountView(account)));
	}

	private async query(req: SandboxRequest, res: SandboxResponse): Promise<void> {
		const queryString = String(((req.body ?? {}) as Json).queryString ?? '').trim();
		const match = /^select\s+(.+?)\s+from\s+(\w+)(?:\s+where\s+(.+))?$/is.exec(queryString);
		if (!match) return this.crudFail(res, 'MALFORMED_QUERY', `You have an error in your ZOQL syntax: ${queryString}`);
		const [, fieldList, object, where] = match;
		if (object.toLowerCase() !== 'account') {
			return this.crudFail(res, 'INVALID_TYPE', `invalid type for query: ${object} (the sandbox supports Account)`);
		}
		const columns: Record<string, (a: ZuoraAccount) => unknown> = {
			id: (a) => a.id,
			accountnumber: (a) => a.accountNumber,
			name: (a) => a.name,
			crmid: (a) => a.crmId,
			status: (a) => a.status,
			currency: (a) => a.currency,
			billcycleday: (a) => a.billCycleDay,
			paymentterm: (a) => a.paymentTerm,
			autopay: (a) => a.autoPay,
			createddate: (a) => a.createdDate,
		};
		const labels: Record<string, string> = {
			id: 'Id',
			accountnumber: 'AccountNumber',
			name: 'Name',
			crmid: 'CrmId',
			status: 'Status',
			currency: 'Currency',
			billcycleday: 'BillCycleDay',
			paymentterm: 'PaymentTerm',
			autopay: 'AutoPay',
			createddate: 'CreatedDate',
		};
		const fields = fieldList.split(',').map((f) => f.trim().toLowerCase());
		for (const f of fields) {
			if (!columns[f]) return this.crudFail(res, 'INVALID_FIELD', `invalid field for query: Account.${f}`);
		}
		const conditions: Array<[string, string]> = [];
		if (where) {
			for (const part of where.split(/\s+and\s+/i)) {
				const cond = /^(\w+)\s*=\s*'((?:[^'\\]|\\.)*)'$/.exec(part.trim());
				if (!cond || !columns[cond[1].toLowerCase()]) {
					return this.crudFail(res, 'MALFORMED_QUERY', `You have an error in your ZOQL syntax near: ${part}`);
				}
				conditions.push([cond[1].toLowerCase(), cond[2].replace(/\\(.)/g, '$1')]);
			}
		}
		const records = this.accounts
			.filter((a) => conditions.every(([f, v]) => String(columns[f](a) ?? '') === v))
			.map((a) => {
				const record: Json = {};
				for (const f of fields) {
					const value = columns[f](a);
					if (value !== undefined && value !== null) record[labels[f]] = value; // nulls are left out, as Zuora does
				}
				return record;
			});
		res.json(200, { records, size: records.length, done: true });
	}

	// --------------------------------------------------------------- catalog

	private listProducts(req: SandboxRequest, res: SandboxResponse): void {
		const pageSize = Math.min(40, Math.max(1, Number(req.query.pageSize ?? 10) || 10));
		const page = Math.max(1, Number(req.query.page ?? 1) || 1);
		let slice: Json[] = this.catalog.slice((page - 1) * pageSize, page * pageSize) as unknown as Json[];
		if (minorVersion(req) >= 230) {
			// Zuora-Version ≥ 230.0: productRatePlans is the URL of the product's plans
			// (spec GETProductType.productRatePlans: string).
			slice = slice.map((p) => ({ ...p, productRatePlans: `${this.url}/v1/products/${String(p.id)}/product-rate-plans` }));
		} else {
			// Older versions embed the plans: "a maximum of 300 product rate plans … at most 300
			// product rate plan charges" per answer (Zuora reference GETProductType); the rest is cut off.
			let plans = 0;
			let charges = 0;
			slice = slice.map((p) => {
				const kept: ZuoraRatePlan[] = [];
				for (const plan of (p as unknown as ZuoraProduct).productRatePlans) {
					if (plans + 1 > 300 || charges + plan.productRatePlanCharges.length > 300) break;
					plans += 1;
					charges += plan.productRatePlanCharges.length;
					kept.push(plan);
				}
				return { ...p, productRatePlans: kept };
			});
		}
		const body: Json = { products: slice, success: true };
		if (page * pageSize < this.catalog.length) {
			body.nextPage = `${this.url}/v1/catalog/products?page=${page + 1}&pageSize=${pageSize}`;
		}
		res.json(200, body);
	}

	/** GET /v1/products/{product-key}/product-rate-plans (spec GETProductRatePlansResponse), paged. */
	private listProductRatePlans(req: SandboxRequest, res: SandboxResponse): void {
		const product = this.catalog.find((p) => p.id === req.params.key || p.sku === req.params.key);
		if (!product) return this.fail(res, 50000040, `Cannot find entity by key: '${req.params.key}'.`);
		const pageSize = Math.min(40, Math.max(1, Number(req.query.pageSize ?? 20) || 20));
		const page = Math.max(1, Number(req.query.page ?? 1) || 1);
		// spec GETProductRatePlanChargePricingType.price: a decimal string
		const plans = product.productRatePlans.slice((page - 1) * pageSize, page * pageSize).map((plan) => ({
			...plan,
			productRatePlanCharges: plan.productRatePlanCharges.map((c) => ({
				...c,
				pricing: c.pricing.map((p) => ({ ...p, price: String(p.price) })),
			})),
		}));
		const body: Json = { productRatePlans: plans, success: true };
		if (page * pageSize < product.productRatePlans.length) {
			body.nextPage = `${this.url}/v1/products/${product.id}/product-rate-plans?page=${page + 1}&pageSize=${pageSize}`;
		}
		res.json(200, body);
	}

	findRatePlan(id: string): { product: ZuoraProduct; plan: ZuoraRatePlan } | undefined {
		for (const product of this.catalog) {
			const plan = product.productRatePlans.find((p) => p.id === id);
			if (plan) return { product, plan };
		}
		return undefined;
	}

	// ---------------------------------------------------------------- orders

	private async createOrder(req: SandboxRequest, res: SandboxResponse): Promise<void> {
		const b = (req.body ?? {}) as Json;
		if (!isDate(b.orderDate)) return this.fail(res, 53200022, "'orderDate' is required and must be yyyy-mm-dd");
		const account = typeof b.existingAccountNumber === 'string' ? this.findAccount(b.existingAccountNumber) : undefined;
		if (!account) {
			return this.fail(res, 53200040, `Cannot find account: '${String(b.existingAccountNumber ?? '')}'`);
		}
		const subs = b.subscriptions;
		if (!Array.isArray(subs) || subs.length === 0) return this.fail(res, 53200022, "'subscriptions' is required");

		// Validate everything first: an order is all or nothing.
		type Plan = () => { subscriptionNumber: string; status: string };
		const plans: Plan[] = [];
		const reservedNumbers = new Set<string>();
		for (const [i, raw] of subs.entries()) {
			const sub = raw as Json;
			const actions = sub.orderActions as Json[] | undefined;
			if (!Array.isArray(actions) || actions.length === 0) {
				return this.fail(res, 53200022, `'subscriptions[${i}].orderActions' is required`);
			}
			for (const [j, action] of actions.entries()) {
				const where = `subscriptions[${i}].orderActions[${j}]`;
				const triggerDates = (action.triggerDates ?? []) as Array<{ name?: string; triggerDate?: string }>;
				const dates: Record<string, string> = {};
				for (const t of triggerDates) {
					if (!['ContractEffective', 'ServiceActivation', 'CustomerAcceptance'].includes(String(t.name))) {
						return this.fail(res, 53200020, `Invalid value for field '${where}.triggerDates.name': ${String(t.name)}`);
					}
					if (!isDate(t.triggerDate)) {
						return this.fail(res, 53200020, `Invalid value for field '${where}.triggerDates.triggerDate': ${String(t.triggerDate)}`);
					}
					dates[t.name as string] = t.triggerDate;
				}
				const contractEffective = dates.ContractEffective ?? (b.orderDate as string);
				switch (action.type) {
					case 'CreateSubscription': {
						const plan = this.planCreate(res, account, sub, action, where, contractEffective, dates, reservedNumbers);
						if (!plan) return;
						plans.push(plan);
						break;
					}
					case 'CancelSubscription':
					case 'RemoveProduct':
					case 'AddProduct': {
						const plan = this.planChange(res, account, sub, action, where, contractEffective);
						if (!plan) return;
						plans.push(plan);
						break;
					}
					default:
						return this.fail(res, 53200020, `Invalid value for field '${where}.type': ${String(action.type)} is not supported by the sandbox`);
				}
			}
		}
		await this.pause();
		// Subscription numbers are unique in a tenant: an order that finished meanwhile may have taken one
		// (same category-30 refusal as in planCreate).
		const taken = [...reservedNumbers].find((n) => this.findSubscription(n));
		if (taken) return this.fail(res, 53200030, `A subscription with the number '${taken}' already exists`);
		const results = plans.map((apply) => apply());
		const orderNumber = `O-${String(++this.counters.order).padStart(8, '0')}`;
		for (const r of results) {
			const s = this.findSubscription(r.subscriptionNumber);
			if (s && !s.orderNumber) s.orderNumber = orderNumber;
		}
		const numbers = [...new Set(results.map((r) => r.subscriptionNumber))];
		const pending = results.some((r) => r.status.startsWith('Pending'));
		const answer: Json = { success: true, orderNumber, accountNumber: account.accountNumber, status: pending ? 'Pending' : 'Completed' };
		// Zuora-Version ≥ 223.0 answers subscriptions[] (spec PostOrderResponseType), older ones
		// subscriptionNumbers; never both (fidelity review B6).
		if (minorVersion(req) >= 223) {
			answer.subscriptions = numbers.map((n) => ({ subscriptionNumber: n, status: this.findSubscription(n)?.status ?? 'Active' }));
		} else {
			answer.subscriptionNumbers = numbers;
		}
		res.json(200, answer);
	}

	private planCreate(
		res: SandboxResponse,
		account: ZuoraAccount,
		sub: Json,
		action: Json,
		where: string,
		contractEffective: string,
		dates: Record<string, string>,
		reserved: Set<string>,
	): (() => { subscriptionNumber: string; status: string }) | undefined {
		const create = (action.createSubscription ?? {}) as Json;
		const terms = (create.terms ?? {}) as Json;
		const initial = (terms.initialTerm ?? {}) as Json;
		const termType = initial.termType ?? 'TERMED';
		if (termType !== 'TERMED' && termType !== 'EVERGREEN') {
			this.fail(res, 53200020, `Invalid value for field '${where}.createSubscription.terms.initialTerm.termType': ${String(termType)}`);
			return undefined;
		}
		const periodTypes = ['Month', 'Year', 'Day', 'Week'];
		if (termType === 'TERMED') {
			if (!Number.isInteger(initial.period) || (initial.period as number) < 1) {
				this.fail(res, 53200020, `Invalid value for field '${where}.createSubscription.terms.initialTerm.period': must be a positive whole number for a TERMED subscription`);
				return undefined;
			}
			if (!periodTypes.includes(String(initial.periodType))) {
				this.fail(res, 53200020, `Invalid value for field '${where}.createSubscription.terms.initialTerm.periodType': ${String(initial.periodType)}`);
				return undefined;
			}
		}
		const renewalSetting = String(terms.renewalSetting ?? 'RENEW_WITH_SPECIFIC_TERM');
		if (!['RENEW_WITH_SPECIFIC_TERM', 'RENEW_TO_EVERGREEN'].includes(renewalSetting)) {
			this.fail(res, 53200020, `Invalid value for field '${where}.createSubscription.terms.renewalSetting': ${renewalSetting}`);
			return undefined;
		}
		const renewalTerm = ((terms.renewalTerms as Json[] | undefined) ?? [])[0] as Json | undefined;
		const ratePlans = create.subscribeToRatePlans;
		if (!Array.isArray(ratePlans) || ratePlans.length === 0) {
			this.fail(res, 53200022, `'${where}.createSubscription.subscribeToRatePlans' is required`);
			return undefined;
		}
		const chosen: Array<{ product: ZuoraProduct; plan: ZuoraRatePlan }> = [];
		for (const [k, rp] of (ratePlans as Json[]).entries()) {
			const found = this.findRatePlan(String(rp.productRatePlanId ?? ''));
			if (!found) {
				this.fail(res, 53200040, `Invalid value for field '${where}.createSubscription.subscribeToRatePlans[${k}].productRatePlanId': no product rate plan '${String(rp.productRatePlanId ?? '')}'`);
				return undefined;
			}
			if (found.plan.status !== 'Active') {
				this.fail(res, 53200030, `The product rate plan '${found.plan.name}' is ${found.plan.status} and cannot be subscribed to`);
				return undefined;
			}
			for (const charge of found.plan.productRatePlanCharges) {
				if (!charge.pricing.some((p) => p.currency === account.currency)) {
					this.fail(res, 53200020, `The currency ${account.currency} of account ${account.accountNumber} is not available in product rate plan '${found.plan.name}'`);
					return undefined;
				}
			}
			chosen.push(found);
		}
		// Zuora's Orders API (spec POSTOrderRequestType.subscriptions[].subscriptionNumber; Zuora's
		// reference: "Leave this empty to represent new subscription creation. Specify a subscription
		// number to update an existing subscription"). A CreateSubscription whose subscriptions[] entry
		// names a number points at a subscription that does not exist yet: refused as not found.
		// The new subscription's own number is CreateOrderCreateSubscription.subscriptionNumber.
		if (typeof sub.subscriptionNumber === 'string' && sub.subscriptionNumber) {
			this.fail(
				res,
				53200040,
				`Cannot find subscription '${sub.subscriptionNumber}' (subscriptions[].subscriptionNumber names an existing subscription to change; a new subscription's number goes in orderActions[].createSubscription.subscriptionNumber)`,
			);
			return undefined;
		}
		let subscriptionNumber =
			typeof create.subscriptionNumber === 'string' && create.subscriptionNumber ? create.subscriptionNumber : undefined;
		// A taken number is a refusal under HTTP 200 with category 30, "Rule restriction: the request cannot
		// be processed due to the violation of a Zuora business rule" (the last two digits of the 8-digit
		// code; developer.zuora.com/docs/guides/error-codes, "Error category codes"); 532000 is the resource
		// code the sandbox uses for the order (Zuora: "Resource codes for Billing and Payments REST API").
		if (subscriptionNumber && (this.findSubscription(subscriptionNumber) || reserved.has(subscriptionNumber))) {
			this.fail(res, 53200030, `A subscription with the number '${subscriptionNumber}' already exists`);
			return undefined;
		}
		if (subscriptionNumber) reserved.add(subscriptionNumber);
		return () => {
			subscriptionNumber ??= `A-S${String(++this.counters.subscription).padStart(8, '0')}`;
			const ratePlanCharges = (plan: ZuoraRatePlan) =>
				plan.productRatePlanCharges.map((c) => ({
					id: zuoraId(),
					name: c.name,
					type: c.type,
					model: c.model,
					uom: c.uom,
					price: c.pricing.find((p) => p.currency === account.currency)?.price,
					currency: account.currency,
					billingPeriod: c.billingPeriod,
				}));
			const subscription: ZuoraSubscription = {
				id: zuoraId(),
				subscriptionNumber,
				accountId: account.id,
				accountNumber: account.accountNumber,
				accountName: account.name,
				status:
					this.requireServiceActivation && !dates.ServiceActivation
						? 'Pending Activation'
						: this.requireCustomerAcceptance && !dates.CustomerAcceptance
							? 'Pending Acceptance'
							: 'Active',
				version: 1,
				termType: termType as 'TERMED' | 'EVERGREEN',
				initialTerm: termType === 'TERMED' ? (initial.period as number) : null,
				initialTermPeriodType: termType === 'TERMED' ? String(initial.periodType) : null,
				currentTerm: termType === 'TERMED' ? (initial.period as number) : null,
				renewalTerm: renewalTerm ? Number(renewalTerm.period) : termType === 'TERMED' ? (initial.period as number) : null,
				renewalTermPeriodType: renewalTerm ? String(renewalTerm.periodType) : termType === 'TERMED' ? String(initial.periodType) : null,
				renewalSetting,
				autoRenew: terms.autoRenew === true,
				contractEffectiveDate: contractEffective,
				serviceActivationDate: dates.ServiceActivation ?? contractEffective,
				customerAcceptanceDate: dates.CustomerAcceptance ?? dates.ServiceActivation ?? contractEffective,
				subscriptionStartDate: contractEffective,
				termStartDate: contractEffective,
				termEndDate: termType === 'TERMED' ? addPeriod(contractEffective, initial.period as number, String(initial.periodType)) : null,
				subscriptionEndDate: null,
				cancelledDate: null,
				currency: account.currency,
				contractedMrr: 0,
				totalContractedValue: null,
				ratePlans: chosen.map(({ product, plan }) => ({
					id: zuoraId(),
					productId: product.id,
					productName: product.name,
					productRatePlanId: plan.id,
					ratePlanName: plan.name,
					ratePlanCharges: ratePlanCharges(plan),
				})),
				orderNumber: '',
				crmId: account.crmId,
			};
			this.recomputeMrr(subscription);
			this.subscriptions.push(subscription);
			return { subscriptionNumber, status: subscription.status };
		};
	}

	private recomputeMrr(s: ZuoraSubscription): void {
		let mrr = 0;
		for (const rp of s.ratePlans) {
			if (rp.lastChangeType === 'Remove') continue;
			for (const c of rp.ratePlanCharges as Array<{ type: string; price?: number; billingPeriod?: string }>) {
				if (c.type !== 'Recurring' || c.price === undefined) continue;
				mrr += c.billingPeriod === 'Annual' ? c.price / 12 : c.price;
			}
		}
		s.contractedMrr = Math.round(mrr * 100) / 100;
		if (s.termType === 'TERMED' && s.initialTerm) {
			const months = s.initialTermPeriodType === 'Year' ? s.initialTerm * 12 : s.initialTermPeriodType === 'Month' ? s.initialTerm : 1;
			s.totalContractedValue = Math.round(s.contractedMrr * months * 100) / 100;
		}
	}

	private planChange(
		res: SandboxResponse,
		account: ZuoraAccount,
		sub: Json,
		action: Json,
		where: string,
		effective: string,
	): (() => { subscriptionNumber: string; status: string }) | undefined {
		const number = String(sub.subscriptionNumber ?? '');
		const subscription = this.findSubscription(number);
		// existingAccountNumber is the invoice owner's account (Zuora reference POSTOrderRequestType)
		const invoiceOwner = subscription?.invoiceOwnerAccountNumber ?? subscription?.accountNumber;
		if (!subscription || invoiceOwner !== account.accountNumber) {
			this.fail(res, 53200040, `Cannot find subscription '${number}' of account ${account.accountNumber}`);
			return undefined;
		}
		if (subscription.status === 'Cancelled') {
			this.fail(res, 53200030, `The subscription ${number} has been cancelled and cannot be changed`);
			return undefined;
		}
		if (action.type === 'CancelSubscription') {
			const cancel = (action.cancelSubscription ?? {}) as Json;
			const policy = String(cancel.cancellationPolicy ?? '');
			let date: string;
			if (policy === 'EndOfCurrentTerm') {
				if (subscription.termType === 'EVERGREEN' || !subscription.termEndDate) {
					this.fail(res, 53200030, 'EndOfCurrentTerm cannot be used for an evergreen subscription; use SpecificDate');
					return undefined;
				}
				date = subscription.termEndDate;
			} else if (policy === 'SpecificDate') {
				if (!isDate(cancel.cancellationEffectiveDate)) {
					this.fail(res, 53200022, `'${where}.cancelSubscription.cancellationEffectiveDate' is required when cancellationPolicy is SpecificDate`);
					return undefined;
				}
				date = cancel.cancellationEffectiveDate;
			} else if (policy === 'EndOfLastInvoicePeriod') {
				date = effective;
			} else {
				this.fail(res, 53200020, `Invalid value for field '${where}.cancelSubscription.cancellationPolicy': ${policy}`);
				return undefined;
			}
			return () => {
				subscription.status = 'Cancelled';
				subscription.cancelledDate = today();
				subscription.subscriptionEndDate = date;
				subscription.termEndDate = date;
				subscription.version++;
				return { subscriptionNumber: number, status: 'Cancelled' };
			};
		}
		if (action.type === 'RemoveProduct') {
			const ratePlanId = String(((action.removeProduct ?? {}) as Json).ratePlanId ?? '');
			const target = subscription.ratePlans.find((rp) => rp.id === ratePlanId);
			if (!target) {
				this.fail(res, 53200040, `Invalid value for field '${where}.removeProduct.ratePlanId': the subscription has no rate plan '${ratePlanId}'`);
				return undefined;
			}
			if (target.lastChangeType === 'Remove') {
				this.fail(res, 53200030, `The rate plan '${ratePlanId}' has already been removed from subscription ${number}`);
				return undefined;
			}
			return () => {
				// marked, not deleted: Zuora lists it in later versions with lastChangeType "Remove"
				target.lastChangeType = 'Remove';
				subscription.version++;
				this.recomputeMrr(subscription);
				return { subscriptionNumber: number, status: subscription.status };
			};
		}
		const productRatePlanId = String(((action.addProduct ?? {}) as Json).productRatePlanId ?? '');
		const found = this.findRatePlan(productRatePlanId);
		if (!found || found.plan.status !== 'Active') {
			this.fail(res, 53200040, `Invalid value for field '${where}.addProduct.productRatePlanId': no active product rate plan '${productRatePlanId}'`);
			return undefined;
		}
		if (found.plan.productRatePlanCharges.some((c) => !c.pricing.some((p) => p.currency === account.currency))) {
			this.fail(res, 53200020, `The currency ${account.currency} of account ${account.accountNumber} is not available in product rate plan '${found.plan.name}'`);
			return undefined;
		}
		return () => {
			subscription.ratePlans.push({
				lastChangeType: 'Add',
				id: zuoraId(),
				productId: found.product.id,
				productName: found.product.name,
				productRatePlanId: found.plan.id,
				ratePlanName: found.plan.name,
				ratePlanCharges: found.plan.productRatePlanCharges.map((c) => ({
					id: zuoraId(),
					name: c.name,
					type: c.type,
					model: c.model,
					uom: c.uom,
					price: c.pricing.find((p) => p.currency === account.currency)?.price,
					currency: account.currency,
					billingPeriod: c.billingPeriod,
				})),
			});
			subscription.version++;
			this.recomputeMrr(subscription);
			return { subscriptionNumber: number, status: subscription.status };
		};
	}

	subscriptionView(s: ZuoraSubscription): Json {
		const { crmId: _crmId, ...rest } = s;
		void _crmId;
		return withoutNulls({ success: true, ...rest });
	}

	private getSubscription(req: SandboxRequest, res: SandboxResponse): void {
		const s = this.findSubscription(req.params.key);
		if (!s) return this.fail(res, 50000040, `Cannot find entity by key: '${req.params.key}'.`);
		res.json(200, this.subscriptionView(s));
	}

	private subscriptionsOfAccount(req: SandboxRequest, res: SandboxResponse): void {
		const account = this.findAccount(req.params.key);
		if (!account) return this.fail(res, 50000040, `Cannot find entity by key: '${req.params.key}'.`);
		const list = this.subscriptions.filter((s) => s.accountId === account.id).map((s) => {
			const { success: _s, ...view } = this.subscriptionView(s);
			void _s;
			return view;
		});
		res.json(200, { subscriptions: list, success: true });
	}

	// ----------------------------------------------------------------- usage

	private knownUoms(): Set<string> {
		const uoms = new Set<string>();
		for (const p of this.catalog) for (const rp of p.productRatePlans) for (const c of rp.productRatePlanCharges) if (c.uom) uoms.add(c.uom);
		return uoms;
	}

	private async createUsage(req: SandboxRequest, res: SandboxResponse): Promise<void> {
		const b = (req.body ?? {}) as Json;
		const account =
			typeof b.AccountId === 'string'
				? this.accounts.find((a) => a.id === b.AccountId)
				: typeof b.AccountNumber === 'string'
					? this.findAccount(b.AccountNumber)
					: undefined;
		if (!b.AccountId && !b.AccountNumber) return this.crudFail(res, 'MISSING_REQUIRED_VALUE', 'AccountId or AccountNumber is required');
		if (!account) return this.crudFail(res, 'INVALID_VALUE', `The account ${String(b.AccountId ?? b.AccountNumber)} does not exist`);
		const quantity = Number(b.Quantity);
		if (b.Quantity === undefined || b.Quantity === '' || !Number.isFinite(quantity)) {
			return this.crudFail(res, 'INVALID_VALUE', `Quantity '${String(b.Quantity)}' is not a number`);
		}
		// spec ProxyCreateUsage.StartDateTime / EndDateTime: `format: date-time` (RFC 3339, a UTC
		// offset required) and at most 29 characters (Zuora reference, Usage object). Holds also
		// with the spec referee switched off.
		for (const field of ['StartDateTime', 'EndDateTime'] as const) {
			const value = b[field];
			if (field === 'EndDateTime' && value === undefined) continue;
			if (typeof value !== 'string' || value.length > 29 || !RFC3339_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
				return this.crudFail(res, 'INVALID_VALUE', `${field} '${String(value)}' is not a date-time with a UTC offset (e.g. 2025-01-31T10:00:00+01:00)`);
			}
		}
		if (typeof b.UOM !== 'string' || !this.knownUoms().has(b.UOM)) {
			return this.crudFail(res, 'INVALID_VALUE', `The unit of measure '${String(b.UOM)}' is not defined in this tenant`);
		}
		if (b.SubscriptionNumber !== undefined) {
			const s = this.findSubscription(String(b.SubscriptionNumber));
			if (!s || s.accountId !== account.id) {
				return this.crudFail(res, 'INVALID_VALUE', `The subscription ${String(b.SubscriptionNumber)} does not belong to account ${account.accountNumber}`);
			}
		}
		const record: ZuoraUsage = {
			Id: zuoraId(),
			AccountId: account.id,
			AccountNumber: account.accountNumber,
			Quantity: quantity,
			StartDateTime: b.StartDateTime as string,
			EndDateTime: typeof b.EndDateTime === 'string' ? b.EndDateTime : undefined,
			UOM: b.UOM,
			SubscriptionNumber: b.SubscriptionNumber as string | undefined,
			ChargeNumber: b.ChargeNumber as string | undefined,
			Description: b.Description as string | undefined,
		};
		this.usage.push(record);
		res.json(200, { Success: true, Id: record.Id });
	}

	private getUsage(req: SandboxRequest, res: SandboxResponse): void {
		const record = this.usage.find((u) => u.Id === req.params.id);
		if (!record) return this.crudFail(res, 'INVALID_ID', `invalid id ${req.params.id}`);
		res.json(200, record);
	}

	private async uploadUsage(req: SandboxRequest, res: SandboxResponse): Promise<void> {
		const parts = Array.isArray(req.body) ? (req.body as MultipartPart[]) : [];
		const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
		if (!file) return this.fail(res, 53100022, "The multipart field 'file' with a CSV file is required");
		const fileName = file.filename as string;
		if (fileName.length > 50) return this.fail(res, 53100020, `The file name '${fileName}' is longer than 50 characters`);
		if (!/\.csv$/i.test(fileName)) return this.fail(res, 53100020, `The usage file '${fileName}' must be a .csv file`);
		if (file.data.length > MAX_USAGE_FILE_BYTES) {
			return this.fail(res, 53100070, `The usage file is ${file.data.length} bytes; the limit is 4 MB`);
		}
		const rows = parseCsv(file.data.toString('utf8'));
		const head = (rows.shift() ?? []).map((h) => h.trim().toUpperCase());
		const missing = ['ACCOUNT_ID', 'UOM', 'QTY', 'STARTDATE'].filter((h) => !head.includes(h));
		const id = zuoraId();
		const errors: string[] = [];
		const parsed: Array<Omit<ZuoraUsage, 'Id'>> = [];
		if (missing.length > 0) {
			errors.push(`The header row is missing the column(s) ${missing.join(', ')}; expected ${USAGE_HEADER.join(',')}`);
		} else {
			const col = (row: string[], name: string) => {
				const i = head.indexOf(name);
				return i >= 0 ? (row[i] ?? '').trim() : '';
			};
			const uoms = this.knownUoms();
			rows.forEach((row, i) => {
				const line = i + 2; // line 1 is the header
				const accountNumber = col(row, 'ACCOUNT_ID');
				const account = this.findAccount(accountNumber);
				const problems: string[] = [];
				if (!accountNumber) problems.push('ACCOUNT_ID is empty');
				else if (!account) problems.push(`ACCOUNT_ID '${accountNumber}' does not exist`);
				const uom = col(row, 'UOM');
				if (!uoms.has(uom)) problems.push(`UOM '${uom}' is not defined in this tenant`);
				const qty = col(row, 'QTY');
				if (qty === '' || !Number.isFinite(Number(qty))) problems.push(`QTY '${qty}' is not a number`);
				const start = col(row, 'STARTDATE');
				if (!/^\d{2}\/\d{2}\/\d{4}$/.test(start) || Number.isNaN(Date.parse(start))) {
					problems.push(`STARTDATE '${start}' is not a date in MM/DD/YYYY format`);
				}
				const subNumber = col(row, 'SUBSCRIPTION_ID');
				if (subNumber) {
					const s = this.findSubscription(subNumber);
					if (!s || (account && s.accountId !== account.id)) {
						problems.push(`SUBSCRIPTION_ID '${subNumber}' does not belong to account '${accountNumber}'`);
					}
				}
				if (problems.length > 0) {
					errors.push(`Line ${line}: ${problems.join('; ')}`);
					return;
				}
				const end = col(row, 'ENDDATE');
				parsed.push({
					AccountId: (account as ZuoraAccount).id,
					AccountNumber: accountNumber,
					Quantity: Number(qty),
					StartDateTime: new Date(start).toISOString(),
					EndDateTime: end ? new Date(end).toISOString() : undefined,
					UOM: uom,
					SubscriptionNumber: subNumber || undefined,
					ChargeNumber: col(row, 'CHARGE_ID') || undefined,
					Description: col(row, 'DESCRIPTION') || undefined,
					ImportId: id,
				});
			});
			if (rows.length === 0) errors.push('The file has no usage records');
		}
		this.imports.set(id, {
			id,
			fileName,
			size: file.data.length,
			polls: 0,
			outcome: errors.length > 0 ? 'Failed' : 'Completed',
			message:
				errors.length > 0
					? `Import failed; no records were imported.\n${errors.join('\n')}`
					: `${parsed.length} records imported`,
			totalCount: rows.length,
			importedCount: errors.length > 0 ? 0 : parsed.length,
			rows: parsed,
			applied: false,
			createdDate: new Date().toISOString(),
		});
		res.json(200, { checkImportStatus: `${this.url}/v1/usage/${id}/status`, size: file.data.length, success: true });
	}

	private statusOf(imp: ZuoraImport): string {
		if (imp.polls <= this.importPollsUntilDone - 1) return imp.polls === 0 ? 'Pending' : 'Processing';
		if (imp.outcome === 'Completed' && !imp.applied) {
			imp.applied = true;
			for (const row of imp.rows) this.usage.push({ Id: zuoraId(), ...row });
		}
		return imp.outcome;
	}

	private importStatus(req: SandboxRequest, res: SandboxResponse): void {
		const imp = this.imports.get(req.params.id);
		if (!imp) return this.fail(res, 50000040, `Cannot find entity by key: '${req.params.id}'.`);
		const status = this.statusOf(imp);
		imp.polls++;
		const final = status === 'Completed' || status === 'Failed';
		res.json(200, { importStatus: status, message: final ? imp.message : '', success: true });
	}

	private getImport(req: SandboxRequest, res: SandboxResponse): void {
		const imp = this.imports.get(req.params.id);
		if (!imp) return this.crudFail(res, 'INVALID_ID', `invalid id ${req.params.id}`);
		const done = imp.polls >= this.importPollsUntilDone;
		res.json(200, withoutNulls({
			Id: imp.id,
			Name: imp.fileName,
			ImportType: 'Usage',
			Status: done ? imp.outcome : 'Processing',
			StatusReason: done && imp.outcome === 'Failed' ? imp.message : null,
			TotalCount: imp.totalCount,
			ImportedCount: done ? imp.importedCount : 0,
			OriginalResourceUrl: `${this.url}/v1/files/${imp.id}`,
			CreatedDate: imp.createdDate,
		}));
	}

	// -------------------------------------------------------------- callouts

	/**
	 * The merge fields Zuora fills from an account (and a payment or invoice) when it renders a
	 * callout template: `DataSource.Account.AccountNumber`, `DataSource.Account.Id`, … (Zuora docs
	 * "Insert merge fields into the request body of callout templates",
	 * payloads/zuora/zuora-docs__callout-template-request-body.TEMPLATE.json).
	 */
	mergeFields(account: ZuoraAccount, objects: { payment?: Json; invoice?: Json; subscription?: ZuoraSubscription } = {}): Record<string, unknown> {
		const contact = account.billToContact;
		const fields: Record<string, unknown> = {
			'DataSource.Account.Id': account.id,
			'DataSource.Account.AccountNumber': account.accountNumber,
			'DataSource.Account.Name': account.name,
			'DataSource.Account.CrmId': account.crmId,
			'DataSource.Account.Currency': account.currency,
			'DataSource.Account.AutoPay': account.autoPay,
			'DataSource.BillToContact.FirstName': contact.firstName,
			'DataSource.BillToContact.LastName': contact.lastName,
			'DataSource.BillToContact.WorkEmail': contact.workEmail,
			'Event.Timestamp': new Date().toISOString(),
		};
		const { payment, invoice, subscription } = objects;
		if (payment) {
			for (const [k, v] of Object.entries({ Id: payment.id, PaymentNumber: payment.number, Amount: payment.amount, Status: payment.status, GatewayResponse: payment.gatewayResponse, UpdatedDate: payment.updatedDate })) {
				fields[`DataSource.Payment.${k}`] = v;
			}
		}
		if (invoice) {
			for (const [k, v] of Object.entries({ Id: invoice.id, InvoiceNumber: invoice.invoiceNumber, Amount: invoice.amount, Balance: invoice.balance, Status: invoice.status })) {
				fields[`DataSource.Invoice.${k}`] = v;
			}
		}
		if (subscription) {
			for (const [k, v] of Object.entries({ Id: subscription.id, SubscriptionNumber: subscription.subscriptionNumber, Status: subscription.status })) {
				fields[`DataSource.Subscription.${k}`] = v;
			}
		}
		return fields;
	}

	/**
	 * Renders a callout template body as Zuora does: each `{{Merge.Field}}` becomes the field's
	 * value as text (numbers and booleans too, VENDOR-FACTS §27); an unknown or empty merge field
	 * renders empty. Keys and literal text stay as written.
	 */
	static renderCallout(template: Json, fields: Record<string, unknown>): Record<string, string> {
		const out: Record<string, string> = {};
		for (const [key, value] of Object.entries(template)) {
			out[key] = String(value).replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, name: string) => {
				const v = fields[name];
				return v === undefined || v === null ? '' : String(v);
			});
		}
		return out;
	}

	/**
	 * Sends a callout like Zuora: JSON body, a new `Zuora-Request-Id` per
	 * attempt. Basic auth first goes without credentials and repeats with
	 * them only after `401` + `WWW-Authenticate: Basic` (unless preemptive).
	 */
	async sendCallout(
		url: string,
		payload: Json,
		auth: CalloutAuth,
		extraHeaders: Record<string, string> = {},
	): Promise<CalloutResult> {
		// Zuora renders every merge field as text: callout values are strings, also numbers and
		// booleans ("failureNumber": "1", "autoPay": "true"; payloads/VENDOR-FACTS.md §27).
		const notText = Object.entries(payload).filter(([, v]) => v !== undefined && typeof v !== 'string');
		if (notText.length > 0) {
			throw new Error(`Zuora callout values are strings; not: ${notText.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
		}
		const rawBody = JSON.stringify(payload);
		const attempts: DeliveryResult[] = [];
		const send = async (headers: Record<string, string>) => {
			const result = await this.deliver(url, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'user-agent': 'Zuora-Callout/1.0 (sandbox)',
					'zuora-request-id': randomUUID(),
					...extraHeaders,
					...headers,
				},
				body: rawBody,
			});
			attempts.push(result);
			return result;
		};
		if (auth.type === 'basic') {
			const credentials = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
			if (auth.preemptive) return { attempts, final: await send({ authorization: credentials }) };
			const first = await send({});
			const challenge = String(first.headers['www-authenticate'] ?? '');
			if (first.status !== 401 || !/^Basic\b/i.test(challenge)) return { attempts, final: first };
			return { attempts, final: await send({ authorization: credentials }) };
		}
		if (auth.type === 'hmac') {
			const data = auth.data ? auth.data(rawBody, payload) : rawBody;
			const signature = createHmac(auth.algorithm ?? 'sha256', auth.secret).update(data, 'utf8').digest(auth.encoding ?? 'base64');
			return {
				attempts,
				final: await send({ [(auth.headerName ?? 'x-zuora-signature').toLowerCase()]: `${auth.prefix ?? ''}${signature}` }),
			};
		}
		return { attempts, final: await send({}) };
	}
}

