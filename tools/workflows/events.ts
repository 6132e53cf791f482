/**
 * The shipped billing-event workflows (workflows/chargebee-events-to-kommo.json,
 * paddle-events-to-kommo.json, zuora-callouts-to-kommo.json) and the error workflow
 * (workflows/error-to-kommo-task.json) from one description, so that the three vendor flows
 * stay alike (same node names, texts, failure path, layout). Written by `npm run workflows`.
 *
 * The JSON files are what users import and edit in the n8n editor; this is only how we keep
 * them consistent. Design and semantics: docs/workflows-events.md.
 */
import type { FilterOperatorValue, IDataObject, INodeCredentials, INodeParameters, NodeParameterValue } from 'n8n-workflow';

import { condition, filter, KEY_ORDER, seededUuid, WorkflowBuilder } from './builder';
import type { Condition, Position, WorkflowJson } from './builder';
import { CREDENTIALS, ERROR_WORKFLOW_ID } from './credentials';
import { byId as leadRl, kommo, kommoLeadUpdate, kommoTask, PACKAGE as PKG, reportingSettings } from './nodes';

// ----------------------------------------------------------------- helpers

/** An event workflow: node ids from the workflow id and the node's name; condition and assignment ids counted per workflow. */
class Events extends WorkflowBuilder {
	private conditions = 0;
	private assignments = 0;

	constructor(readonly id: string) {
		super({ keyOrder: KEY_ORDER.events, nodeId: (name) => seededUuid(`${id}/${name}`) });
	}

	/** A condition; a single-value operator has no right value. */
	cond(leftValue: string, operator: FilterOperatorValue, rightValue?: NodeParameterValue): Condition {
		this.conditions += 1;
		return condition(seededUuid(`condition-${this.conditions}`), leftValue, operator, operator.singleValue ? undefined : (rightValue ?? ''));
	}

	assignmentId(): string {
		this.assignments += 1;
		return seededUuid(`assignment-${this.id}-${this.assignments}`);
	}
}

const conditions = (list: Condition[], caseSensitive = true): INodeParameters => filter(list, { caseSensitive });

const ifNode = (b: Events, name: string, position: Position, cond: Condition): string =>
	b.node(name, 'n8n-nodes-base.if', 2.2, position, { conditions: conditions([cond]), looseTypeValidation: true, options: {} });

/** A Set node: [name, value, type (default string)] assignments. */
function setNode(b: Events, name: string, position: Position, fields: Array<[string, string, string?]>, includeOtherFields = false): string {
	return b.node(name, 'n8n-nodes-base.set', 3.4, position, {
		mode: 'manual',
		assignments: {
			assignments: fields.map(([fieldName, value, type]) => ({ id: b.assignmentId(), name: fieldName, value, type: type ?? 'string' })),
		},
		includeOtherFields,
		options: {},
	});
}

const respond = (b: Events, name: string, position: Position, body: IDataObject, code?: number): string =>
	b.node(name, 'n8n-nodes-base.respondToWebhook', 1, position, {
		respondWith: 'json',
		responseBody: JSON.stringify(body),
		options: code ? { responseCode: code } : {},
	});

// A redelivered event (the Claim node says "retry": an earlier attempt may have written already)
// looks for its event id among the deal's notes / open tasks before writing; a first delivery
// costs no extra request.
const RETRY_MARKER = "={{ $('Claim event').item.json.dedupe.status === 'retry' ? $('Claim event').item.json.normalized.eventId : '' }}";

const note = (b: Events, name: string, position: Position, text: string, leadExpr = '={{ $json.leadId }}'): string =>
	kommo(
		b,
		name,
		position,
		{
			resource: 'note',
			operation: 'addToLead',
			leadId: leadRl(leadExpr),
			noteType: 'common',
			text,
			options: { skipIfNoteContains: RETRY_MARKER },
		},
		{ onError: 'continueErrorOutput' },
	);

/** A task on the deal; a redelivery skips it when the deal has it already. */
const task = (b: Events, name: string, position: Position, text: string, dueIn: number, dueUnit: string, leadExpr = '={{ $json.leadId }}'): string =>
	kommo(b, name, position, kommoTask({ leadId: leadExpr, text, dueIn, dueUnit, options: { skipIfTaskContains: RETRY_MARKER } }), { onError: 'continueErrorOutput' });

const setFields = (b: Events, name: string, position: Position, leadExpr: string, fields: Array<[string, string]>): string =>
	kommo(b, name, position, kommoLeadUpdate(leadExpr, fields), { onError: 'continueErrorOutput' });

/** Where the customer-lookup fallback starts and ends, for the wiring after it. */
interface Fallback {
	customerKnown: string;
	leadOnCustomer: string;
	leadOnCustomerFalse?: string;
	hintFallbacks?: Array<[string, number]>;
	fromHint?: string;
}

interface VendorSpec {
	file: string;
	id: string;
	name: string;
	vendorName: string;
	trigger: { name: string; type: string; webhookId: string; parameters: INodeParameters; credentials: INodeCredentials };
	subscriptionStarted?: boolean;
	orderGuard?: boolean;
	/** [price id, Kommo plan] */
	plans: Array<[string, string]>;
	reminderEvent?: string;
	customerLookup?: {
		name: string;
		idLabel: string;
		type: string;
		parameters: INodeParameters;
		credentials: INodeCredentials;
		email: string;
		leadId: string;
		leadLabel: string;
	};
	leadHint?: boolean;
}

// ------------------------------------------------------------- the texts
// Everything a RevOps person may want to reword. `N` is the event's normalised block on the
// item coming out of "Route by event type"; `R` the same from a later node of the branch.
const N = '$json.normalized';
const R = "$('Route by event type').item.json";
const P = "$('Kommo plan for the price').item.json";
const amount = (n: string): string => `{{ ${n}.amount ? ${n}.amount.formatted : 'amount not given' }}`;
const date = (n: string): string => `{{ ${n}.occurredAt ? ${n}.occurredAt.slice(0, 10) : $now.toFormat('yyyy-LL-dd') }}`;
const invoice = (n: string): string => `{{ ${n}.invoiceUrl || (${n}.invoiceId ? 'invoice ' + ${n}.invoiceId : 'no invoice number') }}`;
const source = (n: string, vendorName: string): string => `${vendorName} subscription {{ ${n}.subscriptionId || '—' }} · event {{ ${n}.eventType }} ({{ ${n}.eventId }})`;

function texts(vendorName: string): Record<string, string> {
	// tasks end with the event id, so that a redelivery can recognise its task
	const ref = `\n(${vendorName} event {{ ${R}.normalized.eventId }})`;
	return {
		paymentNote: `=Payment received: ${amount(N)} on ${date(N)}\nInvoice: ${invoice(N)}\n${source(N, vendorName)}`,
		failedNote: `=Payment FAILED: ${amount(N)} on ${date(N)}\nReason: {{ ${N}.reason || 'not given' }}\nInvoice: ${invoice(N)}\n${source(N, vendorName)}`,
		failedTask: `=Payment failed ({{ ${R}.normalized.reason || 'no reason given' }}): ${amount(`${R}.normalized`)}. Contact the customer about their payment method.${ref}`,
		invoiceNote: `=Invoice {{ ${N}.status ? '(' + ${N}.status + ')' : '' }}: ${amount(N)} on ${date(N)}\nInvoice: ${invoice(N)}\n${source(N, vendorName)}`,
		renewalNote: `=Subscription renewed on ${date(N)}: ${amount(N)}\nPlan: {{ ${N}.planId || '—' }}\nInvoice: ${invoice(N)}\n${source(N, vendorName)}`,
		planNote: `=Plan changed on ${date(`${P}.normalized`)}: {{ $json.custom_fields_map?.Plan || ${P}.normalized.previousPlanId || '(previous plan unknown)' }} → {{ ${P}.plans[${P}.normalized.planId] || ${P}.normalized.planId || '—' }}\nPrice: {{ ${P}.normalized.planId || '—' }}{{ ${P}.plans[${P}.normalized.planId] ? '' : ' (no Kommo plan mapped for this price)' }}\n${source(`${P}.normalized`, vendorName)}`,
		planTask: `=Plan changed to {{ ${R}.normalized.planId }}, which has no Kommo plan in the workflow's "Kommo plan for the price" node: set the deal's Plan field by hand and add the price there.${ref}`,
		creditNote: `=Credit note: ${amount(N)} on ${date(N)}\nReason: {{ ${N}.reason || 'not given' }}\nNumber: {{ ${N}.invoiceId || ${N}.transactionId || '—' }}\n${source(N, vendorName)}`,
		cancelledTask: `=Subscription {{ ${R}.normalized.subscriptionId || '' }} was cancelled ({{ ${R}.normalized.reason || 'no reason given' }}). Call the customer to understand why and whether it can be saved.${ref}`,
		reminderTask: `=Renewal coming up for subscription {{ ${R}.normalized.subscriptionId || '—' }}{{ ${R}.normalized.planId ? ' (plan ' + ${R}.normalized.planId + ')' : '' }}: check in with the customer before it renews.${ref}`,
	};
}

// --------------------------------------------------------------- vendors

const VENDORS: Record<'chargebee' | 'paddle' | 'zuora', VendorSpec> = {
	chargebee: {
		file: 'chargebee-events-to-kommo.json',
		id: 'kbCbEvents000001',
		name: 'Chargebee events → Kommo',
		vendorName: 'Chargebee',
		trigger: {
			name: 'Chargebee Billing Trigger',
			type: `${PKG}.chargebeeBillingTrigger`,
			webhookId: 'kommo-billing-chargebee-events',
			parameters: {
				mode: 'automatic',
				events: [
					'payment_succeeded',
					'payment_failed',
					'invoice_generated',
					'subscription_created',
					'subscription_renewed',
					'subscription_changed',
					'subscription_cancelled',
					'subscription_paused',
					'subscription_resumed',
					'credit_note_created',
				],
				responseMode: 'responseNode',
				options: { lookupCustomer: true, refetchEvent: true },
			},
			credentials: CREDENTIALS.chargebee,
		},
		// A card deal's subscription is created by Chargebee when the customer pays on the checkout
		// page (Won → Chargebee, card path): its id and status go onto the deal.
		subscriptionStarted: true,
		// Status writes go through Billing Event Dedupe → Check Order against the deal's
		// "Billing versions" field, so a late event never sets an older status (docs/workflows-events.md).
		orderGuard: true,
		plans: [
			['pro-USD-monthly', 'Pro'],
			['pro-USD-yearly', 'Pro'],
			['enterprise-USD-monthly', 'Enterprise'],
			['basic-JPY-monthly', 'Starter'],
		],
	},
	paddle: {
		file: 'paddle-events-to-kommo.json',
		id: 'kbPdEvents000001',
		name: 'Paddle events → Kommo',
		vendorName: 'Paddle',
		trigger: {
			name: 'Paddle Billing Trigger',
			type: `${PKG}.paddleBillingTrigger`,
			webhookId: 'kommo-billing-paddle-events',
			parameters: {
				mode: 'automatic',
				events: [
					'transaction.completed',
					'transaction.billed',
					'transaction.payment_failed',
					'transaction.past_due',
					'subscription.updated',
					'subscription.canceled',
					'subscription.paused',
					'subscription.resumed',
					'adjustment.created',
				],
				responseMode: 'responseNode',
			},
			credentials: CREDENTIALS.paddle,
		},
		// Paddle price ids are per account: replace these with yours (pri_…).
		plans: [
			['pri_replace_with_your_starter_price', 'Starter'],
			['pri_replace_with_your_pro_price', 'Pro'],
			['pri_replace_with_your_enterprise_price', 'Enterprise'],
		],
		// A notification without the lead id: read the customer (custom_data.kommo_lead_id, email).
		customerLookup: {
			name: 'Get Paddle customer',
			idLabel: 'Customer ID',
			type: `${PKG}.paddleBilling`,
			parameters: { resource: 'customer', operation: 'get', customerId: `={{ ${N}.customerId }}` },
			credentials: CREDENTIALS.paddle,
			email: '$json.email',
			leadId: '$json.custom_data?.kommo_lead_id',
			leadLabel: 'Lead ID on customer?',
		},
		// custom_data.kommo_lead_id on transactions/subscriptions can be set by the payer (Paddle.js):
		// normalize.ts gives it as kommoLeadIdHint, trusted only when the deal's stored billing
		// customer is this event's customer (security review M4).
		leadHint: true,
		// ordering = occurred_at of the event (normalize.ts), per entity: a late subscription.resumed
		// after subscription.canceled is acknowledged as stale (issue 15 item 14)
		orderGuard: true,
	},
	zuora: {
		file: 'zuora-callouts-to-kommo.json',
		id: 'kbZuEvents000001',
		name: 'Zuora callouts → Kommo',
		vendorName: 'Zuora',
		trigger: {
			name: 'Zuora Trigger',
			type: `${PKG}.zuoraTrigger`,
			webhookId: 'kommo-billing-zuora-callouts',
			parameters: { authentication: 'basic', realm: 'Zuora Callout', responseMode: 'responseNode' },
			credentials: CREDENTIALS.zuoraCallout,
		},
		plans: [
			['Pro Monthly', 'Pro'],
			['Pro Annual', 'Pro'],
			['Enterprise Monthly', 'Enterprise'],
		],
		reminderEvent: 'RenewalReminder',
		// A callout carries only what its template put in (issue 15 item 12): without crmId, the
		// authoritative account is read by number (Account → Get): its crmId, else its bill-to email.
		customerLookup: {
			name: 'Get Zuora account',
			idLabel: 'Account number',
			type: `${PKG}.zuora`,
			parameters: { resource: 'account', operation: 'get', accountKey: `={{ ${N}.customerId }}` },
			credentials: CREDENTIALS.zuora,
			email: '($json.billToContact?.workEmail || $json.billToContact?.personalEmail)',
			leadId: '$json.crmId',
			leadLabel: 'Lead ID on account?',
		},
		// ordering = the object's UpdatedDate, else the signed event time (docs/workflows-events.md)
		orderGuard: true,
	},
};

// ------------------------------------------------------ the event workflow

const ROW = 170;
const COL = 260;

function eventWorkflow(vendor: VendorSpec): WorkflowJson {
	const b = new Events(vendor.id);
	const t = texts(vendor.vendorName);
	const y0 = 0;
	let x = 0;
	const trigger = b.node(vendor.trigger.name, vendor.trigger.type, 1, [x, y0], vendor.trigger.parameters, {
		webhookId: vendor.trigger.webhookId,
		credentials: vendor.trigger.credentials,
	});
	// The claim is final only after "Confirm event" (after the Kommo effect): if n8n dies in
	// between, the lease runs out and the vendor's retry is processed again.
	const claim = b.node('Claim event', `${PKG}.billingEventDedupe`, 1, [(x += COL), y0], {
		operation: 'claim',
		key: '={{ $json.normalized.dedupeKey }}',
		finalWhen: 'confirm',
		leaseSeconds: 120,
	});
	b.connect(trigger, claim);
	const duplicate = respond(b, 'Respond: already processed', [x + COL, y0 + 2 * ROW], { received: true, duplicate: true });
	b.connect(claim, duplicate, 1);
	const inProgress = respond(b, 'Respond: in progress', [x + COL, y0 + 3 * ROW], { received: false, inProgress: true, retry: true }, 409);
	b.connect(claim, inProgress, 2);

	const leadKnown = ifNode(b, 'Lead ID known?', [(x += COL), y0], b.cond(`={{ ${N}.kommoLeadId }}`, { type: 'number', operation: 'gt' }, 0));
	b.connect(claim, leadKnown);
	const release = b.node('Release claim', `${PKG}.billingEventDedupe`, 1, [0, 0], {
		operation: 'release',
		key: "={{ $('Claim event').item.json.normalized.dedupeKey }}",
	});
	const failures: Array<[string, number]> = [];

	// Fallback: the deal of the customer's contact, by email.
	let fallbackStart: Fallback | undefined;
	let fy = y0 + ROW;
	let fx = x + COL;
	const noDeal = respond(b, 'Respond: no deal found', [0, 0], { received: true, ignored: 'no Kommo deal found for this customer' });
	if (vendor.customerLookup) {
		const lookup = vendor.customerLookup;
		const customerKnown = ifNode(b, `${lookup.idLabel} known?`, [fx, fy], b.cond(`={{ ${N}.customerId }}`, { type: 'string', operation: 'notEmpty', singleValue: true }));
		const getCustomer = b.node(lookup.name, lookup.type, 1, [(fx += COL), fy], lookup.parameters, { credentials: lookup.credentials, onError: 'continueErrorOutput' });
		failures.push([getCustomer, 1]);
		const details = setNode(b, 'Add customer details', [(fx += COL), fy], [
			[
				'normalized',
				`={{ Object.assign({}, $('Claim event').item.json.normalized, { customerEmail: ${lookup.email} || $('Claim event').item.json.normalized.customerEmail || null, kommoLeadId: /^\\d{1,15}$/.test(String(${lookup.leadId} ?? '')) && Number(${lookup.leadId}) > 0 ? Number(${lookup.leadId}) : null }) }}`,
				'object',
			],
		]);
		const leadOnCustomer = ifNode(b, lookup.leadLabel, [(fx += COL), fy], b.cond(`={{ ${N}.kommoLeadId }}`, { type: 'number', operation: 'gt' }, 0));
		b.connect(leadKnown, customerKnown, 1);
		b.connect(customerKnown, getCustomer);
		b.connect(getCustomer, details);
		b.connect(details, leadOnCustomer);
		fallbackStart = { customerKnown, leadOnCustomer };
		if (vendor.leadHint) {
			let hx = fx - COL;
			const hy = fy + 4 * ROW;
			const D = "$('Add customer details').item.json.normalized";
			const hinted = ifNode(b, 'Lead ID hint?', [hx, hy], b.cond(`={{ ${N}.kommoLeadIdHint }}`, { type: 'number', operation: 'gt' }, 0));
			const getHinted = kommo(
				b,
				'Get hinted deal',
				[(hx += COL), hy],
				{ resource: 'lead', operation: 'get', leadId: leadRl(`={{ ${N}.kommoLeadIdHint }}`), includeContacts: false },
				{ onError: 'continueErrorOutput' },
			);
			const owned = b.node('Deal is this customer\'s?', 'n8n-nodes-base.if', 2.2, [(hx += COL), hy], {
				conditions: conditions([
					b.cond(`={{ ${D}.customerId }}`, { type: 'string', operation: 'notEmpty', singleValue: true }),
					b.cond("={{ $json.custom_fields_map?.['Billing customer ID'] }}", { type: 'string', operation: 'equals' }, `={{ ${D}.customerId }}`),
				]),
				looseTypeValidation: true,
				options: {},
			});
			const fromHint = setNode(b, 'Deal from lead hint', [(hx += COL), hy], [
				['leadId', '={{ $json.id }}', 'number'],
				['normalized', `={{ ${D} }}`, 'object'],
			]);
			// A hinted deal that does not exist is ignored; any other Kommo failure fails the run (503, retry).
			const missing = ifNode(b, 'Hinted deal missing?', [hx - COL, hy + ROW], b.cond('={{ $json.error }}', { type: 'string', operation: 'contains' }, 'was not found'));
			b.connect(hinted, getHinted);
			b.connect(getHinted, owned);
			b.connect(getHinted, missing, 1);
			b.connect(owned, fromHint);
			failures.push([missing, 1]);
			fallbackStart.leadOnCustomerFalse = hinted;
			fallbackStart.hintFallbacks = [[hinted, 1], [missing, 0], [owned, 1]];
			fallbackStart.fromHint = fromHint;
		}
	}
	const emailKnown = ifNode(b, 'Email known?', [(fx += COL), fy], b.cond(`={{ ${N}.customerEmail }}`, { type: 'string', operation: 'notEmpty', singleValue: true }));
	const find = kommo(
		b,
		'Find deal by email',
		[(fx += COL), fy],
		{
			resource: 'lead',
			operation: 'find',
			findBy: 'contactEmail',
			email: `={{ ${N}.customerEmail }}`,
			limit: 1,
			includeContacts: false,
			options: { emptyItemIfNone: true, preferField: 'Billing customer ID', preferValue: `={{ ${N}.customerId }}` },
		},
		{ onError: 'continueErrorOutput' },
	);
	failures.push([find, 1]);
	const found = ifNode(b, 'Deal found?', [(fx += COL), fy], b.cond('={{ $json.id }}', { type: 'number', operation: 'gt' }, 0));
	const fromEmail = setNode(b, 'Deal from email', [(fx += COL), fy], [
		['leadId', '={{ $json.id }}', 'number'],
		['normalized', "={{ $('Claim event').item.json.normalized }}", 'object'],
	]);
	b.connect(emailKnown, find);
	b.connect(find, found);
	b.connect(found, fromEmail);
	b.connect(found, noDeal, 1);
	b.connect(emailKnown, noDeal, 1);
	if (fallbackStart) {
		b.connect(fallbackStart.customerKnown, emailKnown, 1);
		if (fallbackStart.leadOnCustomerFalse) {
			b.connect(fallbackStart.leadOnCustomer, fallbackStart.leadOnCustomerFalse, 1);
			// A hint that is absent, unreadable or names another customer's deal is ignored.
			for (const [node, output] of fallbackStart.hintFallbacks ?? []) b.connect(node, emailKnown, output);
		} else {
			b.connect(fallbackStart.leadOnCustomer, emailKnown, 1);
		}
	} else {
		b.connect(leadKnown, emailKnown, 1);
	}
	b.place(noDeal, [fx, fy + ROW]);

	const switchX = fx + COL;
	const fromLead = setNode(b, 'Deal from lead ID', [switchX - COL, y0 - ROW], [
		['leadId', `={{ ${N}.kommoLeadId }}`, 'number'],
		['normalized', `={{ ${N} }}`, 'object'],
	]);
	b.connect(leadKnown, fromLead);
	if (fallbackStart) b.connect(fallbackStart.leadOnCustomer, fromLead);

	// The switch: one output per kind of event.
	const rules: Array<{ key: string; cond: Condition }> = [];
	const rule = (key: string, cond: Condition) => rules.push({ key, cond });
	const category = (value: string) => b.cond(`={{ ${N}.category }}`, { type: 'string', operation: 'equals' }, value);
	if (vendor.reminderEvent) {
		rule('Renewal reminder', b.cond(`={{ ${N}.eventType }}`, { type: 'string', operation: 'equals' }, vendor.reminderEvent));
	}
	rule('Payment received', category('payment_succeeded'));
	rule('Payment failed', category('payment_failed'));
	rule('Invoice', category('invoice'));
	rule('Renewal', category('renewal'));
	rule('Plan changed', category('plan_changed'));
	rule('Credit note', category('credit_note'));
	rule('Cancelled', category('cancelled'));
	rule('Paused', category('paused'));
	rule('Resumed', category('resumed'));
	if (vendor.subscriptionStarted) rule('Subscription started', category('subscription_created'));
	const switchY = y0 + ((rules.length - 1) * ROW) / 2 - ROW;
	const route = b.node('Route by event type', 'n8n-nodes-base.switch', 3.2, [switchX, switchY], {
		rules: {
			values: rules.map((r) => ({
				conditions: conditions([r.cond], r.key !== 'Renewal reminder'),
				renameOutput: true,
				outputKey: r.key,
			})),
		},
		options: { fallbackOutput: 'extra', renameFallbackOutput: 'Other' },
	});
	b.connect(fromLead, route);
	b.connect(fromEmail, route);
	if (fallbackStart?.fromHint) b.connect(fallbackStart.fromHint, route);

	const ex = switchX + COL;
	const confirm = b.node('Confirm event', `${PKG}.billingEventDedupe`, 1, [ex + 5 * COL, switchY], {
		operation: 'confirm',
		key: "={{ $('Claim event').item.json.normalized.dedupeKey }}",
	});
	const done = respond(b, 'Respond: done', [ex + 6 * COL, switchY], { received: true, processed: true });
	b.connect(confirm, done);
	const rowY = (i: number) => y0 - ROW + i * ROW * 1.0 - ROW;
	const branch: Record<string, { output: number; y: number }> = {};
	rules.forEach((r, i) => {
		branch[r.key] = { output: i, y: rowY(i) };
	});
	const ended = (node: string, output = 0) => b.connect(node, confirm, output);
	const failed = (node: string) => failures.push([node, 1]);

	const first = (key: string, node: string) => b.connect(route, node, branch[key].output);

	// A status write that a late event must not undo: Get deal → Check order → Current: write the
	// status and the versions; Stale: confirm and answer "stale" (nothing written).
	let staleConfirm: string | undefined;
	const statusWrite = (key: string, label: string, fields: Array<[string, string]>): string => {
		const y = branch[key].y;
		if (!vendor.orderGuard) {
			const n = setFields(b, `Status: ${label}`, [ex, y], '={{ $json.leadId }}', fields);
			first(key, n);
			failed(n);
			return n;
		}
		if (!staleConfirm) {
			staleConfirm = b.node('Confirm stale event', `${PKG}.billingEventDedupe`, 1, [ex + 5 * COL, rowY(rules.length) + ROW], {
				operation: 'confirm',
				key: "={{ $('Claim event').item.json.normalized.dedupeKey }}",
			});
			b.connect(staleConfirm, respond(b, 'Respond: stale, not applied', [ex + 6 * COL, rowY(rules.length) + ROW], { received: true, stale: true }));
		}
		const get = kommo(b, `Get deal (${label})`, [ex - COL / 2, y + ROW / 3], { resource: 'lead', operation: 'get', leadId: leadRl('={{ $json.leadId }}'), includeContacts: false }, { onError: 'continueErrorOutput' });
		const check = b.node(`Check order (${label})`, `${PKG}.billingEventDedupe`, 1, [ex, y + ROW / 3], {
			operation: 'checkOrder',
			ordering: `={{ ${R}.normalized.ordering }}`,
			appliedVersions: "={{ $json.custom_fields_map?.['Billing versions'] ?? '' }}",
		});
		const n = setFields(b, `Status: ${label}`, [ex + COL / 2, y], `={{ ${R}.leadId }}`, [...fields, ['Billing versions', '={{ $json.order.appliedVersions }}']]);
		first(key, get);
		b.connect(get, check);
		b.connect(check, n);
		b.connect(check, staleConfirm, 1);
		failed(get);
		failed(n);
		return n;
	};
	let n1: string;
	let n2: string;
	let n3: string;
	if (vendor.reminderEvent) {
		n1 = task(b, 'Task: renewal reminder', [ex, branch['Renewal reminder'].y], t.reminderTask.replaceAll(R, '$json'), 3, 'days');
		first('Renewal reminder', n1);
		ended(n1);
		failed(n1);
	}
	n1 = note(b, 'Note: payment received', [ex, branch['Payment received'].y], t.paymentNote);
	first('Payment received', n1);
	ended(n1);
	failed(n1);

	n1 = note(b, 'Note: payment failed', [ex, branch['Payment failed'].y], t.failedNote);
	n2 = task(b, 'Task: payment failed', [ex + COL, branch['Payment failed'].y], t.failedTask, 4, 'hours', `={{ ${R}.leadId }}`);
	first('Payment failed', n1);
	b.connect(n1, n2);
	ended(n2);
	failed(n1);
	failed(n2);

	n1 = note(b, 'Note: invoice', [ex, branch.Invoice.y], t.invoiceNote);
	first('Invoice', n1);
	ended(n1);
	failed(n1);

	n1 = note(b, 'Note: renewal', [ex, branch.Renewal.y], t.renewalNote);
	first('Renewal', n1);
	ended(n1);
	failed(n1);

	const plans = setNode(
		b,
		'Kommo plan for the price',
		[ex, branch['Plan changed'].y],
		vendor.plans.map(([price, plan]) => [`plans.${price}`, plan, 'string']),
		true,
	);
	const getDeal = kommo(
		b,
		'Get deal',
		[ex + COL, branch['Plan changed'].y],
		{ resource: 'lead', operation: 'get', leadId: leadRl('={{ $json.leadId }}'), includeContacts: false },
		{ onError: 'continueErrorOutput' },
	);
	n1 = note(b, 'Note: plan changed', [ex + 2 * COL, branch['Plan changed'].y], t.planNote, `={{ ${R}.leadId }}`);
	const mapped = ifNode(
		b,
		'Plan mapped?',
		[ex + 3 * COL, branch['Plan changed'].y],
		b.cond(`={{ ${P}.plans[${R}.normalized.planId] }}`, { type: 'string', operation: 'notEmpty', singleValue: true }),
	);
	n2 = setFields(b, 'Set Plan field', [ex + 4 * COL, branch['Plan changed'].y - ROW / 2], `={{ ${R}.leadId }}`, [
		['Plan', `={{ ${P}.plans[${R}.normalized.planId] }}`],
	]);
	n3 = task(b, 'Task: map the plan', [ex + 4 * COL, branch['Plan changed'].y + ROW / 2], t.planTask, 1, 'days', `={{ ${R}.leadId }}`);
	first('Plan changed', plans);
	b.connect(plans, getDeal);
	b.connect(getDeal, n1);
	b.connect(n1, mapped);
	b.connect(mapped, n2);
	b.connect(mapped, n3, 1);
	ended(n2);
	ended(n3);
	failed(getDeal);
	failed(n1);
	failed(n2);
	failed(n3);

	n1 = note(b, 'Note: credit note', [ex, branch['Credit note'].y], t.creditNote);
	first('Credit note', n1);
	ended(n1);
	failed(n1);

	n1 = statusWrite('Cancelled', 'cancelled', [['Subscription status', 'Cancelled']]);
	n2 = task(b, 'Task: subscription cancelled', [ex + COL, branch.Cancelled.y], t.cancelledTask, 1, 'days', `={{ ${R}.leadId }}`);
	b.connect(n1, n2);
	ended(n2);
	failed(n2);

	n1 = statusWrite('Paused', 'paused', [['Subscription status', 'Paused']]);
	ended(n1);

	n1 = statusWrite('Resumed', 'active again', [['Subscription status', 'Active']]);
	ended(n1);

	if (vendor.subscriptionStarted) {
		n1 = statusWrite('Subscription started', 'subscription started', [
			['Subscription ID', `={{ ${R}.normalized.subscriptionId }}`],
			['Subscription status', `={{ ${R}.normalized.status === 'active' ? 'Active' : ${R}.normalized.status }}`],
		]);
		ended(n1);
	}

	const ignored = respond(b, 'Respond: ignored', [ex, rowY(rules.length)], { received: true, ignored: 'no Kommo effect for this event type' });
	b.connect(route, ignored, rules.length);

	// Failure path: forget the claim, answer 503 so the vendor retries, fail the execution
	// so that the error workflow turns it into a Kommo task.
	const fy2 = rowY(rules.length) + 2 * ROW;
	b.place(release, [ex + 6 * COL, fy2]);
	const retry = respond(b, 'Respond: retry later', [ex + 7 * COL, fy2], { received: false, retry: true }, 503);
	const fail = b.node('Fail the execution', 'n8n-nodes-base.stopAndError', 1, [ex + 8 * COL, fy2], {
		errorType: 'errorObject',
		errorObject:
			"={{ JSON.stringify({ message: 'Billing event ' + $('Claim event').item.json.normalized.dedupeKey + ' did not reach Kommo: ' + ($json.error || 'unknown error'), description: 'The claim was released and the vendor was answered 503, so it delivers the event again.', kommoLeadId: $('Route by event type').isExecuted ? $('Route by event type').item.json.leadId : null, dedupeKey: $('Claim event').item.json.normalized.dedupeKey, eventType: $('Claim event').item.json.normalized.eventType }) }}",
	});
	for (const [node, output] of failures) b.connect(node, release, output);
	b.connect(release, retry);
	b.connect(retry, fail);

	return b.workflow({
		id: vendor.id,
		name: vendor.name,
		settings: reportingSettings(false),
		pinData: {},
		active: false,
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	});
}

// -------------------------------------------------------- the error workflow

function errorWorkflow(): WorkflowJson {
	const b = new Events(ERROR_WORKFLOW_ID);
	const trigger = b.node('Error Trigger', 'n8n-nodes-base.errorTrigger', 1, [0, 0], {});
	const E = '$json.execution';
	const details = setNode(b, 'Failure details', [COL, 0], [
		['workflowName', "={{ $json.workflow?.name || 'unknown workflow' }}"],
		['nodeName', `={{ ${E}?.error?.node?.name || ${E}?.lastNodeExecuted || 'unknown node' }}`],
		['message', `={{ ${E}?.error?.message || $json.trigger?.error?.message || 'no error message' }}`],
		['executionUrl', `={{ ${E}?.url || '(the execution was not saved)' }}`],
		[
			'leadId',
			`={{ Number(${E}?.error?.context?.metadata?.kommoLeadId ?? (String(${E}?.error?.message ?? '').match(/\\b(?:lead|deal) #?(\\d{1,15})\\b/i) || [])[1] ?? 0) || 0 }}`,
			'number',
		],
	]);
	b.connect(trigger, details);
	const known = ifNode(b, 'Deal known?', [2 * COL, 0], b.cond('={{ $json.leadId }}', { type: 'number', operation: 'gt' }, 0));
	b.connect(details, known);
	const text =
		'=Workflow "{{ $json.workflowName }}" failed in node "{{ $json.nodeName }}": {{ $json.message }}\nExecution: {{ $json.executionUrl }}';
	const onDeal = kommo(
		b,
		'Task on the deal',
		[3 * COL, -ROW / 2],
		{
			resource: 'task',
			operation: 'createForLead',
			leadId: leadRl('={{ $json.leadId }}'),
			text,
			dueType: 'relative',
			dueIn: 2,
			dueUnit: 'hours',
			responsibleUserId: { __rl: true, mode: 'list', value: '' },
			taskTypeId: 1,
		},
		{ onError: 'continueErrorOutput' },
	);
	const unattached = kommo(b, 'Task without a deal', [4 * COL, ROW / 2], {
		resource: 'task',
		operation: 'create',
		text: `=Workflow "{{ $('Failure details').item.json.workflowName }}" failed in node "{{ $('Failure details').item.json.nodeName }}": {{ $('Failure details').item.json.message }}\nExecution: {{ $('Failure details').item.json.executionUrl }}`,
		dueType: 'relative',
		dueIn: 2,
		dueUnit: 'hours',
		responsibleUserId: { __rl: true, mode: 'list', value: '' },
		taskTypeId: 1,
	});
	b.connect(known, onDeal);
	b.connect(known, unattached, 1);
	// The deal may be gone (deleted lead): the task then goes to the configured user instead.
	b.connect(onDeal, unattached, 1);
	return b.workflow({
		id: ERROR_WORKFLOW_ID,
		name: 'Failed executions → Kommo task',
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	});
}

// ------------------------------------------------------------------- files

/** workflows/<file> → its workflow: the three event workflows and the error workflow. */
export function eventWorkflows(): Record<string, WorkflowJson> {
	const files: Record<string, WorkflowJson> = {};
	for (const vendor of Object.values(VENDORS)) files[vendor.file] = eventWorkflow(vendor);
	files['error-to-kommo-task.json'] = errorWorkflow();
	return files;
}
