/**
 * Paddle Billing Trigger: the node's description and its webhook. What it does lives in
 * trigger/: registration.ts (the notification destination in Paddle), verify.ts (Paddle-Signature,
 * with endpoint-secret.ts for automatic mode's key) and normalize.ts (event-body.ts parses the
 * signed bytes).
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { acknowledge, modeProperty, rawBody, refuse, REFUSAL_BODY, refusal, respondingWebhook, respondProperty, webhookLifecycle } from '../shared/webhook';
import { parseEventBody } from './trigger/event-body';
import { acceptsEvent, ALL_EVENTS, normalizePaddleEvent, PADDLE_EVENT_TYPES } from './trigger/normalize';
import * as registration from './trigger/registration';
import { DEFAULT_TOLERANCE_SECONDS, MAX_TOLERANCE_SECONDS, splitSecrets, verifyDelivery } from './trigger/verify';

const SECRET_FORMAT = /^pdl_ntfset_[A-Za-z0-9]{26}_[A-Za-z0-9]{32}$/;

export class PaddleBillingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Paddle Billing Trigger',
		name: 'paddleBillingTrigger',
		icon: { light: 'file:../../icons/paddleBilling.svg', dark: 'file:../../icons/paddleBilling.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["mode"] === "automatic" ? "registers its destination" : "manual destination"}}',
		description:
			'Starts the workflow on Paddle Billing webhook events whose Paddle-Signature checks out (forged, replayed or unsigned calls get 401)',
		defaults: { name: 'Paddle Billing Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'paddleBillingApi', required: true, displayOptions: { show: { mode: ['automatic'] } } },
			{
				name: 'paddleWebhookApi',
				required: true,
				displayOptions: { show: { mode: ['manual'] } },
				testedBy: 'paddleWebhookSecretTest',
			},
		],
		webhooks: [respondingWebhook()],
		properties: [
			modeProperty(
				'Creates a notification destination for this workflow through the API when the workflow is activated (and deletes it on deactivation)',
				'You create the destination in Paddle and put its secret key into a Paddle Webhook Secret credential',
			),
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{ name: 'All Events', value: ALL_EVENTS },
					...PADDLE_EVENT_TYPES.map((e) => ({ name: e, value: e })),
				],
				// Not transaction.paid: Paddle sends it and then transaction.completed for every payment,
				// so both would give two "payment received" items (docs/paddle.md, "One payment, one item").
				default: [
					'subscription.created',
					'subscription.updated',
					'subscription.canceled',
					'subscription.paused',
					'subscription.resumed',
					'transaction.completed',
					'transaction.payment_failed',
					'transaction.past_due',
					'customer.updated',
				],
				description:
					'Events that start the workflow. A payment is transaction.completed (transaction.paid comes first for the same payment and is categorised "other"). Automatic mode subscribes the destination to exactly these; other verified events are acknowledged and ignored.',
			},
			{
				displayName: 'Signature Tolerance (Seconds)',
				name: 'toleranceSeconds',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_TOLERANCE_SECONDS, numberPrecision: 0 },
				default: DEFAULT_TOLERANCE_SECONDS,
				description:
					"Reject deliveries whose signature timestamp is further than this from now. The default (3 days + 1 hour) covers Paddle's retry window even if retries keep the first attempt's timestamp; replays inside it are stopped by the event-ID dedupe. At most 7 days.",
			},
			respondProperty('Paddle', 'the signature checks out', {
				description:
					'When Paddle gets its answer. Paddle waits 5 seconds and retries anything else than a 2xx, so answer after the effect only when the workflow is quick.',
			}),
			{
				displayName: 'Destination Description',
				name: 'destinationDescription',
				type: 'string',
				default: '=n8n: {{$workflow.name}}',
				displayOptions: { show: { mode: ['automatic'] } },
				description: 'Shown in Paddle → Developer Tools → Notifications',
			},
			{
				displayName: 'Traffic Source',
				name: 'trafficSource',
				type: 'options',
				options: [
					{ name: 'Platform', value: 'platform', description: 'Real events only' },
					{ name: 'Simulation', value: 'simulation', description: 'Only events from Paddle webhook simulations' },
					{ name: 'All', value: 'all', description: 'Real and simulated events' },
				],
				default: 'platform',
				displayOptions: { show: { mode: ['automatic'] } },
			},
		],
	};

	methods = {
		credentialTest: {
			async paddleWebhookSecretTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
			): Promise<INodeCredentialTestResult> {
				const data = credential.data ?? {};
				const secrets = splitSecrets(data.secretKey as string, data.additionalSecretKeys as string);
				if (secrets.length === 0) return { status: 'Error', message: 'Enter the endpoint secret key' };
				const bad = secrets.filter((s) => !SECRET_FORMAT.test(s)).length;
				if (bad > 0) {
					return {
						status: 'Error',
						message: `${bad} of ${secrets.length} key(s) do not look like a Paddle endpoint secret key (pdl_ntfset_<26 characters>_<32 characters>)`,
					};
				}
				return { status: 'OK', message: `${secrets.length} endpoint secret key(s) in the expected format` };
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const raw = rawBody(this);
		const verdict = await verifyDelivery.call(this, raw);
		if (!verdict.ok) return refuse(this, verdict.refusal, REFUSAL_BODY.reasonAndMessage);
		const parsed = parseEventBody(raw as Buffer);
		if (!parsed.ok) return refuse(this, refusal(400, parsed.reason, parsed.message), REFUSAL_BODY.reasonAndMessage);
		const event = parsed.event;
		if (!acceptsEvent.call(this, event.event_type)) return acknowledge({ received: true, ignored: event.event_type });
		return {
			workflowData: [
				[{ json: { normalized: normalizePaddleEvent(event) as unknown as IDataObject, event } }],
			],
		};
	}

	/** The webhook's lifecycle in the vendor: trigger/registration.ts. */
	webhookMethods = webhookLifecycle(registration);
}
