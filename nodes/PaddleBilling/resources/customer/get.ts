import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getCustomer, requirePaddleId } from '../../helpers';
import { customerIdField, forOperation } from '../common';

export const description: INodeProperties[] = forOperation('customer', 'get', [customerIdField]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('customerId', itemIndex), 'ctm', 'Customer ID', itemIndex);
	return await getCustomer.call(this, id, itemIndex);
}
