/**
 * Zuora Trigger: the node's description and its webhook. What it does lives in trigger/:
 * registration.ts (nothing remote: Zuora's callouts are configured in Zuora), verify.ts (Basic
 * auth, HMAC or URL secret; what may be trusted; event time) and normalize.ts.
 */
import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { optionsCollection } from '../shared/descriptions';
import { answer, refuse, REFUSAL_BODY, type Refusal, webhookLifecycle } from '../shared/webhook';
import { CATEGORIES, fieldPaths, type NormalizedField, toItems } from './trigger/normalize';
import * as registration from './trigger/registration';
import { checkFreshness, DEFAULT_MAX_EVENT_AGE_MINUTES, verifyCallout, zuoraCalloutAuthTest } from './trigger/verify';

const MAPPABLE: Array<{ field: NormalizedField; label: string; hint: string }> = [
	{ field: 'objectId', label: 'Object ID Field', hint: 'ID of the object the event is about (part of the dedupe key)' },
	{ field: 'timestamp', label: 'Timestamp Field', hint: 'Event time (part of the dedupe key)' },
	{ field: 'crmId', label: 'CRM ID Field', hint: "The account's crmId (the Kommo lead ID)" },
	{ field: 'customerId', label: 'Account Field', hint: 'Account number or ID' },
	{ field: 'subscriptionId', label: 'Subscription Field', hint: 'Subscription number or ID' },
	{ field: 'invoiceId', label: 'Invoice Field', hint: 'Invoice number or ID' },
	{ field: 'transactionId', label: 'Payment Field', hint: 'Payment number or ID' },
	{ field: 'amount', label: 'Amount Field', hint: 'Decimal amount, e.g. 49.00' },
	{ field: 'currency', label: 'Currency Field', hint: 'Three-letter currency code' },
	{ field: 'customerEmail', label: 'Email Field', hint: 'Bill-to email' },
	{ field: 'planId', label: 'Plan Field', hint: 'Rate plan ID or name' },
	{ field: 'previousPlanId', label: 'Previous Plan Field', hint: 'Rate plan before a change' },
	{ field: 'status', label: 'Status Field', hint: 'Payment, invoice or subscription status' },
	{ field: 'reason', label: 'Reason Field', hint: 'Decline or cancellation reason' },
	{ field: 'invoiceUrl', label: 'Invoice URL Field', hint: 'Link to the invoice' },
	{ field: 'updatedDate', label: 'Updated Date Field', hint: "The object's UpdatedDate: orders events about the same object" },
];

export class ZuoraTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zuora Trigger',
		name: 'zuoraTrigger',
		icon: { light: 'file:../../icons/zuora.svg', dark: 'file:../../icons/zuora.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["authentication"] }}',
		description: 'Receives Zuora callout notifications, checks Basic auth, HMAC or a URL secret, and normalizes them',
		defaults: { name: 'Zuora Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'zuoraCalloutAuthApi', required: true, testedBy: 'zuoraCalloutAuthTest' }],
		// Zuora callouts may be POST, PUT or GET, with merge fields in the URL (fidelity review B7).
		webhooks: (['POST', 'GET', 'PUT'] as const).map((httpMethod) => ({
			name: 'default' as const,
			httpMethod,
			responseMode: '={{ $parameter["responseMode"] }}',
			path: 'callout',
		})),
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{
						name: 'Basic Auth',
						value: 'basic',
						description: 'Zuora calls without credentials first; the trigger answers 401 with a Basic challenge',
					},
					{ name: 'HMAC Signature', value: 'hmac', description: 'Zuora signs the callout with a shared key' },
					{
						name: 'None (Secret in URL)',
						value: 'urlSecret',
						description: 'The callout URL carries a secret query parameter',
					},
				],
				default: 'basic',
			},
			{
				displayName: 'Realm',
				name: 'realm',
				type: 'string',
				default: 'Zuora Callout',
				displayOptions: { show: { authentication: ['basic'] } },
				description: 'Realm named in the WWW-Authenticate challenge',
			},
			{
				displayName: 'HMAC Algorithm',
				name: 'hmacAlgorithm',
				type: 'options',
				options: [
					{ name: 'SHA-256', value: 'sha256' },
					{ name: 'SHA-512', value: 'sha512' },
					{ name: 'SHA-1', value: 'sha1' },
				],
				default: 'sha256',
				displayOptions: { show: { authentication: ['hmac'] } },
			},
			{
				displayName: 'Signature Header',
				name: 'hmacHeader',
				type: 'string',
				default: 'X-Zuora-Signature',
				displayOptions: { show: { authentication: ['hmac'] } },
				description: 'The "Signed Header Key" set in the Zuora callout',
			},
			{
				displayName: 'Signature Encoding',
				name: 'hmacEncoding',
				type: 'options',
				options: [
					{ name: 'Base64', value: 'base64' },
					{ name: 'Hex', value: 'hex' },
				],
				default: 'base64',
				displayOptions: { show: { authentication: ['hmac'] } },
			},
			{
				displayName: 'Signature Prefix',
				name: 'hmacPrefix',
				type: 'string',
				default: '',
				placeholder: 'sha256=',
				displayOptions: { show: { authentication: ['hmac'] } },
				description: 'Text the header value starts with before the signature, if the callout adds any',
			},
			{
				displayName: 'Signed Data',
				name: 'hmacSignedData',
				type: 'options',
				options: [
					{ name: 'Raw Request Body', value: 'rawBody' },
					{ name: 'Template of Callout Fields', value: 'template' },
				],
				default: 'rawBody',
				displayOptions: { show: { authentication: ['hmac'] } },
			},
			{
				displayName: 'Signed Data Template',
				name: 'hmacTemplate',
				type: 'string',
				default: '{{accountId}}|{{eventTimestamp}}',
				displayOptions: { show: { authentication: ['hmac'], hmacSignedData: ['template'] } },
				description:
					'The same data as in the Zuora callout, written with body field names: {{field}} or {{a.b}} is replaced by that field of the JSON body; \\n is a new line. Fields need a separator between them. Only these fields are trusted: the rest of the body is output as "unverified".',
			},
			{
				displayName:
					'Only the fields named in the template are signed. The trigger trusts those alone (event time included); re-read anything else from Zuora by ID with the Zuora node.',
				name: 'templateNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: ['hmac'], hmacSignedData: ['template'] } },
			},
			{
				displayName: 'Query Parameter Name',
				name: 'queryParameter',
				type: 'string',
				default: 'secret',
				displayOptions: { show: { authentication: ['urlSecret'] } },
				description:
					'Name of the query parameter that carries the URL Secret of the credential (callout URL …/callout?secret=…)',
			},
			{
				displayName: 'Event Field',
				name: 'eventField',
				type: 'string',
				default: '',
				placeholder: 'eventType',
				description:
					'Field of the JSON body that names the event (e.g. a literal "PaymentDeclined" or {{Event.Category}} put into the callout template). Empty: eventType, event, eventName, eventCategory.',
			},
			{
				displayName: 'Only These Events',
				name: 'eventFilter',
				type: 'string',
				default: '',
				placeholder: 'PaymentProcessed, PaymentDeclined',
				description:
					'Comma-separated event names (case-insensitive). Other events are acknowledged with 200 and start nothing. Empty: every event.',
			},
			{
				displayName: 'Respond',
				name: 'responseMode',
				type: 'options',
				options: [
					{
						name: 'When Last Node Finishes',
						value: 'lastNode',
						description: 'Zuora gets 200 only after the workflow succeeded, and retries otherwise',
					},
					{ name: 'Immediately', value: 'onReceived', description: 'Answer 200 as soon as the callout is accepted' },
					{ name: "Using 'Respond to Webhook' Node", value: 'responseNode' },
				],
				default: 'lastNode',
			},
			{
				displayName: 'Field Mapping',
				name: 'fieldMapping',
				type: 'collection',
				placeholder: 'Map a Field',
				default: {},
				description:
					'Where the callout body keeps each value (dot paths; several separated by commas, the first non-empty wins). Unmapped values are looked for under common names.',
				options: MAPPABLE.map(({ field, label, hint }) => ({
					displayName: label,
					name: field,
					type: 'string' as const,
					default: '',
					description: hint,
				})),
			},
			optionsCollection([
				{
					displayName: 'Max Event Age (Minutes)',
					name: 'maxEventAgeMinutes',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: DEFAULT_MAX_EVENT_AGE_MINUTES,
					description:
						'Callouts whose event time is older are refused (401), so a captured callout cannot be replayed later. Zuora retries up to 5 times, up to a day apart. HMAC callouts must carry a signed event time. 0 turns the check off.',
				},
			]),
			{
				displayName: 'Category Overrides',
				name: 'categoryOverrides',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Override',
				default: {},
				description: 'Categories are guessed from the event name; set them explicitly here',
				options: [
					{
						displayName: 'Override',
						name: 'override',
						values: [
							{ displayName: 'Event Name', name: 'event', type: 'string', default: '' },
							{
								displayName: 'Category',
								name: 'category',
								type: 'options',
								options: CATEGORIES.map((c) => ({ name: c, value: c })),
								default: 'other',
							},
						],
					},
				],
			},
		],
	};

	methods = { credentialTest: { zuoraCalloutAuthTest } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const refused = (refusal: Refusal) => refuse(this, refusal, REFUSAL_BODY.error);
		const callout = await verifyCallout.call(this);
		if (!callout.ok) return refused(callout.refusal);
		const paths = fieldPaths.call(this, MAPPABLE.map((m) => m.field));
		const fresh = checkFreshness.call(this, callout.value.events, paths);
		if (!fresh.ok) return refused(fresh.refusal);
		const items = toItems.call(this, callout.value.events, paths, callout.value.notificationId);
		if (items.length === 0) return answer(this, 200, { received: true, ignored: 'event not selected in the Zuora Trigger' });
		return { workflowData: [items] };
	}

	/** The webhook's lifecycle in the vendor: trigger/registration.ts. */
	webhookMethods = webhookLifecycle(registration);
}
