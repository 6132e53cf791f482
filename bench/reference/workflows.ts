/**
 * The reference ("do it yourself") workflows: the shipped chains rebuilt from n8n core nodes
 * only, as a competent user would build them by hand (see build.ts for the care they take).
 * `npm run bench` imports them into the same n8n as ours and drives both side by side;
 * `node .bench-out/bench/reference/export.js` writes them to bench/reference/*.json for a look
 * in the editor.
 */
import type { WorkflowJson } from '../../dev/n8n';
import { chain, code, http, ifNode, KOMMO_AUTH, CHARGEBEE_AUTH, PADDLE_AUTH, ZUORA_AUTH, webhook } from './build';

export const REF_WON_PATH = { chargebee: 'ref-won-chargebee', paddle: 'ref-won-paddle', zuora: 'ref-won-zuora' } as const;
export const REF_EVENTS_PATH = { chargebee: 'ref-events-chargebee', paddle: 'ref-events-paddle', zuora: 'ref-events-zuora' } as const;

// ---------------------------------------------------------------------------------- Kommo part

/** Kommo posts a form; n8n hands it over as flat keys (`leads[status][0][id]`). */
const PARSE_KOMMO = `
const body = $json.body || {};
const out = [];
for (let i = 0; body['leads[status][' + i + '][id]'] !== undefined; i++) {
  if (String(body['leads[status][' + i + '][status_id]']) !== '142') continue;
  out.push({ json: { leadId: Number(body['leads[status][' + i + '][id]']) } });
}
return out;
`;

/** Reads the deal and its main contact; stops deals of another billing system or already provisioned. */
function checkDeal(vendorLabel: string, planMap: Record<string, string>): string {
	return `
const lead = $('Get lead').first().json;
const contact = $json;
const field = (values, name) => ((values || []).find((f) => f.field_name === name) || { values: [] }).values.map((v) => v.value)[0];
if (field(lead.custom_fields_values, 'Billing system') !== ${JSON.stringify(vendorLabel)}) return [];
if (field(lead.custom_fields_values, 'Subscription ID')) return [];
const plans = ${JSON.stringify(planMap)};
const plan = field(lead.custom_fields_values, 'Plan');
if (!plans[plan]) throw new Error('Plan ' + plan + ' has no ${vendorLabel} price');
const email = ((contact.custom_fields_values || []).find((f) => f.field_code === 'EMAIL') || { values: [] }).values.map((v) => v.value)[0];
if (!email) throw new Error('The contact of deal ' + lead.id + ' has no email');
return [{ json: { leadId: lead.id, dealName: lead.name, plan, priceId: plans[plan], email, firstName: contact.first_name || '', lastName: contact.last_name || '' } }];
`;
}

function wonStart(vendor: keyof typeof REF_WON_PATH, vendorLabel: string, planMap: Record<string, string>) {
	return [
		webhook('Kommo webhook', REF_WON_PATH[vendor], { responseMode: 'onReceived' }),
		code('Won deals', PARSE_KOMMO),
		http('Get lead', { method: 'GET', url: '=__KOMMO_URL__/api/v4/leads/{{ $json.leadId }}', query: { with: 'contacts' }, auth: KOMMO_AUTH }),
		http('Get contact', { method: 'GET', url: '=__KOMMO_URL__/api/v4/contacts/{{ $json._embedded.contacts[0].id }}', auth: KOMMO_AUTH }),
		code('Check deal', checkDeal(vendorLabel, planMap)),
	];
}

/** PATCH the lead's fields, then a note. `ids` is an expression object with customerId, subscriptionId, status. */
function wonFinish(ids: { customerId: string; subscriptionId: string; status: string; note: string }) {
	return [
		http('Write ids to deal', {
			method: 'PATCH',
			url: "=__KOMMO_URL__/api/v4/leads/{{ $('Check deal').item.json.leadId }}",
			auth: KOMMO_AUTH,
			jsonBody: `={{ JSON.stringify({ custom_fields_values: [
  { field_id: __KOMMO_FIELD_BILLING_CUSTOMER_ID__, values: [{ value: String(${ids.customerId}) }] },
  { field_id: __KOMMO_FIELD_SUBSCRIPTION_ID__, values: [{ value: String(${ids.subscriptionId}) }] },
  { field_id: __KOMMO_FIELD_SUBSCRIPTION_STATUS__, values: [{ value: String(${ids.status}) }] }
] }) }}`,
		}),
		http('Add note', {
			method: 'POST',
			url: '=__KOMMO_URL__/api/v4/leads/notes',
			auth: KOMMO_AUTH,
			jsonBody: `={{ JSON.stringify([{ entity_id: $('Check deal').item.json.leadId, note_type: 'common', params: { text: ${ids.note} } }]) }}`,
		}),
	];
}

// ---------------------------------------------------------------------------------- Won flows

export function referenceWonChargebee(): WorkflowJson {
	return chain('refWonChargebee1', 'Reference: Kommo Won → Chargebee (core nodes)', [
		...wonStart('chargebee', 'Chargebee', { Starter: 'basic-JPY-monthly', Pro: 'pro-USD-monthly', Enterprise: 'enterprise-USD-monthly' }),
		http('Create customer', {
			method: 'POST',
			url: '=__CHARGEBEE_URL__/api/v2/customers',
			auth: CHARGEBEE_AUTH,
			form: {
				id: '=kommo-lead-{{ $json.leadId }}',
				email: '={{ $json.email }}',
				first_name: '={{ $json.firstName }}',
				last_name: '={{ $json.lastName }}',
				company: '={{ $json.dealName }}',
			},
		}),
		http('Create subscription', {
			method: 'POST',
			url: "=__CHARGEBEE_URL__/api/v2/customers/{{ $json.customer.id }}/subscription_for_items",
			auth: CHARGEBEE_AUTH,
			form: {
				'subscription_items[item_price_id][0]': "={{ $('Check deal').item.json.priceId }}",
				meta_data: "={{ JSON.stringify({ kommo_lead_id: String($('Check deal').item.json.leadId) }) }}",
			},
		}),
		...wonFinish({
			customerId: "$('Create subscription').item.json.customer.id",
			subscriptionId: "$('Create subscription').item.json.subscription.id",
			status: "$('Create subscription').item.json.subscription.status",
			note:
				"'Chargebee subscription ' + $('Create subscription').item.json.subscription.id + ' created: ' + $('Check deal').item.json.plan + ', ' + ($('Create subscription').item.json.subscription.subscription_items[0].amount / 100).toFixed(2) + ' ' + $('Create subscription').item.json.subscription.currency_code",
		}),
	]);
}

/**
 * Paddle, invoiced: customer, address, manual-collection transaction, bill it; Paddle then
 * creates the subscription a moment later. Like our Paddle node (which polls the transaction
 * every 500 ms), the reference waits 500 ms and reads the transaction's subscription_id (the
 * sandbox creates it 30 ms after billing; real Paddle can take longer, where a user would need a
 * wait-and-retry loop).
 */
const PADDLE_PAUSE = `
await new Promise((resolve) => setTimeout(resolve, 500));
return $input.all();
`;

export function referenceWonPaddle(): WorkflowJson {
	return chain('refWonPaddle0001', 'Reference: Kommo Won → Paddle invoice (core nodes)', [
		...wonStart('paddle', 'Paddle', { Starter: '__PADDLE_PRICE_PRO__', Pro: '__PADDLE_PRICE_PRO__', Enterprise: '__PADDLE_PRICE_PRO__' }),
		http('Create customer', {
			method: 'POST',
			url: '=__PADDLE_URL__/customers',
			auth: PADDLE_AUTH,
			jsonBody: '={{ JSON.stringify({ email: $json.email, name: $json.firstName + " " + $json.lastName, custom_data: { kommo_lead_id: String($json.leadId) } }) }}',
		}),
		http('Create address', {
			method: 'POST',
			url: '=__PADDLE_URL__/customers/{{ $json.data.id }}/addresses',
			auth: PADDLE_AUTH,
			jsonBody: '={{ JSON.stringify({ country_code: "US" }) }}',
		}),
		http('Create invoice', {
			method: 'POST',
			url: '=__PADDLE_URL__/transactions',
			auth: PADDLE_AUTH,
			jsonBody: `={{ JSON.stringify({
  customer_id: $('Create customer').item.json.data.id,
  address_id: $json.data.id,
  collection_mode: 'manual',
  billing_details: { payment_terms: { interval: 'day', frequency: 14 }, enable_checkout: false },
  items: [{ price_id: $('Check deal').item.json.priceId, quantity: 1 }],
  custom_data: { kommo_lead_id: String($('Check deal').item.json.leadId) }
}) }}`,
		}),
		http('Bill it', {
			method: 'PATCH',
			url: '=__PADDLE_URL__/transactions/{{ $json.data.id }}',
			auth: PADDLE_AUTH,
			jsonBody: '={{ JSON.stringify({ status: "billed" }) }}',
		}),
		code('Give Paddle a moment', PADDLE_PAUSE),
		http('Get transaction', { method: 'GET', url: '=__PADDLE_URL__/transactions/{{ $json.data.id }}', auth: PADDLE_AUTH }),
		...wonFinish({
			customerId: "$('Create customer').item.json.data.id",
			subscriptionId: "$('Get transaction').item.json.data.subscription_id",
			status: "'active'",
			note:
				"'Paddle invoice ' + ($('Get transaction').item.json.data.invoice_number || $('Get transaction').item.json.data.id) + ' sent, subscription ' + $('Get transaction').item.json.data.subscription_id + ': ' + $('Check deal').item.json.plan + ', ' + (Number($('Get transaction').item.json.data.details.totals.grand_total) / 100).toFixed(2) + ' ' + $('Get transaction').item.json.data.currency_code",
		}),
	]);
}

/**
 * Zuora, as a careful user builds it: find the account whose CRM ID is the lead id (ZOQL), create
 * it only when there is none, order the subscription with number KL-<lead id> (a repeated Won is
 * refused by Zuora instead of creating twice), then read the subscription for its status (the
 * order's answer carries statuses only with a Zuora-Version header ≥ 223.0; without one, only the
 * numbers). The same Zuora calls as our Won → Zuora workflow: query, account, order, subscription.
 */
export function referenceWonZuora(): WorkflowJson {
	const CREATED = "$('Create account').isExecuted";
	const ACCOUNT_NUMBER = `(${CREATED} ? $('Create account').item.json.accountNumber : $('Find account').item.json.records[0].AccountNumber)`;
	return chain(
		'refWonZuora00001',
		'Reference: Kommo Won → Zuora (core nodes)',
		[
			...wonStart('zuora', 'Zuora', {
				Starter: '8ad09be48db5aba7018db5plan00pro-m',
				Pro: '8ad09be48db5aba7018db5plan00pro-m',
				Enterprise: '8ad09be48db5aba7018db5plan00ent-m',
			}),
			http('Find account', {
				method: 'POST',
				url: '=__ZUORA_URL__/v1/action/query',
				auth: ZUORA_AUTH,
				jsonBody: `={{ JSON.stringify({ queryString: "select AccountNumber from Account where CrmId = '" + String($json.leadId) + "'" }) }}`,
			}),
			ifNode('No account yet?', '={{ ($json.records || []).length }}', 'equals', 0),
			http('Create account', {
				method: 'POST',
				url: '=__ZUORA_URL__/v1/accounts',
				auth: ZUORA_AUTH,
				jsonBody:
					"={{ JSON.stringify((({ leadId, dealName, firstName, lastName, email }) => ({ name: dealName, currency: 'USD', billCycleDay: 1, crmId: String(leadId), billToContact: { firstName: firstName || '-', lastName: lastName || '-', workEmail: email } }))($('Check deal').item.json)) }}",
			}),
			http('Create subscription', {
				method: 'POST',
				url: '=__ZUORA_URL__/v1/orders',
				auth: ZUORA_AUTH,
				jsonBody: `={{ JSON.stringify({
  orderDate: $now.toFormat('yyyy-MM-dd'),
  existingAccountNumber: ${ACCOUNT_NUMBER},
  subscriptions: [{ orderActions: [{ type: 'CreateSubscription', createSubscription: {
    subscriptionNumber: 'KL-' + $('Check deal').item.json.leadId,
    terms: { initialTerm: { termType: 'TERMED', period: 12, periodType: 'Month' }, renewalSetting: 'RENEW_WITH_SPECIFIC_TERM', renewalTerms: [{ period: 12, periodType: 'Month' }], autoRenew: true },
    subscribeToRatePlans: [{ productRatePlanId: $('Check deal').item.json.priceId }]
  } }] }]
}) }}`,
			}),
			http('Get subscription', {
				method: 'GET',
				url: "=__ZUORA_URL__/v1/subscriptions/KL-{{ $('Check deal').item.json.leadId }}",
				auth: ZUORA_AUTH,
			}),
			...wonFinish({
				customerId: "$('Get subscription').item.json.accountNumber",
				subscriptionId: "$('Get subscription').item.json.subscriptionNumber",
				status: "$('Get subscription').item.json.status",
				note: "'Zuora subscription ' + $('Get subscription').item.json.subscriptionNumber + ' created (order ' + $('Create subscription').item.json.orderNumber + '): ' + $('Check deal').item.json.plan",
			}),
		],
		new Map([['No account yet?', 'Create subscription']]),
	);
}

// ---------------------------------------------------------------------------------- events

/** Static-data dedupe, as users do it: remember ids in the workflow's static data. */
const SEEN = `
const store = $getWorkflowStaticData('global');
store.seen = store.seen || [];
const seen = (id) => store.seen.includes(id);
const remember = (id) => { store.seen.push(id); if (store.seen.length > 10000) store.seen.shift(); };
`;

const CHARGEBEE_NOTE = `
${SEEN}
const event = $json.body || {};
if (!event.id || seen(event.id)) return [];
const c = event.content || {};
const leadId = Number((c.customer || {}).cf_kommo_lead_id || ((c.subscription || {}).meta_data || {}).kommo_lead_id);
if (!leadId || event.event_type !== 'payment_succeeded') return [];
const t = c.transaction || {};
remember(event.id);
return [{ json: { leadId, text: 'Payment received: ' + (t.amount / 100).toFixed(2) + ' ' + t.currency_code + ' (Chargebee invoice ' + ((c.invoice || {}).id || '') + ')' } }];
`;

const PADDLE_NOTE = `
const crypto = require('crypto');
${SEEN}
const raw = (await this.helpers.getBinaryDataBuffer(0, 'data')).toString('utf8');
const header = String($json.headers['paddle-signature'] || '');
const parts = header.split(';').map((p) => p.split('='));
const ts = (parts.find((p) => p[0] === 'ts') || [])[1];
const expected = crypto.createHmac('sha256', '__PADDLE_REF_SECRET__').update(ts + ':' + raw).digest('hex');
if (!ts || !parts.some((p) => p[0] === 'h1' && p[1] === expected) || Math.abs(Date.now() / 1000 - Number(ts)) > 300) {
  throw new Error('Invalid Paddle signature');
}
const event = JSON.parse(raw);
if (seen(event.event_id) || event.event_type !== 'transaction.completed') return [];
const d = event.data || {};
const leadId = Number((d.custom_data || {}).kommo_lead_id);
if (!leadId) return [];
const totals = (d.details || {}).totals || {};
remember(event.event_id);
return [{ json: { leadId, text: 'Payment received: ' + (Number(totals.grand_total) / 100).toFixed(2) + ' ' + d.currency_code + ' (Paddle invoice ' + (d.invoice_number || d.id) + ')' } }];
`;

const ZUORA_NOTE = `
${SEEN}
const p = $json.body || {};
const id = [p.objectId, p.eventType, p.eventTimestamp].join(':');
if (seen(id) || !/payment/i.test(String(p.eventType)) || /fail|declin/i.test(String(p.eventType))) return [];
const leadId = Number(p.crmId);
if (!leadId) return [];
remember(id);
return [{ json: { leadId, text: 'Payment received: ' + Number(p.amount).toFixed(2) + ' ' + p.currency + ' (Zuora payment ' + (p.paymentNumber || p.objectId) + ')' } }];
`;

function eventsFlow(id: string, name: string, hook: ReturnType<typeof webhook>, noteCode: string): WorkflowJson {
	return chain(id, name, [
		hook,
		code('Verify and build note', noteCode),
		http('Add note', {
			method: 'POST',
			url: '=__KOMMO_URL__/api/v4/leads/notes',
			auth: KOMMO_AUTH,
			jsonBody: "={{ JSON.stringify([{ entity_id: $json.leadId, note_type: 'common', params: { text: $json.text } }]) }}",
		}),
	]);
}

export function referenceEventsChargebee(): WorkflowJson {
	return eventsFlow(
		'refEvtChargebee1',
		'Reference: Chargebee events → Kommo (core nodes)',
		webhook('Chargebee webhook', REF_EVENTS_PATH.chargebee, {
			responseMode: 'lastNode',
			basicAuthCredential: { id: 'refChargebeeHook', name: 'Reference: Chargebee webhook pair' },
		}),
		CHARGEBEE_NOTE,
	);
}

export function referenceEventsPaddle(): WorkflowJson {
	return eventsFlow('refEvtPaddle0001', 'Reference: Paddle events → Kommo (core nodes)', webhook('Paddle webhook', REF_EVENTS_PATH.paddle), PADDLE_NOTE);
}

export function referenceEventsZuora(): WorkflowJson {
	return eventsFlow(
		'refEvtZuora00001',
		'Reference: Zuora callouts → Kommo (core nodes)',
		webhook('Zuora callout', REF_EVENTS_PATH.zuora, {
			responseMode: 'lastNode',
			basicAuthCredential: { id: 'refZuoraCallout1', name: 'Reference: Zuora callout pair' },
		}),
		ZUORA_NOTE,
	);
}

export function referenceWorkflows(): WorkflowJson[] {
	return [referenceWonChargebee(), referenceWonPaddle(), referenceWonZuora(), referenceEventsChargebee(), referenceEventsPaddle(), referenceEventsZuora()];
}
