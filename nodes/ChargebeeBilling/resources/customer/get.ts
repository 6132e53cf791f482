import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { locator, locatorValue } from '../../locators';
import { maybeSimplify, simplifyProperty } from '../../simplify';
import { chargebeeRequest, idPath } from '../../transport';
import { show } from '../types';

const displayOptions = show('customer', ['get']);

export const description: INodeProperties[] = [
	locator('customer', 'customerId', "The customer to read. Find by Email, or a trigger event's customer ID, gives it.", displayOptions),
	simplifyProperty(displayOptions, 1.1),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = locatorValue.call(this, 'customerId', i, 'Customer', 'customer');
	const body = await chargebeeRequest.call(this, { method: 'GET', path: idPath('/customers/{id}', id), itemIndex: i });
	return maybeSimplify.call(this, i, 'customer', (body as IDataObject).customer as IDataObject);
}
