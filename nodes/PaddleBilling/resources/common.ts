/** Parameter builders that several Paddle operations share. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { customerLocator, subscriptionLocator } from './locators';

export { forOperation } from '../../shared/descriptions';

export type OperationExecute = (this: IExecuteFunctions, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

export interface Operation {
	description: INodeProperties[];
	execute: OperationExecute;
}

export function show(resource: string, operation: string | string[]): INodeProperties['displayOptions'] {
	return { show: { resource: [resource], operation: Array.isArray(operation) ? operation : [operation] } };
}

/** Customer and subscription pickers (resource locators; plain strings from older workflows still work). */
export const customerIdField: INodeProperties = customerLocator;

export const subscriptionIdField: INodeProperties = subscriptionLocator;

export const kommoLeadIdField: INodeProperties = {
	displayName: 'Kommo Lead ID',
	name: 'kommoLeadId',
	type: 'string',
	default: '',
	placeholder: '{{ $json.leadId }}',
	description:
		'Stored as custom_data.kommo_lead_id so that billing events can be matched back to the lead. Leave empty to store nothing.',
};

export const customDataField: INodeProperties = {
	displayName: 'Additional Custom Data (JSON)',
	name: 'customData',
	type: 'json',
	default: '{}',
	description: 'More keys for custom_data, as a JSON object. kommo_lead_id is set from Kommo Lead ID.',
};

export const itemsField: INodeProperties = {
	displayName: 'Items',
	name: 'items',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Item',
	default: { item: [{ priceId: '', quantity: 1 }] },
	required: true,
	options: [
		{
			displayName: 'Item',
			name: 'item',
			values: [
				{
					displayName: 'Price Name or ID',
					name: 'priceId',
					type: 'options',
					typeOptions: { loadOptionsMethod: 'getPrices' },
					default: '',
					description:
						'The Paddle price (pri_…). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{
					displayName: 'Quantity',
					name: 'quantity',
					type: 'number',
					typeOptions: { minValue: 1, numberPrecision: 0 },
					default: 1,
				},
			],
		},
	],
};

export const currencyCodeField: INodeProperties = {
	displayName: 'Currency Code',
	name: 'currencyCode',
	type: 'string',
	default: '',
	placeholder: 'USD',
	description: 'Three-letter ISO 4217 code. Leave empty to let Paddle choose from the address.',
};
