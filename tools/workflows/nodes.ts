/**
 * This package's nodes as the shipped workflows use them (the Kommo node with a long-lived
 * token, its task, note and lead-update operations) and the settings every shipped workflow
 * has. n8n's own shapes are in builder.ts.
 */
import type { INodeCredentials, INodeParameters, IWorkflowSettings } from 'n8n-workflow';

import type { NodeOptions, Position, WorkflowBuilder } from './builder';
import { CREDENTIALS, ERROR_WORKFLOW_ID } from './credentials';

export const PACKAGE = 'n8n-nodes-kommo-billing';

/** The type of this package's node `name` (e.g. `kommo` → `n8n-nodes-kommo-billing.kommo`). */
export const packageNode = (name: string): string => `${PACKAGE}.${name}`;

/** A resource locator by id (Kommo lead, …). */
export const byId = (value: string): INodeParameters => ({ __rl: true, mode: 'id', value });

/** A Kommo node: long-lived token, the shipped Kommo credential. */
export function kommo(b: WorkflowBuilder, name: string, position: Position, parameters: INodeParameters, options: NodeOptions = {}): string {
	return b.node(name, packageNode('kommo'), 1, position, { authentication: 'longLivedToken', ...parameters }, { credentials: CREDENTIALS.kommo as INodeCredentials, ...options });
}

/**
 * Kommo → Task → Create for Lead (or Create, without `leadId`): due relative to now, for the
 * lead's responsible user. `options` is written only when given.
 */
export function kommoTask(task: { leadId?: string; text: string; dueIn: number; dueUnit: string; options?: INodeParameters }): INodeParameters {
	return {
		resource: 'task',
		operation: task.leadId === undefined ? 'create' : 'createForLead',
		...(task.leadId === undefined ? {} : { leadId: byId(task.leadId) }),
		text: task.text,
		dueType: 'relative',
		dueIn: task.dueIn,
		dueUnit: task.dueUnit,
		responsibleUserId: { __rl: true, mode: 'list', value: '' },
		taskTypeId: 1,
		...(task.options ? { options: task.options } : {}),
	};
}

/** Kommo → Lead → Update: custom fields by name ([field, value] pairs). */
export function kommoLeadUpdate(leadId: string, fields: Array<[string, string]>, options: INodeParameters = {}): INodeParameters {
	return {
		resource: 'lead',
		operation: 'update',
		leadId: byId(leadId),
		updateFields: {},
		customFields: { field: fields.map(([name, value]) => ({ name, value })) },
		options,
	};
}

/** Settings of a shipped workflow that reports failures: v1 order, the error workflow, executions kept. */
export function reportingSettings(saveManualExecutions: boolean): IWorkflowSettings {
	return {
		executionOrder: 'v1',
		errorWorkflow: ERROR_WORKFLOW_ID,
		saveDataErrorExecution: 'all',
		saveDataSuccessExecution: 'all',
		...(saveManualExecutions ? { saveManualExecutions: true } : {}),
	};
}
