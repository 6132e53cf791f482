import type { IExecuteFunctions } from 'n8n-workflow';

import { forOperation } from '../../helpers';
import type { ItemOperation } from '../types';
import { queryAccountsByCrmId, requireCrmId } from './common';

/**
 * Account → Find by CRM ID: ZOQL `where CrmId = '…'`. One output item per
 * input: `{found, count, account, accounts}` so an IF node can branch.
 */
export const findByCrmId: ItemOperation = {
	kind: 'item',
	description: forOperation('account', 'findByCrmId', [
		{
			displayName: 'CRM ID (Kommo Lead ID)',
			name: 'crmId',
			description: "The Kommo lead ID stored in the account's crmId, e.g. the lead ID from the Kommo Trigger",
			type: 'string',
			required: true,
			default: '',
			placeholder: '12345678',
		},
	]),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const crmId = requireCrmId.call(this, itemIndex);
		const accounts = await queryAccountsByCrmId.call(this, crmId, itemIndex);
		return { found: accounts.length > 0, count: accounts.length, crmId, account: accounts[0] ?? null, accounts };
	},
};
