import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { emailProperty, optionsCollection } from '../../../shared/descriptions';
import { DEFAULT_KOMMO_FIELD, InputError, checkCustomFieldName, parseLeadId } from '../../helpers';
import {
	attempt,
	callIdempotencyKey,
	chargebeeErrorCode,
	chargebeeRequest,
	chargebeeRequestFull,
	deriveIdempotencyKey,
	idPath,
	isNotFound,
} from '../../transport';
import { show } from '../types';
import { checkCustomerId, customerFieldOptions, customerForm, kommoLeadIdFields } from './fields';
import { findCustomersByEmail } from './findByEmail';

const displayOptions = show('customer', ['findOrCreate']);

export const description: INodeProperties[] = [
	{
		displayName: 'Customer ID',
		name: 'customerId',
		type: 'string',
		default: '',
		placeholder: '=kommo-lead-{{ $json.leadId }}',
		description:
			'Looked up first; also the ID given to a new customer. A deterministic ID (e.g. from the Kommo lead) makes retries safe. Leave empty to search by email only.',
		displayOptions,
	},
	emailProperty({ description: 'Searched when no customer has the ID; also set on a new customer', displayOptions }),
	...kommoLeadIdFields(displayOptions),
	{
		displayName: 'Fields for a New Customer',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions,
		options: customerFieldOptions(false),
	},
	optionsCollection(
		[
			{
				displayName: 'If Several Customers Have the Email',
				name: 'multipleMatches',
				type: 'options',
				options: [
					{ name: 'Stop With an Error', value: 'error' },
					{ name: 'Use the Newest', value: 'newest' },
					{ name: 'Use the Oldest', value: 'oldest' },
				],
				default: 'error',
			},
			{
				displayName: 'Store Kommo Lead ID on a Found Customer',
				name: 'storeLeadId',
				type: 'options',
				options: [
					{ name: 'Always (Overwrite)', value: 'always' },
					{ name: 'Never', value: 'never' },
					{ name: 'Only if the Field Is Empty', value: 'ifEmpty' },
				],
				default: 'ifEmpty',
				description: 'Whether to write the Kommo Lead ID into the custom field of a customer that already existed',
			},
		],
		displayOptions,
	),
];

async function getById(this: IExecuteFunctions, i: number, id: string): Promise<IDataObject | undefined> {
	const result = await attempt(chargebeeRequest.call(this, { method: 'GET', path: idPath('/customers/{id}', id), itemIndex: i }));
	if (result.ok) return (result.value as IDataObject).customer as IDataObject;
	if (isNotFound(result.error)) return undefined;
	throw result.error;
}

async function storeLeadId(this: IExecuteFunctions, i: number, customer: IDataObject, mode: string): Promise<IDataObject> {
	const leadId = parseLeadId(this.getNodeParameter('kommoLeadId', i, '') as string);
	if (leadId === undefined || mode === 'never') return customer;
	const field = checkCustomFieldName(
		this.getNodeParameter('kommoLeadIdField', i, DEFAULT_KOMMO_FIELD) as string,
		'Kommo Lead ID Field',
	);
	const current = customer[field];
	if (String(current ?? '') === String(leadId)) return customer;
	if (mode === 'ifEmpty' && current !== undefined && current !== null && current !== '') return customer;
	const body = (await chargebeeRequest.call(this, {
		method: 'POST',
		path: idPath('/customers/{id}', String(customer.id)),
		form: { [field]: String(leadId) },
		idempotencyKey: callIdempotencyKey('customer-update'),
		itemIndex: i,
	})) as IDataObject;
	return body.customer as IDataObject;
}

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const rawId = (this.getNodeParameter('customerId', i, '') as string).trim();
	const id = rawId ? checkCustomerId(rawId) : undefined;
	const email = (this.getNodeParameter('email', i, '') as string).trim();
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const storeMode = String(options.storeLeadId ?? 'ifEmpty');
	if (!id && !email) {
		throw new InputError('Give a Customer ID, an Email or both', 'Find-or-create looks the customer up by ID first, then by email.');
	}

	// Both look-ups are reads: they run side by side (one vendor round trip instead of two when the
	// customer is new, which is the usual case after a Won deal). The ID wins over the email.
	const [byId, byEmail] = await Promise.all([
		id ? attempt(getById.call(this, i, id)) : undefined,
		email ? attempt(findCustomersByEmail.call(this, i, email, false, 100)) : undefined,
	]);
	if (byId && !byId.ok) throw byId.error;
	if (byId?.value) return { ...(await storeLeadId.call(this, i, byId.value, storeMode)), outcome: 'found_by_id' };
	if (byEmail) {
		if (!byEmail.ok) throw byEmail.error;
		const matches = byEmail.value;
		if (matches.length > 1) {
			const mode = String(options.multipleMatches ?? 'error');
			if (mode === 'error') {
				throw new InputError(
					`${matches.length} Chargebee customers have the email ${email}: ${matches.map((m) => String(m.id)).join(', ')}`,
					'Give the Customer ID, merge the duplicates in Chargebee, or set the option "If Several Customers Have the Email".',
				);
			}
		}
		if (matches.length > 0) {
			const mode = String(options.multipleMatches ?? 'error');
			const chosen = mode === 'oldest' ? matches[matches.length - 1] : matches[0];
			return { ...(await storeLeadId.call(this, i, chosen, storeMode)), outcome: 'found_by_email' };
		}
	}

	const additional = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const form = { ...(id ? { id } : {}), ...customerForm.call(this, i, { ...additional, email }) };
	const created = await attempt(
		chargebeeRequestFull.call(this, {
			method: 'POST',
			path: '/customers',
			form,
			idempotencyKey: deriveIdempotencyKey('customer-create', '/customers', form),
			itemIndex: i,
		}),
	);
	if (created.ok) {
		const customer = (created.value.body as IDataObject).customer as IDataObject;
		const replayed = created.value.headers['chargebee-idempotency-replayed'] === 'true';
		return { ...customer, outcome: replayed ? 'replayed' : 'created' };
	}
	// Another run created it between our lookup and our create: use that one.
	if (id && chargebeeErrorCode(created.error) === 'duplicate_entry') {
		const found = await getById.call(this, i, id);
		if (found) return { ...(await storeLeadId.call(this, i, found, storeMode)), outcome: 'found_by_id' };
	}
	throw created.error;
}
