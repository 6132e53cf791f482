/**
 * The "what happens in Kommo" sub-workflow of each billing-event workflow
 * (workflows/*-effects.json): one row per event type (note, field, task), and nothing else. It
 * has no error wiring: any failure fails the sub-workflow, and the main workflow's one
 * "Apply in Kommo" node turns that into Release claim → 503 (events.ts). It answers the main
 * workflow with its last node's item; "stale" and "ignored" are said with an `outcome` field.
 *
 * This is the file a RevOps person opens to reword a note or change the plan mapping.
 */
import type { IWorkflowSettings } from 'n8n-workflow';

import type { Condition, Position, WorkflowJson } from './builder';
import { COL, conditions, EFFECTS_TRIGGER, Events, ifNode, OUTCOME, ROW, setNode, type VendorSpec } from './event-nodes';
import { byId as leadRl, kommo, kommoLeadUpdate, kommoTask, PACKAGE as PKG } from './nodes';

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

// ------------------------------------------------------------- the Kommo writes

// A redelivered event (the main workflow's claim said "retry": an earlier attempt may have
// written already) looks for its event id among the deal's notes / open tasks before writing; a
// first delivery costs no extra request.
const E = `$('${EFFECTS_TRIGGER}').item.json`;
const RETRY_MARKER = `={{ ${E}.redelivery ? ${E}.normalized.eventId : '' }}`;

const note = (b: Events, name: string, position: Position, text: string, leadExpr = '={{ $json.leadId }}'): string =>
	kommo(b, name, position, {
		resource: 'note',
		operation: 'addToLead',
		leadId: leadRl(leadExpr),
		noteType: 'common',
		text,
		options: { skipIfNoteContains: RETRY_MARKER },
	});

/** A task on the deal; a redelivery skips it when the deal has it already. */
const task = (b: Events, name: string, position: Position, text: string, dueIn: number, dueUnit: string, leadExpr = '={{ $json.leadId }}'): string =>
	kommo(b, name, position, kommoTask({ leadId: leadExpr, text, dueIn, dueUnit, options: { skipIfTaskContains: RETRY_MARKER } }));

const setFields = (b: Events, name: string, position: Position, leadExpr: string, fields: Array<[string, string]>): string =>
	kommo(b, name, position, kommoLeadUpdate(leadExpr, fields));

const getDeal = (b: Events, name: string, position: Position): string =>
	kommo(b, name, position, { resource: 'lead', operation: 'get', leadId: leadRl('={{ $json.leadId }}'), includeContacts: false });

const outcome = (b: Events, name: string, position: Position, value: string): string =>
	setNode(b, name, position, [['outcome', value]]);

// ------------------------------------------------------------- the sub-workflow

export function effectsWorkflow(vendor: VendorSpec): WorkflowJson {
	const b = new Events(vendor.effects.id);
	const t = texts(vendor.vendorName);

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

	const rowY = (i: number) => i * ROW;
	const switchY = ((rules.length - 1) * ROW) / 2;
	const trigger = b.node(EFFECTS_TRIGGER, 'n8n-nodes-base.executeWorkflowTrigger', 1.1, [0, switchY], { inputSource: 'passthrough' });
	const route = b.node('Route by event type', 'n8n-nodes-base.switch', 3.2, [COL, switchY], {
		rules: {
			values: rules.map((r) => ({
				conditions: conditions([r.cond], r.key !== 'Renewal reminder'),
				renameOutput: true,
				outputKey: r.key,
			})),
		},
		options: { fallbackOutput: 'extra', renameFallbackOutput: 'Other' },
	});
	b.connect(trigger, route);

	const ex = 2 * COL;
	const branch: Record<string, { output: number; y: number }> = {};
	rules.forEach((r, i) => {
		branch[r.key] = { output: i, y: rowY(i) };
	});
	const first = (key: string, node: string) => b.connect(route, node, branch[key].output);

	// A status write that a late event must not undo: Get deal → Check order → Current: write the
	// status and the versions; Stale: nothing written, the main workflow confirms and answers "stale".
	let stale: string | undefined;
	const statusWrite = (key: string, label: string, fields: Array<[string, string]>): string => {
		const y = branch[key].y;
		if (!vendor.orderGuard) {
			const n = setFields(b, `Status: ${label}`, [ex, y], '={{ $json.leadId }}', fields);
			first(key, n);
			return n;
		}
		stale ??= outcome(b, 'Stale: not applied', [ex + 3 * COL, rowY(rules.length)], OUTCOME.stale);
		const get = getDeal(b, `Get deal (${label})`, [ex, y]);
		const check = b.node(`Check order (${label})`, `${PKG}.billingEventDedupe`, 1, [ex + COL, y], {
			operation: 'checkOrder',
			ordering: `={{ ${R}.normalized.ordering }}`,
			appliedVersions: "={{ $json.custom_fields_map?.['Billing versions'] ?? '' }}",
		});
		const n = setFields(b, `Status: ${label}`, [ex + 2 * COL, y], `={{ ${R}.leadId }}`, [...fields, ['Billing versions', '={{ $json.order.appliedVersions }}']]);
		first(key, get);
		b.chain(get, check, n);
		b.connect(check, stale, 1);
		return n;
	};
	// the second node of a row that starts with a status write
	const afterStatus = vendor.orderGuard ? ex + 3 * COL : ex + COL;

	if (vendor.reminderEvent) {
		first('Renewal reminder', task(b, 'Task: renewal reminder', [ex, branch['Renewal reminder'].y], t.reminderTask.replaceAll(R, '$json'), 3, 'days'));
	}
	first('Payment received', note(b, 'Note: payment received', [ex, branch['Payment received'].y], t.paymentNote));

	const failedNote = note(b, 'Note: payment failed', [ex, branch['Payment failed'].y], t.failedNote);
	first('Payment failed', failedNote);
	b.connect(failedNote, task(b, 'Task: payment failed', [ex + COL, branch['Payment failed'].y], t.failedTask, 4, 'hours', `={{ ${R}.leadId }}`));

	first('Invoice', note(b, 'Note: invoice', [ex, branch.Invoice.y], t.invoiceNote));
	first('Renewal', note(b, 'Note: renewal', [ex, branch.Renewal.y], t.renewalNote));

	const planY = branch['Plan changed'].y;
	const plans = setNode(b, 'Kommo plan for the price', [ex, planY], vendor.plans.map(([price, plan]) => [`plans.${price}`, plan, 'string']), true);
	const deal = getDeal(b, 'Get deal', [ex + COL, planY]);
	const planNote = note(b, 'Note: plan changed', [ex + 2 * COL, planY], t.planNote, `={{ ${R}.leadId }}`);
	const mapped = ifNode(b, 'Plan mapped?', [ex + 3 * COL, planY], b.cond(`={{ ${P}.plans[${R}.normalized.planId] }}`, { type: 'string', operation: 'notEmpty', singleValue: true }));
	const planField = setFields(b, 'Set Plan field', [ex + 4 * COL, planY - ROW / 3], `={{ ${R}.leadId }}`, [['Plan', `={{ ${P}.plans[${R}.normalized.planId] }}`]]);
	const planTask = task(b, 'Task: map the plan', [ex + 4 * COL, planY + ROW / 3], t.planTask, 1, 'days', `={{ ${R}.leadId }}`);
	first('Plan changed', plans);
	b.chain(plans, deal, planNote, mapped, planField);
	b.connect(mapped, planTask, 1);

	first('Credit note', note(b, 'Note: credit note', [ex, branch['Credit note'].y], t.creditNote));

	const cancelled = statusWrite('Cancelled', 'cancelled', [['Subscription status', 'Cancelled']]);
	b.connect(cancelled, task(b, 'Task: subscription cancelled', [afterStatus, branch.Cancelled.y], t.cancelledTask, 1, 'days', `={{ ${R}.leadId }}`));
	statusWrite('Paused', 'paused', [['Subscription status', 'Paused']]);
	statusWrite('Resumed', 'active again', [['Subscription status', 'Active']]);
	if (vendor.subscriptionStarted) {
		statusWrite('Subscription started', 'subscription started', [
			['Subscription ID', `={{ ${R}.normalized.subscriptionId }}`],
			['Subscription status', `={{ ${R}.normalized.status === 'active' ? 'Active' : ${R}.normalized.status }}`],
		]);
	}

	b.connect(route, outcome(b, 'Other event types: ignored', [ex, rowY(rules.length)], OUTCOME.ignored), rules.length);

	b.sticky([-40, switchY - 2.2 * ROW], {
		content:
			`## What a ${vendor.vendorName} event does in Kommo\nOne row per event type. Change a text in its Note or Task node, the plan names in **Kommo plan for the price**, then publish this workflow.\n\nCalled by **${vendor.name}**, which makes sure each event has its effect once and tells ${vendor.vendorName} to retry when a step here fails.`,
		width: 480,
		height: 220,
	});
	const settings: IWorkflowSettings = { executionOrder: 'v1', saveDataErrorExecution: 'all', saveDataSuccessExecution: 'all', callerPolicy: 'workflowsFromSameOwner' };
	return b.workflow({
		id: vendor.effects.id,
		name: vendor.effects.name,
		settings,
		pinData: {},
		active: false,
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	});
}
