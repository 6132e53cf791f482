/**
 * Pipelines and statuses: read once per execution and used to turn a status
 * given by id or name ("Won", "Lost", "Negotiation") into Kommo's ids.
 * Every pipeline has 142 (Closed - won) and 143 (Closed - lost).
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RequestContext } from '../shared/http';
import { kommoApiRequest } from './transport';

export const WON_STATUS_ID = 142;
export const LOST_STATUS_ID = 143;

export interface KommoStatus {
	id: number;
	name: string;
	pipeline_id: number;
	sort: number;
}

export interface KommoPipeline {
	id: number;
	name: string;
	is_main: boolean;
	statuses: KommoStatus[];
}

const cache = new WeakMap<object, Promise<KommoPipeline[]>>();

export async function getPipelines(this: RequestContext): Promise<KommoPipeline[]> {
	let pending = cache.get(this);
	if (!pending) {
		pending = kommoApiRequest.call(this, 'GET', '/api/v4/leads/pipelines').then((response) =>
			(((response?._embedded as IDataObject | undefined)?.pipelines ?? []) as IDataObject[]).map((p) => ({
				id: Number(p.id),
				name: String(p.name ?? ''),
				is_main: p.is_main === true,
				statuses: (((p._embedded as IDataObject | undefined)?.statuses ?? []) as IDataObject[])
					.map((s) => ({ id: Number(s.id), name: String(s.name ?? ''), pipeline_id: Number(p.id), sort: Number(s.sort ?? 0) }))
					.sort((a, b) => a.sort - b.sort),
			})),
		);
		cache.set(this, pending);
		pending.catch(() => cache.delete(this));
	}
	return await pending;
}

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** A pipeline by id or name; undefined for an empty value. */
export function resolvePipeline(
	pipelines: KommoPipeline[],
	raw: unknown,
	node: INode,
	itemIndex?: number,
): KommoPipeline | undefined {
	const wanted = String(raw ?? '').trim();
	if (wanted === '') return undefined;
	const found =
		(/^\d+$/.test(wanted) ? pipelines.find((p) => p.id === Number(wanted)) : undefined) ??
		pipelines.find((p) => norm(p.name) === norm(wanted));
	if (!found) {
		throw new NodeOperationError(node, `Unknown Kommo pipeline "${wanted}"`, {
			itemIndex,
			description: `Known pipelines: ${pipelines.map((p) => `"${p.name}" (${p.id})`).join(', ')}.`,
		});
	}
	return found;
}

/** Won/Lost by name in English, plus Kommo's own status names for them. */
function closedStatusFromName(name: string): number | undefined {
	const n = norm(name);
	if (['won', 'closed - won', 'closed won', 'successfully realized', 'success'].includes(n)) return WON_STATUS_ID;
	if (['lost', 'closed - lost', 'closed lost', 'closed and not realized'].includes(n)) return LOST_STATUS_ID;
	return undefined;
}

/**
 * A status given by id or name → `{status_id, pipeline_id?}` for a lead write.
 * `pipeline_id` is set when the status belongs to one pipeline (all but 142/143)
 * or when a pipeline was chosen.
 */
export function resolveStatus(
	pipelines: KommoPipeline[],
	rawStatus: unknown,
	pipeline: KommoPipeline | undefined,
	node: INode,
	itemIndex?: number,
): { status_id: number; pipeline_id?: number } {
	const wanted = String(rawStatus ?? '').trim();
	const withPipeline = (statusId: number, pipelineId?: number) =>
		pipelineId !== undefined ? { status_id: statusId, pipeline_id: pipelineId } : { status_id: statusId };
	if (wanted === '') {
		throw new NodeOperationError(node, 'The status is empty', { itemIndex, description: 'Choose a status, or enter "Won", "Lost", a status name or its id.' });
	}
	const closed = /^\d+$/.test(wanted) ? [WON_STATUS_ID, LOST_STATUS_ID].find((id) => id === Number(wanted)) : closedStatusFromName(wanted);
	if (closed !== undefined) return withPipeline(closed, pipeline?.id);

	const scope = pipeline ? [pipeline] : pipelines;
	const all = scope.flatMap((p) => p.statuses);
	const matches = /^\d+$/.test(wanted) ? all.filter((s) => s.id === Number(wanted)) : all.filter((s) => norm(s.name) === norm(wanted));
	if (matches.length === 1) return withPipeline(matches[0].id, matches[0].pipeline_id);
	const where = pipeline ? `pipeline "${pipeline.name}"` : 'any pipeline';
	if (matches.length > 1) {
		const names = matches.map((s) => `"${pipelines.find((p) => p.id === s.pipeline_id)?.name}" (${s.id})`).join(', ');
		throw new NodeOperationError(node, `Status "${wanted}" exists in several pipelines`, {
			itemIndex,
			description: `It is in ${names}. Choose the pipeline too, or use the status id.`,
		});
	}
	const known = scope
		.map((p) => `${p.name}: ${p.statuses.map((s) => `"${s.name}" (${s.id})`).join(', ')}`)
		.join('; ');
	throw new NodeOperationError(node, `Unknown status "${wanted}" in ${where}`, {
		itemIndex,
		description: `Known statuses — ${known}. "Won" (142) and "Lost" (143) exist in every pipeline.`,
	});
}

export function statusName(pipelines: KommoPipeline[], statusId: number, pipelineId?: number): string | null {
	const p = pipelines.find((x) => x.id === pipelineId) ?? pipelines[0];
	return (
		p?.statuses.find((s) => s.id === statusId)?.name ??
		pipelines.flatMap((x) => x.statuses).find((s) => s.id === statusId)?.name ??
		null
	);
}
