import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { itemsBody, money, readItems, requirePaddleId } from '../../helpers';
import { paddleData } from '../../transport';
import { currencyCodeField, forOperation, itemsField } from '../common';

export const description: INodeProperties[] = forOperation('transaction', 'preview', [
	itemsField,
	additionalFieldsCollection(
		[
			{ displayName: 'Address ID', name: 'addressId', type: 'string', default: '', placeholder: 'add_…', description: 'Use this saved address (needs Customer ID) to calculate tax' },
			{ displayName: 'Country Code', name: 'countryCode', type: 'string', default: '', placeholder: 'DE', description: 'Two-letter country to calculate tax for, when there is no saved address' },
			currencyCodeField,
			{ displayName: 'Customer ID', name: 'customerId', type: 'string', default: '', placeholder: 'ctm_…', description: 'Preview for this customer (with Address ID: their tax)' },
			{ displayName: 'Discount ID', name: 'discountId', type: 'string', default: '', placeholder: 'dsc_…' },
			{ displayName: 'Ignore Trials', name: 'ignoreTrials', type: 'boolean', default: false, description: 'Whether to price trial items at their full price instead of zero' },
			{ displayName: 'Postal Code', name: 'postalCode', type: 'string', default: '', description: 'ZIP or postal code, with Country Code (needed for some countries such as the US)' },
		],
	),
]);

/**
 * POST /transactions/preview (needs transaction.read): totals for items without creating anything
 * (no id). Tax needs a location: a saved address (customer + address) or a country (and postal code).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = { items: itemsBody(readItems.call(this, itemIndex)) };
	if (additional.customerId) body.customer_id = requirePaddleId.call(this, additional.customerId, 'ctm', 'Customer ID', itemIndex);
	if (additional.addressId) {
		if (!body.customer_id) {
			throw new NodeOperationError(this.getNode(), 'Address ID needs Customer ID: Paddle uses a saved address only together with its customer. Add Customer ID, or use Country Code instead.', { itemIndex });
		}
		body.address_id = requirePaddleId.call(this, additional.addressId, 'add', 'Address ID', itemIndex);
	} else if (additional.countryCode) {
		const country = String(additional.countryCode).trim().toUpperCase();
		if (!/^[A-Z]{2}$/.test(country)) {
			throw new NodeOperationError(this.getNode(), `Country Code "${String(additional.countryCode)}" is not a two-letter ISO 3166-1 code such as DE or US.`, { itemIndex });
		}
		body.address = { country_code: country, ...(additional.postalCode ? { postal_code: String(additional.postalCode).trim() } : {}) };
	}
	if (additional.currencyCode) body.currency_code = String(additional.currencyCode).trim().toUpperCase();
	if (additional.discountId) body.discount_id = requirePaddleId.call(this, additional.discountId, 'dsc', 'Discount ID', itemIndex);
	if (additional.ignoreTrials) body.ignore_trials = true;
	const preview = (await paddleData.call(this, { method: 'POST', path: '/transactions/preview', body, itemIndex })) as IDataObject;
	const totals = ((preview.details ?? {}) as IDataObject).totals as IDataObject | undefined;
	return { ...preview, money: money(totals?.grand_total ?? totals?.total, totals?.currency_code ?? preview.currency_code) as unknown as IDataObject };
}
