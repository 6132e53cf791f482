/**
 * The shipped provisioning workflows (workflows/kommo-won-to-chargebee.json,
 * kommo-won-to-paddle.json, kommo-won-to-zuora.json) from one description, so that the three
 * stay alike: same checks in the same order, same node names, task texts, failure path and
 * layout. Written by `npm run workflows` (build.ts).
 *
 * The JSON files are what users import and edit in the n8n editor; this is only how we keep
 * them consistent. Design and semantics: docs/workflows-provisioning.md.
 */
import type { INodeCredentials, INodeParameters, NodeParameterValue } from 'n8n-workflow';

import { condition, filter, KEY_ORDER, sequentialIds, WorkflowBuilder } from './builder';
import type { Condition, NodeOptions, Position, WorkflowJson } from './builder';
import { CREDENTIALS } from './credentials';
import { byId, kommo as kommoNode, kommoLeadUpdate, kommoTask, PACKAGE as PKG, reportingSettings } from './nodes';

type Vendor = 'chargebee' | 'paddle' | 'zuora';

const SINGLE_VALUE = new Set(['empty', 'notEmpty', 'exists', 'notExists', 'true', 'false']);
const KOMMO_CRED = CREDENTIALS.kommo as INodeCredentials;

/** A vendor node: the vendor's shipped credential, failures to the error output. */
const vendorNode = (key: Vendor): NodeOptions => ({ credentials: CREDENTIALS[key] as INodeCredentials, onError: 'continueErrorOutput' });

// ----------------------------------------------------------------- builder

/** A Won workflow: the builder plus the If/No-op/Kommo shapes the three share. */
class Won extends WorkflowBuilder {
	private readonly conditionId: () => string;

	/** `prefix`: one character that makes node and condition ids unique per workflow. */
	constructor(prefix: string) {
		super({ keyOrder: KEY_ORDER.provisioning, nodeId: sequentialIds(prefix) });
		this.conditionId = sequentialIds(`${prefix}c`, '9000');
	}

	cond(leftValue: string, operation: string, rightValue: NodeParameterValue = '', type: 'string' | 'number' | 'boolean' = 'string'): Condition {
		return condition(this.conditionId(), leftValue, { type, operation, ...(SINGLE_VALUE.has(operation) ? { singleValue: true } : {}) }, rightValue);
	}

	static filter(conditions: Condition[], combinator: 'and' | 'or' = 'and'): INodeParameters {
		return filter(conditions, { caseSensitive: false, combinator });
	}

	ifNode(name: string, position: Position, conditions: Condition[], combinator: 'and' | 'or' = 'and'): string {
		return this.node(name, 'n8n-nodes-base.if', 2.2, position, {
			conditions: Won.filter(conditions, combinator),
			looseTypeValidation: true,
			options: { ignoreCase: true },
		});
	}

	noop(name: string, position: Position): string {
		return this.node(name, 'n8n-nodes-base.noOp', 1, position, {});
	}

	/** A Kommo node; its error output (when kept) goes to the failure task. */
	kommo(name: string, position: Position, parameters: INodeParameters, errorOutput = true): string {
		return kommoNode(this, name, position, parameters, errorOutput ? { onError: 'continueErrorOutput' } : {});
	}

	/** A Kommo task for the lead's responsible user. No error output: if Kommo cannot take the task, the execution fails and the error workflow reports it. */
	task(name: string, position: Position, leadExpression: string, text: string, dueIn: number, dueUnit: string): string {
		return this.kommo(name, position, kommoTask({ leadId: leadExpression, text, dueIn, dueUnit, options: {} }), false);
	}

	json(id: string, name: string): WorkflowJson {
		// Everything right of "Get deal" makes room for "Won in Kommo?" (one column).
		for (const n of this.nodes) if (!UNSHIFTED.has(n.name) && n.position[0] >= 440) this.place(n.name, [n.position[0] + 220, n.position[1]]);
		return this.workflow({ id, name, active: false, settings: reportingSettings(true), pinData: {}, meta: { templateCredsSetupCompleted: true } });
	}
}

// ----------------------------------------------------------------- shared parts

const TRIGGER = 'Deal won in Kommo';
const GET = 'Get deal';
const WON_CHECK = 'Won in Kommo?';
const NOT_WON = 'Not won in Kommo: stop';
const UNSHIFTED = new Set([WON_CHECK, NOT_WON]);
const LEAD = `$('${TRIGGER}').item.json.lead_id`;
const MAP = 'Plan mapping';
const PLAN = `$('${MAP}').item.json.plan`;
const DEAL_ID = `={{ $('${GET}').item.json.id }}`;

function intro(w: Won, title: string, lines: string[]): void {
	w.sticky([-40, -580], { content: `## ${title}\n${lines.join('\n')}`, height: 300, width: 880 });
}

interface HeadOptions {
	label: string;
	key: Vendor;
	mappings: Array<{ kommoPlan: string; priceId: string; quantity: number }>;
	provisioned: (w: Won) => Condition[];
	combinator?: 'and' | 'or';
	beforeMapping?: { name: string; taskName: string; taskText: string; condition: (w: Won) => Condition };
}

/**
 * Trigger → Get deal → this vendor? → provisioned? → claim → email? → [extra check] → Plan
 * mapping, with the stop branches and the data-problem tasks. Returns the mapping node's name.
 */
function head(w: Won, { label, key, mappings, provisioned, combinator = 'or', beforeMapping }: HeadOptions): string {
	w.node(TRIGGER, `${PKG}.kommoTrigger`, 1, [0, 0], { authentication: 'longLivedToken', events: ['status_lead'], targetStatus: 'won', options: {} }, {
		credentials: KOMMO_CRED,
		webhookId: `kb-won-${key}`,
	});
	w.kommo(GET, [220, 0], { resource: 'lead', operation: 'get', leadId: byId('={{ $json.lead_id }}'), includeContacts: true });
	w.connect(TRIGGER, GET);

	// Kommo does not sign webhooks: whoever holds the URL can claim a deal is won. Decide on
	// Kommo's own copy of the deal, read just now, not on the webhook body (issue 16 item 4).
	const wonCheck = w.ifNode(WON_CHECK, [440, 0], [
		w.cond('={{ $json.status_id }}', 'equals', 142, 'number'),
		w.cond('={{ $json.pipeline_id }}', 'equals', `={{ $('${TRIGGER}').item.json.pipeline_id ?? $json.pipeline_id }}`, 'number'),
	]);
	w.connect(GET, wonCheck);
	w.connect(wonCheck, w.noop(NOT_WON, [440, -220]), 1);

	const isVendor = w.ifNode(`Billing system is ${label}?`, [440, 0], [w.cond("={{ $json.custom_fields_map['Billing system'] }}", 'equals', label)]);
	w.connect(wonCheck, isVendor);
	w.connect(isVendor, w.noop(`Not a ${label} deal`, [660, -220]), 1);

	const provisionedCheck = w.ifNode('Already provisioned?', [660, 0], provisioned(w), combinator);
	w.connect(isVendor, provisionedCheck);
	w.connect(provisionedCheck, w.noop('Provisioned before: stop', [880, -220]));

	const claim = w.node('Claim this Won event', `${PKG}.billingEventDedupe`, 1, [880, 0], {
		operation: 'claim',
		key: `={{ ${LEAD} + ':' + ($('${TRIGGER}').item.json.last_modified ?? $('${TRIGGER}').item.json.updated_at ?? '') }}`,
		keyPrefix: 'kommo-won',
		scope: 'workflow',
		historySize: 10000,
		options: {},
	});
	w.connect(provisionedCheck, claim, 1);
	w.connect(claim, w.noop('Same Won delivered twice: stop', [1100, -220]), 1);

	let last = w.ifNode('Contact has email?', [1100, 0], [w.cond('={{ $json.contact?.email }}', 'notEmpty')]);
	w.connect(claim, last);
	const noEmail = w.task(
		'Task: contact has no email',
		[1320, 260],
		'={{ $json.id }}',
		`=The won deal "{{ $json.name }}" was not set up in ${label}: its main contact has no email address. Add the email to the contact (or link a contact) in Kommo, then move the deal to Won again.`,
		1,
		'days',
	);
	w.connect(last, noEmail, 1);

	let mapX = 1320;
	if (beforeMapping) {
		const check = w.ifNode(beforeMapping.name, [1320, 0], [beforeMapping.condition(w)]);
		w.connect(last, check);
		w.connect(check, w.task(beforeMapping.taskName, [1540, 260], '={{ $json.id }}', beforeMapping.taskText, 1, 'days'), 1);
		last = check;
		mapX = 1540;
	}

	w.node(
		MAP,
		`${PKG}.billingPlanMapping`,
		1,
		[mapX, 0],
		{
			authentication: 'longLivedToken',
			billingSystem: key,
			planField: 'Plan',
			dealPlan: '={{ $json.custom_fields_map?.[$parameter.planField] }}',
			mappings: { mapping: mappings },
		},
		{ credentials: { ...KOMMO_CRED, ...CREDENTIALS[key] }, onError: 'continueErrorOutput' },
	);
	w.connect(last, MAP);
	const unmapped = w.task(
		'Task: plan has no mapping',
		[mapX + 220, 260],
		'={{ $json.id }}',
		`=The won deal "{{ $json.name }}" was not set up in ${label}. {{ $json.plan.reason }}`,
		1,
		'days',
	);
	w.connect(MAP, unmapped, 1);
	return MAP;
}

function failureTask(w: Won, label: string, position: Position, sources: Array<[string, number]>): void {
	const name = w.task(
		'Task: provisioning failed',
		position,
		`={{ ${LEAD} }}`,
		`=Setting up the won deal in ${label} failed at step "{{ $prevNode.name }}": {{ $json.error }}{{ $json.details ? " (" + $json.details + ")" : "" }}. Fix the cause, then move the deal to Won again: nothing is created twice.`,
		2,
		'hours',
	);
	for (const [source, output] of sources) w.connect(source, name, output);
}

/**
 * One Kommo node writes the fields and adds the note (Lead → Update, option Add Note: both
 * requests side by side, through the shared Kommo rate limiter). One node instead of two: n8n
 * 2.40 spends a fixed time per node (expression isolate), so fewer nodes are faster.
 */
function writeIdsAndNote(w: Won, name: string, position: Position, fields: Array<[string, string]>, text: string): string {
	return w.kommo(name, position, kommoLeadUpdate(DEAL_ID, fields, { addNote: text }));
}

const provisionedBySubscriptionId = (w: Won): Condition[] => [w.cond("={{ $json.custom_fields_map['Subscription ID'] }}", 'notEmpty')];

// ----------------------------------------------------------------- Chargebee

function chargebee(): WorkflowJson {
	const w = new Won('c');
	intro(w, 'Kommo Won → Chargebee customer + subscription or checkout link', [
		"Runs when a deal moves to **Won** and its **Billing system** is *Chargebee*. The deal's **Payment method** decides:",
		'- *Card*: a Chargebee checkout page link goes into a note for the customer; Chargebee creates the subscription when the customer pays (the events workflow records it). A card-less customer cannot be charged by API: Chargebee answers `payment_method_not_present`.',
		'- *Invoice* (or empty): customer and subscription with **auto collection off**; the first invoice waits for payment.',
		'- **Plan mapping**: Kommo plan → Chargebee item price. Customer id and subscription id `kommo-lead-<deal id>`: a repeated Won cannot create twice; a deal with a **Subscription ID** or status *awaiting payment* is skipped.',
		"- Task texts, due times and note texts are plain parameters; replace `your-site` in the note links with your Chargebee site. Any failure becomes a task for the deal's responsible user.",
	]);
	const mapping = head(w, {
		label: 'Chargebee',
		key: 'chargebee',
		mappings: [
			{ kommoPlan: 'Pro', priceId: 'pro-USD-monthly', quantity: 1 },
			{ kommoPlan: 'Enterprise', priceId: 'enterprise-USD-monthly', quantity: 1 },
		],
		provisioned: (wf: Won) => [
			...provisionedBySubscriptionId(wf),
			wf.cond("={{ $json.custom_fields_map['Subscription status'] }}", 'equals', 'awaiting payment'),
		],
		combinator: 'or',
	});
	const PM = `$('${GET}').item.json.custom_fields_map['Payment method']`;
	const BY_CARD = `String(${PM} ?? '').trim().toLowerCase() === 'card'`;
	const customer = w.node(
		'Find or create customer',
		`${PKG}.chargebeeBilling`,
		1,
		[1540, 0],
		{
			resource: 'customer',
			operation: 'findOrCreate',
			customerId: '=kommo-lead-{{ $json.id }}',
			email: '={{ $json.contact.email }}',
			kommoLeadId: '={{ $json.id }}',
			kommoLeadIdField: 'cf_kommo_lead_id',
			additionalFields: {
				// invoice customers are not charged automatically (a card-less customer with auto
				// collection on cannot get a paid subscription: payment_method_not_present)
				autoCollection: `={{ ${BY_CARD} ? 'on' : 'off' }}`,
				firstName: '={{ $json.contact.first_name || $json.contact.name }}',
				lastName: '={{ $json.contact.last_name }}',
				phone: "={{ $json.contact.phone ?? '' }}",
			},
			options: { storeLeadId: 'ifEmpty' },
		},
		vendorNode('chargebee'),
	);
	w.connect(mapping, customer);
	const method = w.ifNode('Pays by card?', [1760, 0], [w.cond(`={{ ${BY_CARD} }}`, 'true', '', 'boolean')]);
	w.connect(customer, method);
	const items = { item: [{ itemPriceId: `={{ ${PLAN}.priceId }}`, quantity: `={{ ${PLAN}.quantity }}` }] };

	// invoice branch
	const subscription = w.node(
		'Create subscription',
		`${PKG}.chargebeeBilling`,
		1,
		[1980, 120],
		{
			resource: 'subscription',
			operation: 'create',
			customerId: `={{ $('${customer}').item.json.id }}`,
			items,
			subscriptionId: `=kommo-lead-{{ $('${GET}').item.json.id }}`,
			kommoLeadId: DEAL_ID,
			additionalFields: { autoCollection: 'off', ifExists: 'returnExisting' },
		},
		vendorNode('chargebee'),
	);
	w.connect(method, subscription, 1);
	const S = `$('${subscription}').item.json`;
	const write = writeIdsAndNote(
		w,
		'Write ids and note to deal',
		[2200, 120],
		[
			['Billing customer ID', '={{ $json.customer_id }}'],
			['Subscription ID', '={{ $json.id }}'],
			['Subscription status', '={{ $json.status }}'],
		],
		[
			`=Chargebee subscription created ({{ ${S}.status }}).`,
			`Plan: {{ ${PLAN}.kommoPlan }} → {{ ${PLAN}.priceId }} × {{ ${PLAN}.quantity }}`,
			`Amount: {{ ${S}.money.formatted }} every {{ ${S}.billing_period }} {{ ${S}.billing_period_unit }}`,
			`Customer: https://your-site.chargebee.com/d/customers/{{ ${S}.customer_id }}`,
			`Subscription: https://your-site.chargebee.com/d/subscriptions/{{ ${S}.id }}`,
		].join('\n'),
	);
	w.connect(subscription, write);

	// card branch
	const link = w.node(
		'Create checkout link',
		`${PKG}.chargebeeBilling`,
		1,
		[1980, -120],
		{
			resource: 'subscription',
			operation: 'createCheckout',
			customerId: `={{ $('${customer}').item.json.id }}`,
			items,
			subscriptionId: `=kommo-lead-{{ $('${GET}').item.json.id }}`,
			kommoLeadId: DEAL_ID,
			additionalFields: {},
		},
		vendorNode('chargebee'),
	);
	w.connect(method, link);
	const L = `$('${link}').item.json`;
	const writeCard = writeIdsAndNote(
		w,
		'Write checkout link and note to deal',
		[2200, -120],
		[
			['Billing customer ID', '={{ $json.customer_id }}'],
			['Subscription status', 'awaiting payment'],
		],
		[
			`=Chargebee checkout link for the customer (card payment): {{ ${L}.checkoutUrl }}`,
			`Plan: {{ ${PLAN}.kommoPlan }} → {{ ${PLAN}.priceId }} × {{ ${PLAN}.quantity }}`,
			`Subscription: kommo-lead-{{ $('${GET}').item.json.id }}, created by Chargebee when the customer pays`,
			`Customer: https://your-site.chargebee.com/d/customers/{{ ${L}.customer_id }}`,
		].join('\n'),
	);
	w.connect(link, writeCard);

	failureTask(w, 'Chargebee', [1980, 480], [
		[GET, 1],
		[mapping, 2],
		[customer, 1],
		[subscription, 1],
		[write, 1],
		[link, 1],
		[writeCard, 1],
	]);
	return w.json('kbWonChargebee01', 'Kommo Won → Chargebee customer + subscription');
}

// ----------------------------------------------------------------- Zuora

function zuora(): WorkflowJson {
	const w = new Won('a');
	intro(w, 'Kommo Won → Zuora account + subscription', [
		'Runs when a deal moves to **Won** and its **Billing system** is *Zuora*.',
		'- **Plan mapping**: map each Kommo plan to a Zuora product rate plan (dropdowns from both systems). Plans without a row get a task, never a default plan.',
		'- The account carries the deal id as **CRM ID**; the subscription number is `KL-<deal id>`: a repeated Won finds both instead of creating twice. A deal with a **Subscription ID** is skipped.',
		'- Account currency, term and renewal are parameters of *Find or create account* / *Create subscription*. Task texts, due times and the note text are plain parameters too.',
		"- Any failure becomes a task for the deal's responsible user (error outputs); errors outside them go to the \"Failed executions → Kommo task\" workflow.",
	]);
	const mapping = head(w, {
		label: 'Zuora',
		key: 'zuora',
		mappings: [
			{ kommoPlan: 'Pro', priceId: '8ad09be48db5aba7018db5plan00pro-m', quantity: 1 },
			{ kommoPlan: 'Enterprise', priceId: '8ad09be48db5aba7018db5plan00ent-m', quantity: 1 },
		],
		provisioned: provisionedBySubscriptionId,
	});
	const account = w.node(
		'Find or create account',
		`${PKG}.zuora`,
		1,
		[1540, 0],
		{
			resource: 'account',
			operation: 'findOrCreate',
			name: '={{ $json.name }}',
			currency: 'USD',
			crmId: '={{ $json.id }}',
			billCycleDay: 1,
			paymentTerm: 'Due Upon Receipt',
			kommoContact: '={{ $json.contact }}',
			billToContact: { workEmail: '={{ $json.contact.email }}', country: "={{ $json.custom_fields_map.Country ?? '' }}" },
			// the next step needs only the account number: no GET of the whole account
			additionalFields: { returnFullAccount: false },
		},
		vendorNode('zuora'),
	);
	w.connect(mapping, account);
	const subscription = w.node(
		'Create subscription',
		`${PKG}.zuora`,
		1,
		[1760, 0],
		{
			resource: 'subscription',
			operation: 'create',
			accountNumber: '={{ $json.accountNumber }}',
			productRatePlanId: `={{ ${PLAN}.priceId }}`,
			contractEffectiveDate: `={{ $('${GET}').item.json.closed_at }}`,
			termType: 'TERMED',
			initialTerm: 12,
			initialTermPeriodType: 'Month',
			autoRenew: true,
			additionalFields: { subscriptionNumber: `=KL-{{ $('${GET}').item.json.id }}` },
		},
		vendorNode('zuora'),
	);
	w.connect(account, subscription);
	const S = `$('${subscription}').item.json`;
	const write = writeIdsAndNote(
		w,
		'Write ids and note to deal',
		[1980, 0],
		[
			['Billing customer ID', '={{ $json.accountNumber }}'],
			['Subscription ID', '={{ $json.subscriptionNumber }}'],
			['Subscription status', '={{ $json.status }}'],
		],
		[
			`=Zuora subscription {{ ${S}.subscriptionNumber }} created ({{ ${S}.status }}).`,
			`Plan: {{ ${PLAN}.kommoPlan }} → {{ ${S}.ratePlans?.[0]?.ratePlanName ?? ${PLAN}.priceId }}`,
			`Amount: {{ ${S}.money?.formatted ?? 'see Zuora' }} per month (contracted MRR), term {{ ${S}.initialTerm }} {{ ${S}.initialTermPeriodType }}s`,
			`Account: https://www.zuora.com/apps/CustomerAccount.do?method=view&id={{ ${S}.accountId }}`,
			`Subscription: https://www.zuora.com/apps/Subscription.do?method=view&id={{ ${S}.id }}`,
		].join('\n'),
	);
	w.connect(subscription, write);
	failureTask(w, 'Zuora', [1760, 480], [[GET, 1], [mapping, 2], [account, 1], [subscription, 1], [write, 1]]);
	return w.json('kbWonZuora000001', 'Kommo Won → Zuora account + subscription');
}

// ----------------------------------------------------------------- Paddle

function paddle(): WorkflowJson {
	const w = new Won('b');
	intro(w, 'Kommo Won → Paddle customer + invoiced subscription or checkout link', [
		"Runs when a deal moves to **Won** and its **Billing system** is *Paddle*. The deal's **Payment method** decides:",
		'- *Invoice*: address (deal field **Country**, two-letter code) + invoice with payment terms; Paddle creates the subscription when the invoice is issued.',
		'- *Card*: a checkout link goes into a note for the customer; Paddle creates the subscription when it is paid.',
		'- **Plan mapping**: Kommo plan → Paddle price (dropdowns from both systems). The deal id goes to `custom_data.kommo_lead_id`; a repeated Won reuses the customer and the transaction made for the deal. A deal with a **Subscription ID** or status *awaiting payment* is skipped.',
		"- Task texts, due times, payment terms and note texts are plain parameters. Any failure becomes a task for the deal's responsible user.",
	]);
	const PM_HERE = "$json.custom_fields_map['Payment method']";
	const mapping = head(w, {
		label: 'Paddle',
		key: 'paddle',
		mappings: [
			{ kommoPlan: 'Pro', priceId: 'pri_000000000000kbseedmonthusd', quantity: 1 },
			{ kommoPlan: 'Enterprise', priceId: 'pri_000000000000kbseedyearusd0', quantity: 1 },
		],
		provisioned: (wf: Won) => [
			...provisionedBySubscriptionId(wf),
			wf.cond("={{ $json.custom_fields_map['Subscription status'] }}", 'equals', 'awaiting payment'),
		],
		combinator: 'or',
		beforeMapping: {
			name: 'Payment method chosen?',
			taskName: 'Task: no payment method',
			taskText: `=The won deal "{{ $json.name }}" was not set up in Paddle: its Payment method is "{{ ${PM_HERE} ?? '' }}". Choose Invoice or Card in Kommo, then move the deal to Won again.`,
			condition: (wf: Won) => wf.cond(`={{ ['invoice', 'card'].includes(String(${PM_HERE} ?? '').trim().toLowerCase()) }}`, 'true', '', 'boolean'),
		},
	});
	const customer = w.node(
		'Find or create customer',
		`${PKG}.paddleBilling`,
		1,
		[1760, 0],
		{ resource: 'customer', operation: 'findOrCreate', email: '={{ $json.contact.email }}', name: '={{ $json.contact.name }}', kommoLeadId: '={{ $json.id }}' },
		vendorNode('paddle'),
	);
	w.connect(mapping, customer);
	const PM = `$('${GET}').item.json.custom_fields_map['Payment method']`;
	const method = w.node('Invoice or card?', 'n8n-nodes-base.switch', 3.2, [1980, 0], {
		rules: {
			values: [
				{ conditions: Won.filter([w.cond(`={{ ${PM} }}`, 'equals', 'Invoice')]), renameOutput: true, outputKey: 'Invoice' },
				{ conditions: Won.filter([w.cond(`={{ ${PM} }}`, 'equals', 'Card')]), renameOutput: true, outputKey: 'Card' },
			],
		},
		looseTypeValidation: true,
		options: { ignoreCase: true },
	});
	w.connect(customer, method);
	const items = { item: [{ priceId: `={{ ${PLAN}.priceId }}`, quantity: `={{ ${PLAN}.quantity }}` }] };

	// invoice branch
	const address = w.node(
		'Create address',
		`${PKG}.paddleBilling`,
		1,
		[2200, -120],
		{
			resource: 'address',
			operation: 'create',
			customerId: '={{ $json.id }}',
			countryCode: `={{ $('${GET}').item.json.custom_fields_map.Country ?? '' }}`,
			additionalFields: {},
			reuseExisting: true,
		},
		vendorNode('paddle'),
	);
	w.connect(method, address);
	const invoice = w.node(
		'Create invoiced subscription',
		`${PKG}.paddleBilling`,
		1,
		[2420, -120],
		{
			resource: 'subscription',
			operation: 'createByInvoice',
			customerId: `={{ $('${customer}').item.json.id }}`,
			addressId: '={{ $json.id }}',
			items,
			paymentTermsInterval: 'day',
			paymentTermsFrequency: 14,
			kommoLeadId: DEAL_ID,
			waitSeconds: 10,
			additionalFields: {},
		},
		vendorNode('paddle'),
	);
	w.connect(address, invoice);
	const T = `$('${invoice}').item.json`;
	const writeInvoice = writeIdsAndNote(
		w,
		'Write ids and note to deal',
		[2640, -120],
		[
			['Billing customer ID', '={{ $json.customer_id }}'],
			['Subscription ID', "={{ $json.subscription_id ?? '' }}"],
			['Subscription status', "={{ $json.subscription?.status ?? 'invoice ' + $json.status }}"],
		],
		[
			`=Paddle invoice {{ ${T}.invoice_number ?? '' }} issued ({{ ${T}.status }}), payment due in 14 days.`,
			`Plan: {{ ${PLAN}.kommoPlan }} → {{ ${PLAN}.priceId }} × {{ ${PLAN}.quantity }}`,
			`Amount: {{ ${T}.money.formatted }}`,
			`Subscription: {{ ${T}.subscription_id ?? 'created by Paddle shortly' }}`,
			`Transaction: https://vendors.paddle.com/transactions-v2/{{ ${T}.id }}`,
		].join('\n'),
	);
	w.connect(invoice, writeInvoice);

	// card branch
	const link = w.node(
		'Create checkout link',
		`${PKG}.paddleBilling`,
		1,
		[2200, 120],
		{ resource: 'subscription', operation: 'createCheckoutLink', customerId: `={{ $('${customer}').item.json.id }}`, items, kommoLeadId: DEAL_ID, additionalFields: {} },
		vendorNode('paddle'),
	);
	w.connect(method, link, 1);
	const L = `$('${link}').item.json`;
	const writeCard = writeIdsAndNote(
		w,
		'Write checkout link and note to deal',
		[2420, 120],
		[
			['Billing customer ID', '={{ $json.customer_id }}'],
			['Subscription status', 'awaiting payment'],
		],
		[
			`=Paddle checkout link for the customer (card payment): {{ ${L}.checkoutUrl }}`,
			`Plan: {{ ${PLAN}.kommoPlan }} → {{ ${PLAN}.priceId }} × {{ ${PLAN}.quantity }}`,
			`Amount: {{ ${L}.money.formatted }}`,
			'Paddle creates the subscription when the customer pays.',
		].join('\n'),
	);
	w.connect(link, writeCard);

	failureTask(w, 'Paddle', [2420, 480], [
		[GET, 1],
		[mapping, 2],
		[customer, 1],
		[address, 1],
		[invoice, 1],
		[writeInvoice, 1],
		[link, 1],
		[writeCard, 1],
	]);
	return w.json('kbWonPaddle00001', 'Kommo Won → Paddle customer + invoice or checkout link');
}

// ----------------------------------------------------------------- files

/** workflows/<file> → its workflow. */
export function wonWorkflows(): Record<string, WorkflowJson> {
	return {
		'kommo-won-to-chargebee.json': chargebee(),
		'kommo-won-to-paddle.json': paddle(),
		'kommo-won-to-zuora.json': zuora(),
	};
}
