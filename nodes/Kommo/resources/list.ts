/** The Get Many operations' list reading: Return All / Limit, optional full-text search, pages of up to 250. */
import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { kommoGetAll, KOMMO_BATCH_LIMIT, type QueryValue } from '../transport';
import { listLimit } from '../../shared/list-parameters';

export function searchTextField(entity: 'lead' | 'contact' | 'company', displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Search Text',
		name: 'query',
		type: 'string',
		default: '',
		placeholder: entity === 'company' ? 'e.g. Acme' : 'e.g. ada@example.com or +1 555 0100',
		displayOptions,
		description: `Optional. Kommo's full-text search over the ${entity}s' filled fields (name, phone, email, custom fields). Empty: list all.`,
	};
}

/**
 * The entities of `GET /api/v4/{entity}`, newest first: all (Return All), or up to Limit.
 * Kommo answers at most 250 a page and 204 for an empty list (both handled by kommoGetAll).
 */
export async function getMany(
	ctx: IExecuteFunctions,
	entity: 'leads' | 'contacts' | 'companies',
	itemIndex: number,
	query: Record<string, QueryValue | undefined>,
): Promise<IDataObject[]> {
	const limit = listLimit(ctx, itemIndex);
	const text = String(ctx.getNodeParameter('query', itemIndex, '') ?? '').trim();
	return await kommoGetAll.call(
		ctx,
		`/api/v4/${entity}`,
		entity,
		{ ...query, query: text || undefined, 'order[updated_at]': 'desc' },
		limit,
		Math.min(Number.isFinite(limit) ? limit : KOMMO_BATCH_LIMIT, KOMMO_BATCH_LIMIT),
	);
}
