import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { buildCustomData, parseJsonObject, requirePaddleId } from '../../helpers';
import { paddleCreate, paddleList } from '../../transport';
import { customDataField, customerIdField, forOperation } from '../common';

const FIELDS = ['first_line', 'second_line', 'city', 'postal_code', 'region'] as const;

export const description: INodeProperties[] = forOperation('address', 'create', [
	{ ...customerIdField, description: 'The customer (ctm_…) the address belongs to' },
	{
		displayName: 'Country Code',
		name: 'countryCode',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'US',
		description: 'Two-letter ISO 3166-1 alpha-2 country code',
	},
	additionalFieldsCollection(
		[
			{ displayName: 'City', name: 'city', type: 'string', default: '' },
			{ displayName: 'First Line', name: 'first_line', type: 'string', default: '' },
			{ displayName: 'Postal Code', name: 'postal_code', type: 'string', default: '' },
			{ displayName: 'Region', name: 'region', type: 'string', default: '', description: 'State, county or region' },
			{ displayName: 'Second Line', name: 'second_line', type: 'string', default: '' },
		],
	),
	customDataField,
	{
		displayName: 'Reuse Matching Address',
		name: 'reuseExisting',
		type: 'boolean',
		default: true,
		description:
			'Whether to return an active address of this customer with the same country and lines instead of creating a duplicate (makes a repeated run safe)',
	},
]);

function sameAddress(a: IDataObject, b: IDataObject): boolean {
	const norm = (v: unknown) => String(v ?? '').trim().toLowerCase();
	return norm(a.country_code) === norm(b.country_code) && FIELDS.every((f) => norm(a[f]) === norm(b[f]));
}

/** POST /customers/{id}/addresses, reusing an identical active address when asked. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requirePaddleId.call(this, this.getNodeParameter('customerId', itemIndex), 'ctm', 'Customer ID', itemIndex);
	const country = String(this.getNodeParameter('countryCode', itemIndex, '')).trim().toUpperCase();
	if (!/^[A-Z]{2}$/.test(country)) {
		throw new NodeOperationError(
			this.getNode(),
			`Country Code "${country}" is not a two-letter ISO country code (e.g. US, DE, GB).`,
			{ itemIndex },
		);
	}
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = { country_code: country };
	for (const f of FIELDS) {
		const v = String(additional[f] ?? '').trim();
		if (v) body[f] = v;
	}
	const customData = buildCustomData(
		parseJsonObject.call(this, this.getNodeParameter('customData', itemIndex, '{}'), 'Additional Custom Data (JSON)', itemIndex),
		undefined,
	);
	if (customData) body.custom_data = customData;
	const path = `/customers/${encodeURIComponent(customerId)}/addresses`;
	const findSame = async () =>
		((await paddleList.call(this, { method: 'GET', path, qs: { status: 'active', per_page: 200 }, itemIndex })) as IDataObject[]).find(
			(a) => sameAddress(a, body),
		);
	if (this.getNodeParameter('reuseExisting', itemIndex, true) as boolean) {
		const existing = await findSame();
		if (existing) return existing;
	}
	const { data } = await paddleCreate.call(this, { method: 'POST', path, body, itemIndex }, findSame);
	return data;
}
