/**
 * The shipped billing-event workflows (workflows/chargebee-events-to-kommo.json,
 * paddle-events-to-kommo.json, zuora-callouts-to-kommo.json), their "what happens in Kommo"
 * sub-workflows (workflows/*-effects.json, event-effects.ts) and the error workflow
 * (workflows/error-to-kommo-task.json) from one description, so that the three vendor flows
 * stay alike (same node names, texts, failure path, layout). Written by `npm run workflows`.
 *
 * The main workflow is the plumbing: claim the event, find the deal, run the sub-workflow, confirm
 * or release, answer the vendor. Its one failure path starts at the few nodes that can fail
 * (the look-ups and "Apply in Kommo"). The JSON files are what users import and edit in the n8n
 * editor; this is only how we keep them consistent. Design and semantics: docs/workflows-events.md.
 */

import type { Condition, WorkflowJson } from './builder';
import { CREDENTIALS, ERROR_WORKFLOW_ID } from './credentials';
import { effectsWorkflow } from './event-effects';
import { COL, conditions, Events, ifNode, OUTCOME, respond, ROW, setNode, type VendorSpec } from './event-nodes';
import { byId as leadRl, kommo, PACKAGE as PKG, reportingSettings } from './nodes';

/** Where the customer-lookup fallback starts and ends, for the wiring after it. */
interface Fallback {
	customerKnown: string;
	leadOnCustomer: string;
	leadOnCustomerFalse?: string;
	hintFallbacks?: Array<[string, number]>;
	fromHint?: string;
}

// `N` is the event's normalised block as the trigger gives it (and the Claim node passes on).
const N = '$json.normalized';
const CLAIMED = "$('Claim event').item.json";

// --------------------------------------------------------------- vendors

const VENDORS: Record<'chargebee' | 'paddle' | 'zuora', VendorSpec> = {
	chargebee: {
		file: 'chargebee-events-to-kommo.json',
		id: 'kbCbEvents000001',
		name: 'Chargebee events → Kommo',
		effects: { file: 'chargebee-events-to-kommo-effects.json', id: 'kbCbEffects00001', name: 'Chargebee events → Kommo: notes, fields, tasks' },
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
		effects: { file: 'paddle-events-to-kommo-effects.json', id: 'kbPdEffects00001', name: 'Paddle events → Kommo: notes, fields, tasks' },
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
		effects: { file: 'zuora-callouts-to-kommo-effects.json', id: 'kbZuEffects00001', name: 'Zuora callouts → Kommo: notes, fields, tasks' },
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

function eventWorkflow(vendor: VendorSpec): WorkflowJson {
	const b = new Events(vendor.id);
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
		key: `={{ ${CLAIMED}.normalized.dedupeKey }}`,
	});
	// the nodes whose failure releases the claim (their error output, or the If that sorts errors)
	const failures: Array<[string, number]> = [];
	// what goes to the sub-workflow: the deal, the event, and whether this is a redelivery
	const redelivery: [string, string, string] = ['redelivery', `={{ ${CLAIMED}.dedupe.status === 'retry' }}`, 'boolean'];
	const dealNodes: string[] = [];

	// Fallback: the deal of the customer's contact, by email.
	let fallbackStart: Fallback | undefined;
	const fy = y0 + ROW;
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
				`={{ Object.assign({}, ${CLAIMED}.normalized, { customerEmail: ${lookup.email} || ${CLAIMED}.normalized.customerEmail || null, kommoLeadId: /^\\d{1,15}$/.test(String(${lookup.leadId} ?? '')) && Number(${lookup.leadId}) > 0 ? Number(${lookup.leadId}) : null }) }}`,
				'object',
			],
		]);
		const leadOnCustomer = ifNode(b, lookup.leadLabel, [(fx += COL), fy], b.cond(`={{ ${N}.kommoLeadId }}`, { type: 'number', operation: 'gt' }, 0));
		b.connect(leadKnown, customerKnown, 1);
		b.chain(customerKnown, getCustomer, details, leadOnCustomer);
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
			const owned = b.node("Deal is this customer's?", 'n8n-nodes-base.if', 2.2, [(hx += COL), hy], {
				conditions: conditions([
					b.cond(`={{ ${D}.customerId }}`, { type: 'string', operation: 'notEmpty', singleValue: true }),
					b.cond("={{ $json.custom_fields_map?.['Billing customer ID'] }}", { type: 'string', operation: 'equals' }, `={{ ${D}.customerId }}`),
				]),
				looseTypeValidation: true,
				options: {},
			});
			const fromHint = setNode(b, 'Deal from lead hint', [(hx += COL), hy], [['leadId', '={{ $json.id }}', 'number'], ['normalized', `={{ ${D} }}`, 'object'], redelivery]);
			dealNodes.push(fromHint);
			// A hinted deal that does not exist is ignored; any other Kommo failure fails the run (503, retry).
			const missing = ifNode(b, 'Hinted deal missing?', [hx - COL, hy + ROW], b.cond('={{ $json.error }}', { type: 'string', operation: 'contains' }, 'was not found'));
			b.chain(hinted, getHinted, owned, fromHint);
			b.connect(getHinted, missing, 1);
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
	const fromEmail = setNode(b, 'Deal from email', [(fx += COL), fy], [['leadId', '={{ $json.id }}', 'number'], ['normalized', `={{ ${CLAIMED}.normalized }}`, 'object'], redelivery]);
	dealNodes.push(fromEmail);
	b.chain(emailKnown, find, found, fromEmail);
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

	const ax = fx + COL;
	const fromLead = setNode(b, 'Deal from lead ID', [ax - COL, y0 - ROW], [['leadId', `={{ ${N}.kommoLeadId }}`, 'number'], ['normalized', `={{ ${N} }}`, 'object'], redelivery]);
	dealNodes.unshift(fromLead);
	b.connect(leadKnown, fromLead);
	if (fallbackStart) b.connect(fallbackStart.leadOnCustomer, fromLead);

	// The notes, fields and tasks: the sub-workflow. Any failure in it comes out here, once.
	const apply = b.node(
		'Apply in Kommo',
		'n8n-nodes-base.executeWorkflow',
		1.3,
		[ax, y0],
		{ workflowId: { __rl: true, value: vendor.effects.id, mode: 'list', cachedResultName: vendor.effects.name }, options: {} },
		{ onError: 'continueErrorOutput' },
	);
	for (const deal of dealNodes) b.connect(deal, apply);
	failures.push([apply, 1]);
	const said = "={{ $json.outcome ?? '' }}";
	const outcomes: Array<[string, Condition]> = [
		['Applied', b.cond(said, { type: 'string', operation: 'empty', singleValue: true })],
		['Stale', b.cond(said, { type: 'string', operation: 'equals' }, OUTCOME.stale)],
		['Ignored', b.cond(said, { type: 'string', operation: 'equals' }, OUTCOME.ignored)],
	];
	const outcome = b.node('Outcome', 'n8n-nodes-base.switch', 3.2, [ax + COL, y0], {
		rules: { values: outcomes.map(([key, cond]) => ({ conditions: conditions([cond]), renameOutput: true, outputKey: key })) },
		options: {},
	});
	b.connect(apply, outcome);
	const confirm = b.node('Confirm event', `${PKG}.billingEventDedupe`, 1, [ax + 2 * COL, y0 - ROW], {
		operation: 'confirm',
		key: `={{ ${CLAIMED}.normalized.dedupeKey }}`,
	});
	b.connect(outcome, confirm, 0);
	b.connect(confirm, respond(b, 'Respond: done', [ax + 3 * COL, y0 - ROW], { received: true, processed: true }));
	// A late event (the deal has a newer version): confirmed, nothing written.
	const staleConfirm = b.node('Confirm stale event', `${PKG}.billingEventDedupe`, 1, [ax + 2 * COL, y0], {
		operation: 'confirm',
		key: `={{ ${CLAIMED}.normalized.dedupeKey }}`,
	});
	b.connect(outcome, staleConfirm, 1);
	b.connect(staleConfirm, respond(b, 'Respond: stale, not applied', [ax + 3 * COL, y0], { received: true, stale: true }));
	b.connect(outcome, respond(b, 'Respond: ignored', [ax + 2 * COL, y0 + ROW], { received: true, ignored: 'no Kommo effect for this event type' }), 2);

	// Failure path: forget the claim, answer 503 so the vendor retries, fail the execution
	// so that the error workflow turns it into a Kommo task (on the deal, when it was found).
	const fy2 = y0 + 2 * ROW;
	b.place(release, [ax + COL, fy2]);
	const retry = respond(b, 'Respond: retry later', [ax + 2 * COL, fy2], { received: false, retry: true }, 503);
	const leadId = dealNodes.reduceRight((rest, node) => `$('${node}').isExecuted ? $('${node}').item.json.leadId : ${rest}`, 'null');
	const fail = b.node('Fail the execution', 'n8n-nodes-base.stopAndError', 1, [ax + 3 * COL, fy2], {
		errorType: 'errorObject',
		errorObject: `={{ JSON.stringify({ message: 'Billing event ' + ${CLAIMED}.normalized.dedupeKey + ' did not reach Kommo: ' + ($json.error || 'unknown error'), description: 'The claim was released and the vendor was answered 503, so it delivers the event again.', kommoLeadId: ${leadId}, dedupeKey: ${CLAIMED}.normalized.dedupeKey, eventType: ${CLAIMED}.normalized.eventType }) }}`,
	});
	for (const [node, output] of failures) b.connect(node, release, output);
	b.chain(release, retry, fail);

	b.sticky([-40, y0 - 2.4 * ROW], {
		content: `## ${vendor.name}\nEach ${vendor.vendorName} event is claimed, matched to its Kommo deal and handed to **Apply in Kommo**: the notes, fields and tasks are in the workflow **${vendor.effects.name}** (open it from that node to change a text). Any failure releases the claim and answers 503, so ${vendor.vendorName} delivers the event again.`,
		width: 520,
		height: 200,
	});
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

/** workflows/<file> → its workflow: the three event workflows, their sub-workflows and the error workflow. */
export function eventWorkflows(): Record<string, WorkflowJson> {
	const files: Record<string, WorkflowJson> = {};
	for (const vendor of Object.values(VENDORS)) {
		files[vendor.file] = eventWorkflow(vendor);
		files[vendor.effects.file] = effectsWorkflow(vendor);
	}
	files['error-to-kommo-task.json'] = errorWorkflow();
	return files;
}
