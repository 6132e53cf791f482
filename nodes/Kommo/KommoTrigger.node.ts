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
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { randomSecret } from '../shared/crypto';
import { authenticationProperty, kommoCredentials } from './descriptions';
import { loadOptions } from './methods';
import { kommoApiRequest } from './transport';
import { findRegistration, migrateStaticData, removeRegistrations } from './trigger-registration';
import { passesFilters, SECRET_PARAMETER, targetStatusIds, toIds, TRIGGER_EVENTS, type TriggerFilters } from './trigger-filters';
import {
	knownAccount,
	madeByOwnUser,
	readAccount,
	sameAccount,
	secretDigest,
	secretMatches,
	storeAccount,
	verifyLeadsWithKommo,
} from './trigger-checks';
import { decodeKommoWebhook, printable } from './webhook-payload';

function reject(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	ctx.logger.warn(`Kommo Trigger rejected a call (${status}): ${printable(message, 300)}`);
	ctx.getResponseObject().status(status).json({ error: message });
	return { noWebhookResponse: true };
}

export class KommoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kommo Trigger',
		name: 'kommoTrigger',
		icon: { light: 'file:../../icons/kommo.svg', dark: 'file:../../icons/kommo.dark.svg' },
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
							"Whether to reject calls whose account[ID] (or, in older payloads, account[subdomain]) is not the credential's Kommo account",
					},
					{
						displayName: "Ignore Changes Made by the Credential's User",
						name: 'ignoreOwnChanges',
						type: 'boolean',
						default: true,
						description:
							"Whether to drop Lead Updated, Lead Responsible User Changed and Contact Updated events whose modified_user_id is the credential's own Kommo user. Kommo fires webhooks for changes made through the API too, so a workflow that writes to leads would otherwise trigger itself. Status changes always pass (the same user may move deals in the UI).",
					},
					{
						displayName: 'Verify Leads With Kommo API',
						name: 'verifyWithApi',
						type: 'boolean',
						default: false,
						description:
							"Whether to re-read every lead of a call from Kommo's API and apply the pipeline and status filters to Kommo's copy instead of the webhook body (Kommo does not sign webhooks, so a body is only a claim). Costs one request per 50 leads before Kommo gets its answer.",
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
				if (typeof data.secretDigest !== 'string' && typeof data.secret !== 'string') return false;
				const hook = await findRegistration(this, webhookUrl, data);
				if (!hook || hook.disabled === true) return false;
				const events = [...(this.getNodeParameter('events', []) as string[])].sort();
				const settings = [...((hook.settings ?? []) as string[])].sort();
				if (events.join(',') !== settings.join(',')) return false;
				migrateStaticData(data);
				if (knownAccount(data).id === null) storeAccount(data, await readAccount(this));
				return true;
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				const webhookUrl = this.getNodeWebhookUrl('default') as string;
				const events = this.getNodeParameter('events', []) as string[];
				if (events.length === 0) return false;
				// An earlier registration (other URL, other events, or disabled by Kommo) goes first.
				await removeRegistrations(this, webhookUrl, data);
				const secret = randomSecret(24);
				const destination = `${webhookUrl}?${SECRET_PARAMETER}=${encodeURIComponent(secret)}`;
				const account = await readAccount(this);
				if (account.id === null) {
					throw new NodeOperationError(this.getNode(), 'Kommo did not say which account the credential belongs to', {
						description: 'GET /api/v4/account gave no id. Check the credential (subdomain, token) and activate the workflow again.',
					});
				}
				const hook = await kommoApiRequest.call(this, 'POST', '/api/v4/webhooks', {
					body: { destination, settings: events, sort: 10 },
				});
				// Only a digest of the secret is kept: static data is plain JSON (n8n's API, exports, backups).
				data.secretDigest = secretDigest(secret);
				data.webhookUrl = webhookUrl;
				delete data.secret;
				delete data.destination;
				storeAccount(data, account);
				data.webhookId = hook?.id ?? null;
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				const webhookUrl = this.getNodeWebhookUrl('default') as string;
				if (!(await removeRegistrations(this, webhookUrl, data))) return false;
				for (const key of ['secret', 'secretDigest', 'destination', 'webhookUrl', 'webhookId', 'accountId', 'accountSubdomain', 'currentUserId']) {
					delete data[key];
				}
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const data = this.getWorkflowStaticData('node');
		const query = this.getQueryData() as IDataObject;
		const given = Array.isArray(query[SECRET_PARAMETER]) ? undefined : query[SECRET_PARAMETER];
		if (typeof data.secretDigest !== 'string' && typeof data.secret !== 'string') {
			// n8n persists the secret only after activation finishes; a call that arrives in
			// between is not refused as forged but asked to come back (Kommo retries).
			return reject(this, 503, 'The trigger is still being activated; try again shortly');
		}
		if (!secretMatches(typeof given === 'string' ? given : undefined, data)) {
			return reject(this, 401, 'Missing or wrong secret');
		}

		const request = this.getRequestObject();
		const raw = (request as unknown as { rawBody?: Buffer }).rawBody;
		// The raw body is exact; n8n's parsed form keeps only the first 1000 keys.
		const decoded = decodeKommoWebhook(Buffer.isBuffer(raw) ? raw : this.getBodyData());
		if (!decoded.ok) return reject(this, decoded.status, decoded.error);
		if (decoded.warnings.length > 0) {
			// Passed on, never refused: every non-2xx counts towards Kommo switching the webhook off.
			this.logger.warn(`Kommo Trigger passed on parts it does not fully understand: ${printable(decoded.warnings.slice(0, 5).join('; '), 500)}`);
		}

		const options = this.getNodeParameter('options', {}) as IDataObject;
		let known = knownAccount(data);
		if (options.checkAccount !== false || options.ignoreOwnChanges !== false) {
			if (known.id === null) {
				// An install activated before the account was stored: read it once now.
				try {
					known = await readAccount(this);
					storeAccount(data, known);
				} catch (error) {
					return reject(this, 503, `Could not read the Kommo account to check the call: ${(error as Error).message}`);
				}
			}
			if (options.checkAccount !== false && !sameAccount(decoded.account, known)) {
				return reject(this, 403, 'The call comes from another Kommo account');
			}
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
		let items = decoded.items.filter((item) => passesFilters(item, filters));
		if (options.ignoreOwnChanges !== false) items = items.filter((item) => !madeByOwnUser(item, known.userId));
		if (options.verifyWithApi === true && items.length > 0) {
			try {
				items = (await verifyLeadsWithKommo(this, items, filters)).items;
			} catch (error) {
				return reject(this, 503, `Could not verify the leads with Kommo: ${(error as Error).message}`);
			}
		}
		if (items.length === 0) {
			// Acknowledged (Kommo must get its 2xx) but nothing to run.
			return { webhookResponse: { received: decoded.items.length, matched: 0 } };
		}
		return { workflowData: [this.helpers.returnJsonArray(items as unknown as IDataObject[])] };
	}
}
