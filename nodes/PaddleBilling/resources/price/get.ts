import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requirePaddleId } from '../../helpers';
import { paddleData } from '../../transport';
import { forOperation } from '../common';
import { priceLocator } from '../locators';
import { simplifyField, simplifyOne } from '../simplify';
import { withMoney } from './list';

export const description: INodeProperties[] = forOperation('price', 'get', [priceLocator, simplifyField]);

/** GET /prices/{id}?include=product (needs price.read and product.read). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = requirePaddleId.call(this, this.getNodeParameter('priceId', itemIndex), 'pri', 'Price', itemIndex);
	const price = (await paddleData.call(this, { method: 'GET', path: `/prices/${encodeURIComponent(id)}`, qs: { include: 'product' }, itemIndex })) as IDataObject;
	return simplifyOne.call(this, itemIndex, 'price', withMoney(price));
}
