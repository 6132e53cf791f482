import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { locator, locatorValue } from '../../locators';
import { maybeSimplify, simplifyProperty } from '../../simplify';
import { chargebeeRequest, idPath } from '../../transport';
import { show } from '../types';
import { itemPriceOutput } from './list';

const displayOptions = show('itemPrice', ['get']);

export const description: INodeProperties[] = [
	locator('itemPrice', 'itemPriceId', 'The item price (plan, addon or charge price) to read', displayOptions),
	simplifyProperty(displayOptions),
];

export async function execute(this: IExecuteFunctions, i: number): Promise<IDataObject> {
	const id = locatorValue.call(this, 'itemPriceId', i, 'Item Price', 'itemPrice');
	const body = (await chargebeeRequest.call(this, { method: 'GET', path: idPath('/item_prices/{id}', id), itemIndex: i })) as IDataObject;
	return maybeSimplify.call(this, i, 'itemPrice', itemPriceOutput(body.item_price as IDataObject));
}
