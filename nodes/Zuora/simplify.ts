/**
 * "Simplify" on the Zuora get / get-many operations: at most 10 flat fields per record, chosen
 * per resource below (and listed in docs/zuora.md). Node version 1.1 shows it switched on; in
 * version 1 (every workflow saved before it existed) it defaults to off, so those workflows keep
 * receiving Zuora's full answer.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

const DESCRIPTION = 'Whether to return a simplified version of the response instead of the raw data';

/** The Simplify switch of one resource + operation (on from node version 1.1, off in version 1). */
export function simplifyProperties(resource: string, operation: string): INodeProperties[] {
	const show = { resource: [resource], operation: [operation] };
	return [
		{
			displayName: 'Simplify',
			name: 'simplify',
			type: 'boolean',
			default: true,
			description: DESCRIPTION,
			displayOptions: { show: { ...show, '@version': [{ _cnd: { gte: 1.1 } }] } },
		},
		{
			displayName: 'Simplify',
			name: 'simplify',
			type: 'boolean',
			default: false,
			description: DESCRIPTION,
			displayOptions: { show: { ...show, '@version': [1] } },
		},
	];
}

type Picker = (record: IDataObject) => IDataObject;

const get = (record: IDataObject, path: string): unknown =>
	path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as IDataObject)[k] : undefined), record);

function pick(paths: Record<string, string>): Picker {
	return (record) => {
		const out: IDataObject = {};
		for (const [name, path] of Object.entries(paths)) out[name] = (get(record, path) ?? null) as IDataObject[string];
		return out;
	};
}

/** The simplified fields per resource: output name → where it is in Zuora's answer. */
export const SIMPLIFIED = {
	account: pick({
		id: 'id',
		accountNumber: 'accountNumber',
		name: 'name',
		crmId: 'crmId',
		status: 'status',
		currency: 'currency',
		balance: 'metrics.balance',
		billCycleDay: 'billingAndPayment.billCycleDay',
		paymentTerm: 'billingAndPayment.paymentTerm',
		workEmail: 'billToContact.workEmail',
	}),
	subscription: pick({
		id: 'id',
		subscriptionNumber: 'subscriptionNumber',
		accountNumber: 'accountNumber',
		status: 'status',
		termType: 'termType',
		contractEffectiveDate: 'contractEffectiveDate',
		termEndDate: 'termEndDate',
		autoRenew: 'autoRenew',
		contractedMrr: 'contractedMrr',
		currency: 'currency',
	}),
	invoice: pick({
		id: 'id',
		invoiceNumber: 'invoiceNumber',
		accountId: 'accountId',
		status: 'status',
		invoiceDate: 'invoiceDate',
		dueDate: 'dueDate',
		amount: 'amount',
		balance: 'balance',
		currency: 'currency',
		postedDate: 'postedDate',
	}),
	payment: pick({
		id: 'id',
		number: 'number',
		accountId: 'accountId',
		accountNumber: 'accountNumber',
		status: 'status',
		type: 'type',
		amount: 'amount',
		currency: 'currency',
		effectiveDate: 'effectiveDate',
		gatewayResponse: 'gatewayResponse',
	}),
} satisfies Record<string, Picker>;

/** The record simplified when the item's Simplify is on, else as it is. */
export function simplified(context: IExecuteFunctions, itemIndex: number, resource: keyof typeof SIMPLIFIED, record: IDataObject): IDataObject {
	const on = context.getNodeParameter('simplify', itemIndex, false) as boolean;
	return on ? SIMPLIFIED[resource](record) : record;
}
