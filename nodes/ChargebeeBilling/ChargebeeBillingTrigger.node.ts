/**
 * Chargebee Billing Trigger: the node's description and its webhook. What it does lives in
 * trigger/: registration.ts (the endpoint in Chargebee), verify.ts (Basic auth, Chargebee's own
 * copy, event age) and normalize.ts (the event and the cross-vendor `normalized` block).
 */
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { optionsCollection } from '../shared/descriptions';
import {
	answer,
	credentialText,
	modeProperty,
	rawBody,
	refuse,
	REFUSAL_BODY,
	type Refusal,
	respondingWebhook,
	respondProperty,
	webhookLifecycle,
} from '../shared/webhook';
import { DEFAULT_EVENTS, DEFAULT_KOMMO_FIELD } from './helpers';
import { CHARGEBEE_EVENT_TYPES } from './trigger/event-types';
import { parseEvent, toItem } from './trigger/normalize';
import * as registration from './trigger/registration';
import { authenticate, confirmEvent, DEFAULT_MAX_EVENT_AGE_HOURS } from './trigger/verify';

const humanize = (type: string) =>
	type
		.split('_')
		.map((w) => (w.length > 0 ? w[0].toUpperCase() + w.slice(1) : w))
		.join(' ');

const eventOptions: INodePropertyOptions[] = [
	{ name: 'All Events', value: '*', description: 'Every event type, including ones Chargebee adds later' },
	...CHARGEBEE_EVENT_TYPES.map((type) => ({ name: humanize(type), value: type })),
];

export class ChargebeeBillingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Chargebee Billing Trigger',
		name: 'chargebeeBillingTrigger',
		icon: { light: 'file:../../icons/chargebeeBilling.svg', dark: 'file:../../icons/chargebeeBilling.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["mode"] === "manual" ? "manual endpoint" : "self-registering endpoint"}}',
		description: 'Starts the workflow on Chargebee events, authenticated with HTTP Basic auth',
		defaults: { name: 'Chargebee Billing Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'chargebeeBillingApi',
				required: false,
			},
			{
				name: 'chargebeeWebhookAuthApi',
				required: true,
				testedBy: 'chargebeeWebhookAuthTest',
				displayOptions: { show: { mode: ['manual'] } },
			},
		],
		webhooks: [respondingWebhook()],
		properties: [
			modeProperty(
				'Registers a webhook endpoint in Chargebee with a generated Basic-auth pair when the workflow is published, and removes it when unpublished (needs a full-access API key)',
				'You add this URL in Chargebee yourself and enter its Basic-auth pair in a credential',
			),
			{
				displayName:
					'Automatic mode needs the Chargebee Billing API credential (full-access key). The generated Basic-auth pair is kept in the workflow and never shown.',
				name: 'automaticNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { mode: ['automatic'] } },
			},
			{
				displayName:
					'In Chargebee, open Settings → Configure Chargebee → Webhooks → Add Webhook, paste this node\'s production URL, turn on "Protect webhook URL with basic authentication" and enter the same user and password as in the Chargebee Webhook Auth credential. Select the same events there.',
				name: 'manualNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { mode: ['manual'] } },
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: eventOptions,
				default: [...DEFAULT_EVENTS],
				required: true,
				description:
					'Event types that start the workflow; any other type is acknowledged with 200 and ignored. The list is Chargebee\'s full event list from its official SDK.',
			},
			respondProperty('Chargebee', 'the event is accepted'),
			optionsCollection([
				{
					displayName: 'Include Invoice PDF URL',
					name: 'includeInvoicePdfUrl',
					type: 'boolean',
					default: false,
					description:
						'Whether to fetch a download URL for the event\'s invoice into normalized.invoiceUrl (Chargebee\'s URLs expire after a while; needs the API credential)',
				},
				{
					displayName: 'Kommo Lead ID Field',
					name: 'kommoLeadIdField',
					type: 'string',
					default: DEFAULT_KOMMO_FIELD,
					description:
						'Customer custom field that holds the Kommo lead ID (subscription meta_data.kommo_lead_id is used when the customer has none)',
				},
				{
					displayName: 'Look Up Customer When Missing',
					name: 'lookupCustomer',
					type: 'boolean',
					default: false,
					description:
						'Whether to fetch the customer for events that carry none (e.g. invoice_generated, credit_note_created) to fill the Kommo lead ID and email (needs the API credential)',
				},
				{
					displayName: 'Maximum Event Age (Hours)',
					name: 'maxEventAgeHours',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: DEFAULT_MAX_EVENT_AGE_HOURS,
					description:
						'Events that occurred longer ago are refused as replays. Chargebee stops retrying after about 3.5 days; raise it to re-send older events from Chargebee by hand. 0 = no limit.',
				},
				{
					displayName: 'Verify by Re-Fetching the Event',
					name: 'refetchEvent',
					type: 'boolean',
					default: true,
					description:
						'Whether to load the event from Chargebee\'s events API by its ID and use that copy: a forged body with a stolen Basic-auth pair cannot invent events (needs the API credential). On by default in automatic mode, off in manual mode unless added here.',
				},
			]),
		],
	};

	methods = {
		credentialTest: {
			/** The pair never goes anywhere: check that Chargebee will accept it and that it is strong enough. */
			async chargebeeWebhookAuthTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const { user, password } = credentialText(credential, 'user', 'password');
				if (user === '' || user.includes(':')) {
					return { status: 'Error', message: 'User must be set and must not contain ":"' };
				}
				if (password.length < 12) {
					return { status: 'Error', message: 'Password is too short: use at least 12 (better 16+) random characters' };
				}
				return { status: 'OK', message: 'The pair is usable; enter the same one in Chargebee\'s webhook settings' };
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const refused = (refusal: Refusal) => refuse(this, refusal, REFUSAL_BODY.message);
		const mode = this.getNodeParameter('mode', 'automatic') as string;
		// 1. Who is calling, before anything else.
		const caller = await authenticate.call(this, mode);
		if (!caller.ok) return refused(caller.refusal);
		// 2. What was sent: a Chargebee event.
		const parsed = parseEvent(this.getBodyData(), rawBody(this));
		if (!parsed.ok) return refused(parsed.refusal);
		// 3. Is it one we want: anything else is acknowledged so that Chargebee does not retry it.
		const type = String(parsed.value.event_type);
		const events = registration.selectedEvents.call(this);
		if (!events.includes('*') && !events.includes(type)) return answer(this, 200, { received: true, ignored: type });
		// 4. Chargebee's own copy, not a replay; 5. the item, with the optional look-ups.
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const event = await confirmEvent.call(this, parsed.value, options, mode);
		if (!event.ok) return refused(event.refusal);
		const item = await toItem.call(this, event.value, options);
		if (!item.ok) return refused(item.refusal);
		return { workflowData: [[{ json: item.value }]] };
	}

	/** The webhook's lifecycle in the vendor: trigger/registration.ts. */
	webhookMethods = webhookLifecycle(registration);
}
