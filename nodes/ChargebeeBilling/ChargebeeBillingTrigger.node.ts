import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { basicAuthDigest, checkBasicAuth, checkBasicAuthDigest, randomSecret } from '../shared/crypto';
import { CurrencyError } from '../shared/money';
import { CHARGEBEE_EVENT_TYPES } from './event-types';
import { DEFAULT_EVENTS, DEFAULT_KOMMO_FIELD } from './helpers';
import { chargebeeEventSchema, normalizeChargebeeEvent } from './normalize';
import {
	CHARGEBEE_CREDENTIAL,
	attempt,
	callIdempotencyKey,
	chargebeeList,
	chargebeeRequest,
	idPath,
	isNotFound,
} from './transport';
import { capError, updateInPlace } from './webhook-endpoints';
import { DEFAULT_MAX_EVENT_AGE_HOURS, migrateStoredPair, tooOld, type RegistrationData } from './webhook-guard';

const WEBHOOK_AUTH_CREDENTIAL = 'chargebeeWebhookAuthApi';
const REALM = 'Basic realm="Chargebee Billing Trigger", charset="UTF-8"';

const humanize = (type: string) =>
	type
		.split('_')
		.map((w) => (w.length > 0 ? w[0].toUpperCase() + w.slice(1) : w))
		.join(' ');

const eventOptions: INodePropertyOptions[] = [
	{ name: 'All Events', value: '*', description: 'Every event type, including ones Chargebee adds later' },
	...CHARGEBEE_EVENT_TYPES.map((type) => ({ name: humanize(type), value: type })),
];

function selectedEvents(this: IHookFunctions | IWebhookFunctions): string[] {
	return (this.getNodeParameter('events', []) as string[]).map(String);
}

function sameEvents(a: string[] | undefined, b: string[]): boolean {
	if (!a) return false;
	const x = [...a].sort();
	const y = [...b].sort();
	return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Options that call the Chargebee API from webhook(). */
function apiOptionsInUse(options: IDataObject, mode = 'manual'): string[] {
	const used: string[] = [];
	if (refetchOn(options, mode)) used.push('Verify by Re-Fetching the Event');
	if (options.lookupCustomer === true) used.push('Look Up Customer When Missing');
	if (options.includeInvoicePdfUrl === true) used.push('Include Invoice PDF URL');
	return used;
}

/**
 * Re-fetching is on by default in automatic mode, which already holds a full-access key: a
 * captured or forged body (Chargebee does not sign webhooks) then cannot invent events.
 */
function refetchOn(options: IDataObject, mode: string): boolean {
	return typeof options.refetchEvent === 'boolean' ? options.refetchEvent : mode === 'automatic';
}

/** Fails activation with a clear message when the API credential is needed but not set. */
async function requireApiCredential(this: IHookFunctions, why: string): Promise<void> {
	const credentials = await attempt(this.getCredentials(CHARGEBEE_CREDENTIAL));
	if (!credentials.ok) {
		throw new NodeOperationError(this.getNode(), `Select a Chargebee Billing API credential: ${why} needs it`, {
			description: 'A full-access key for automatic mode; a read-only key is enough for the options in manual mode.',
		});
	}
}

function reject(this: IWebhookFunctions, status: number, message: string, headers: Record<string, string> = {}): IWebhookResponseData {
	const res = this.getResponseObject();
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.status(status).json({ message });
	return { noWebhookResponse: true };
}

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
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: '={{$parameter["responseMode"]}}',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				options: [
					{
						name: 'Automatic',
						value: 'automatic',
						description:
							'Registers a webhook endpoint in Chargebee with a generated Basic-auth pair when the workflow is published, and removes it when unpublished (needs a full-access API key)',
					},
					{
						name: 'Manual',
						value: 'manual',
						description: 'You add this URL in Chargebee yourself and enter its Basic-auth pair in a credential',
					},
				],
				default: 'automatic',
			},
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
			{
				displayName: 'Respond',
				name: 'responseMode',
				type: 'options',
				options: [
					{
						name: 'Immediately',
						value: 'onReceived',
						description: 'Answer 200 as soon as the event is accepted',
					},
					{
						name: 'When Last Node Finishes',
						value: 'lastNode',
						description: 'Answer when the workflow is done; a failed run answers 500 so that Chargebee retries',
					},
					{
						name: "Using 'Respond to Webhook' Node",
						value: 'responseNode',
						description: 'Answer from a Respond to Webhook node (e.g. 5xx after releasing a dedupe claim)',
					},
				],
				default: 'onReceived',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
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
				],
			},
		],
	};

	methods = {
		credentialTest: {
			/** The pair never goes anywhere: check that Chargebee will accept it and that it is strong enough. */
			async chargebeeWebhookAuthTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const data = credential.data ?? {};
				const user = String(data.user ?? '');
				const password = String(data.password ?? '');
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

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('mode', 'automatic') === 'manual') {
					const used = apiOptionsInUse(this.getNodeParameter('options', {}) as IDataObject, 'manual');
					if (used.length > 0) await requireApiCredential.call(this, used.join(', '));
					return true;
				}
				await requireApiCredential.call(this, 'automatic mode (it registers the webhook endpoint)');
				const data = this.getWorkflowStaticData('node') as RegistrationData;
				migrateStoredPair(data);
				if (!data.webhookEndpointId || !data.basicAuthDigest) return false;
				const result = await attempt(
					chargebeeRequest.call(this, {
						method: 'GET',
						path: idPath('/webhook_endpoints/{id}', data.webhookEndpointId),
					}),
				);
				if (!result.ok) {
					if (isNotFound(result.error)) {
						delete data.webhookEndpointId;
						return false;
					}
					throw result.error;
				}
				const endpoint = (result.value as IDataObject).webhook_endpoint as IDataObject;
				const url = this.getNodeWebhookUrl('default');
				return endpoint.url === url && endpoint.disabled !== true && sameEvents(data.registeredEvents, selectedEvents.call(this));
			},

			async create(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('mode', 'automatic') === 'manual') return true;
				const url = this.getNodeWebhookUrl('default') as string;
				const events = selectedEvents.call(this);
				if (events.length === 0) {
					throw new NodeOperationError(this.getNode(), 'Select at least one event type under "Events"');
				}
				const data = this.getWorkflowStaticData('node') as RegistrationData;
				migrateStoredPair(data);
				// Only the events (or URL) changed: update our endpoint in place.
				if (await updateInPlace.call(this, data, url, events)) return true;

				// A stale endpoint for this URL (ours from before, or left over) is replaced: its
				// password is write-only in Chargebee, so it cannot be reused.
				const stale = new Set<string>();
				if (data.webhookEndpointId) stale.add(data.webhookEndpointId);
				const existing = await chargebeeList.call(this, '/webhook_endpoints', 'webhook_endpoint', { returnAll: true });
				for (const endpoint of existing) if (endpoint.url === url) stale.add(String(endpoint.id));
				for (const id of stale) {
					const removed = await attempt(
						chargebeeRequest.call(this, {
							method: 'POST',
							path: idPath('/webhook_endpoints/{id}/delete', id),
							idempotencyKey: callIdempotencyKey('webhook-delete'),
						}),
					);
					if (!removed.ok && !isNotFound(removed.error)) throw removed.error;
				}

				const user = `n8n-${randomSecret(9)}`;
				const password = randomSecret(32);
				// Named after the workflow, with its id so that two workflows (or a test listener
				// next to the published one) never share a name; Chargebee allows 50 characters.
				const workflow = this.getWorkflow();
				const suffix = ` (${workflow.id ?? '?'}${this.getActivationMode() === 'manual' ? ' test' : ''})`;
				const name = `n8n ${workflow.name ?? ''}`.trim().slice(0, Math.max(3, 50 - suffix.length)) + suffix;
				const created = await attempt(chargebeeRequest.call(this, {
					method: 'POST',
					path: '/webhook_endpoints',
					form: {
						name: name.slice(0, 50),
						url,
						api_version: 'v2',
						basic_auth_username: user,
						basic_auth_password: password,
						...(events.includes('*') ? {} : { enabled_events: events }),
					},
					idempotencyKey: callIdempotencyKey('webhook-create'),
				}));
				if (!created.ok) throw await capError.call(this, created.error as Error, url);
				const endpoint = (created.value as IDataObject).webhook_endpoint as IDataObject;
				Object.assign(data, {
					webhookEndpointId: String(endpoint.id),
					webhookUrl: url,
					basicAuthDigest: basicAuthDigest(user, password),
					registeredEvents: events,
				});
				delete data.basicAuthUser;
				delete data.basicAuthPassword;
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('mode', 'automatic') === 'manual') return true;
				const data = this.getWorkflowStaticData('node') as RegistrationData;
				if (data.webhookEndpointId) {
					const removed = await attempt(
						chargebeeRequest.call(this, {
							method: 'POST',
							path: idPath('/webhook_endpoints/{id}/delete', data.webhookEndpointId),
							idempotencyKey: callIdempotencyKey('webhook-delete'),
						}),
					);
					if (!removed.ok && !isNotFound(removed.error)) {
						this.logger.warn(
							`Chargebee Billing Trigger: could not delete webhook endpoint ${data.webhookEndpointId}: ${(removed.error as Error).message}`,
						);
						return false;
					}
				}
				for (const key of ['webhookEndpointId', 'webhookUrl', 'basicAuthDigest', 'basicAuthUser', 'basicAuthPassword', 'registeredEvents']) {
					delete data[key];
				}
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		// 1. Who is calling: Basic auth, compared in constant time, before anything else.
		const mode = this.getNodeParameter('mode', 'automatic') as string;
		const authorization = this.getHeaderData().authorization;
		let authenticated = false;
		if (mode === 'manual') {
			const credentials = await this.getCredentials(WEBHOOK_AUTH_CREDENTIAL);
			if (credentials.user && credentials.password) {
				authenticated = checkBasicAuth(authorization, String(credentials.user), String(credentials.password));
			}
		} else {
			const data = this.getWorkflowStaticData('node') as RegistrationData;
			// an install from before the digest: n8n saves the migrated static data after this call
			migrateStoredPair(data);
			if (!data.basicAuthDigest) {
				// n8n stores the generated pair only after activation finishes: ask Chargebee to
				// retry rather than refusing the call as unauthenticated.
				return reject.call(this, 503, 'The trigger is still being activated; try again shortly');
			}
			authenticated = checkBasicAuthDigest(authorization, data.basicAuthDigest);
		}
		if (!authenticated) {
			return reject.call(this, 401, 'Unauthorized', { 'WWW-Authenticate': REALM });
		}

		// 2. What was sent: a Chargebee event.
		let body: unknown = this.getBodyData();
		if (!body || Object.keys(body as object).length === 0) {
			const raw = this.getRequestObject().rawBody;
			try {
				body = raw ? JSON.parse(raw.toString('utf8')) : undefined;
			} catch {
				body = undefined;
			}
		}
		const parsed = chargebeeEventSchema.safeParse(body);
		if (!parsed.success) {
			return reject.call(this, 400, 'Not a Chargebee event: expected {id, event_type, occurred_at, content}');
		}
		let event = parsed.data as IDataObject;

		// 3. Is it one we want: anything else is acknowledged so that Chargebee does not retry it.
		const events = (this.getNodeParameter('events', []) as string[]).map(String);
		const wanted = (type: string) => events.includes('*') || events.includes(type);
		if (!wanted(String(event.event_type))) {
			this.getResponseObject().status(200).json({ received: true, ignored: String(event.event_type) });
			return { noWebhookResponse: true };
		}

		const options = this.getNodeParameter('options', {}) as IDataObject;

		// 4. Chargebee's own copy of the event (default in automatic mode), and not a replay of an old one.
		if (refetchOn(options, mode)) {
			const fetched = await attempt(
				chargebeeRequest.call(this, { method: 'GET', path: idPath('/events/{id}', String(event.id)), quick: true }),
			);
			if (!fetched.ok) {
				if (isNotFound(fetched.error)) return reject.call(this, 400, 'Unknown event: Chargebee has no event with this id');
				// Chargebee retries non-2xx answers, so a temporary failure here loses nothing.
				return reject.call(this, 503, 'Could not verify the event with Chargebee; retry later', { 'Retry-After': '60' });
			}
			const copy = chargebeeEventSchema.safeParse((fetched.value as IDataObject).event);
			if (!copy.success || copy.data.event_type !== event.event_type) {
				return reject.call(this, 400, 'The event does not match Chargebee\'s copy');
			}
			event = copy.data as IDataObject;
		}

		const maxAge = options.maxEventAgeHours === undefined ? DEFAULT_MAX_EVENT_AGE_HOURS : Number(options.maxEventAgeHours);
		const stale = tooOld(event.occurred_at, maxAge);
		if (stale) return reject.call(this, 400, `Event refused: ${stale}`);

		// 5. Optional look-ups for the normalised block.
		const content = (event.content ?? {}) as IDataObject;
		let customer: IDataObject | undefined;
		if (options.lookupCustomer === true && !content.customer) {
			const draft = normalizeChargebeeEvent(event);
			if (draft.customerId) {
				const found = await attempt(
					chargebeeRequest.call(this, { method: 'GET', path: idPath('/customers/{id}', draft.customerId), quick: true }),
				);
				if (found.ok) customer = (found.value as IDataObject).customer as IDataObject;
				else if (!isNotFound(found.error)) {
					return reject.call(this, 503, 'Could not load the customer from Chargebee; retry later', { 'Retry-After': '60' });
				}
			}
		}
		let invoiceUrl: string | null = null;
		if (options.includeInvoicePdfUrl === true) {
			const draft = normalizeChargebeeEvent(event);
			if (draft.invoiceId) {
				const pdf = await attempt(
					chargebeeRequest.call(this, {
						method: 'POST',
						path: idPath('/invoices/{id}/pdf', draft.invoiceId),
						idempotencyKey: callIdempotencyKey('invoice-pdf'),
						quick: true,
					}),
				);
				if (pdf.ok) invoiceUrl = String(((pdf.value as IDataObject).download as IDataObject).download_url);
				else if (!isNotFound(pdf.error)) {
					return reject.call(this, 503, 'Could not get the invoice PDF URL from Chargebee; retry later', { 'Retry-After': '60' });
				}
			}
		}

		let normalized: ReturnType<typeof normalizeChargebeeEvent>;
		const warnings: string[] = [];
		try {
			normalized = normalizeChargebeeEvent(event, {
				kommoLeadIdField: String(options.kommoLeadIdField ?? DEFAULT_KOMMO_FIELD),
				customer,
				invoiceUrl,
				warnings,
			});
		} catch (error) {
			if (error instanceof CurrencyError) {
				throw new NodeOperationError(this.getNode(), `Chargebee event ${String(event.id)}: ${error.message}`);
			}
			throw new NodeOperationError(this.getNode(), error as Error);
		}
		// A money problem is acknowledged with a warning, never a 500 (which Chargebee retries for days).
		for (const warning of warnings) this.logger.warn(`Chargebee Billing Trigger: event ${String(event.id).slice(0, 60)}: ${warning}`);
		return {
			workflowData: [[{ json: { normalized: normalized as unknown as IDataObject, event, ...(warnings.length ? { warnings } : {}) } }]],
		};
	}
}
