/**
 * Kommo (formerly amoCRM): leads with their contacts and custom fields, notes,
 * tasks and contacts, through the shared HTTP layer at most 7 requests per
 * second per account.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceSelector } from '../shared/descriptions';
import { runOperations, type Operation } from '../shared/operations';
import { authenticationProperty, kommoCredentials } from './descriptions';
import { locatorSearch } from './locators';
import { listSearch, loadOptions } from './methods';
import { catalogSearch } from './resources/catalog/shared';
import { catalogExecute, catalogFields, catalogOperations } from './resources/catalog';
import type { KommoOperation } from './resources/common';
import { companyExecute, companyFields, companyOperations } from './resources/company';
import { contactExecute, contactFields, contactOperations } from './resources/contact';
import { customApiRequestExecute, customApiRequestFields, customApiRequestOperations } from './resources/customApiRequest';
import { leadExecute, leadFields, leadOperations } from './resources/lead';
import { linkExecute, linkFields, linkOperations } from './resources/link';
import { noteExecute, noteFields, noteOperations } from './resources/note';
import { tagExecuteMap, tagFields, tagOperations } from './resources/tag';
import { pipelineExecute, pipelineFields, pipelineOperations } from './resources/pipeline';
import { taskExecute, taskFields, taskOperations } from './resources/task';
import { unsortedExecute, unsortedFields, unsortedOperations } from './resources/unsorted';
import { webhookExecute, webhookFields, webhookOperations } from './resources/webhook';

// Every Kommo operation takes all items at once (notes and tasks go to Kommo in batches of ≤ 50)
const EXECUTE: Record<string, Record<string, KommoOperation>> = {
	lead: leadExecute,
	note: noteExecute,
	task: taskExecute,
	contact: contactExecute,
	webhook: webhookExecute,
	company: companyExecute,
	tag: tagExecuteMap,
	pipeline: pipelineExecute,
	link: linkExecute,
	catalog: catalogExecute,
	unsorted: unsortedExecute,
	customApiRequest: customApiRequestExecute,
};

const OPERATIONS: Record<string, Record<string, Operation>> = Object.fromEntries(
	Object.entries(EXECUTE).map(([resource, operations]) => [
		resource,
		Object.fromEntries(Object.entries(operations).map(([name, execute]) => [name, { kind: 'batch' as const, execute }])),
	]),
);

export class Kommo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kommo',
		name: 'kommo',
		icon: { light: 'file:../../icons/kommo.svg', dark: 'file:../../icons/kommo.dark.svg' },
		group: ['transform'],
		// 1.1: Simplify (on by default) for Lead → Get and Contact → Get; version 1 keeps their full output.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Create, find and update Kommo (amoCRM) leads, contacts and companies; notes, tags and tasks',
		defaults: { name: 'Kommo' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: kommoCredentials,
		properties: [
			authenticationProperty,
			resourceSelector('lead', [
				{ name: 'Catalog (Product List)', value: 'catalog' },
				{ name: 'Company', value: 'company' },
				{ name: 'Contact', value: 'contact' },
				{ name: 'Custom API Request', value: 'customApiRequest' },
				{ name: 'Incoming Lead', value: 'unsorted' },
				{ name: 'Lead', value: 'lead' },
				{ name: 'Link', value: 'link' },
				{ name: 'Note', value: 'note' },
				{ name: 'Pipeline', value: 'pipeline' },
				{ name: 'Tag', value: 'tag' },
				{ name: 'Task', value: 'task' },
				{ name: 'Webhook', value: 'webhook' },
			]),
			leadOperations,
			noteOperations,
			taskOperations,
			contactOperations,
			webhookOperations,
			companyOperations,
			tagOperations,
			pipelineOperations,
			linkOperations,
			catalogOperations,
			unsortedOperations,
			customApiRequestOperations,
			...leadFields,
			...noteFields,
			...taskFields,
			...contactFields,
			...webhookFields,
			...companyFields,
			...tagFields,
			...pipelineFields,
			...linkFields,
			...catalogFields,
			...unsortedFields,
			...customApiRequestFields,
		],
	};

	methods = { loadOptions, listSearch: { ...listSearch, ...locatorSearch, ...catalogSearch } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperations.call(this, OPERATIONS);
	}
}
