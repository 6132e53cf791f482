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
import { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_HEADER, splitSecrets, verifyPaddleSignature } from './signature';
import { asNodeError, paddleData, paddleErrorInfo, paddleList } from './transport';

const ALL_EVENTS = '*';
const SECRET_FORMAT = /^pdl_ntfset_[A-Za-z0-9]{26}_[A-Za-z0-9]{32}$/;
const SECRET_REFETCH_MS = 60_000;
/**
 * Per process, by destination: when its key was last read from Paddle and the key read then
 * (a cache beside static data, which n8n may not persist from a webhook call).
 */
const lastSecretFetch = new Map<string, number>();
const fetchedSecret = new Map<string, string>();

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
	if (typeof setting.endpoint_secret_key === 'string') staticData.endpointSecretKey = setting.endpoint_secret_key;
}

function forget(staticData: TriggerStaticData): void {
	delete staticData.notificationSettingId;
	delete staticData.endpointSecretKey;
	delete staticData.destination;
}

export class PaddleBillingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Paddle Billing Trigger',
		name: 'paddleBillingTrigger',
		icon: { light: 'file:paddleBilling.svg', dark: 'file:paddleBilling.dark.svg' },
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
				default: [
					'subscription.created',
					'subscription.updated',
					'subscription.canceled',
					'subscription.paused',
					'subscription.resumed',
					'transaction.completed',
					'transaction.paid',
					'transaction.payment_failed',
					'transaction.past_due',
					'customer.updated',
				],
				description:
					'Events that start the workflow. Automatic mode subscribes the destination to exactly these; other verified events are acknowledged and ignored.',
			},
			{
				displayName: 'Signature Tolerance (Seconds)',
				name: 'toleranceSeconds',
				type: 'number',
				typeOptions: { minValue: 1, numberPrecision: 0 },
				default: DEFAULT_TOLERANCE_SECONDS,
				description:
					'Reject deliveries whose signature timestamp is further than this from now (replay protection). Paddle signs each attempt afresh; its SDKs use 5 seconds.',
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
				const setting = (await paddleData.call(this, {
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
		const verify = (secrets: string[]) =>
			verifyPaddleSignature({
				rawBody,
				header: request.headers[SIGNATURE_HEADER],
				secrets,
				toleranceSeconds: Number(this.getNodeParameter('toleranceSeconds', DEFAULT_TOLERANCE_SECONDS)),
			});

		let verdict;
		if (mode === 'automatic') {
			const staticData = this.getWorkflowStaticData('node') as TriggerStaticData;
			const settingId = staticData.notificationSettingId;
			const fetchSecret = async (): Promise<string | undefined> => {
				if (!settingId) return undefined;
				lastSecretFetch.set(settingId, Date.now());
				const setting = (await paddleData.call(this, {
					method: 'GET',
					path: `/notification-settings/${encodeURIComponent(settingId)}`,
				})) as IDataObject;
				const key = typeof setting.endpoint_secret_key === 'string' ? setting.endpoint_secret_key : undefined;
				if (key) fetchedSecret.set(settingId, key);
				return key;
			};
			// Missing locally (e.g. registered by another instance): Paddle returns the key on GET.
			if (!staticData.endpointSecretKey) staticData.endpointSecretKey = await fetchSecret();
			const known = [staticData.endpointSecretKey, settingId ? fetchedSecret.get(settingId) : undefined];
			verdict = verify(known.filter((k): k is string => typeof k === 'string' && k.length > 0));
			// The key may have been rotated in Paddle: look it up again, at most once a minute per
			// destination so that forged calls cannot make us hammer the API.
			if (!verdict.valid && verdict.reason === 'signature_mismatch' && settingId && Date.now() - (lastSecretFetch.get(settingId) ?? 0) > SECRET_REFETCH_MS) {
				let current: string | undefined;
				try {
					current = await fetchSecret();
				} catch {
					// Paddle unreachable: the delivery stays unverified and is refused below.
					current = undefined;
				}
				if (current && current !== staticData.endpointSecretKey) {
					verdict = verify([current]);
					if (verdict.valid) staticData.endpointSecretKey = current;
				}
			}
		} else {
			const credentials = await this.getCredentials('paddleWebhookApi');
			verdict = verify(splitSecrets(credentials.secretKey as string, credentials.additionalSecretKeys as string));
		}
		if (!verdict.valid) return reject(401, verdict.reason, verdict.message);

		let event: IDataObject;
		try {
			event = JSON.parse((rawBody as Buffer).toString('utf8')) as IDataObject;
		} catch {
			return reject(400, 'invalid_json', 'The signed body is not JSON');
		}
		if (!event || typeof event !== 'object' || typeof event.event_type !== 'string') {
			return reject(400, 'not_an_event', 'The signed body is not a Paddle event (no event_type)');
		}
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
