/**
 * Resource locators for the Chargebee ids a user picks: customer, subscription, item price.
 * Modes: From list (searchable, the default), By ID, and By URL for the two records Chargebee's
 * app has pages for (https://<site>.chargebee.com/d/customers/<id>, /d/subscriptions/<id>).
 * Workflows written before the locators stored a plain string: `locatorValue` reads both shapes.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyMode } from 'n8n-workflow';

import { InputError } from './helpers';

export type LocatedKind = 'customer' | 'subscription' | 'itemPrice';

const KINDS: Record<LocatedKind, { label: string; search: string; appPath?: string; example: string }> = {
	customer: { label: 'Customer', search: 'searchCustomers', appPath: 'customers', example: 'kommo-lead-12345' },
	subscription: { label: 'Subscription', search: 'searchSubscriptions', appPath: 'subscriptions', example: 'kommo-lead-12345' },
	itemPrice: { label: 'Item Price', search: 'searchItemPrices', example: 'pro-USD-monthly' },
};

/** Letters, digits and _ - . @ ~ (the characters Chargebee allows in ids), as a regex class. */
const ID = '[A-Za-z0-9_\\-.@~]+';

export function locatorModes(kind: LocatedKind): INodePropertyMode[] {
	const k = KINDS[kind];
	// written under a `modes` key, as in a resourceLocator parameter (n8n's lint knows modes have no default)
	const { modes }: { modes: INodePropertyMode[] } = {
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: k.search, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: `e.g. ${k.example}`,
				validation: [{ type: 'regex', properties: { regex: `^\\s*${ID}\\s*$`, errorMessage: 'A Chargebee ID has only letters, digits and _ - . @ ~' } }],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: `https://acme.chargebee.com/d/${k.appPath}/${k.example}`,
				extractValue: { type: 'regex', regex: `/d/${k.appPath}/(${ID})` },
				validation: [
					{ type: 'regex', properties: { regex: `^https?://[^/]+/d/${k.appPath}/${ID}.*`, errorMessage: `Not a Chargebee ${k.label.toLowerCase()} URL (https://<site>.chargebee.com/d/${k.appPath}/<id>)` } },
				],
			},
		],
	};
	// By URL only where Chargebee's app has a page for the kind
	return k.appPath ? modes : modes.filter((mode) => mode.name !== 'url');
}

/** A resource-locator parameter, "From list" first and default. */
export function locator(
	kind: LocatedKind,
	name: string,
	description: string,
	displayOptions: INodeProperties['displayOptions'],
	required = true,
): INodeProperties {
	return {
		displayName: KINDS[kind].label,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required,
		description,
		displayOptions,
		modes: locatorModes(kind),
	};
}

/**
 * The id a locator (or a plain string from an older workflow, treated as By ID) holds for item `i`.
 * A pasted app URL in By ID mode is accepted too.
 */
export function locatorValue(this: IExecuteFunctions, name: string, i: number, label: string, kind: LocatedKind, required = true): string {
	const raw = this.getNodeParameter(name, i, '') as unknown;
	let value: unknown = raw;
	let mode = 'id';
	if (raw && typeof raw === 'object') {
		mode = String((raw as IDataObject).mode ?? 'id');
		value = (raw as IDataObject).value;
	}
	let text = String(value ?? '').trim();
	const path = KINDS[kind].appPath;
	if (path && (mode === 'url' || /^https?:\/\//i.test(text))) {
		const match = new RegExp(`/d/${path}/(${ID})`).exec(text);
		if (!match) {
			throw new InputError(
				`${label} URL "${text}" is not a Chargebee ${KINDS[kind].label.toLowerCase()} page`,
				`Paste the address of the ${KINDS[kind].label.toLowerCase()} in Chargebee, e.g. https://acme.chargebee.com/d/${path}/kommo-lead-12345, or switch to By ID.`,
			);
		}
		text = decodeURIComponent(match[1]);
	}
	if (text === '') {
		if (!required) return '';
		throw new InputError(`${label} is empty`, `Pick one from the list, or give its ID (By ID) or its Chargebee page (By URL).`);
	}
	if (text.length > 100 || !new RegExp(`^${ID}$`).test(text)) {
		throw new InputError(`${label} "${text}" is not a valid Chargebee id`, 'Chargebee ids have up to 50 (item prices 100) letters, digits and the characters _ - . @ ~, e.g. kommo-lead-12345.');
	}
	return text;
}
