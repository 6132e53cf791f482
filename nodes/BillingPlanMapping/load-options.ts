/**
 * The dropdowns, filled from both systems: the Kommo plan field's options and the billing
 * system's prices. Everything goes through the vendors' own transports and list functions.
 */
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getItemPrices } from '../ChargebeeBilling/methods';
import { getFieldDefinitions, resolveField, type KommoFieldDef } from '../Kommo/custom-fields';
import { currentParameter, fieldOptions } from '../Kommo/methods';
import { getPrices } from '../PaddleBilling/methods';
import { getProductRatePlans } from '../Zuora/methods';
import { isBillingSystem } from './billing-systems';
import { DEFAULT_PLAN_FIELD } from './description';

const LIST_FIELD_TYPES = new Set(['select', 'multiselect', 'radiobutton', 'category']);

const isListField = (def: KommoFieldDef) => LIST_FIELD_TYPES.has(def.type) && (def.enums?.length ?? 0) > 0;

export const loadOptions = {
	/** Lead fields with options (select, radio button, multiselect). */
	async getPlanFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return await fieldOptions(this, 'leads', isListField);
	},

	/** The options of the chosen plan field, in Kommo's order. */
	async getKommoPlans(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const fieldName = String(currentParameter(this, 'planField') ?? DEFAULT_PLAN_FIELD);
		// a dropdown shows the account as it is now (the user may just have added the field or option)
		const defs = await getFieldDefinitions.call(this, 'leads', { fresh: true });
		const field = resolveField(defs, fieldName, 'leads', this.getNode());
		if (!isListField(field)) {
			throw new NodeOperationError(this.getNode(), `The Kommo field "${field.name}" has no options (it is a ${field.type} field)`, {
				description: 'Choose a list field (select, radio button or multiselect) as "Kommo Plan Field".',
			});
		}
		return [...(field.enums ?? [])]
			.sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0))
			.map((e) => ({ name: e.value, value: e.value, description: `Option ID ${e.id}` }));
	},

	/** Chargebee plan item prices, Paddle prices or Zuora product rate plans. */
	async getBillingPrices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const system = currentParameter(this, 'billingSystem') ?? 'chargebee';
		if (!isBillingSystem(system)) {
			throw new NodeOperationError(this.getNode(), `Unknown billing system "${String(system)}"`);
		}
		switch (system) {
			case 'chargebee':
				return await getItemPrices.call(this, 'plan');
			case 'paddle':
				return await getPrices.call(this);
			case 'zuora':
				return await getProductRatePlans.call(this);
		}
	},
};
