import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getTransaction, requirePaddleId } from '../../helpers';
import { forOperation } from '../common';
import { simplifyField, simplifyOne } from '../simplify';
import { transactionIdField, transactionOutput } from './shared';

export const description: INodeProperties[] = forOperation('transaction', 'get', [transactionIdField, simplifyField]);

/** GET /transactions/{id} (needs transaction.read). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('transactionId', itemIndex), 'txn', 'Transaction ID', itemIndex);
	return simplifyOne.call(this, itemIndex, 'transaction', transactionOutput(await getTransaction.call(this, id, itemIndex)));
}
