/**
 * What the billing-event workflows (events.ts) and their "what happens in Kommo" sub-workflows
 * (event-effects.ts) are built from: the builder with seeded ids, n8n's If / Set / Respond nodes
 * as these workflows use them, the grid, and the description of one vendor's flow.
 */
import type { FilterOperatorValue, IDataObject, INodeCredentials, INodeParameters, NodeParameterValue } from 'n8n-workflow';

import { condition, filter, KEY_ORDER, seededUuid, WorkflowBuilder } from './builder';
import type { Condition, Position } from './builder';

export const ROW = 170;
export const COL = 260;

/** An event workflow: node ids from the workflow id and the node's name; condition and assignment ids counted per workflow. */
export class Events extends WorkflowBuilder {
	private conditions = 0;
	private assignments = 0;

	constructor(readonly id: string) {
		super({ keyOrder: KEY_ORDER.events, nodeId: (name) => seededUuid(`${id}/${name}`) });
	}

	/** A condition; a single-value operator has no right value. */
	cond(leftValue: string, operator: FilterOperatorValue, rightValue?: NodeParameterValue): Condition {
		this.conditions += 1;
		return condition(seededUuid(`condition-${this.conditions}`), leftValue, operator, operator.singleValue ? undefined : (rightValue ?? ''));
	}

	assignmentId(): string {
		this.assignments += 1;
		return seededUuid(`assignment-${this.id}-${this.assignments}`);
	}
}

export const conditions = (list: Condition[], caseSensitive = true): INodeParameters => filter(list, { caseSensitive });

export const ifNode = (b: Events, name: string, position: Position, cond: Condition): string =>
	b.node(name, 'n8n-nodes-base.if', 2.2, position, { conditions: conditions([cond]), looseTypeValidation: true, options: {} });

/** A Set node: [name, value, type (default string)] assignments. */
export function setNode(b: Events, name: string, position: Position, fields: Array<[string, string, string?]>, includeOtherFields = false): string {
	return b.node(name, 'n8n-nodes-base.set', 3.4, position, {
		mode: 'manual',
		assignments: {
			assignments: fields.map(([fieldName, value, type]) => ({ id: b.assignmentId(), name: fieldName, value, type: type ?? 'string' })),
		},
		includeOtherFields,
		options: {},
	});
}

export const respond = (b: Events, name: string, position: Position, body: IDataObject, code?: number): string =>
	b.node(name, 'n8n-nodes-base.respondToWebhook', 1, position, {
		respondWith: 'json',
		responseBody: JSON.stringify(body),
		options: code ? { responseCode: code } : {},
	});

/** One vendor's event flow: the main workflow (events.ts) and its sub-workflow (event-effects.ts). */
export interface VendorSpec {
	file: string;
	id: string;
	name: string;
	vendorName: string;
	/** The sub-workflow with the per-event rows: workflows/<file>, its id and name. */
	effects: { file: string; id: string; name: string };
	trigger: { name: string; type: string; webhookId: string; parameters: INodeParameters; credentials: INodeCredentials };
	subscriptionStarted?: boolean;
	orderGuard?: boolean;
	/** [price id, Kommo plan] */
	plans: Array<[string, string]>;
	reminderEvent?: string;
	customerLookup?: {
		name: string;
		idLabel: string;
		type: string;
		parameters: INodeParameters;
		credentials: INodeCredentials;
		email: string;
		leadId: string;
		leadLabel: string;
	};
	leadHint?: boolean;
}

/** What the sub-workflow's last node says when nothing was written (the main workflow's "Outcome" switch). */
export const OUTCOME = { stale: 'stale', ignored: 'ignored' } as const;

/** The sub-workflow's trigger node: its items are the main workflow's (leadId, normalized, redelivery). */
export const EFFECTS_TRIGGER = 'Event and deal';
