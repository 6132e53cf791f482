import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { chargebeeRequest, idPath } from '../../transport';
import { show } from '../types';
import { checkCustomerId } from './fields';

export const description: INodeProperties[] = [
	{
		displayName: 'Customer ID',
		name: 'customerId',
		type: 'string',
		required: true,
		default: '',
		displayOptions: show('customer', ['get']),
	},
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = checkCustomerId(this.getNodeParameter('customerId', i) as string);
	const body = await chargebeeRequest.call(this, { method: 'GET', path: idPath('/customers/{id}', id), itemIndex: i });
	return (body as IDataObject).customer as IDataObject;
}
