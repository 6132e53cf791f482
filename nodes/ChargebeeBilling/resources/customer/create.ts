import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { emailProperty } from '../../../shared/descriptions';
import { chargebeeRequestFull, deriveIdempotencyKey } from '../../transport';
import { show } from '../types';
import { checkCustomerId, customerFieldOptions, customerForm, kommoLeadIdFields } from './fields';

const displayOptions = show('customer', ['create']);

export const description: INodeProperties[] = [
	{
		displayName: 'Customer ID',
		name: 'customerId',
		type: 'string',
		default: '',
		placeholder: '=kommo-lead-{{ $json.leadId }}',
		description:
			'Optional ID of your choice. A deterministic ID (e.g. built from the Kommo lead) makes a retried run fail with "already present" instead of creating a second customer. Leave empty to let Chargebee choose.',
		displayOptions,
	},
	emailProperty({ displayOptions }),
	...kommoLeadIdFields(displayOptions),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions,
		options: [
			...customerFieldOptions(false),
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				description:
					'Sent as chargebee-idempotency-key (max 100 characters). By default it is derived from the request, so the same input within 30 minutes returns the first answer instead of creating again.',
			} as INodeProperties,
		].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = (this.getNodeParameter('customerId', i, '') as string).trim();
	const additional = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const form = {
		...(id ? { id: checkCustomerId(id) } : {}),
		...customerForm.call(this, i, { ...additional, email: this.getNodeParameter('email', i, '') }),
	};
	const key = String(additional.idempotencyKey ?? '').trim() || deriveIdempotencyKey('customer-create', '/customers', form);
	const response = await chargebeeRequestFull.call(this, {
		method: 'POST',
		path: '/customers',
		form,
		idempotencyKey: key,
		itemIndex: i,
	});
	const customer = (response.body as IDataObject).customer as IDataObject;
	return { ...customer, outcome: response.headers['chargebee-idempotency-replayed'] === 'true' ? 'replayed' : 'created' };
}
