/**
 * Account → Create / Find or Create, "Return Full Account": on (the default), the account is read
 * back with GET /v1/accounts/{key} (contacts, billing, balance); off, the node answers with what it
 * already has (POST /v1/accounts's answer, or the ZOQL record it found): one request less, for
 * workflows that only need the account number (the shipped Won → Zuora workflow).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

export const returnFullAccountOption: INodeProperties = {
	displayName: 'Return Full Account',
	name: 'returnFullAccount',
	type: 'boolean',
	default: true,
	description:
		'Whether to read the whole account (contacts, billing, balance) after it is created or found; off: only ID, number, name, CRM ID and currency, one request less',
};

/** Whether Additional Fields → Return Full Account is on (it is unless turned off). */
export function wantsFullAccount(this: IExecuteFunctions, itemIndex: number): boolean {
	return (this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject).returnFullAccount !== false;
}

/** A created account from POST /v1/accounts's answer (`accountId`, `accountNumber`) and the body sent. */
export function createdBrief(created: IDataObject, body: IDataObject): IDataObject {
	return {
		id: created.accountId ?? null,
		accountNumber: created.accountNumber ?? null,
		name: body.name ?? null,
		crmId: body.crmId ?? null,
		currency: body.currency ?? null,
		created: true,
	};
}

/** A found account from its ZOQL record (select Id, AccountNumber, Name, CrmId, Status, Currency). */
export function foundBrief(record: IDataObject): IDataObject {
	return {
		id: record.Id ?? null,
		accountNumber: record.AccountNumber ?? null,
		name: record.Name ?? null,
		crmId: record.CrmId ?? null,
		status: record.Status ?? null,
		currency: record.Currency ?? null,
		created: false,
	};
}
