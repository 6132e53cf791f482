/**
 * More of Paddle's billing API in the sandbox (issue #18): transaction preview and invoice PDF,
 * adjustments (refunds and credits), discounts, subscription update preview and one-time charges
 * (with their preview). Modelled on Paddle's OpenAPI spec (../shared/specs/paddle-billing-openapi.yaml,
 * the paths of the same names; the SpecGuard checks every request and answer against it) and on
 * developer.paddle.com where the spec only describes the rule in prose. Every rule cites its source.
 *
 * Simplifications: no proration arithmetic (a preview bills the full new price), the flat tax
 * rate of the main sandbox, refunds stay `pending_approval` until a test approves them.
 */
import type { SandboxRequest, SandboxResponse } from '../kit';

type Json = Record<string, unknown>;

/** What these routes need from the Paddle sandbox. */
export interface BillingHost {
	now(): Date;
	newId(prefix: string): string;
	transactions: Map<string, Json>;
	subscriptions: Map<string, Json>;
	prices: Map<string, Json>;
	products: Map<string, Json>;
	customers: Map<string, Json>;
	api(method: string, path: string, fn: (req: SandboxRequest, res: SandboxResponse) => unknown): void;
	list(req: SandboxRequest, res: SandboxResponse, items: Json[], maxPerPage: number, defaultPerPage: number): void;
	ok(res: SandboxResponse, status: number, data: unknown): void;
	error(status: number, code: string, detail: string, errors?: Array<{ field: string; message: string }>): Error;
	bodyOf(req: SandboxRequest): Json;
	queryList(req: SandboxRequest, name: string): string[] | undefined;
	/** `details` of a transaction for these prices (line items with ids, totals, tax). */
	lineItems(items: Array<{ price: Json; quantity: number }>, currency: string): { details: Json };
	/** Creates a transaction as POST /transactions does (origin, renewal period). */
	createTransaction(body: Json, origin: string, renewal?: { subscriptionId: string; billingPeriod: Json }): Json;
	bill(transaction: Json): void;
	emit(eventType: string, entity: Json): unknown;
}

const invalid = (host: BillingHost, field: string, message: string) =>
	host.error(400, 'invalid_field', 'Request does not pass validation.', [{ field, message }]);

function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

export class BillingState {
	readonly adjustments = new Map<string, Json>();
	readonly discounts = new Map<string, Json>();
	/** Base of the invoice PDF links GET /transactions/{id}/invoice hands out. */
	invoiceBaseUrl = 'https://paddle-sandbox-invoice-service-pdfs.example.test/invoices';

	clear(): void {
		this.adjustments.clear();
		this.discounts.clear();
	}
}

// ---------------------------------------------------------------- helpers

function resolveCatalogItems(host: BillingHost, raw: unknown, field = 'items'): Array<{ price: Json; quantity: number }> {
	const out: Array<{ price: Json; quantity: number }> = [];
	(Array.isArray(raw) ? raw : []).forEach((item: Json, i) => {
		// Non-catalog prices (`price` objects) are valid for Paddle (spec oneOf); the sandbox only
		// prices catalog items and says so rather than answering wrongly.
		if (typeof item.price_id !== 'string') throw invalid(host, `${field}[${i}].price_id`, 'the sandbox supports catalog prices (price_id) only');
		const price = host.prices.get(item.price_id);
		if (!price || price.status !== 'active') throw invalid(host, `${field}[${i}].price_id`, `price ${item.price_id} not found or not active`);
		const quantity = item.quantity === undefined ? 1 : Number(item.quantity);
		const limits = price.quantity as Json;
		if (!Number.isInteger(quantity) || quantity < Number(limits.minimum) || quantity > Number(limits.maximum)) {
			throw invalid(host, `${field}[${i}].quantity`, `must be an integer between ${String(limits.minimum)} and ${String(limits.maximum)}`);
		}
		out.push({ price, quantity });
	});
	return out;
}

/** Line items as a subscription preview shows them (spec `subscription-preview` examples): keyed by price_id, no id. */
function previewDetails(host: BillingHost, items: Array<{ price: Json; quantity: number }>, currency: string, period: Json | null): Json {
	const { details } = host.lineItems(items, currency);
	const lines = (details.line_items as Json[]).map((line) => {
		const { id: _id, proration: _p, ...rest } = line;
		void _id;
		void _p;
		return { ...rest, proration: period ? { rate: '1', billing_period: period } : null };
	});
	return { tax_rates_used: details.tax_rates_used, totals: details.totals, line_items: lines };
}

function addInterval(date: Date, interval: string, frequency: number): Date {
	const d = new Date(date.getTime());
	if (interval === 'day') d.setUTCDate(d.getUTCDate() + frequency);
	else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7 * frequency);
	else if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + frequency);
	else if (interval === 'year') d.setUTCFullYear(d.getUTCFullYear() + frequency);
	return d;
}

function subscriptionOr404(host: BillingHost, id: string): Json {
	const subscription = host.subscriptions.get(id);
	if (!subscription) throw host.error(404, 'not_found', `Entity ${id} not found`);
	return subscription;
}

/** Paddle refuses changes to canceled and past_due subscriptions (developer.paddle.com/errors/subscriptions/subscription_update_when_canceled, …_when_past_due). */
function assertChangeable(host: BillingHost, subscription: Json): void {
	if (subscription.status === 'canceled') {
		throw host.error(400, 'subscription_update_when_canceled', "cannot update subscription, as the subscription status is 'canceled'");
	}
	if (subscription.status === 'past_due') {
		throw host.error(400, 'subscription_update_when_past_due', "cannot update subscription, as the subscription status is 'past_due'");
	}
}

/**
 * The preview answer (spec `subscription-preview`): the subscription as it would be, plus
 * `immediate_transaction` (null when nothing is billed now), `next_transaction`,
 * `recurring_transaction_details` and `update_summary` (null when nothing is credited or charged).
 */
function subscriptionPreview(host: BillingHost, subscription: Json, items: Array<{ price: Json; quantity: number }>, immediate: Array<{ price: Json; quantity: number }> | null): Json {
	const currency = String(subscription.currency_code);
	const period = subscription.current_billing_period as Json | null;
	const cycle = subscription.billing_cycle as { interval: string; frequency: number };
	const recurring = items.filter((i) => i.price.billing_cycle !== null);
	const nextStart = period ? new Date(String(period.ends_at)) : host.now();
	const nextPeriod = { starts_at: nextStart.toISOString(), ends_at: addInterval(nextStart, cycle.interval, cycle.frequency).toISOString() };
	// management_urls stay (spec `subscription-preview` lists them); transaction_id is not a preview field
	const { transaction_id: _t, last_proration_billing_mode: _l, ...entity } = clone(subscription);
	void _t;
	void _l;
	const immediateDetails = immediate && immediate.length > 0 ? previewDetails(host, immediate, currency, period) : null;
	const charge = immediateDetails ? String((immediateDetails.totals as Json).grand_total) : '0';
	return {
		...entity,
		items: recurring.map(({ price, quantity }) => {
			const existing = (subscription.items as Json[]).find((s) => (s.price as Json).id === price.id);
			const at = host.now().toISOString();
			return existing
				? { ...clone(existing), quantity }
				: {
						status: 'active',
						quantity,
						recurring: true,
						created_at: at,
						updated_at: at,
						previously_billed_at: at,
						next_billed_at: subscription.next_billed_at,
						trial_dates: null,
						price: clone(price),
						product: clone(host.products.get(String(price.product_id)) ?? null),
					};
		}),
		immediate_transaction: immediateDetails ? { billing_period: period, details: immediateDetails, adjustments: [] } : null,
		next_transaction:
			subscription.status === 'active' && subscription.next_billed_at
				? { billing_period: nextPeriod, details: previewDetails(host, recurring, currency, nextPeriod), adjustments: [] }
				: null,
		recurring_transaction_details: previewDetails(host, recurring, currency, nextPeriod),
		update_summary: immediateDetails
			? {
					credit: { amount: '0', currency_code: currency },
					charge: { amount: charge, currency_code: currency },
					result: { action: 'charge', amount: charge, currency_code: currency },
				}
			: null,
	};
}

// ---------------------------------------------------------------- adjustments

/**
 * POST /adjustments (spec `create-adjustment`, developer.paddle.com/build/transactions/create-transaction-adjustments):
 *  - refunds only for `completed` transactions (errors/adjustments/adjustment_transaction_invalid_status_for_refund);
 *  - credits only for manually-collected transactions (errors/adjustments/adjustment_invalid_credit_action) that are
 *    `billed` or `past_due` (errors/adjustments/adjustment_transaction_invalid_status_for_credit);
 *  - `type: full` adjusts the grand total, `partial` needs `items` (spec `adjustment_type`), a partial item needs
 *    `amount` (spec `adjustment_item`.amount), which may not be zero (errors/adjustments/adjustment_amount_cannot_be_zero)
 *    nor exceed what is left on the item (errors/adjustments/adjustment_amount_above_remaining_allowed);
 *  - no further adjustment while a refund is pending (errors/adjustments/adjustment_pending_refund_request);
 *  - live refunds start `pending_approval` (spec description: "Most refunds for live accounts are created with the
 *    status of pending_approval"); credits are approved at once.
 */
function createAdjustment(host: BillingHost, state: BillingState, body: Json): Json {
	const transaction = host.transactions.get(String(body.transaction_id));
	if (!transaction) throw invalid(host, 'transaction_id', `transaction ${String(body.transaction_id)} not found`);
	const action = String(body.action);
	if (!['refund', 'credit'].includes(action)) throw invalid(host, 'action', "must be one of 'refund', 'credit' when creating an adjustment");
	const txnId = String(transaction.id);
	if (action === 'refund' && transaction.status !== 'completed') {
		throw host.error(400, 'adjustment_transaction_invalid_status_for_refund', `The transaction being adjusted (refund) has a non supported status. ID: ${txnId}`);
	}
	if (action === 'credit' && transaction.collection_mode !== 'manual') {
		throw host.error(400, 'adjustment_invalid_credit_action', 'You cannot create a credit adjustment for an automatically-collected transaction.');
	}
	if (action === 'credit' && !['billed', 'past_due'].includes(String(transaction.status))) {
		throw host.error(400, 'adjustment_transaction_invalid_status_for_credit', `The transaction being adjusted (credit) has a non supported status. ID: ${txnId}`);
	}
	const previous = [...state.adjustments.values()].filter((a) => a.transaction_id === txnId);
	if (previous.some((a) => a.action === 'refund' && a.status === 'pending_approval')) {
		throw host.error(400, 'adjustment_pending_refund_request', 'You are unable to create further adjustments against this transaction as there is a pending refund request');
	}
	const details = transaction.details as Json;
	const lines = details.line_items as Json[];
	const adjustedOf = (itemId: string) =>
		previous
			.filter((a) => a.status !== 'rejected')
			.flatMap((a) => a.items as Json[])
			.filter((i) => i.item_id === itemId)
			.reduce((sum, i) => sum + BigInt(String(i.amount)), 0n);
	const type = String(body.type ?? 'partial');
	const wanted: Array<{ line: Json; type: string; amount: bigint }> = [];
	if (type === 'full') {
		if (body.items !== undefined && body.items !== null) throw invalid(host, 'items', 'must not be given for a full adjustment');
		for (const line of lines) wanted.push({ line, type: 'full', amount: BigInt(String((line.totals as Json).total)) - adjustedOf(String(line.id)) });
	} else {
		if (!Array.isArray(body.items) || body.items.length === 0) throw invalid(host, 'items', 'must be provided for a partial adjustment');
		(body.items as Json[]).forEach((item, i) => {
			const line = lines.find((l) => l.id === item.item_id);
			if (!line) throw invalid(host, `items[${i}].item_id`, `transaction item ${String(item.item_id)} is not on transaction ${txnId}`);
			const left = BigInt(String((line.totals as Json).total)) - adjustedOf(String(line.id));
			if (item.type === 'full') {
				wanted.push({ line, type: 'full', amount: left });
				return;
			}
			if (item.type !== 'partial') throw invalid(host, `items[${i}].type`, "must be one of 'full', 'partial' when creating an adjustment");
			if (typeof item.amount !== 'string' || !/^\d+$/.test(item.amount)) throw invalid(host, `items[${i}].amount`, 'is required for a partial item, in the lowest denomination of the currency');
			const amount = BigInt(item.amount);
			if (amount === 0n) throw host.error(400, 'adjustment_amount_cannot_be_zero', 'Adjustment amount cannot be zero');
			wanted.push({ line, type: 'partial', amount });
		});
	}
	for (const w of wanted) {
		const left = BigInt(String((w.line.totals as Json).total)) - adjustedOf(String(w.line.id));
		if (w.amount > left || left <= 0n) {
			throw host.error(400, 'adjustment_amount_above_remaining_allowed', `Adjustment item ${String(w.line.id)} amount is above the remaining amount allowed to be adjusted: ${left.toString()}`);
		}
	}
	const currency = String(transaction.currency_code);
	const rate = Number((lines[0]?.tax_rate as string | undefined) ?? '0');
	const split = (amount: bigint) => {
		// tax_mode internal (default, spec `adjustment_tax_mode`): amounts include tax.
		const tax = rate > 0 ? (amount * BigInt(Math.round(rate * 10_000))) / BigInt(10_000 + Math.round(rate * 10_000)) : 0n;
		return { subtotal: (amount - tax).toString(), tax: tax.toString(), total: amount.toString() };
	};
	const total = wanted.reduce((s, w) => s + w.amount, 0n);
	const at = host.now().toISOString();
	const adjustment: Json = {
		id: host.newId('adj'),
		action,
		type,
		transaction_id: txnId,
		subscription_id: transaction.subscription_id ?? null,
		customer_id: transaction.customer_id,
		reason: body.reason,
		credit_applied_to_balance: action === 'credit' ? false : null,
		currency_code: currency,
		status: action === 'refund' ? 'pending_approval' : 'approved',
		items: wanted.map((w) => ({
			id: host.newId('adjitm'),
			item_id: w.line.id,
			type: w.type,
			amount: w.amount.toString(),
			proration: null,
			totals: split(w.amount),
		})),
		totals: { ...split(total), fee: '0', earnings: '0', currency_code: currency },
		payout_totals: null,
		tax_rates_used: [],
		created_at: at,
		updated_at: at,
	};
	state.adjustments.set(String(adjustment.id), adjustment);
	host.emit('adjustment.created', adjustment);
	return adjustment;
}

// ---------------------------------------------------------------- discounts

/**
 * POST /discounts (spec `create-discount`, schema `discount-create`): `percentage` amounts between 0.01 and 100,
 * `flat`/`flat_per_seat` amounts in the lowest denomination and a required `currency_code`; codes letters and
 * digits, unique and not case-sensitive; without a code and with `enabled_for_checkout` (default true) Paddle
 * generates a random 10-character code; `maximum_recurring_intervals` requires `recur`.
 */
function createDiscount(host: BillingHost, state: BillingState, body: Json): Json {
	const type = String(body.type);
	const amount = String(body.amount);
	if (type === 'percentage') {
		const n = Number(amount);
		if (!/^\d+(\.\d{1,2})?$/.test(amount) || n < 0.01 || n > 100) throw invalid(host, 'amount', 'must be between 0.01 and 100 for a percentage discount');
	} else {
		if (!/^\d+$/.test(amount) || amount === '0') throw invalid(host, 'amount', 'must be a positive whole amount in the lowest denomination of the currency');
		if (typeof body.currency_code !== 'string') throw invalid(host, 'currency_code', `is required where discount type is ${type}`);
	}
	if (body.maximum_recurring_intervals !== undefined && body.maximum_recurring_intervals !== null && body.recur !== true) {
		throw invalid(host, 'maximum_recurring_intervals', 'requires recur');
	}
	const enabled = body.enabled_for_checkout !== false;
	let code = typeof body.code === 'string' ? body.code : null;
	if (code && [...state.discounts.values()].some((d) => String(d.code ?? '').toLowerCase() === code?.toLowerCase())) {
		throw invalid(host, 'code', `discount code ${code} is already in use`);
	}
	if (!code && enabled) code = host.newId('x').slice(2, 12).toUpperCase();
	const at = host.now().toISOString();
	const discount: Json = {
		id: host.newId('dsc'),
		status: 'active',
		description: body.description,
		enabled_for_checkout: enabled,
		code,
		type,
		mode: body.mode ?? 'standard',
		amount,
		currency_code: body.currency_code ?? null,
		recur: body.recur === true,
		maximum_recurring_intervals: body.maximum_recurring_intervals ?? null,
		usage_limit: body.usage_limit ?? null,
		restrict_to: body.restrict_to ?? null,
		expires_at: body.expires_at ?? null,
		custom_data: body.custom_data ?? null,
		times_used: 0,
		discount_group_id: null,
		created_at: at,
		updated_at: at,
		import_meta: null,
	};
	state.discounts.set(String(discount.id), discount);
	return discount;
}

// ---------------------------------------------------------------- one-time charges

/**
 * POST /subscriptions/{id}/charge[/preview] (spec `create-subscription-charge`, `preview-subscription-charge`):
 * "Use to bill non-recurring items to a subscription. Non-recurring items are price entities where the
 * billing_cycle is null"; the answer is the subscription (the charge is not held against it). With
 * `effective_from: immediately` the charge is a transaction of its own (spec: "list transactions and use the
 * subscription_id query parameter"); with `next_billing_period` it joins the next renewal.
 */
function chargeItems(host: BillingHost, subscription: Json, body: Json): Array<{ price: Json; quantity: number }> {
	assertChangeable(host, subscription);
	if (subscription.status !== 'active') {
		throw host.error(400, 'subscription_not_active', 'action requires the subscription to be active');
	}
	const items = resolveCatalogItems(host, body.items);
	items.forEach(({ price }, i) => {
		if (price.billing_cycle !== null) throw invalid(host, `items[${i}].price_id`, 'a one-time charge needs a non-recurring price (billing_cycle null)');
		if ((price.unit_price as Json).currency_code !== subscription.currency_code) throw invalid(host, `items[${i}].price_id`, 'price currency differs from the subscription currency');
	});
	return items;
}

export function registerBillingRoutes(host: BillingHost, state: BillingState): void {
	// POST /transactions/preview: no transaction is created, "so no id is returned" (spec).
	host.api('POST', '/transactions/preview', (req, res) => {
		const body = host.bodyOf(req);
		const items = resolveCatalogItems(host, body.items);
		const currency = String(body.currency_code ?? (items[0]?.price.unit_price as Json | undefined)?.currency_code ?? 'USD');
		items.forEach(({ price }, i) => {
			if ((price.unit_price as Json).currency_code !== currency) throw invalid(host, `items[${i}].price_id`, 'price currency differs from the preview currency (the sandbox does not convert currencies)');
		});
		if (body.customer_id && !host.customers.has(String(body.customer_id))) throw invalid(host, 'customer_id', `customer ${String(body.customer_id)} not found`);
		const { details } = host.lineItems(items, currency);
		const lines = (details.line_items as Json[]).map(({ id: _id, ...line }) => {
			void _id;
			return line;
		});
		host.ok(res, 200, {
			customer_id: body.customer_id ?? null,
			address_id: body.address_id ?? null,
			business_id: body.business_id ?? null,
			currency_code: currency,
			discount_id: body.discount_id ?? null,
			customer_ip_address: body.customer_ip_address ?? null,
			address: body.address ?? null,
			ignore_trials: body.ignore_trials === true,
			items: items.map(({ price, quantity }) => ({ price: clone(price), quantity, include_in_totals: true, proration: null })),
			details: { tax_rates_used: details.tax_rates_used, totals: details.totals, line_items: lines },
			available_payment_methods: ['card'],
		});
	});

	// GET /transactions/{id}/invoice: manual transactions that are billed or completed, automatic ones once
	// completed, never zero-value ones (spec `get-transaction-invoice`); the link expires after an hour. Paddle
	// does not document the error for an unavailable invoice: the shared 400 bad_request here.
	host.api('GET', '/transactions/:id/invoice', (req, res) => {
		const transaction = host.transactions.get(req.params.id);
		if (!transaction) throw host.error(404, 'not_found', `Entity ${req.params.id} not found`);
		// spec: manual "available for transactions that are billed or completed", automatic "available for transactions that are completed"
		const statuses = transaction.collection_mode === 'manual' ? ['billed', 'completed'] : ['completed'];
		const total = String(((transaction.details as Json).totals as Json).grand_total);
		if (!statuses.includes(String(transaction.status)) || total === '0') {
			throw host.error(400, 'bad_request', `Invoice PDF is not available for transaction ${String(transaction.id)} with status ${String(transaction.status)}${total === '0' ? ' and a zero total' : ''}.`);
		}
		res.header('expires', new Date(host.now().getTime() + 3600_000).toUTCString());
		host.ok(res, 200, { url: `${state.invoiceBaseUrl}/${String(transaction.id)}/invoice_${String(transaction.invoice_number ?? 'draft')}.pdf?expires=3600` });
	});

	host.api('POST', '/adjustments', (req, res) => host.ok(res, 201, createAdjustment(host, state, host.bodyOf(req))));
	host.api('GET', '/adjustments', (req, res) => {
		const filters: Array<[string, string]> = [['action', 'action'], ['customer_id', 'customer_id'], ['status', 'status'], ['subscription_id', 'subscription_id'], ['transaction_id', 'transaction_id'], ['id', 'id']];
		const wanted = filters.map(([param, field]) => [field, host.queryList(req, param)] as const);
		const found = [...state.adjustments.values()].filter((a) => wanted.every(([field, values]) => !values || values.includes(String(a[field]))));
		// per_page_adjustment_query: default 10, maximum 50 (spec)
		host.list(req, res, found, 50, 10);
	});

	host.api('POST', '/discounts', (req, res) => host.ok(res, 201, createDiscount(host, state, host.bodyOf(req))));
	host.api('GET', '/discounts', (req, res) => {
		const statuses = host.queryList(req, 'status') ?? ['active'];
		const codes = host.queryList(req, 'code')?.map((c) => c.toLowerCase());
		const ids = host.queryList(req, 'id');
		// mode: "custom" discounts are "Not returned when listing" unless asked for (spec `discount_mode`).
		const mode = req.query.mode === undefined ? 'standard' : String(req.query.mode);
		const found = [...state.discounts.values()].filter(
			(d) =>
				statuses.includes(String(d.status)) &&
				d.mode === mode &&
				(!codes || codes.includes(String(d.code ?? '').toLowerCase())) &&
				(!ids || ids.includes(String(d.id))),
		);
		host.list(req, res, found, 200, 50);
	});
	host.api('GET', '/discounts/:id', (req, res) => {
		const discount = state.discounts.get(req.params.id);
		if (!discount) throw host.error(404, 'not_found', `Entity ${req.params.id} not found`);
		host.ok(res, 200, discount);
	});

	// PATCH /subscriptions/{id}/preview: the same request as PATCH /subscriptions/{id}, nothing applied.
	host.api('PATCH', '/subscriptions/:id/preview', (req, res) => {
		const subscription = subscriptionOr404(host, req.params.id);
		const body = host.bodyOf(req);
		assertChangeable(host, subscription);
		let items = (subscription.items as Json[]).map((i) => ({ price: i.price as Json, quantity: Number(i.quantity) }));
		let immediate: Array<{ price: Json; quantity: number }> | null = null;
		if (body.items !== undefined) {
			// developer.paddle.com/errors/subscriptions/subscription_items_update_missing_proration_billing_mode
			if (body.proration_billing_mode === undefined) {
				throw host.error(400, 'subscription_items_update_missing_proration_billing_mode', 'proration_billing_mode is required when updating subscription items');
			}
			if (subscription.scheduled_change) throw host.error(400, 'subscription_locked_pending_changes', 'cannot update subscription, pending scheduled changes');
			items = resolveCatalogItems(host, body.items);
			items.forEach(({ price }, i) => {
				if (price.billing_cycle === null) throw invalid(host, `items[${i}].price_id`, 'a one-time price cannot be a subscription item');
				if ((price.unit_price as Json).currency_code !== subscription.currency_code) throw invalid(host, `items[${i}].price_id`, 'price currency differs from the subscription currency');
			});
			// Billed now only for the *_immediately modes (spec `proration_billing_mode` descriptions).
			if (String(body.proration_billing_mode).endsWith('_immediately')) immediate = items;
		}
		host.ok(res, 200, subscriptionPreview(host, subscription, items, immediate));
	});

	host.api('POST', '/subscriptions/:id/charge/preview', (req, res) => {
		const subscription = subscriptionOr404(host, req.params.id);
		const body = host.bodyOf(req);
		const charges = chargeItems(host, subscription, body);
		const current = (subscription.items as Json[]).map((i) => ({ price: i.price as Json, quantity: Number(i.quantity) }));
		const now = body.effective_from === 'immediately';
		const preview = subscriptionPreview(host, subscription, current, now ? charges : null);
		if (!now && preview.next_transaction) {
			const next = preview.next_transaction as Json;
			next.details = previewDetails(host, [...current, ...charges], String(subscription.currency_code), next.billing_period as Json);
		}
		host.ok(res, 200, preview);
	});

	host.api('POST', '/subscriptions/:id/charge', (req, res) => {
		const subscription = subscriptionOr404(host, req.params.id);
		const body = host.bodyOf(req);
		const charges = chargeItems(host, subscription, body);
		if (body.effective_from === 'immediately') {
			const transaction = host.createTransaction(
				{
					items: charges.map(({ price, quantity }) => ({ price_id: price.id, quantity })),
					customer_id: subscription.customer_id,
					address_id: subscription.address_id,
					business_id: subscription.business_id,
					currency_code: subscription.currency_code,
					collection_mode: subscription.collection_mode,
					billing_details: subscription.billing_details,
					custom_data: subscription.custom_data,
				},
				'subscription_charge',
				{ subscriptionId: String(subscription.id), billingPeriod: clone(subscription.current_billing_period as Json) },
			);
			host.bill(transaction);
		} else {
			const pending = ((subscription.pending_charges as Json[] | undefined) ?? []).concat(charges.map(({ price, quantity }) => ({ price_id: price.id, quantity })));
			Object.defineProperty(subscription, 'pending_charges', { value: pending, enumerable: false, writable: true, configurable: true });
		}
		subscription.updated_at = host.now().toISOString();
		const { last_proration_billing_mode: _l, ...visible } = subscription;
		void _l;
		host.ok(res, 201, visible);
	});
}
