/**
 * Kommo (formerly amoCRM): leads with their contacts and custom fields, notes,
 * tasks and contacts, through the shared HTTP layer at most 7 requests per
 * second per account.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { authenticationProperty, kommoCredentials } from './descriptions';
import { listSearch, loadOptions } from './methods';
import type { KommoOperation } from './resources/common';
import { contactExecute, contactFields, contactOperations } from './resources/contact';
import { leadExecute, leadFields, leadOperations } from './resources/lead';
import { noteExecute, noteFields, noteOperations } from './resources/note';
import { taskExecute, taskFields, taskOperations } from './resources/task';
import { webhookExecute, webhookFields, webhookOperations } from './resources/webhook';

const EXECUTE: Record<string, Record<string, KommoOperation>> = {
	lead: leadExecute,
	note: noteExecute,
	task: taskExecute,
	contact: contactExecute,
	webhook: webhookExecute,
};

export class Kommo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kommo',
		name: 'kommo',
		icon: { light: 'file:kommo.svg', dark: 'file:kommo.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Read and update Kommo (amoCRM) leads, contacts, notes and tasks',
		defaults: { name: 'Kommo' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: kommoCredentials,
		properties: [
			authenticationProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Contact', value: 'contact' },
					{ name: 'Lead', value: 'lead' },
					{ name: 'Note', value: 'note' },
					{ name: 'Task', value: 'task' },
					{ name: 'Webhook', value: 'webhook' },
				],
				default: 'lead',
			},
			leadOperations,
			noteOperations,
			taskOperations,
			contactOperations,
			webhookOperations,
			...leadFields,
			...noteFields,
			...taskFields,
			...contactFields,
			...webhookFields,
		],
	};

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const run = EXECUTE[resource]?.[operation];
		if (!run) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for "${resource}"`);
		}
		return [await run.call(this, items)];
	}
}
