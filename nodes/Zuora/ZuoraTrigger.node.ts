import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { HmacAlgorithm } from '../shared/crypto';
import { safeEqual } from '../shared/crypto';
import {
	basicChallenge,
	type CalloutCategory,
	CATEGORIES,
	normalizeCallout,
	type NormalizedField,
	renderTemplate,
	splitList,
	verifyBasic,
	verifyHmac,
} from './callout';

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
];

function reject(context: IWebhookFunctions, status: number, body: IDataObject, headers: Record<string, string> = {}): IWebhookResponseData {
	const res = context.getResponseObject();
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

export class ZuoraTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zuora Trigger',
		name: 'zuoraTrigger',
		icon: { light: 'file:zuora.svg', dark: 'file:zuora.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["authentication"] }}',
		description: 'Receives Zuora callout notifications, checks Basic auth, HMAC or a URL secret, and normalizes them',
		defaults: { name: 'Zuora Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'zuoraCalloutAuthApi', required: true, testedBy: 'zuoraCalloutAuthTest' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: '={{ $parameter["responseMode"] }}',
				path: 'callout',
			},
		],
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
				default: '{{accountId}}{{eventTimestamp}}',
				displayOptions: { show: { authentication: ['hmac'], hmacSignedData: ['template'] } },
				description:
					'The same data as in the Zuora callout, written with body field names: {{field}} or {{a.b}} is replaced by that field of the JSON body; \\n is a new line',
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

	methods = {
		credentialTest: {
			/**
			 * Nothing to call: Zuora calls us. Checks that the credential holds a
			 * usable secret for at least one authentication method.
			 */
			async zuoraCalloutAuthTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const data = credential.data ?? {};
				const user = String(data.user ?? '');
				const password = String(data.password ?? '');
				const hmacSecret = String(data.hmacSecret ?? '');
				const urlSecret = String(data.urlSecret ?? '');
				if (Boolean(user) !== Boolean(password)) {
					return { status: 'Error', message: 'Basic auth needs both a user and a password' };
				}
				if (!password && !hmacSecret && !urlSecret) {
					return { status: 'Error', message: 'Fill in a Basic auth pair, an HMAC secret key or a URL secret' };
				}
				const weak = [
					password && password.length < 12 ? 'Basic Auth Password' : '',
					hmacSecret && hmacSecret.length < 16 ? 'HMAC Secret Key' : '',
					urlSecret && urlSecret.length < 24 ? 'URL Secret' : '',
				].filter(Boolean);
				if (weak.length > 0) {
					return { status: 'Error', message: `Too short to be safe: ${weak.join(', ')} (use a long random value)` };
				}
				return { status: 'OK', message: 'Secrets are set; Zuora will be checked when its callouts arrive' };
			},
		},
	};

	/**
	 * Callouts are configured in Zuora (a callout template or notification
	 * pointing at this webhook URL, see docs/zuora.md); nothing is registered
	 * remotely. The lifecycle only remembers which URL is live, so the URL to
	 * paste into Zuora is visible in the workflow's static data.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				return data.webhookUrl === this.getNodeWebhookUrl('default');
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				data.webhookUrl = this.getNodeWebhookUrl('default');
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				delete data.webhookUrl;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const authentication = this.getNodeParameter('authentication', 'basic') as string;
		const credentials = await this.getCredentials('zuoraCalloutAuthApi');
		const rawBody: Buffer | undefined = (req as unknown as { rawBody?: Buffer }).rawBody;
		const headerOf = (name: string) => {
			const value = req.headers[name.toLowerCase()];
			return Array.isArray(value) ? value[0] : value;
		};
		const misconfigured = (what: string) =>
			reject(this, 500, { error: `Zuora Trigger is not configured: the credential has no ${what}` });

		if (authentication === 'basic') {
			const user = String(credentials.user ?? '');
			const password = String(credentials.password ?? '');
			if (!user || !password) return misconfigured('Basic Auth user and password');
			const result = verifyBasic(headerOf('authorization'), user, password);
			if (result !== 'ok') {
				const realm = this.getNodeParameter('realm', 'Zuora Callout') as string;
				return reject(
					this,
					401,
					{ error: result === 'missing' ? 'Authentication required' : 'Invalid credentials' },
					{ 'WWW-Authenticate': basicChallenge(realm) },
				);
			}
		} else if (authentication === 'hmac') {
			const secret = String(credentials.hmacSecret ?? '');
			if (!secret) return misconfigured('HMAC Secret Key');
			const mode = this.getNodeParameter('hmacSignedData', 'rawBody') as string;
			let data: string | Buffer;
			if (mode === 'template') {
				data = renderTemplate(this.getNodeParameter('hmacTemplate', '') as string, this.getBodyData());
			} else {
				if (!rawBody) return reject(this, 401, { error: 'Invalid signature' });
				data = rawBody;
			}
			const ok = verifyHmac({
				algorithm: this.getNodeParameter('hmacAlgorithm', 'sha256') as HmacAlgorithm,
				secret,
				encoding: this.getNodeParameter('hmacEncoding', 'base64') as 'base64' | 'hex',
				prefix: this.getNodeParameter('hmacPrefix', '') as string,
				headerValue: headerOf(this.getNodeParameter('hmacHeader', 'X-Zuora-Signature') as string),
				data,
			});
			if (!ok) return reject(this, 401, { error: 'Invalid signature' });
		} else {
			const secret = String(credentials.urlSecret ?? '');
			if (!secret) return misconfigured('URL Secret');
			const name = (this.getNodeParameter('queryParameter', 'secret') as string) || 'secret';
			const given = this.getQueryData() as IDataObject;
			if (!safeEqual(String(given[name] ?? ''), secret)) return reject(this, 401, { error: 'Unauthorized' });
		}

		let payload: unknown = this.getBodyData();
		const emptyObject = payload && typeof payload === 'object' && Object.keys(payload).length === 0;
		if ((!payload || typeof payload !== 'object' || emptyObject) && rawBody?.length) {
			try {
				payload = JSON.parse(rawBody.toString('utf8'));
			} catch {
				return reject(this, 400, { error: 'The callout body is not JSON' });
			}
		}
		const events = (Array.isArray(payload) ? payload : [payload]).filter(
			(e): e is IDataObject => !!e && typeof e === 'object' && !Array.isArray(e),
		);
		if (events.length === 0) return reject(this, 400, { error: 'The callout body must be a JSON object' });

		const eventField = (this.getNodeParameter('eventField', '') as string).trim();
		const mapping = this.getNodeParameter('fieldMapping', {}) as Record<string, string>;
		const paths: Partial<Record<NormalizedField, string[]>> = {};
		for (const { field } of MAPPABLE) if (mapping[field]) paths[field] = splitList(mapping[field]);
		if (eventField) paths.eventType = splitList(eventField);
		const overrides: Record<string, CalloutCategory> = {};
		const overrideList = (this.getNodeParameter('categoryOverrides', {}) as { override?: Array<{ event: string; category: CalloutCategory }> }).override ?? [];
		for (const o of overrideList) if (o.event) overrides[o.event.trim()] = o.category;

		const filter = splitList(this.getNodeParameter('eventFilter', '')).map((e) => e.toLowerCase());
		const items: INodeExecutionData[] = [];
		for (const event of events) {
			const normalized = normalizeCallout(event, {
				paths,
				categoryOverrides: overrides,
				rawBody: events.length === 1 ? rawBody : undefined,
			});
			if (filter.length > 0 && !filter.includes(String(normalized.eventType ?? '').toLowerCase())) continue;
			items.push({ json: { normalized: normalized as unknown as IDataObject, event } });
		}
		if (items.length === 0) {
			const res = this.getResponseObject();
			res.status(200).json({ received: true, ignored: 'event not selected in the Zuora Trigger' });
			return { noWebhookResponse: true };
		}
		return { workflowData: [items] };
	}
}
