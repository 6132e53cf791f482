/**
 * Resource locators of the Zuora node: an account or a subscription picked from a searchable
 * list (list-search.ts), or typed as a number or ID. Parameters that were plain strings
 * before (accountKey, subscriptionNumber) keep their names: a workflow that still holds a string
 * or an expression there is read as "By ID".
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { text } from './helpers';

export function accountLocator(description: string, name = 'accountKey'): INodeProperties {
	return {
		displayName: 'Account',
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchAccounts', searchable: true },
			},
			{
				displayName: 'By Number or ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. A00000001',
				hint: 'The account number (A00000001) or the 32-character account ID',
			},
		],
	};
}

export function subscriptionLocator(description: string, name = 'subscriptionNumber'): INodeProperties {
	return {
		displayName: 'Subscription',
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchSubscriptions', searchable: true },
			},
			{
				displayName: 'By Number or ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. A-S00000001',
				hint: 'The subscription number (A-S00000001) or the 32-character subscription ID',
			},
		],
	};
}

/**
 * The value of a locator parameter (or of the plain string an older workflow holds), trimmed;
 * a clear error when it is empty.
 */
export function locatorValue(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label: string,
	hint: string,
): string {
	const raw = context.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	const value = text(raw && typeof raw === 'object' ? (raw as { value?: unknown }).value : raw);
	if (!value) {
		throw new NodeOperationError(context.getNode(), `${label} is empty`, { itemIndex, description: hint });
	}
	return value;
}

/** A Zuora object ID: 32 hexadecimal characters. */
export function isZuoraId(value: string): boolean {
	return /^[0-9a-f]{32}$/i.test(value);
}
