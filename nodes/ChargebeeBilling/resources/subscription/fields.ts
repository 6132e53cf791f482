/**
 * Subscription parameters shared by Create and Change items: the list of
 * item prices with quantity, unit price override and billing cycles.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toMinor } from '../../../shared/money';
import { InputError, moneyOf, subscriptionMoney } from '../../helpers';
import { locatorModes } from '../../locators';
import { chargebeeRequest, idPath, type FormObject } from '../../transport';

export function itemsProperty(displayOptions: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Items',
		name: 'items',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Item Price',
		default: {},
		required: true,
		description: 'Item prices of the subscription: exactly one plan, plus any addons or charges, all in one currency',
		displayOptions,
		options: [
			{
				displayName: 'Item Price',
				name: 'item',
				values: [
					{
						displayName: 'Item Price',
						name: 'itemPriceId',
						type: 'resourceLocator',
						default: { mode: 'list', value: '' },
						required: true,
						description: 'A plan, addon or charge price. Item Price → List shows every price with its ID.',
						modes: locatorModes('itemPrice'),
					},
					{
						displayName: 'Quantity',
						name: 'quantity',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 1,
						description: 'Units of a per-unit price (ignored by Chargebee for flat-fee prices)',
					},
					{
						displayName: 'Unit Price Override',
						name: 'unitPrice',
						type: 'string',
						default: '',
						placeholder: '1499.00',
						description:
							'For a non-standard deal: the price per unit as a decimal in the item price\'s currency (e.g. 1499.00 USD, 3000 JPY). Leave empty for the catalogue price. The site must allow price overrides.',
					},
					{
						displayName: 'Billing Cycles',
						name: 'billingCycles',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 0,
						description: 'Number of billing cycles this item is charged for; 0 means until cancelled',
					},
				],
			},
		],
	};
}

/** Chargebee's `subscription_items[...]` rows from the Items parameter. */
export async function buildItems(this: IExecuteFunctions, i: number, required: boolean): Promise<FormObject[]> {
	const raw = ((this.getNodeParameter('items', i, {}) as IDataObject).item as IDataObject[] | undefined) ?? [];
	if (raw.length === 0 && required) {
		throw new InputError('Add at least one item price under "Items"', 'A subscription needs exactly one plan item price.');
	}
	const currencyOf = new Map<string, string>();
	const rows: FormObject[] = [];
	for (const [index, entry] of raw.entries()) {
		const position = `Items → item ${index + 1}`;
		// a resource locator ({mode, value}) or, in workflows from before the locator, a plain ID
		const picked = entry.itemPriceId as unknown;
		const itemPriceId = String((picked && typeof picked === 'object' ? (picked as IDataObject).value : picked) ?? '').trim();
		if (!itemPriceId) throw new InputError(`${position}: choose an item price`, 'Pick one from the list or give its ID with an expression.');
		const quantity = Number(entry.quantity ?? 1);
		if (!Number.isInteger(quantity) || quantity < 1) {
			throw new InputError(`${position}: quantity must be a whole number of at least 1, got "${String(entry.quantity)}"`);
		}
		const row: FormObject = { item_price_id: itemPriceId, quantity };
		const unitPrice = String(entry.unitPrice ?? '').trim();
		if (unitPrice !== '') {
			// The override is given as a decimal; Chargebee wants minor units of the item price's currency.
			let currency = currencyOf.get(itemPriceId);
			if (!currency) {
				const body = (await chargebeeRequest.call(this, {
					method: 'GET',
					path: idPath('/item_prices/{id}', itemPriceId),
					itemIndex: i,
				})) as IDataObject;
				currency = String((body.item_price as IDataObject).currency_code);
				currencyOf.set(itemPriceId, currency);
			}
			try {
				row.unit_price = Number(toMinor(unitPrice, currency));
			} catch (error) {
				throw new NodeOperationError(this.getNode(), `${position}: unit price override: ${(error as Error).message}`, {
					itemIndex: i,
					description: `Give a decimal amount in ${currency}, e.g. 1499.00.`,
				});
			}
			if ((row.unit_price as number) < 0) throw new InputError(`${position}: unit price override cannot be negative`);
		}
		const cycles = Number(entry.billingCycles ?? 0);
		if (!Number.isInteger(cycles) || cycles < 0) throw new InputError(`${position}: billing cycles must be a whole number, 0 for no limit`);
		if (cycles > 0) row.billing_cycles = cycles;
		rows.push(row);
	}
	return rows;
}

/** The subscription as output: the object plus its money block, and the invoice (with its own) if one was raised. */
export function subscriptionOutput(body: IDataObject, extra: IDataObject = {}): IDataObject {
	const subscription = body.subscription as IDataObject;
	const out: IDataObject = { ...subscription, money: subscriptionMoney(subscription) as unknown as IDataObject };
	const invoice = body.invoice as IDataObject | undefined;
	if (invoice) out.invoice = { ...invoice, money: moneyOf(invoice.total, invoice.currency_code) as unknown as IDataObject };
	if (Array.isArray(body.credit_notes)) {
		out.credit_notes = (body.credit_notes as IDataObject[]).map((cn) => ({
			...cn,
			money: moneyOf(cn.total, cn.currency_code) as unknown as IDataObject,
		}));
	}
	return { ...out, ...extra };
}
