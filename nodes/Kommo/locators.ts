/**
 * Resource locators for a pipeline, a stage (status), a user and a catalog: "From List" with search
 * (methods.listSearch) or "By ID". A plain number or string saved by an older workflow is read
 * as By ID.
 */
import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getPipelines, LOST_STATUS_ID, WON_STATUS_ID } from './pipelines';
import { kommoGetAll } from './transport';

type LocatorKind = 'pipeline' | 'status' | 'user' | 'catalog';

const SEARCH_METHOD: Record<LocatorKind, string> = {
	pipeline: 'searchPipelines',
	status: 'searchStatuses',
	user: 'searchUsers',
	catalog: 'searchCatalogs',
};

const WHERE_ID: Record<LocatorKind, string> = {
	pipeline: 'Pipeline → Get Many',
	status: 'Pipeline → Get Many Stages',
	user: 'Settings → Users in Kommo (the number in the user page address)',
	catalog: 'Catalog → Get Many',
};

const NAME_EXAMPLE: Partial<Record<LocatorKind, string>> = { pipeline: 'e.g. Sales', status: 'e.g. Won' };

/**
 * A pipeline / stage / user / catalog picked from a searchable list or given by ID. Pipelines and
 * stages also go "By Name" (resolved by pipelines.ts, which also knows Won and Lost by name).
 * `displayOptions` undefined: the locator sits in a collection, which shows it.
 */
export function kommoLocator(
	kind: LocatorKind,
	name: string,
	displayName: string,
	displayOptions: IDisplayOptions | undefined,
	description: string,
	required = true,
): INodeProperties {
	const byName = NAME_EXAMPLE[kind];
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		...(required ? { required } : {}),
		description,
		...(displayOptions ? { displayOptions } : {}),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: SEARCH_METHOD[kind], searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 7001',
				validation: [
					{ type: 'regex', properties: { regex: '^\\s*\\d+\\s*$', errorMessage: `A Kommo ${kind} ID is a number` } },
				],
			},
			...(byName ? [{ displayName: 'By Name', name: 'name', type: 'string' as const, placeholder: byName }] : []),
		],
	};
}

/**
 * The value inside a locator (also a plain value saved before the parameter was a locator), for
 * locators that sit in a collection and so arrive as the whole `{ __rl, mode, value }` object.
 */
export function locatorValue(raw: unknown): unknown {
	return raw && typeof raw === 'object' && (raw as IDataObject).__rl === true ? (raw as IDataObject).value : raw;
}

/** A collection's values with every locator replaced by the value inside it. */
export function unwrapLocators(fields: IDataObject): IDataObject {
	return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, locatorValue(value)])) as IDataObject;
}

/**
 * The number behind a locator of item i (also a plain number or string from an older workflow).
 * Undefined when the parameter is empty and not required.
 */
export function locatorId(
	ctx: IExecuteFunctions,
	name: string,
	kind: LocatorKind,
	itemIndex: number,
	required = true,
): number | undefined {
	const raw = ctx.getNodeParameter(name, itemIndex, '', { extractValue: true });
	const text = String(raw ?? '').trim();
	if (text === '' && !required) return undefined;
	if (!/^\d+$/.test(text) || Number(text) <= 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			text === '' ? `The ${kind} is empty` : `"${text}" is not a Kommo ${kind} ID`,
			{ itemIndex, description: `Choose the ${kind} from the list, or enter its number (from ${WHERE_ID[kind]}).` },
		);
	}
	return Number(text);
}

/** The value of a locator or plain parameter as the editor currently holds it, else as saved on the node. */
function editedValue(ctx: ILoadOptionsFunctions, name: string): string {
	const readers = [
		() => ctx.getCurrentNodeParameter(name, { extractValue: true }),
		() => ctx.getNodeParameter(name, '', { extractValue: true }),
	];
	for (const read of readers) {
		let raw: unknown;
		try {
			raw = read();
		} catch {
			raw = undefined; // not a parameter of this operation
		}
		if (raw && typeof raw === 'object') raw = (raw as IDataObject).value;
		const text = String(raw ?? '').trim();
		if (text !== '') return text;
	}
	return '';
}

function matches(filter: string | undefined, ...texts: unknown[]): boolean {
	const wanted = (filter ?? '').trim().toLowerCase();
	return wanted === '' || texts.some((t) => String(t ?? '').toLowerCase().includes(wanted));
}

export const locatorSearch = {
	async searchPipelines(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const pipelines = await getPipelines.call(this);
		return {
			results: pipelines
				.filter((p) => matches(filter, p.name, p.id))
				.map((p) => ({ name: p.is_main ? `${p.name} (main)` : p.name, value: String(p.id) })),
		};
	},

	/** Stages of the pipeline chosen in `pipeline` (every pipeline when none), Won and Lost once. */
	async searchStatuses(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const pipelines = await getPipelines.call(this);
		// the pipeline chosen next to it, by ID or (By Name) by its name
		const chosen = (editedValue(this, 'pipeline') || editedValue(this, 'pipelineId') || editedValue(this, 'updateFields.pipelineId')).toLowerCase();
		const scope = pipelines.filter((p) => String(p.id) === chosen || p.name.trim().toLowerCase() === chosen);
		const list = scope.length ? scope : pipelines;
		const results: INodeListSearchItems[] = [
			{ name: 'Won (Closed - Won, 142)', value: String(WON_STATUS_ID) },
			{ name: 'Lost (Closed - Lost, 143)', value: String(LOST_STATUS_ID) },
		];
		for (const p of list) {
			for (const s of p.statuses) {
				if (s.id === WON_STATUS_ID || s.id === LOST_STATUS_ID) continue;
				results.push({ name: list.length > 1 ? `${p.name} → ${s.name}` : s.name, value: String(s.id) });
			}
		}
		return { results: results.filter((r) => matches(filter, r.name, r.value)) };
	},

	async searchUsers(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		// developers.kommo.com/reference/users-list: "available for administrator users only".
		const users = await kommoGetAll.call(this, '/api/v4/users', 'users').catch((error: unknown) => {
			if ((error as { httpCode?: string | null }).httpCode !== '403') return Promise.reject(error);
			throw new NodeOperationError(this.getNode(), "Kommo lists users only to administrators, and this credential's user is not one", {
				description: 'Switch the field to "By ID" and enter the user ID, or use a credential of an account administrator.',
			});
		});
		return {
			results: (users as IDataObject[])
				.filter((u) => matches(filter, u.name, u.email, u.id))
				.map((u) => ({ name: `${String(u.name ?? u.id)}${u.email ? ` (${String(u.email)})` : ''}`, value: String(u.id) })),
		};
	},
};
