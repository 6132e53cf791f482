import type { INodeProperties } from 'n8n-workflow';

import type { BatchOperation as SharedBatchOperation, ItemOperation as SharedItemOperation } from '../../shared/operations';

/** Invoice → Get PDF answers a file besides its JSON (the shared runner writes it to the item). */
export { BinaryItem } from '../../shared/operations';

/** The shared runner's operations, with Zuora's kind always stated and its parameters attached. */
export type ItemOperation = SharedItemOperation & { kind: 'item'; description: INodeProperties[] };

export type BatchOperation = SharedBatchOperation & { description: INodeProperties[] };

export type ZuoraOperation = ItemOperation | BatchOperation;
