import type { IExecuteFunctions } from 'n8n-workflow';

import { forOperation } from '../../helpers';
import { accountLocator, locatorValue } from '../../locators';
import { simplified, simplifyProperties } from '../../simplify';
import type { ItemOperation } from '../types';
import { getAccount } from './common';

/** Account → Get: GET /v1/accounts/{account number or id}. */
export const get: ItemOperation = {
	kind: 'item',
	description: [
		...forOperation('account', 'get', [
			accountLocator(
				'The account to read. A Zuora callout carries its number or ID; Account → Find by CRM ID gives the account of a Kommo lead.',
			),
		]),
		...simplifyProperties('account', 'get'),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const key = locatorValue(this, 'accountKey', itemIndex, 'Account Number or ID', 'Pick the account from the list, or map its number (A00000001) or ID.');
		return simplified(this, itemIndex, 'account', await getAccount.call(this, key, itemIndex));
	},
};
