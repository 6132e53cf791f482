import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { BinaryItem } from '../../shared/operations';

/** Invoice → Get PDF answers a file besides its JSON (the shared runner writes it to the item). */
export { BinaryItem };

/** An operation that runs once per input item. */
export interface ItemOperation {
	kind: 'item';
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject | IDataObject[] | BinaryItem>;
}

/** An operation that takes all input items at once (the usage CSV upload). */
export interface BatchOperation {
	kind: 'batch';
	description: INodeProperties[];
	execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

export type ZuoraOperation = ItemOperation | BatchOperation;
