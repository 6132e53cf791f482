import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forOperation, text } from '../../helpers';
import type { ItemOperation } from '../types';
import { getAccount } from './common';

/** Account → Get: GET /v1/accounts/{account number or id}. */
export const get: ItemOperation = {
	kind: 'item',
	description: forOperation('account', 'get', [
		{
			displayName: 'Account Number or ID',
			name: 'accountKey',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'A00000001',
		},
	]),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const key = text(this.getNodeParameter('accountKey', itemIndex));
		if (!key) {
			throw new NodeOperationError(this.getNode(), 'Account Number or ID is empty', { itemIndex });
		}
		return await getAccount.call(this, key, itemIndex);
	},
};
