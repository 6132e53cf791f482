/** What the account operations share: fields, body building, look-ups. */
import { randomUUID } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { additionalFieldsCollection } from '../../../shared/descriptions';
import { jsonParameter, moneyBlock, text, zoqlLiteral } from '../../helpers';
import { isZuoraId } from '../../locators';
import { deriveIdempotencyKey, idempotencyKeyFor, zuoraRequest } from '../../transport';
import { createdBrief, returnFullAccountOption, wantsFullAccount } from './full-account';

export const createAccountFields: INodeProperties[] = [
	{
		displayName: 'Account Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		description: 'Usually the company of the Kommo lead',
	},
	{
		displayName: 'Currency',
		name: 'currency',
		type: 'string',
		required: true,
		default: 'USD',
		placeholder: 'USD',
		description: 'Three-letter code of a currency enabled in the Zuora tenant',
	},
	{
		displayName: 'CRM ID (Kommo Lead ID)',
		name: 'crmId',
		type: 'string',
		default: '',
		placeholder: '12345678',
		description:
			"Stored in the account's crmId. Zuora callouts can then carry it back so billing events find the lead.",
	},
	{
		displayName: 'Bill Cycle Day',
		name: 'billCycleDay',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 31 },
		default: 1,
		description: 'Day of the month invoices are generated (1–31); 0 lets Zuora set it from the first charge',
	},
	{
		displayName: 'Payment Term',
		name: 'paymentTerm',
		type: 'string',
		default: 'Due Upon Receipt',
		description: 'A payment term defined in the tenant, e.g. "Due Upon Receipt" or "Net 30"',
	},
	{
		displayName: 'Kommo Contact',
		name: 'kommoContact',
		type: 'json',
		default: '',
		placeholder: '={{ $json }}',
		description:
			'Optional: a Kommo contact (as the Kommo node returns it). Name, email (EMAIL field, WORK preferred) and phone fill the bill-to contact; fields below override them.',
	},
	{
		displayName: 'Bill-To Contact',
		name: 'billToContact',
		type: 'collection',
		placeholder: 'Add Contact Field',
		default: {},
		options: [
			{ displayName: 'Address', name: 'address1', type: 'string', default: '' },
			{ displayName: 'City', name: 'city', type: 'string', default: '' },
			{
				displayName: 'Country',
				name: 'country',
				type: 'string',
				default: '',
				description: 'Country name or ISO code; Zuora needs it for tax calculation',
			},
			{ displayName: 'Email', name: 'workEmail', type: 'string', placeholder: 'name@email.com', default: '' },
			{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
			{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
			{ displayName: 'Phone', name: 'workPhone', type: 'string', default: '' },
			{ displayName: 'Postal Code', name: 'zipCode', type: 'string', default: '' },
			{ displayName: 'State', name: 'state', type: 'string', default: '' },
		],
	},
	additionalFieldsCollection(
		[
			{
				displayName: 'Custom Fields (JSON)',
				name: 'customFields',
				type: 'json',
				default: '',
				description: 'Account custom fields, e.g. {"KommoPipeline__c": "Sales"}',
			},
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				description:
					'Overrides the key derived from the request body (same input → same key → Zuora replays its first answer for 24 h)',
			},
			{ displayName: 'Notes', name: 'notes', type: 'string', default: '' },
			returnFullAccountOption,
		],
	),
];

interface KommoContact {
	name?: string;
	first_name?: string;
	last_name?: string;
	custom_fields_values?: Array<{
		field_code?: string | null;
		values?: Array<{ value?: unknown; enum_code?: string | null }>;
	}> | null;
}

function kommoField(contact: KommoContact, code: string): string {
	const field = (contact.custom_fields_values ?? []).find((f) => f.field_code === code);
	const values = field?.values ?? [];
	const chosen = values.find((v) => v.enum_code === 'WORK') ?? values[0];
	return text(chosen?.value);
}

/** Bill-to contact from the Kommo contact (if given) and the explicit fields (which win). */
export function buildContact(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const kommo = jsonParameter(this, this.getNodeParameter('kommoContact', itemIndex, ''), 'Kommo Contact', itemIndex) as
		| KommoContact
		| undefined;
	const explicit = this.getNodeParameter('billToContact', itemIndex, {}) as IDataObject;
	const contact: IDataObject = {};
	if (kommo) {
		let first = text(kommo.first_name);
		let last = text(kommo.last_name);
		if (!first && !last && text(kommo.name)) {
			const parts = text(kommo.name).split(/\s+/);
			last = parts.length > 1 ? (parts.pop() as string) : parts[0];
			first = parts.join(' ');
		}
		// Zuora needs both names; a one-word Kommo name is used for both.
		contact.firstName = first || last;
		contact.lastName = last || first;
		const email = kommoField(kommo, 'EMAIL');
		const phone = kommoField(kommo, 'PHONE');
		if (email) contact.workEmail = email;
		if (phone) contact.workPhone = phone;
	}
	for (const [key, value] of Object.entries(explicit)) if (text(value)) contact[key] = text(value);
	for (const field of ['firstName', 'lastName'] as const) {
		if (!text(contact[field])) {
			throw new NodeOperationError(this.getNode(), `The bill-to contact has no ${field === 'firstName' ? 'first' : 'last'} name`, {
				itemIndex,
				description:
					'Zuora needs a first and a last name. Fill "Bill-To Contact → First/Last Name" or pass a Kommo contact that has a name.',
			});
		}
	}
	return contact;
}

/** The POST /v1/accounts body from the node's parameters. */
export function buildAccountBody(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const name = text(this.getNodeParameter('name', itemIndex));
	if (!name) {
		throw new NodeOperationError(this.getNode(), 'Account Name is empty', {
			itemIndex,
			description: 'Map the company or contact name of the Kommo lead into "Account Name".',
		});
	}
	const currency = text(this.getNodeParameter('currency', itemIndex)).toUpperCase();
	if (!/^[A-Z]{3}$/.test(currency)) {
		throw new NodeOperationError(this.getNode(), `Currency "${currency}" is not a three-letter code`, {
			itemIndex,
			description: 'Use an ISO 4217 code enabled in the tenant, e.g. USD or EUR.',
		});
	}
	const billCycleDay = Number(this.getNodeParameter('billCycleDay', itemIndex, 1));
	if (!Number.isInteger(billCycleDay) || billCycleDay < 0 || billCycleDay > 31) {
		throw new NodeOperationError(this.getNode(), `Bill Cycle Day ${billCycleDay} is not a day of the month`, {
			itemIndex,
			description: 'Use 1–31, or 0 to let Zuora set it.',
		});
	}
	const crmId = text(this.getNodeParameter('crmId', itemIndex, ''));
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const contact = buildContact.call(this, itemIndex);
	const body: IDataObject = {
		name,
		currency,
		billCycleDay,
		paymentTerm: text(this.getNodeParameter('paymentTerm', itemIndex, '')) || 'Due Upon Receipt',
		autoPay: false,
		billToContact: contact,
		soldToContact: contact,
	};
	if (crmId) body.crmId = crmId;
	if (text(additional.notes)) body.notes = text(additional.notes);
	const custom = jsonParameter(this, additional.customFields, 'Custom Fields (JSON)', itemIndex);
	if (custom) Object.assign(body, custom);
	return body;
}

/** Flattens Zuora's GET /v1/accounts/{key} answer: key facts on top, the rest as Zuora sent it. */
export function accountOutput(view: IDataObject): IDataObject {
	const basic = (view.basicInfo ?? {}) as IDataObject;
	const billing = (view.billingAndPayment ?? {}) as IDataObject;
	const metrics = (view.metrics ?? {}) as IDataObject;
	const { success: _success, ...rest } = view;
	void _success;
	return {
		id: basic.id ?? null,
		accountNumber: basic.accountNumber ?? null,
		name: basic.name ?? null,
		crmId: basic.crmId ?? null,
		status: basic.status ?? null,
		currency: billing.currency ?? null,
		...rest,
		money: moneyBlock(metrics.balance, billing.currency),
	};
}

export async function getAccount(this: IExecuteFunctions, key: string, itemIndex: number): Promise<IDataObject> {
	const view = await zuoraRequest.call(this, {
		method: 'GET',
		path: `/v1/accounts/${encodeURIComponent(key)}`,
		itemIndex,
	});
	return accountOutput(view);
}

/** ZOQL look-up of accounts whose crmId equals the value. */
export async function queryAccountsByCrmId(this: IExecuteFunctions, crmId: string, itemIndex: number): Promise<IDataObject[]> {
	const queryString = `select Id, AccountNumber, Name, CrmId, Status, Currency from Account where CrmId = ${zoqlLiteral(crmId)}`;
	const result = await zuoraRequest.call(this, {
		method: 'POST',
		path: '/v1/action/query',
		body: { queryString },
		// A read: a fresh key per call makes transport retries safe without
		// ever replaying an older (stale) answer from Zuora's 24 h key store.
		idempotencyKey: deriveIdempotencyKey('query', { queryString, call: randomUUID() }),
		itemIndex,
	});
	return Array.isArray(result.records) ? (result.records as IDataObject[]) : [];
}

export async function createAccount(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const body = buildAccountBody.call(this, itemIndex);
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const idempotencyKey = text(additional.idempotencyKey) || idempotencyKeyFor.call(this, 'account', body, itemIndex);
	const created = await zuoraRequest.call(this, {
		method: 'POST',
		path: '/v1/accounts',
		body,
		idempotencyKey,
		itemIndex,
	});
	if (!wantsFullAccount.call(this, itemIndex)) return createdBrief(created, body);
	const account = await getAccount.call(this, String(created.accountNumber ?? created.accountId), itemIndex);
	return { ...account, created: true };
}

export function requireCrmId(this: IExecuteFunctions, itemIndex: number): string {
	const crmId = text(this.getNodeParameter('crmId', itemIndex, ''));
	if (!crmId) {
		throw new NodeOperationError(this.getNode(), 'CRM ID (Kommo Lead ID) is empty', {
			itemIndex,
			description: 'Map the Kommo lead id, e.g. {{ $json.id }} from the Kommo Trigger or Kommo node.',
		});
	}
	return crmId;
}

/** The 32-character account ID for an account number or ID (GET /v1/accounts/{key} for a number). */
export async function resolveAccountId(this: IExecuteFunctions, key: string, itemIndex: number): Promise<string> {
	if (isZuoraId(key)) return key;
	const view = await zuoraRequest.call(this, { method: 'GET', path: `/v1/accounts/${encodeURIComponent(key)}`, itemIndex });
	const id = ((view.basicInfo ?? {}) as IDataObject).id;
	if (typeof id !== 'string' || !id) {
		throw new NodeOperationError(this.getNode(), `Zuora answered GET /v1/accounts/${key} without an account ID`, { itemIndex });
	}
	return id;
}
