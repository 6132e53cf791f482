/**
 * Zuora callouts (Zuora's webhooks): turning the merchant-defined JSON body
 * into the cross-vendor `normalized` event (who sent them: verify.ts).
 *
 * Zuora has no fixed event payload: each notification's callout template
 * decides the body (merge fields such as {{DataSource.Account.CrmId}}) and
 * the authentication (Basic, HMAC with a chosen algorithm / key / data /
 * header, or none). Everything here is therefore configurable and nothing
 * depends on particular event names.
 */
import { createHash } from 'crypto';
import type { IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { fromMinor, toMinor, type Money } from '../../shared/money';
import { BILLING_CATEGORIES, type BillingCategory, type NormalizedBillingEvent } from '../../shared/billing-event';

export type CalloutCategory = BillingCategory;
export const CATEGORIES: CalloutCategory[] = [...BILLING_CATEGORIES];

/** Value at a dot path, matching keys case-insensitively (Zuora merge fields vary in case). */
export function getPath(source: unknown, path: string): unknown {
	let current: unknown = source;
	for (const part of path.split('.').filter(Boolean)) {
		if (current === null || typeof current !== 'object') return undefined;
		const record = current as Record<string, unknown>;
		if (part in record) {
			current = record[part];
			continue;
		}
		const key = Object.keys(record).find((k) => k.toLowerCase() === part.toLowerCase());
		current = key === undefined ? undefined : record[key];
	}
	return current;
}

// ------------------------------------------------------------- normalize

export type NormalizedField =
	| 'eventType'
	| 'objectId'
	| 'timestamp'
	| 'crmId'
	| 'customerId'
	| 'subscriptionId'
	| 'invoiceId'
	| 'transactionId'
	| 'invoiceUrl'
	| 'customerEmail'
	| 'amount'
	| 'currency'
	| 'planId'
	| 'previousPlanId'
	| 'status'
	| 'reason'
	| 'updatedDate';

/** Where each value is looked for when the trigger's field mapping leaves it empty (first non-empty wins). */
export const DEFAULT_PATHS: Record<NormalizedField, string[]> = {
	eventType: ['eventType', 'event', 'eventName', 'eventCategory', 'notification', 'Event.Category'],
	objectId: ['objectId', 'paymentId', 'invoiceId', 'subscriptionId', 'creditMemoId', 'refundId', 'id', 'accountId'],
	// The event's time (freshness check, dedupe key). Not an object's createdDate/updatedDate: an
	// account created in 2020 must not make today's callout look stale.
	timestamp: ['eventTimestamp', 'timestamp', 'eventTime', 'occurredAt', 'Event.Timestamp'],
	crmId: ['crmId', 'accountCrmId', 'account.crmId', 'Account.CrmId'],
	customerId: ['accountNumber', 'accountId', 'account.accountNumber', 'account.id'],
	subscriptionId: ['subscriptionNumber', 'subscriptionId', 'subscription.subscriptionNumber'],
	invoiceId: ['invoiceNumber', 'invoiceId', 'invoice.invoiceNumber'],
	transactionId: ['paymentNumber', 'paymentId', 'refundNumber', 'transactionId'],
	invoiceUrl: ['invoiceUrl', 'invoicePdfUrl', 'invoiceLink'],
	customerEmail: ['email', 'workEmail', 'billToEmail', 'billToContact.workEmail', 'personalEmail'],
	amount: ['amount', 'paymentAmount', 'invoiceAmount', 'totalAmount', 'refundAmount'],
	currency: ['currency', 'accountCurrency', 'account.currency'],
	planId: ['productRatePlanId', 'ratePlanId', 'planId', 'ratePlanName'],
	previousPlanId: ['previousProductRatePlanId', 'previousRatePlanId', 'previousPlanId', 'oldRatePlanId'],
	status: ['status', 'paymentStatus', 'subscriptionStatus', 'invoiceStatus'],
	reason: ['reason', 'cancelReason', 'gatewayResponse', 'gatewayResponseCode', 'errorMessage'],
	// The object's last change ({{DataSource.Payment.UpdatedDate}} …): the ordering version.
	updatedDate: ['updatedDate', 'lastUpdatedDate', 'objectUpdatedDate'],
};

function present(value: unknown): boolean {
	return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

/** First non-empty value among the paths. */
export function pick(payload: unknown, paths: string[]): unknown {
	for (const path of paths) {
		const value = getPath(payload, path);
		if (present(value)) return value;
	}
	return undefined;
}

function str(value: unknown): string | null {
	if (!present(value)) return null;
	return typeof value === 'object' ? JSON.stringify(value) : String(value).trim();
}

/** Keyword rules from event name to category; overrides (exact names) win. */
export function categorize(eventType: string | null, overrides: Record<string, CalloutCategory> = {}): CalloutCategory {
	if (!eventType) return 'other';
	const exact = Object.entries(overrides).find(([name]) => name.toLowerCase() === eventType.toLowerCase());
	if (exact) return exact[1];
	const e = eventType.toLowerCase().replace(/[^a-z]/g, '');
	if (/pay/.test(e) && /(declin|fail|error|reject|bounce)/.test(e)) return 'payment_failed';
	if (/(refund|creditmemo|creditbalance|credit)/.test(e)) return 'credit_note';
	if (/payment/.test(e)) return 'payment_succeeded';
	if (/cancel/.test(e)) return 'cancelled';
	if (/(suspend|pause)/.test(e)) return 'paused';
	if (/(resume|reactivat)/.test(e)) return 'resumed';
	if (/renew/.test(e)) return 'renewal';
	if (/(newsubscription|subscriptioncreated|createsubscription)/.test(e)) return 'subscription_created';
	if (/(amend|change|upgrade|downgrade|addproduct|removeproduct|updateproduct|plan)/.test(e)) return 'plan_changed';
	if (/invoice/.test(e)) return 'invoice';
	if (/(account|contact|customer)/.test(e)) return 'customer';
	return 'other';
}

/** ISO 8601 from Zuora's timestamp forms (ISO, "yyyy-mm-dd hh:mm:ss" as UTC, Unix s/ms); null if unreadable. */
export function toIso(value: unknown): string | null {
	if (!present(value)) return null;
	const text = String(value).trim();
	if (/^\d{9,13}$/.test(text)) return new Date(text.length <= 11 ? Number(text) * 1000 : Number(text)).toISOString();
	const plain = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(text);
	const parsed = Date.parse(plain ? `${plain[1]}T${plain[2]}Z` : text);
	return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}

/** Longer amounts are refused before any parsing (security review M1: hostile lengths). */
export const MAX_AMOUNT_CHARS = 40;

function money(amount: unknown, currency: unknown): Money | null {
	if (!present(amount) || typeof currency !== 'string' || !currency.trim()) return null;
	if (String(amount).length > MAX_AMOUNT_CHARS || currency.length > 10) return null;
	try {
		return fromMinor(toMinor(String(amount).trim(), currency.trim()), currency.trim());
	} catch {
		return null;
	}
}

export type NormalizedEvent = NormalizedBillingEvent<'zuora'>;

export interface NormalizeOptions {
	/** Per field: paths to use instead of the defaults. */
	paths?: Partial<Record<NormalizedField, string[]>>;
	categoryOverrides?: Record<string, CalloutCategory>;
	/**
	 * What identifies the callout when object id, event or timestamp are missing: the signed
	 * bytes (HMAC), or the callout's data. Never empty (an empty callout is refused before).
	 */
	hashSource?: string | Buffer;
	/** `Zuora-Notification-Id` (same on every retry of one notification), when it may be trusted. */
	notificationId?: string;
}

/** Dedupe-key parts with `%` and `:` escaped, so `a:b` + `c` never equals `a` + `b:c` (review L4). */
function keyPart(value: string): string {
	return value.replace(/%/g, '%25').replace(/:/g, '%3A');
}

/** Which object the event is about, for the ordering contract (nodes/shared/billing-event.ts). */
function orderingOf(
	ids: { subscriptionId: string | null; invoiceId: string | null; transactionId: string | null; customerId: string | null; objectId: string | null },
	updatedDate: string | null,
	occurredAt: string | null,
): NormalizedEvent['ordering'] {
	const version = updatedDate ?? occurredAt;
	if (!version) return null;
	const [kind, id] = ids.subscriptionId
		? ['subscription', ids.subscriptionId]
		: ids.invoiceId
			? ['invoice', ids.invoiceId]
			: ids.transactionId
				? ['payment', ids.transactionId]
				: ids.customerId
					? ['account', ids.customerId]
					: ['object', ids.objectId];
	if (!id) return null;
	return { object: `zuora:${kind}:${id}`, version, source: updatedDate ? 'updated_date' : 'occurred_at' };
}

/**
 * The cross-vendor event. The dedupe key is what identifies the event, never `Zuora-Request-Id`
 * (it changes on every retry, payloads/VENDOR-FACTS.md §24): object id + event + timestamp; else
 * the `Zuora-Notification-Id` (the same on every retry of one notification); else a hash of what
 * identifies the callout (`hashSource`).
 */
export function normalizeCallout(payload: unknown, options: NormalizeOptions = {}): NormalizedEvent {
	const value = (field: NormalizedField) => {
		const paths = options.paths?.[field]?.length ? (options.paths[field] as string[]) : DEFAULT_PATHS[field];
		return pick(payload, paths);
	};
	const eventType = str(value('eventType'));
	const objectId = str(value('objectId'));
	const timestamp = str(value('timestamp'));
	let eventId: string;
	if (objectId && eventType && timestamp) {
		eventId = [objectId, eventType, timestamp].map(keyPart).join(':');
	} else if (options.notificationId) {
		eventId = `notification:${keyPart(options.notificationId)}`;
	} else {
		const raw = options.hashSource ?? JSON.stringify(payload ?? null);
		eventId = `body-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
	}
	const crmId = str(value('crmId'));
	const leadId = crmId && /^\d{1,15}$/.test(crmId) && Number(crmId) > 0 ? Number(crmId) : null;
	const occurredAt = toIso(timestamp);
	const ids = {
		customerId: str(value('customerId')),
		subscriptionId: str(value('subscriptionId')),
		invoiceId: str(value('invoiceId')),
		transactionId: str(value('transactionId')),
		objectId,
	};
	return {
		vendor: 'zuora',
		eventId,
		eventType,
		category: categorize(eventType, options.categoryOverrides),
		occurredAt,
		dedupeKey: `zuora:${eventId}`,
		customerId: ids.customerId,
		subscriptionId: ids.subscriptionId,
		invoiceId: ids.invoiceId,
		transactionId: ids.transactionId,
		invoiceUrl: str(value('invoiceUrl')),
		customerEmail: str(value('customerEmail')),
		amount: money(value('amount'), str(value('currency'))),
		planId: str(value('planId')),
		previousPlanId: str(value('previousPlanId')),
		status: str(value('status')),
		reason: str(value('reason')),
		kommoLeadId: leadId,
		ordering: orderingOf(ids, toIso(value('updatedDate')), occurredAt),
	};
}

/** Comma/newline separated list → trimmed non-empty entries. */
export function splitList(text: unknown): string[] {
	return String(text ?? '')
		.split(/[,\n]/)
		.map((s) => s.trim())
		.filter(Boolean);
}

/** One callout event and what may be trusted of it (HMAC: only what the signature covers). */
export interface CalloutEvent {
	trusted: IDataObject;
	unverified?: IDataObject;
	hashSource: string | Buffer;
}

export type FieldPaths = Partial<Record<NormalizedField, string[]>>;

/** The trigger's Field Mapping and Event Field as paths per field. */
export function fieldPaths(this: IWebhookFunctions, mappable: NormalizedField[]): FieldPaths {
	const eventField = (this.getNodeParameter('eventField', '') as string).trim();
	const mapping = this.getNodeParameter('fieldMapping', {}) as Record<string, string>;
	const paths: FieldPaths = {};
	for (const field of mappable) if (mapping[field]) paths[field] = splitList(mapping[field]);
	if (eventField) paths.eventType = splitList(eventField);
	return paths;
}

/** The items to emit: each event normalised, those not in Only These Events left out. */
export function toItems(this: IWebhookFunctions, events: CalloutEvent[], paths: FieldPaths, notificationId?: string): INodeExecutionData[] {
	const overrides: Record<string, CalloutCategory> = {};
	const overrideList = (this.getNodeParameter('categoryOverrides', {}) as { override?: Array<{ event: string; category: CalloutCategory }> }).override ?? [];
	for (const o of overrideList) if (o.event) overrides[o.event.trim()] = o.category;
	const filter = splitList(this.getNodeParameter('eventFilter', '')).map((e) => e.toLowerCase());
	const items: INodeExecutionData[] = [];
	for (const event of events) {
		const normalized = normalizeCallout(event.trusted, { paths, categoryOverrides: overrides, hashSource: event.hashSource, notificationId });
		if (filter.length > 0 && !filter.includes(String(normalized.eventType ?? '').toLowerCase())) continue;
		const json: IDataObject = { normalized: normalized as unknown as IDataObject, event: event.trusted };
		if (event.unverified) json.unverified = event.unverified;
		items.push({ json });
	}
	return items;
}
