/** Pieces the transaction operations share. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { transactionMoney } from '../../helpers';

export const transactionIdField: INodeProperties = {
	displayName: 'Transaction ID',
	name: 'transactionId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'txn_01hv8wptq8987qeep44cyrewp9',
	description:
		'Paddle transaction ID (txn_…). Transaction → Get Many lists them; billing events carry it (normalized.transactionId), and Subscription → Create by Invoice returns it.',
};

/** A transaction as the node outputs it: Paddle's object plus its grand-total money block. */
export function transactionOutput(transaction: IDataObject): IDataObject {
	return { ...transaction, money: transactionMoney(transaction) as unknown as IDataObject };
}
