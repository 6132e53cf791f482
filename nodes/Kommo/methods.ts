/**
 * Dropdowns and searchable lists for the Kommo node and trigger, so nobody
 * types an id: pipelines and statuses for the trigger, lead and contact
 * custom fields, task types, and lead/contact search for resource locators.
 */
import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';

import { getFieldDefinitions, type KommoEntity, type KommoFieldDef } from './custom-fields';
import { getPipelines, LOST_STATUS_ID, WON_STATUS_ID } from './pipelines';
import { kommoApiRequest, kommoConnection } from './transport';

/** A parameter as currently edited in the editor, else as saved on the node. */
export function currentParameter(ctx: ILoadOptionsFunctions, ...names: string[]): unknown {
	const readers = [
		(name: string) => ctx.getCurrentNodeParameter(name),
		(name: string) => ctx.getNodeParameter(name, ''),
	];
	for (const read of readers) {
		for (const name of names) {
			let value: unknown;
			try {
				value = read(name);
			} catch {
				value = undefined; // not a parameter of this operation
			}
			if (value !== undefined && value !== null && value !== '') return value;
		}
	}
	return undefined;
}

/** Custom fields as dropdown options (names as values); `only` keeps some of them (e.g. list fields). */
export async function fieldOptions(
	ctx: ILoadOptionsFunctions,
	entity: KommoEntity,
	only: (def: KommoFieldDef) => boolean = () => true,
): Promise<INodePropertyOptions[]> {
	const defs = await getFieldDefinitions.call(ctx, entity);
	// Uniqueness over all fields: a name shared with a field filtered out is still ambiguous.
	const counts = new Map<string, number>();
	for (const d of defs) counts.set(d.name, (counts.get(d.name) ?? 0) + 1);
	return defs.filter(only).map((d) => {
		const unique = counts.get(d.name) === 1;
		const options = d.enums?.length ? `; options: ${d.enums.map((e) => e.value).join(', ')}` : '';
		return {
			// Names as values: shipped workflows refer to fields by name; a duplicated name falls back to the id.
			name: unique ? d.name : `${d.name} (${d.id})`,
			value: unique ? d.name : String(d.id),
			description: `${d.type}, ID ${d.id}${d.code ? `, code ${d.code}` : ''}${options}`,
		};
	});
}

export const loadOptions = {
	async getPipelines(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const pipelines = await getPipelines.call(this);
		return pipelines.map((p) => ({ name: p.is_main ? `${p.name} (main)` : p.name, value: p.id, description: `ID ${p.id}` }));
	},

	/** For the trigger's filters: every pipeline's statuses, Won and Lost once. */
	async getTriggerStatuses(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const pipelines = await getPipelines.call(this);
		const out: INodePropertyOptions[] = [
			{ name: 'Won (142, Every Pipeline)', value: WON_STATUS_ID },
			{ name: 'Lost (143, Every Pipeline)', value: LOST_STATUS_ID },
		];
		for (const p of pipelines) {
			for (const s of p.statuses) {
				if (s.id === WON_STATUS_ID || s.id === LOST_STATUS_ID) continue;
				out.push({ name: `${p.name} → ${s.name}`, value: s.id, description: `ID ${s.id}` });
			}
		}
		return out;
	},

	async getLeadCustomFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return await fieldOptions(this, 'leads');
	},

	async getContactCustomFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return await fieldOptions(this, 'contacts');
	},

	async getCompanyCustomFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return await fieldOptions(this, 'companies');
	},

	async getTaskTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const account = await kommoApiRequest.call(this, 'GET', '/api/v4/account', { query: { with: 'task_types' } });
		const types = ((account?._embedded as IDataObject | undefined)?.task_types ?? []) as IDataObject[];
		const list = types.length
			? types
			: [
					{ id: 1, name: 'Follow-up' },
					{ id: 2, name: 'Meeting' },
				];
		return list.map((t) => ({ name: String(t.name ?? t.id), value: Number(t.id), description: `ID ${String(t.id)}` }));
	},
};

async function search(
	ctx: ILoadOptionsFunctions,
	entity: 'leads' | 'contacts' | 'companies',
	filter: string | undefined,
	paginationToken: string | undefined,
): Promise<INodeListSearchResult> {
	const { baseUrl } = await kommoConnection(ctx);
	const page = Number(paginationToken ?? 1) || 1;
	const response = await kommoApiRequest.call(ctx, 'GET', `/api/v4/${entity}`, {
		query: { query: filter?.trim() || undefined, page, limit: 50 },
	});
	const list = ((response?._embedded as IDataObject | undefined)?.[entity] ?? []) as IDataObject[];
	const next = (response?._links as IDataObject | undefined)?.next;
	return {
		results: list.map((e) => ({
			name: `${String(e.name || `#${String(e.id)}`)} (${String(e.id)})`,
			value: String(e.id),
			url: `${baseUrl}/${entity}/detail/${String(e.id)}`,
		})),
		paginationToken: next ? String(page + 1) : undefined,
	};
}

export const listSearch = {
	async searchLeads(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		return await search(this, 'leads', filter, paginationToken);
	},
	async searchContacts(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		return await search(this, 'contacts', filter, paginationToken);
	},
	async searchCompanies(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		return await search(this, 'companies', filter, paginationToken);
	},
};
