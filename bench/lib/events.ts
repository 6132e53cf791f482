/**
 * Deals and billing events for the benchmark and the reliability suite.
 *
 * - `seedWonDeals`: Kommo deals with a main contact, plan and billing system, as a manager
 *   leaves them before moving them to "Closed - won".
 * - `makePaymentEvents`: for each lead, a customer (and subscription) in the vendor that carries
 *   the Kommo lead id the way provisioning stores it (Chargebee `cf_kommo_lead_id` + subscription
 *   `meta_data.kommo_lead_id`, Paddle `custom_data.kommo_lead_id`, Zuora account `crmId`), and a
 *   "payment succeeded" event produced by the vendor sandbox itself (Chargebee
 *   `payment_succeeded`, Paddle `transaction.completed`, a Zuora payment callout in the body the
 *   docs recommend). Nothing is delivered here; bench/lib/deliver.ts does that.
 */
import { randomBytes } from 'node:crypto';

import type { Stack } from './stack';
import type { SentEvent, Vendor } from './world';

export const VENDOR_LABEL: Record<Vendor, string> = { chargebee: 'Chargebee', paddle: 'Paddle', zuora: 'Zuora' };

export interface DealSeed {
	plan?: string | null;
	email?: string | null;
	paymentMethod?: 'Invoice' | 'Card';
	country?: string;
}

/** One open deal per call, returned as lead ids. */
export function seedWonDeals(stack: Stack, vendor: Vendor, count: number, seed: DealSeed = {}): number[] {
	const ids: number[] = [];
	const kommo = stack.kommo;
	const hasField = (name: string) => kommo.customFields.some((f) => f.entity_type === 'leads' && f.name === name);
	for (let i = 0; i < count; i++) {
		const n = kommo.leads.size + 1;
		const customFields: Record<string, unknown> = { 'Billing system': VENDOR_LABEL[vendor] };
		if (seed.plan !== null) customFields.Plan = seed.plan ?? 'Pro';
		if (vendor === 'paddle' && hasField('Payment method')) customFields['Payment method'] = seed.paymentMethod ?? 'Invoice';
		if (vendor === 'paddle' && hasField('Country')) customFields.Country = seed.country ?? 'US';
		const email = seed.email === null ? undefined : (seed.email ?? `buyer${n}-${randomBytes(3).toString('hex')}@example.com`);
		const lead = kommo.addLead({
			name: `Bench deal ${n} (${VENDOR_LABEL[vendor]})`,
			price: 3000,
			customFields,
			contacts: [{ first_name: 'Bench', last_name: `Buyer ${n}`, ...(email ? { email } : {}) }],
		});
		ids.push(lead.id);
	}
	return ids;
}

/** Deals the vendor already knows (customer + subscription with the lead id), for event traffic. */
export async function makePaymentEvents(stack: Stack, vendor: Vendor, leadIds: number[]): Promise<SentEvent[]> {
	const latency = stack.latencyMs;
	stack.setLatency(0); // seeding is not what we measure
	try {
		const out: SentEvent[] = [];
		for (const leadId of leadIds) {
			if (vendor === 'chargebee') out.push(await chargebeePayment(stack, leadId));
			else if (vendor === 'paddle') out.push(paddlePayment(stack, leadId));
			else out.push(zuoraPayment(stack, leadId));
		}
		return out;
	} finally {
		stack.setLatency(latency);
	}
}

/** Kommo deals (already provisioned, so with contact and ids) that events point at. */
export function seedProvisionedDeals(stack: Stack, vendor: Vendor, count: number): number[] {
	return seedWonDeals(stack, vendor, count).map((id) => {
		stack.kommo.leads.get(id)!.status_id = 142;
		return id;
	});
}

async function chargebeePayment(stack: Stack, leadId: number): Promise<SentEvent> {
	const cb = stack.chargebee;
	const customerId = `kommo-lead-${leadId}`;
	if (!cb.customers.has(customerId)) {
		cb.addCustomer({ id: customerId, email: `lead${leadId}@example.com`, first_name: 'Bench', last_name: String(leadId), cf_kommo_lead_id: String(leadId) });
	}
	const response = await fetch(`${cb.url}/api/v2/customers/${customerId}/subscription_for_items`, {
		method: 'POST',
		headers: {
			authorization: `Basic ${Buffer.from(`${cb.apiKey}:`).toString('base64')}`,
			'content-type': 'application/x-www-form-urlencoded',
		},
		body: new URLSearchParams({
			'subscription_items[item_price_id][0]': 'pro-USD-monthly',
			meta_data: JSON.stringify({ kommo_lead_id: String(leadId) }),
		}).toString(),
	});
	if (!response.ok) throw new Error(`bench seed: Chargebee subscription for lead ${leadId}: HTTP ${response.status} ${await response.text()}`);
	const { subscription } = (await response.json()) as { subscription: { id: string } };
	const event = await cb.simulatePaymentSucceeded(subscription.id);
	if (event.event_type !== 'payment_succeeded') throw new Error(`bench seed: Chargebee gave ${String(event.event_type)}`);
	return { vendor: 'chargebee', id: String(event.id), leadId, chargebee: event };
}

function paddlePayment(stack: Stack, leadId: number): SentEvent {
	const paddle = stack.paddle;
	const customer = paddle.addCustomer({ email: `lead${leadId}@example.com`, name: `Bench ${leadId}`, custom_data: { kommo_lead_id: String(leadId) } });
	const transaction = paddle.createTransaction({
		customer_id: customer.id,
		items: [{ price_id: paddle.seed.monthlyUsd, quantity: 1 }],
		custom_data: { kommo_lead_id: String(leadId) },
		collection_mode: 'automatic',
	});
	paddle.completeTransaction(String(transaction.id));
	const event = [...paddle.events].reverse().find((e) => e.event_type === 'transaction.completed' && e.data.id === transaction.id);
	if (!event) throw new Error('bench seed: Paddle emitted no transaction.completed');
	return { vendor: 'paddle', id: event.event_id, leadId, paddleBody: paddle.notificationBody(event, paddle.newId('ntf')) };
}

let zuoraPaymentNumber = 0;
function zuoraPayment(stack: Stack, leadId: number): SentEvent {
	const account = stack.zuora.seedAccount({
		name: `Bench ${leadId}`,
		crmId: String(leadId),
		currency: 'USD',
		billToContact: { firstName: 'Bench', lastName: String(leadId), workEmail: `lead${leadId}@example.com` } as never,
	});
	const paymentId = `8ad0${randomBytes(14).toString('hex')}`;
	const payload = {
		eventType: 'PaymentProcessed',
		eventTimestamp: new Date().toISOString(),
		objectId: paymentId,
		accountNumber: account.accountNumber,
		crmId: String(leadId),
		paymentNumber: `P-${String(++zuoraPaymentNumber).padStart(8, '0')}`,
		amount: '30.00',
		currency: 'USD',
		email: `lead${leadId}@example.com`,
		status: 'Processed',
	};
	return { vendor: 'zuora', id: `${paymentId}:PaymentProcessed:${payload.eventTimestamp}`, leadId, zuora: payload };
}

/**
 * `count` payment events from the vendors in turn (chargebee, paddle, zuora, chargebee, …), each
 * for a fresh provisioned deal: the traffic of the burst and of the sustained run.
 */
export async function interleavedPaymentEvents(stack: Stack, count: number, vendors: Vendor[]): Promise<SentEvent[]> {
	const perVendor = new Map<Vendor, number>();
	for (let i = 0; i < count; i++) perVendor.set(vendors[i % vendors.length], (perVendor.get(vendors[i % vendors.length]) ?? 0) + 1);
	const byVendor = new Map<Vendor, SentEvent[]>();
	for (const [vendor, n] of perVendor) byVendor.set(vendor, await makePaymentEvents(stack, vendor, seedProvisionedDeals(stack, vendor, n)));
	const out: SentEvent[] = [];
	for (let i = 0; i < count; i++) out.push(byVendor.get(vendors[i % vendors.length])!.shift()!);
	return out;
}
