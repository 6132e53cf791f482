import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { filtersCollection } from '../../../shared/descriptions';
import { listLimit, returnAllAndLimit } from '../../../shared/list-parameters';
import { forOperation } from '../../helpers';
import { accountLocator, locatorValue } from '../../locators';
import { simplified, simplifyProperties } from '../../simplify';
import { zuoraRequest } from '../../transport';
import { resolveAccountId } from '../account/common';
import type { ItemOperation } from '../types';
import { paymentOutput } from './get';

/** GET /v1/payments answers at most 40 per page (spec GET_RetrieveAllPayments pageSize maximum 40). */
const PAGE_SIZE = 40;
const MAX_PAGES = 1000;

/**
 * Payment → Get Many: GET /v1/payments?accountId=… (spec GET_RetrieveAllPayments), following
 * `page` until the last page (Zuora answers `nextPage` while there are more).
 */
export const getMany: ItemOperation = {
	kind: 'item',
	description: [
		...forOperation('payment', 'getMany', [
			accountLocator('The account whose payments to list. Account → Find by CRM ID gives the account of a Kommo lead.'),
			...returnAllAndLimit(),
			filtersCollection(
				[
					{
						displayName: 'Status',
						name: 'status',
						type: 'options',
						// spec GET_RetrieveAllPayments query parameter status
						options: ['Draft', 'Processing', 'Processed', 'Error', 'Canceled', 'Posted'].map((s) => ({ name: s, value: s })),
						default: 'Processed',
						description: 'Only payments in this status (Error: declined or failed payments)',
					},
				],
			),
		]),
		...simplifyProperties('payment', 'getMany'),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const key = locatorValue(this, 'accountKey', itemIndex, 'Account', 'Pick the account from the list, or map its number (A00000001) or ID.');
		const accountId = await resolveAccountId.call(this, key, itemIndex);
		const limit = listLimit(this, itemIndex);
		const filters = this.getNodeParameter('filters', itemIndex, {}) as { status?: string };
		const payments: IDataObject[] = [];
		// Pages are numbered by the page size, so one size for every page.
		const pageSize = Math.min(PAGE_SIZE, limit);
		for (let page = 1; page <= MAX_PAGES && payments.length < limit; page++) {
			const answer = await zuoraRequest.call(this, {
				method: 'GET',
				path: '/v1/payments',
				qs: { accountId, page, pageSize, ...(filters.status ? { status: filters.status } : {}) },
				itemIndex,
			});
			payments.push(...((answer.payments ?? []) as IDataObject[]));
			if (!answer.nextPage) break;
		}
		return payments.slice(0, limit).map((p) => simplified(this, itemIndex, 'payment', paymentOutput(p)));
	},
};
