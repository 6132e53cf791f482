/**
 * Kommo Trigger: registers its own webhook in Kommo (`/api/v4/webhooks`) with a
 * random secret in the destination URL, answers Kommo at once (Kommo wants a
 * 2xx within 2 seconds and disables a webhook after 100 bad answers in 2
 * hours), rejects calls without the secret or from another account before any
 * execution, and turns Kommo's form-encoded v2 payload into one item per
 * entity. Kommo does not sign webhooks; the secret and the account id are
 * what protect this endpoint.
 */
import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { randomSecret, safeEqual } from '../shared/crypto';
import { authenticationProperty, kommoCredentials } from './descriptions';
import { loadOptions } from './methods';
import { kommoApiRequest } from './transport';
import { passesFilters, SECRET_PARAMETER, targetStatusIds, toIds, TRIGGER_EVENTS, type TriggerFilters } from './trigger-filters';
import { decodeKommoWebhook } from './webhook-payload';

function reject(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	ctx.logger.warn(`Kommo Trigger rejected a call (${status}): ${message}`);
	ctx.getResponseObject().status(status).json({ error: message });
	return { noWebhookResponse: true };
}

export class KommoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kommo Trigger',
		name: 'kommoTrigger',
		icon: { light: 'file:kommo.svg', dark: 'file:kommo.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow when leads, contacts or notes change in Kommo (amoCRM)',
		defaults: { name: 'Kommo Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: kommoCredentials,
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			authenticationProperty,
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: TRIGGER_EVENTS,
				default: ['status_lead'],
				required: true,
				description: 'The Kommo events that start the workflow; each changed entity becomes one item',
			},
			{
				displayName: 'The filters below apply to lead events; contacts and notes always pass',
				name: 'filtersNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Pipeline Names or IDs',
				name: 'pipelineIds',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getPipelines' },
				default: [],
				description:
					'Only leads in these pipelines (none chosen: every pipeline). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Target Status',
				name: 'targetStatus',
				type: 'options',
				options: [
					{ name: 'Any', value: 'any' },
					{ name: 'Lost (143)', value: 'lost', description: 'Closed - lost, in any pipeline' },
					{ name: 'Specific Statuses', value: 'specific' },
					{ name: 'Won (142)', value: 'won', description: 'Closed - won, in any pipeline' },
					{ name: 'Won or Lost', value: 'wonOrLost' },
				],
				default: 'any',
				description: 'Only leads that are now in this status (for "Lead Status Changed": the status they moved to)',
			},
			{
				displayName: 'Status Names or IDs',
				name: 'statusIds',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getTriggerStatuses' },
				default: [],
				displayOptions: { show: { targetStatus: ['specific'] } },
				description:
					'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Previous Status Names or IDs',
				name: 'previousStatusIds',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getTriggerStatuses' },
				default: [],
				description:
					'Only status changes coming from these statuses (none chosen: from anywhere). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Reject Other Accounts',
						name: 'checkAccount',
						type: 'boolean',
						default: true,
						description:
							"Whether to reject calls whose account[ID] is not the credential's Kommo account (read when the workflow is activated)",
					},
				],
			},
		],
	};

	methods = { loadOptions };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				const webhookUrl = this.getNodeWebhookUrl('default') as string;
				if (typeof data.destination !== 'string' || typeof data.secret !== 'string') return false;
				// A changed n8n URL needs a new registration (create() removes the old one).
				if (!data.destination.startsWith(`${webhookUrl}?`)) return false;
				const response = await kommoApiRequest.call(this, 'GET', '/api/v4/webhooks', {
					query: { 'filter[destination]': data.destination },
				});
				const hooks = ((response?._embedded as IDataObject | undefined)?.webhooks ?? []) as IDataObject[];
				const hook = hooks.find((h) => h.destination === data.destination);
				if (!hook || hook.disabled === true) return false;
				const events = [...(this.getNodeParameter('events', []) as string[])].sort();
				const settings = [...((hook.settings ?? []) as string[])].sort();
				return events.join(',') === settings.join(',');
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				const webhookUrl = this.getNodeWebhookUrl('default') as string;
				const events = this.getNodeParameter('events', []) as string[];
				if (events.length === 0) return false;
				if (typeof data.destination === 'string') {
					// An earlier registration (other URL, or disabled by Kommo) goes first.
					try {
						await kommoApiRequest.call(this, 'DELETE', '/api/v4/webhooks', { body: { destination: data.destination } });
					} catch (error) {
						this.logger.warn(`Kommo Trigger: could not remove the previous webhook registration: ${(error as Error).message}`);
					}
				}
				const secret = randomSecret(24);
				const destination = `${webhookUrl}?${SECRET_PARAMETER}=${encodeURIComponent(secret)}`;
				const account = await kommoApiRequest.call(this, 'GET', '/api/v4/account');
				const hook = await kommoApiRequest.call(this, 'POST', '/api/v4/webhooks', {
					body: { destination, settings: events, sort: 10 },
				});
				data.secret = secret;
				data.destination = destination;
				data.accountId = account?.id !== undefined ? Number(account.id) : null;
				data.webhookId = hook?.id ?? null;
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				if (typeof data.destination === 'string') {
					try {
						await kommoApiRequest.call(this, 'DELETE', '/api/v4/webhooks', { body: { destination: data.destination } });
					} catch (error) {
						const status = (error as { httpCode?: string | null }).httpCode;
						if (status !== '404') {
							this.logger.warn(`Kommo Trigger: could not delete the webhook in Kommo: ${(error as Error).message}`);
							return false;
						}
					}
				}
				delete data.secret;
				delete data.destination;
				delete data.webhookId;
				delete data.accountId;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const data = this.getWorkflowStaticData('node');
		const query = this.getQueryData() as IDataObject;
		const given = Array.isArray(query[SECRET_PARAMETER]) ? undefined : query[SECRET_PARAMETER];
		if (typeof data.secret !== 'string' || !safeEqual(typeof given === 'string' ? given : undefined, data.secret)) {
			return reject(this, 401, 'Missing or wrong secret');
		}

		const request = this.getRequestObject();
		const raw = (request as unknown as { rawBody?: Buffer }).rawBody;
		// The raw body is exact; n8n's parsed form keeps only the first 1000 keys.
		const decoded = decodeKommoWebhook(Buffer.isBuffer(raw) ? raw : this.getBodyData());
		if (!decoded.ok) return reject(this, 400, decoded.error);

		const options = this.getNodeParameter('options', {}) as IDataObject;
		const expectedAccount = typeof data.accountId === 'number' ? data.accountId : undefined;
		if (options.checkAccount !== false && expectedAccount !== undefined && decoded.account.id !== expectedAccount) {
			return reject(this, 403, 'The call comes from another Kommo account');
		}

		const filters: TriggerFilters = {
			events: this.getNodeParameter('events', []) as string[],
			pipelineIds: toIds(this.getNodeParameter('pipelineIds', [])),
			targetStatusIds: targetStatusIds(
				this.getNodeParameter('targetStatus', 'any') as string,
				this.getNodeParameter('statusIds', []),
			),
			previousStatusIds: toIds(this.getNodeParameter('previousStatusIds', [])),
		};
		const items = decoded.items.filter((item) => passesFilters(item, filters));
		if (items.length === 0) {
			// Acknowledged (Kommo must get its 2xx) but nothing to run.
			return { webhookResponse: { received: decoded.items.length, matched: 0 } };
		}
		return { workflowData: [this.helpers.returnJsonArray(items as unknown as IDataObject[])] };
	}
}
