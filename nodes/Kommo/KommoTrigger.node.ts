/**
 * Kommo Trigger: registers its own webhook in Kommo (`/api/v4/webhooks`) with a
 * random secret in the destination URL, answers Kommo at once (Kommo wants a
 * 2xx within 2 seconds and disables a webhook after 100 bad answers in 2
 * hours), rejects calls without the secret or from another account before any
 * execution, and turns Kommo's form-encoded v2 payload into one item per
 * entity. Kommo does not sign webhooks; the secret and the account id are
 * what protect this endpoint.
 */
import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { optionsCollection } from '../shared/descriptions';
import { acknowledge, refuse, REFUSAL_BODY, type Refusal, webhookLifecycle } from '../shared/webhook';
import { authenticationProperty, kommoCredentials } from './descriptions';
import { loadOptions } from './methods';
import { TRIGGER_EVENTS } from './trigger/filters';
import { decodeCall, printable } from './trigger/normalize';
import * as registration from './trigger/registration';
import { matchingItems, verifyAccount, verifySecret } from './trigger/verify';

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
			optionsCollection([
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
			]),
		],
	};

	methods = { loadOptions };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const refused = (refusal: Refusal): IWebhookResponseData => {
			this.logger.warn(`Kommo Trigger rejected a call (${refusal.status}): ${printable(refusal.message, 300)}`);
			return refuse(this, refusal, REFUSAL_BODY.error);
		};
		const caller = verifySecret.call(this);
		if (!caller.ok) return refused(caller.refusal);
		const decoded = decodeCall.call(this);
		if (!decoded.ok) return refused(decoded.refusal);
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const account = await verifyAccount.call(this, decoded.value.account, options);
		if (!account.ok) return refused(account.refusal);
		const items = await matchingItems.call(this, decoded.value.items, account.value, options);
		if (!items.ok) return refused(items.refusal);
		// Acknowledged (Kommo must get its 2xx) but nothing to run.
		if (items.value.length === 0) return acknowledge({ received: decoded.value.items.length, matched: 0 });
		return { workflowData: [this.helpers.returnJsonArray(items.value as unknown as IDataObject[])] };
	}

	/** The webhook's lifecycle in the vendor: trigger/registration.ts. */
	webhookMethods = webhookLifecycle(registration);
}
