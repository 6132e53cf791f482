import type { IExecuteFunctions } from 'n8n-workflow';

import { forOperation } from '../../helpers';
import type { ItemOperation } from '../types';
import { createAccount, createAccountFields } from './common';

/** Account → Create: POST /v1/accounts, then the full account. */
export const create: ItemOperation = {
	kind: 'item',
	description: forOperation('account', 'create', createAccountFields),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		return await createAccount.call(this, itemIndex);
	},
};
