/**
 * The shared operation runner (nodes/shared/operations.ts) behind every action node's execute:
 * operation lookup, per-item and batch operations, the vendor's error mapping, [item N], and
 * the one Continue-On-Fail item shape. Run through n8n-core's real ExecuteContext.
 */
import type { IDataObject, IExecuteFunctions, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { BinaryItem, runOperations, type ErrorMapper, type Operation } from '../../../nodes/shared/operations';
import { executeNode } from '../../helpers/n8n-context';

class VendorError extends Error {}

const mapError: ErrorMapper = function (error, itemIndex) {
	if (error instanceof VendorError) {
		return new NodeOperationError(this.getNode(), `Vendor said: ${error.message}`, { itemIndex, description: 'Fix the thing.' });
	}
	if (error instanceof NodeOperationError) return error;
	return new NodeOperationError(this.getNode(), error as Error, { itemIndex });
};

const operations: Record<string, Record<string, Operation>> = {
	thing: {
		echo: {
			async execute(this: IExecuteFunctions, itemIndex: number) {
				const value = this.getInputData()[itemIndex].json.value as number;
				if (value < 0) throw new VendorError(`value ${value} is negative`);
				return value === 2 ? [{ value }, { value: value * 10 }] : { value };
			},
		},
		file: {
			async execute(this: IExecuteFunctions) {
				return new BinaryItem({ name: 'a.pdf' }, { data: { data: 'JVBERg==', mimeType: 'application/pdf' } });
			},
		},
		upload: {
			kind: 'batch',
			async execute(this: IExecuteFunctions, items) {
				if (items.some((item) => item.json.value === 0)) {
					throw new NodeOperationError(this.getNode(), 'row 2 was refused', { description: 'Value 0 is not allowed.' });
				}
				return [{ json: { uploaded: items.length }, pairedItem: items.map((_, item) => ({ item })) }];
			},
		},
	},
};

function testNode(): INodeType {
	return {
		description: {
			displayName: 'Runner Test',
			name: 'runnerTest',
			group: ['transform'],
			version: 1,
			description: 'test',
			defaults: { name: 'Runner Test' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [
				{ displayName: 'Resource', name: 'resource', type: 'string', default: 'thing' },
				{ displayName: 'Operation', name: 'operation', type: 'string', default: 'echo' },
			],
		},
		async execute(this: IExecuteFunctions) {
			return await runOperations.call(this, operations, mapError);
		},
	};
}

const items = (...values: number[]) => values.map((value) => ({ json: { value } }));

describe('runOperations', () => {
	test('an item operation: one object is one item, an array many, each paired with its input', async () => {
		const out = await executeNode({ nodeType: testNode(), parameters: { operation: 'echo' }, items: items(1, 2) });
		expect(out[0].map((item) => item.json)).toEqual([{ value: 1 }, { value: 2 }, { value: 20 }]);
		expect(out[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 1 }]);
	});

	test("a failing item throws the vendor's mapped error, naming the item", async () => {
		await expect(executeNode({ nodeType: testNode(), parameters: { operation: 'echo' }, items: items(1, -3) })).rejects.toThrow(
			'Vendor said: value -3 is negative [item 1]',
		);
	});

	test('under Continue On Fail the failed item is { error, details } with the error on it, and the run carries on', async () => {
		const out = await executeNode({ nodeType: testNode(), parameters: { operation: 'echo' }, items: items(-1, 4), continueOnFail: true });
		expect(out[0]).toHaveLength(2);
		expect(out[0][0].json).toEqual({ error: 'Vendor said: value -1 is negative [item 0]', details: 'Fix the thing.' });
		expect(out[0][0].error).toBeInstanceOf(NodeOperationError);
		expect(out[0][0].pairedItem).toEqual({ item: 0 });
		expect(out[0][1].json).toEqual({ value: 4 });
	});

	test('a binary answer keeps its file', async () => {
		const out = await executeNode({ nodeType: testNode(), parameters: { operation: 'file' }, items: items(1) });
		expect(out[0][0].json).toEqual({ name: 'a.pdf' });
		expect(out[0][0].binary?.data.mimeType).toBe('application/pdf');
	});

	test('a batch operation gets all items at once', async () => {
		const out = await executeNode({ nodeType: testNode(), parameters: { operation: 'upload' }, items: items(1, 2, 3) });
		expect(out[0].map((item) => item.json)).toEqual([{ uploaded: 3 }]);
	});

	test('a failed batch under Continue On Fail is one error item paired with every input item', async () => {
		const out = await executeNode({ nodeType: testNode(), parameters: { operation: 'upload' }, items: items(1, 0), continueOnFail: true });
		expect(out[0]).toHaveLength(1);
		expect(out[0][0].json as IDataObject).toEqual({ error: 'row 2 was refused', details: 'Value 0 is not allowed.' });
		expect(out[0][0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
	});

	test('an unknown operation is refused with what to do', async () => {
		await expect(executeNode({ nodeType: testNode(), parameters: { operation: 'nope' }, items: items(1) })).rejects.toThrow(
			'The operation "nope" is not supported for resource "thing"',
		);
	});
});
