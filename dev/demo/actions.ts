// What happens outside n8n in the story: a manager wins a deal in Kommo, and the billing
// systems do what they do on their own (charge, decline, cancel, call out). Each action only
// touches a sandbox; the sandbox then talks to n8n like the real service would.
import { randomBytes } from 'node:crypto';

import type { CalloutAuth } from '../sandbox/zuora';
import { WON_STATUS_ID, type Lead } from '../sandbox/kommo';
import { chargebeeCustomers, chargebeeSubscriptions, paddleSubscriptions, paddleTransactions, zuoraAccounts, zuoraSubscriptions } from './observe';
import { nodesOfType, triggerPath, ZUORA_CALLOUT, type DemoStack, type Vendor } from './stack';

type Json = Record<string, unknown>;

export class DemoError extends Error {}

/** The deal's "Billing system" as a vendor key, if set. */
export function vendorOf(stack: DemoStack, lead: Lead): Vendor | undefined {
	const value = String(stack.kommo.leadFieldMap(lead.id)['Billing system'] ?? '').toLowerCase();
	return value === 'chargebee' || value === 'paddle' || value === 'zuora' ? value : undefined;
}

/** A manager drags the deal to "Closed - won": Kommo sends status_lead to every registered webhook. */
export async function winDeal(stack: DemoStack, lead: Lead): Promise<string> {
	const deliveries = await stack.kommo.moveLead(lead.id, WON_STATUS_ID);
	const answered = deliveries.filter((d) => d.status >= 200 && d.status < 300).length;
	return `Kommo sent the Won webhook to ${deliveries.length} registered endpoint(s), ${answered} answered 2xx`;
}

/** Kommo delivers the same Won webhook again (it retries when an answer was slow or lost). */
export async function redeliverWon(stack: DemoStack, lead: Lead): Promise<string> {
	const deliveries = await stack.kommo.fire('status_lead', [lead.id]);
	return `Kommo re-sent status_lead for deal ${lead.id} to ${deliveries.length} endpoint(s)`;
}

function one<T>(list: T[], what: string): T {
	const found = list[list.length - 1];
	if (!found) throw new DemoError(`${what} not found (was the deal won and provisioned?)`);
	return found;
}

// ------------------------------------------------------------------ Chargebee

export function chargebeeSubscriptionId(stack: DemoStack, lead: Lead): string {
	return String(one(chargebeeSubscriptions(stack, lead.id), `Chargebee subscription of deal ${lead.id}`).id);
}

/** The open Chargebee checkout page made for a card deal (Won → Chargebee, card path), if any. */
function openCheckout(stack: DemoStack, lead: Lead): Json | undefined {
	const customerIds = new Set(chargebeeCustomers(stack, lead.id).map((c) => String(c.id)));
	return [...stack.chargebee.hostedPages.values()].find((p) => p.state === 'created' && customerIds.has(String((p._request?.customer as Json | undefined)?.id)));
}

export async function chargebeePay(stack: DemoStack, lead: Lead): Promise<string> {
	const page = chargebeeSubscriptions(stack, lead.id).length === 0 ? openCheckout(stack, lead) : undefined;
	if (page) {
		await stack.chargebee.simulateCheckoutCompleted(String(page.id));
		return `the customer paid on Chargebee's checkout page ${String(page.id)}: Chargebee saved the card, created the subscription and sent subscription_created and payment_succeeded`;
	}
	const id = chargebeeSubscriptionId(stack, lead);
	const event = await stack.chargebee.simulatePaymentSucceeded(id);
	return `Chargebee charged the card for subscription ${id} and sent ${String(event.event_type)}`;
}

export async function chargebeeFailRenewal(stack: DemoStack, lead: Lead): Promise<string> {
	const id = chargebeeSubscriptionId(stack, lead);
	await stack.chargebee.simulateRenewal(id, 'fail');
	return `Chargebee renewed subscription ${id}; the card was declined (subscription_renewed, invoice_generated, payment_failed)`;
}

export async function chargebeeFail(stack: DemoStack, lead: Lead): Promise<string> {
	const id = chargebeeSubscriptionId(stack, lead);
	await stack.chargebee.simulatePaymentFailed(id);
	return `Chargebee tried to charge subscription ${id}; the card was declined (payment_failed)`;
}

export async function chargebeeCancel(stack: DemoStack, lead: Lead, reason = 'Not Paid'): Promise<string> {
	const id = chargebeeSubscriptionId(stack, lead);
	await stack.chargebee.simulateCancellation(id, reason);
	return `Chargebee cancelled subscription ${id} (reason "${reason}") and sent subscription_cancelled`;
}

// ------------------------------------------------------------------ Paddle

const OPEN = new Set(['draft', 'ready', 'billed', 'past_due']);

function paddleOpenTransaction(stack: DemoStack, lead: Lead): Json | undefined {
	return paddleTransactions(stack, lead.id).filter((t) => OPEN.has(String(t.status))).pop();
}

export async function paddlePay(stack: DemoStack, lead: Lead): Promise<string> {
	let transaction = paddleOpenTransaction(stack, lead);
	if (!transaction) {
		const subscription = one(paddleSubscriptions(stack, lead.id), `Paddle subscription of deal ${lead.id}`);
		transaction = stack.paddle.renewSubscription(String(subscription.id));
		if (transaction.status === 'completed') {
			await stack.paddle.settle();
			return `Paddle renewed subscription ${String(subscription.id)} and charged it (transaction ${String(transaction.id)})`;
		}
	}
	stack.paddle.completeTransaction(String(transaction.id));
	await stack.paddle.settle();
	return `the customer paid Paddle transaction ${String(transaction.id)} (transaction.paid, transaction.completed)`;
}

export async function paddleFail(stack: DemoStack, lead: Lead): Promise<string> {
	let transaction = paddleOpenTransaction(stack, lead);
	if (!transaction) {
		const subscription = one(paddleSubscriptions(stack, lead.id), `Paddle subscription of deal ${lead.id}`);
		stack.paddle.autoDeliver = false;
		try {
			transaction = stack.paddle.renewSubscription(String(subscription.id));
		} finally {
			stack.paddle.autoDeliver = true;
		}
	}
	stack.paddle.failPayment(String(transaction.id));
	await stack.paddle.settle();
	return `a payment attempt on Paddle transaction ${String(transaction.id)} was declined (transaction.payment_failed)`;
}

export async function paddleCancel(stack: DemoStack, lead: Lead): Promise<string> {
	const subscription = one(paddleSubscriptions(stack, lead.id), `Paddle subscription of deal ${lead.id}`);
	stack.paddle.cancelSubscription(String(subscription.id), { effective_from: 'immediately' });
	await stack.paddle.settle();
	return `Paddle cancelled subscription ${String(subscription.id)} (subscription.canceled)`;
}

// ------------------------------------------------------------------ Zuora

export interface CalloutOutcome {
	summary: string;
	status: number;
}

/** The Zuora Trigger of zuora-callouts-to-kommo.json (URL and how it wants to be authenticated). */
function zuoraReceiver(stack: DemoStack): { url: string; auth: CalloutAuth; filter: string[] } {
	const workflow = stack.workflow('zuora-callouts-to-kommo');
	const node = workflow ? nodesOfType(workflow.json, 'zuoraTrigger')[0] : undefined;
	const webhookPath = node ? triggerPath(node) : undefined;
	if (!node || !webhookPath) throw new DemoError('workflows/zuora-callouts-to-kommo.json has no Zuora Trigger');
	const p = (node.parameters ?? {}) as Record<string, string | undefined>;
	const url = new URL(stack.n8n.webhookUrl(webhookPath));
	let auth: CalloutAuth = { type: 'basic', user: ZUORA_CALLOUT.user, password: ZUORA_CALLOUT.password };
	if (p.authentication === 'hmac') {
		auth = {
			type: 'hmac',
			secret: ZUORA_CALLOUT.hmacSecret,
			headerName: p.hmacHeader || 'X-Zuora-Signature',
			algorithm: (p.hmacAlgorithm as 'sha1' | 'sha256' | 'sha512') || 'sha256',
			encoding: (p.hmacEncoding as 'hex' | 'base64') || 'base64',
			prefix: p.hmacPrefix || '',
		};
	} else if (p.authentication === 'urlSecret') {
		url.searchParams.set(p.queryParameter || 'secret', ZUORA_CALLOUT.urlSecret);
		auth = { type: 'none' };
	}
	const filter = String(p.eventFilter ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
	return { url: url.toString(), auth, filter };
}

/** An event name the trigger accepts: the preferred one, or the first allowed one matching the pattern. */
function zuoraEventName(filter: string[], preferred: string, pattern: RegExp, not?: RegExp): string {
	if (filter.length === 0 || filter.some((f) => f.toLowerCase() === preferred.toLowerCase())) return preferred;
	return filter.find((f) => pattern.test(f) && !(not && not.test(f))) ?? preferred;
}

export async function zuoraCallout(stack: DemoStack, lead: Lead, kind: 'payment' | 'declined' | 'cancelled'): Promise<CalloutOutcome> {
	const account = one(zuoraAccounts(stack, lead.id), `Zuora account of deal ${lead.id}`);
	const subscription = zuoraSubscriptions(stack, lead.id).pop();
	const charge = subscription?.ratePlans[0]?.ratePlanCharges[0];
	const amount = (charge?.price ?? 0).toFixed(2);
	const { url, auth, filter } = zuoraReceiver(stack);
	const eventType =
		kind === 'payment'
			? zuoraEventName(filter, 'PaymentProcessed', /pay/i, /(declin|fail|error|reject)/i)
			: kind === 'declined'
				? zuoraEventName(filter, 'PaymentDeclined', /(declin|fail)/i)
				: zuoraEventName(filter, 'SubscriptionCancelled', /cancel/i);
	if (kind === 'cancelled' && subscription) {
		subscription.status = 'Cancelled';
		subscription.cancelledDate = new Date().toISOString().slice(0, 10);
	}
	const payload: Json = {
		eventType,
		eventTimestamp: new Date().toISOString(),
		objectId: randomBytes(16).toString('hex'),
		accountNumber: account.accountNumber,
		crmId: account.crmId,
		subscriptionNumber: subscription?.subscriptionNumber,
		email: account.billToContact.workEmail,
		...(kind === 'cancelled'
			? { reason: 'Customer asked to cancel' }
			: {
					paymentNumber: `P-${String(Date.now()).slice(-8)}`,
					amount,
					currency: subscription?.currency ?? account.currency,
					...(kind === 'declined' ? { reason: 'Insufficient funds' } : {}),
				}),
	};
	const result = await stack.zuora.sendCallout(url, payload, auth);
	return {
		summary: `Zuora sent a ${eventType} callout for account ${account.accountNumber} (answer ${result.final.status}${result.attempts.length > 1 ? ` after ${result.attempts.map((a) => a.status).join(' → ')}` : ''})`,
		status: result.final.status,
	};
}

// ------------------------------------------------------------------ by vendor

export async function pay(stack: DemoStack, lead: Lead): Promise<string> {
	const vendor = vendorOf(stack, lead);
	if (vendor === 'chargebee') return await chargebeePay(stack, lead);
	if (vendor === 'paddle') return await paddlePay(stack, lead);
	if (vendor === 'zuora') return (await zuoraCallout(stack, lead, 'payment')).summary;
	throw new DemoError(`deal ${lead.id} has no Billing system`);
}

export async function fail(stack: DemoStack, lead: Lead): Promise<string> {
	const vendor = vendorOf(stack, lead);
	if (vendor === 'chargebee') return await chargebeeFail(stack, lead);
	if (vendor === 'paddle') return await paddleFail(stack, lead);
	if (vendor === 'zuora') return (await zuoraCallout(stack, lead, 'declined')).summary;
	throw new DemoError(`deal ${lead.id} has no Billing system`);
}

export async function cancel(stack: DemoStack, lead: Lead): Promise<string> {
	const vendor = vendorOf(stack, lead);
	if (vendor === 'chargebee') return await chargebeeCancel(stack, lead, 'Customer asked to cancel');
	if (vendor === 'paddle') return await paddleCancel(stack, lead);
	if (vendor === 'zuora') return (await zuoraCallout(stack, lead, 'cancelled')).summary;
	throw new DemoError(`deal ${lead.id} has no Billing system`);
}
