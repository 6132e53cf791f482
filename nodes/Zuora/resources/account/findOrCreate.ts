import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forOperation } from '../../helpers';
import type { ItemOperation } from '../types';
import { createAccount, createAccountFields, getAccount, queryAccountsByCrmId, requireCrmId } from './common';
import { foundBrief, wantsFullAccount } from './full-account';

/**
 * Account → Find or Create by CRM ID: the provisioning step of the Won flow.
 * An account whose crmId is the Kommo lead id is reused; otherwise one is
 * created (with an idempotency key derived from the body, so a retry within
 * 24 h replays instead of creating a second account). Two accounts with the
 * same crmId are an error: a person must decide which one is right.
 */
export const findOrCreate: ItemOperation = {
	kind: 'item',
	description: forOperation('account', 'findOrCreate', createAccountFields),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const crmId = requireCrmId.call(this, itemIndex);
		const matches = await queryAccountsByCrmId.call(this, crmId, itemIndex);
		if (matches.length > 1) {
			throw new NodeOperationError(this.getNode(), `${matches.length} Zuora accounts have CRM ID ${crmId}`, {
				itemIndex,
				description: `Accounts ${matches.map((m) => String(m.AccountNumber)).join(', ')} all carry this Kommo lead id. Merge or correct them in Zuora, then run again.`,
			});
		}
		if (matches.length === 1 && !wantsFullAccount.call(this, itemIndex)) return foundBrief(matches[0]);
		if (matches.length === 1) {
			const account = await getAccount.call(this, String(matches[0].AccountNumber ?? matches[0].Id), itemIndex);
			return { ...account, created: false };
		}
		return await createAccount.call(this, itemIndex);
	},
};
