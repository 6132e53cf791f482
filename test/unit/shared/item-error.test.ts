import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { tagItem } from '../../../nodes/shared/item-error';

const node: INode = { id: '1', name: 'Billing', type: 'n8n-nodes-test.billing', typeVersion: 1, position: [0, 0], parameters: {} };

const makers: Array<[string, (itemIndex?: number) => NodeApiError | NodeOperationError]> = [
	['NodeApiError', (itemIndex) => new NodeApiError(node, { message: 'boom' }, { message: 'Vendor 500: boom', httpCode: '500', itemIndex })],
	['NodeOperationError', (itemIndex) => new NodeOperationError(node, 'Bad input', { itemIndex, description: 'Fix the input' })],
];

describe('tagItem', () => {
	describe.each(makers)('%s', (name, make) => {
		const base = name === 'NodeApiError' ? 'Vendor 500: boom' : 'Bad input';

		it('appends [item N] once, keeping the class and the rest of the error', () => {
			const error = make();
			const tagged = tagItem(error, 3);
			expect(tagged).toBe(error);
			expect(tagged).toBeInstanceOf(name === 'NodeApiError' ? NodeApiError : NodeOperationError);
			expect(tagged.message).toBe(`${base} [item 3]`);
			expect(tagged.description).toBe(name === 'NodeApiError' ? 'boom' : 'Fix the input');
		});

		it('is idempotent: an error re-thrown through several catches is tagged once', () => {
			const error = make();
			tagItem(tagItem(error, 1), 1);
			expect(tagItem(error, 1).message).toBe(`${base} [item 1]`);
			error.message = `${base} [item 7]`;
			expect(tagItem(error, 7).message).toBe(`${base} [item 7]`);
		});

		it('sets context.itemIndex only when it is missing', () => {
			const missing = make();
			expect(missing.context.itemIndex).toBeUndefined();
			expect(tagItem(missing, 2).context.itemIndex).toBe(2);

			const set = make(2);
			expect(tagItem(set, 2).context.itemIndex).toBe(2);
			expect(set.message).toBe(`${base} [item 2]`);
		});

		it('gives another item a copy of an error that already belongs to one (a batch failed as a whole)', () => {
			const shared = make();
			const first = tagItem(shared, 0);
			const second = tagItem(shared, 1);
			expect(first).toBe(shared);
			expect(first.message).toBe(`${base} [item 0]`);
			expect(first.context.itemIndex).toBe(0);
			expect(second).not.toBe(shared);
			expect(second).toBeInstanceOf(name === 'NodeApiError' ? NodeApiError : NodeOperationError);
			expect(second.message).toBe(`${base} [item 1]`);
			expect(second.context.itemIndex).toBe(1);
			expect(second.description).toBe(first.description);
			// the copy changes nothing of item 0's error
			expect(shared.message).toBe(`${base} [item 0]`);
			expect(shared.context.itemIndex).toBe(0);
		});
	});

	it('keeps the HTTP code of an API error', () => {
		const error = new NodeApiError(node, { message: 'boom' }, { message: 'Vendor 500: boom', httpCode: '500', itemIndex: 0 });
		expect(tagItem(error, 4).httpCode).toBe('500');
	});
});
