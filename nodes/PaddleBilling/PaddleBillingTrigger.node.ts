import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { normalizePaddleEvent, PADDLE_EVENT_TYPES } from './normalize';
import { candidateSecrets, forgetSecret, refreshSecret, rememberSecret } from './endpoint-secret';
import { parseEventBody } from './event-body';
import {
	DEFAULT_TOLERANCE_SECONDS,
	MAX_TOLERANCE_SECONDS,
	precheckPaddleSignature,
	SIGNATURE_HEADER,
	splitSecrets,
	verifyPaddleSignature,
} from './signature';
import { asNodeError, paddleData, paddleErrorInfo, paddleList } from './transport';

const ALL_EVENTS = '*';
const SECRET_FORMAT = /^pdl_ntfset_[A-Za-z0-9]{26}_[A-Za-z0-9]{32}$/;

/**
 * What automatic mode keeps in workflow static data: ids only. The endpoint secret key lives in
 * process memory (endpoint-secret.ts); `endpointSecretKey` was written by earlier versions and is
 * removed at the next activation, never read.
 */
interface TriggerStaticData extends IDataObject {
	notificationSettingId?: string;
	endpointSecretKey?: string;
	destination?: string;
}

function wantedEvents(this: IHookFunctions | IWebhookFunctions): string[] {
	const events = (this.getNodeParameter('events', []) as string[]) ?? [];
	if (events.length === 0 || events.includes(ALL_EVENTS)) return [...PADDLE_EVENT_TYPES].sort();
	return [...new Set(events)].sort();
}

function acceptsEvent(this: IWebhookFunctions, eventType: string): boolean {
	const events = (this.getNodeParameter('events', []) as string[]) ?? [];
	return events.length === 0 || events.includes(ALL_EVENTS) || events.includes(eventType);
}

function eventNames(setting: IDataObject): string[] {
	return ((setting.subscribed_events ?? []) as Array<IDataObject | string>)
		.map((e) => (typeof e === 'string' ? e : String(e.name)))
		.sort();
}

function sameList(a: string[], b: string[]): boolean {
	return a.length === b.length && a.every((v, i) => v === b[i]);
}

function adopt(staticData: TriggerStaticData, setting: IDataObject, destination: string): void {
	staticData.notificationSettingId = setting.id as string;
	staticData.destination = destination;
	delete staticData.endpointSecretKey;
	if (typeof setting.endpoint_secret_key === 'string') rememberSecret(setting.id as string, setting.endpoint_secret_key);
}

function forget(staticData: TriggerStaticData): void {
	if (staticData.notificationSettingId) forgetSecret(staticData.notificationSettingId);
	delete staticData.notificationSettingId;
	delete staticData.endpointSecretKey;
	delete staticData.destination;
}

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
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: '={{$parameter["responseMode"]}}', path: 'webhook' },
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
							'Creates a notification destination for this workflow through the API when the workflow is activated (and deletes it on deactivation)',
					},
					{
						name: 'Manual',
						value: 'manual',
						description: 'You create the destination in Paddle and put its secret key into a Paddle Webhook Secret credential',
					},
				],
				default: 'automatic',
			},
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
			{
				displayName: 'Respond',
				name: 'responseMode',
				type: 'options',
				options: [
					{
						name: 'Immediately',
						value: 'onReceived',
						description: 'Answer 200 as soon as the signature checks out',
					},
					{
						name: 'When Last Node Finishes',
						value: 'lastNode',
						description: 'Answer when the workflow is done; a failed run answers 500 so that Paddle retries',
					},
					{
						name: "Using 'Respond to Webhook' Node",
						value: 'responseNode',
						description: 'Answer from a Respond to Webhook node (e.g. 5xx after releasing a dedupe claim)',
					},
				],
				default: 'onReceived',
				description:
					'When Paddle gets its answer. Paddle waits 5 seconds and retries anything else than a 2xx, so answer after the effect only when the workflow is quick.',
			},
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

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('mode') !== 'automatic') return true;
				const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
				const destination = this.getNodeWebhookUrl('default') as string;
				const events = wantedEvents.call(this);
				let setting: IDataObject | undefined;
				if (staticData.notificationSettingId) {
					try {
						setting = (await paddleData.call(this, {
							method: 'GET',
							path: `/notification-settings/${encodeURIComponent(staticData.notificationSettingId)}`,
						})) as IDataObject;
					} catch (error) {
						if (paddleErrorInfo(error).status !== 404) throw asNodeError(this.getNode(), error);
						// Deleted in Paddle: forget it so that create() makes a new one.
						forget(staticData);
						setting = undefined;
					}
				} else {
					// Static data lost (e.g. workflow re-imported): adopt a destination for this URL rather than add a second one.
					const all = (await paddleList.call(this, { method: 'GET', path: '/notification-settings' })) as IDataObject[];
					setting = all.find((s) => s.destination === destination && s.type === 'url');
				}
				if (!setting) return false;
				if (setting.destination !== destination) {
					await paddleData.call(this, {
						method: 'DELETE',
						path: `/notification-settings/${encodeURIComponent(setting.id as string)}`,
					});
					forget(staticData);
					return false;
				}
				if (!sameList(eventNames(setting), events) || setting.active !== true) {
					setting = (await paddleData.call(this, {
						method: 'PATCH',
						path: `/notification-settings/${encodeURIComponent(setting.id as string)}`,
						body: { subscribed_events: events, active: true },
					})) as IDataObject;
				}
				adopt(staticData, setting, destination);
				return true;
			},

			async create(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('mode') !== 'automatic') return true;
				const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
				const destination = this.getNodeWebhookUrl('default') as string;
				const description = String(this.getNodeParameter('destinationDescription', '') || 'n8n workflow').slice(0, 500);
				let setting: IDataObject;
				try {
					setting = (await paddleData.call(this, {
						method: 'POST',
						path: '/notification-settings',
						body: {
							description,
							destination,
							type: 'url',
							api_version: 1,
							subscribed_events: wantedEvents.call(this),
							traffic_source: this.getNodeParameter('trafficSource', 'platform'),
						},
					})) as IDataObject;
				} catch (error) {
					// "Only ten notification settings may be active at once" (Paddle docs, notification destinations).
					if (paddleErrorInfo(error).code === 'notification_maximum_active_settings_reached') {
						throw new NodeOperationError(
							this.getNode(),
							'Paddle allows at most 10 active notification destinations, and 10 are active already, so this workflow cannot register its own',
							{
								description:
									'Deactivate or delete a destination you no longer need (Paddle → Developer Tools → Notifications; every workflow with an automatic Paddle Billing Trigger has one, and "listen for test event" adds a temporary one), or use Manual mode with an existing destination.',
							},
						);
					}
					throw asNodeError(this.getNode(), error);
				}
				if (typeof setting.endpoint_secret_key !== 'string' || !setting.endpoint_secret_key) {
					throw new NodeOperationError(
						this.getNode(),
						`Paddle created notification destination ${String(setting.id)} but returned no endpoint_secret_key, so deliveries could not be verified`,
					);
				}
				adopt(staticData, setting, destination);
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('mode') !== 'automatic') return true;
				const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
				const id = staticData.notificationSettingId;
				if (id) {
					try {
						await paddleData.call(this, { method: 'DELETE', path: `/notification-settings/${encodeURIComponent(id)}` });
					} catch (error) {
						// Already gone in Paddle is what we wanted; anything else must surface.
						if (paddleErrorInfo(error).status !== 404) throw asNodeError(this.getNode(), error);
					}
				}
				forget(staticData);
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		const mode = this.getNodeParameter('mode') as string;
		const reject = (status: number, reason: string, message: string): IWebhookResponseData => {
			response.status(status).json({ error: reason, message });
			return { noWebhookResponse: true };
		};

		const rawBody = (request as unknown as { rawBody?: Buffer }).rawBody;
		const signature = {
			rawBody,
			header: request.headers[SIGNATURE_HEADER],
			toleranceSeconds: this.getNodeParameter('toleranceSeconds', DEFAULT_TOLERANCE_SECONDS) as number,
		};
		// Header, timestamp and body first: unsigned or malformed calls cost no API call.
		const pre = precheckPaddleSignature(signature);
		if (!pre.valid) {
			// A broken tolerance is our configuration, not the caller's fault: 500 makes Paddle retry.
			return reject(pre.reason === 'invalid_tolerance' ? 500 : 401, pre.reason, pre.message);
		}
		const verify = (secrets: string[]) => verifyPaddleSignature({ ...signature, secrets });

		let verdict;
		if (mode === 'automatic') {
			const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
			const settingId = staticData.notificationSettingId;
			// n8n stores the destination only after activation finishes: ask Paddle to retry
			// rather than refusing the call as forged.
			if (!settingId) return reject(503, 'activating', 'The trigger is still being activated; try again shortly');
			const fetchKey = async (): Promise<string | undefined> => {
				const setting = (await paddleData.call(this, {
					method: 'GET',
					path: `/notification-settings/${encodeURIComponent(settingId)}`,
				})) as IDataObject;
				return typeof setting.endpoint_secret_key === 'string' ? setting.endpoint_secret_key : undefined;
			};
			// Not known in this process (restart, another worker): Paddle returns the key on GET.
			if (candidateSecrets(settingId).length === 0 && (await refreshSecret(settingId, fetchKey)) !== 'fetched') {
				return reject(503, 'secret_unavailable', 'The endpoint secret key could not be read from Paddle yet; try again shortly');
			}
			verdict = verify(candidateSecrets(settingId));
			// The key may have been rotated in Paddle: read it again (at most once a minute per
			// destination, so forged calls cannot make us hammer the API).
			if (!verdict.valid && verdict.reason === 'signature_mismatch' && (await refreshSecret(settingId, fetchKey)) === 'fetched') {
				verdict = verify(candidateSecrets(settingId));
			}
		} else {
			const credentials = await this.getCredentials('paddleWebhookApi');
			verdict = verify(splitSecrets(credentials.secretKey as string, credentials.additionalSecretKeys as string));
		}
		if (!verdict.valid) return reject(401, verdict.reason, verdict.message);

		const parsed = parseEventBody(rawBody as Buffer);
		if (!parsed.ok) return reject(400, parsed.reason, parsed.message);
		const event = parsed.event;
		if (!acceptsEvent.call(this, event.event_type)) {
			return { webhookResponse: { received: true, ignored: event.event_type } };
		}
		return {
			workflowData: [
				[{ json: { normalized: normalizePaddleEvent(event) as unknown as IDataObject, event } }],
			],
		};
	}
}
