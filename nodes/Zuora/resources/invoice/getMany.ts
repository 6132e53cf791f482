import type { IExecuteFunctions } from 'n8n-workflow';

import { filtersCollection } from '../../../shared/descriptions';
import { returnAllAndLimit } from '../../../shared/list-parameters';
import { forOperation } from '../../helpers';
import { accountLocator, locatorValue } from '../../locators';
import { objectQueryAll } from '../../object-query';
import { simplified, simplifyProperties } from '../../simplify';
import type { ItemOperation } from '../types';
import { resolveAccountId } from '../account/common';
import { invoiceOutput } from './common';

/**
 * Invoice → Get Many: the invoices of one account, through Object Query
 * (`GET /object-query/invoices?filter[]=accountId.EQ:<id>`, spec queryInvoices; the older
 * `GET /v1/transactions/invoices/accounts/{key}` is not in Zuora's current spec). An account
 * number is turned into the account ID first (GET /v1/accounts/{key}).
 */
export const getMany: ItemOperation = {
	kind: 'item',
	description: [
		...forOperation('invoice', 'getMany', [
			accountLocator('The account whose invoices to list. Account → Find by CRM ID gives the account of a Kommo lead.'),
			...returnAllAndLimit(),
			filtersCollection(
				[
					{
						displayName: 'Status',
						name: 'status',
						type: 'options',
						// spec ExpandedInvoice.status (Draft | Posted | Split); Split is internal to invoice splitting
						options: [
							{ name: 'Draft', value: 'Draft' },
							{ name: 'Posted', value: 'Posted' },
						],
						default: 'Posted',
						description: 'Only invoices in this status (posted invoices are the ones sent to the customer)',
					},
				],
			),
		]),
		...simplifyProperties('invoice', 'getMany'),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const key = locatorValue(this, 'accountKey', itemIndex, 'Account', 'Pick the account from the list, or map its number (A00000001) or ID.');
		const accountId = await resolveAccountId.call(this, key, itemIndex);
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
		const filters = this.getNodeParameter('filters', itemIndex, {}) as { status?: string };
		const conditions = [`accountId.EQ:${accountId}`];
		if (filters.status) conditions.push(`status.EQ:${filters.status}`);
		const invoices = await objectQueryAll.call(this, 'invoices', conditions, limit, itemIndex);
		return invoices.map((invoice) => simplified(this, itemIndex, 'invoice', invoiceOutput(invoice)));
	},
};
