/**
 * The Kommo Trigger's events and filters (kept out of the node file, which
 * exports only its class as n8n's loader expects).
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { LOST_STATUS_ID, WON_STATUS_ID } from '../pipelines';
import type { KommoWebhookItem } from './normalize';

export const SECRET_PARAMETER = 'secret';

export const TRIGGER_EVENTS = [
	{ name: 'Contact Added', value: 'add_contact' },
	{ name: 'Contact Deleted', value: 'delete_contact' },
	{ name: 'Contact Updated', value: 'update_contact' },
	{ name: 'Lead Added', value: 'add_lead' },
	{ name: 'Lead Deleted', value: 'delete_lead' },
	{ name: 'Lead Responsible User Changed', value: 'responsible_lead' },
	{ name: 'Lead Status Changed', value: 'status_lead' },
	{ name: 'Lead Updated', value: 'update_lead' },
	{ name: 'Note Added to Contact', value: 'note_contact' },
	{ name: 'Note Added to Lead', value: 'note_lead' },
];

export interface TriggerFilters {
	events: string[];
	pipelineIds: number[];
	targetStatusIds: number[] | undefined;
	previousStatusIds: number[];
}

export const toIds = (list: unknown): number[] =>
	(Array.isArray(list) ? list : list === undefined || list === null || list === '' ? [] : [list])
		.map((v) => Number(v))
		.filter((n) => Number.isInteger(n));

export function targetStatusIds(targetStatus: string, specific: unknown): number[] | undefined {
	switch (targetStatus) {
		case 'won':
			return [WON_STATUS_ID];
		case 'lost':
			return [LOST_STATUS_ID];
		case 'wonOrLost':
			return [WON_STATUS_ID, LOST_STATUS_ID];
		case 'specific': {
			const ids = toIds(specific);
			return ids.length > 0 ? ids : undefined;
		}
		default:
			return undefined;
	}
}

/** Whether an entity passes the event and lead filters (filters apply to lead entities only). */
export function passesFilters(item: KommoWebhookItem, filters: TriggerFilters): boolean {
	if (filters.events.length > 0 && !filters.events.includes(item.event)) return false;
	if (item.entity !== 'lead') return true;
	if (filters.pipelineIds.length > 0 && !filters.pipelineIds.includes(Number(item.pipeline_id))) return false;
	if (filters.targetStatusIds !== undefined && !filters.targetStatusIds.includes(Number(item.status_id))) return false;
	if (filters.previousStatusIds.length > 0 && !filters.previousStatusIds.includes(Number(item.old_status_id))) return false;
	return true;
}

/** The filters as the node's parameters set them. */
export function filtersOf(this: IWebhookFunctions): TriggerFilters {
	return {
		events: this.getNodeParameter('events', []) as string[],
		pipelineIds: toIds(this.getNodeParameter('pipelineIds', [])),
		targetStatusIds: targetStatusIds(
			this.getNodeParameter('targetStatus', 'any') as string,
			this.getNodeParameter('statusIds', []),
		),
		previousStatusIds: toIds(this.getNodeParameter('previousStatusIds', [])),
	};
}
