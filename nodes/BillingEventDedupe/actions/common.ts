import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { tagItem } from '../../shared/item-error';
import { buildKey, DedupeKeyError, DEFAULT_KEY_EXPRESSION } from '../keys';

/** "Dedupe Key" and "Key Prefix", shared by Claim and Release (they must build the same keys). */
export function keyProperties(operation: string): INodeProperties[] {
	const show = { show: { operation: [operation] } };
	return [
		{
			displayName: 'Dedupe Key',
			name: 'key',
			type: 'string',
			required: true,
			default: DEFAULT_KEY_EXPRESSION,
			displayOptions: show,
			description:
				"The event's unique ID. Our billing triggers provide it as normalized.dedupeKey (Chargebee and Paddle: the event ID; Zuora: object ID + event + timestamp, because Zuora changes its request ID on every retry).",
		},
		{
			displayName: 'Key Prefix',
			name: 'keyPrefix',
			type: 'string',
			default: '',
			displayOptions: show,
			placeholder: 'e.g. chargebee',
			description:
				'Optional text put in front of every key (as prefix:key), e.g. the vendor, so that IDs from different sources can never collide. Claim and Release must use the same prefix.',
		},
	];
}

/** Evaluates the key of every item; a missing or empty key is an error naming item and expression. */
export function keysOf(context: IExecuteFunctions, itemCount: number, namespace?: string): string[] {
	const raw = context.getNodeParameter('key', 0, '', { rawExpressions: true });
	const expression = typeof raw === 'string' && raw.startsWith('=') ? raw.slice(1).trim() : JSON.stringify(raw);
	const keys: string[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			keys.push(
				buildKey(context.getNodeParameter('key', itemIndex, undefined), {
					itemIndex,
					expression,
					prefix: context.getNodeParameter('keyPrefix', itemIndex, '') as string,
					namespace,
				}),
			);
		} catch (error) {
			const itemError =
				error instanceof DedupeKeyError
					? new NodeOperationError(context.getNode(), error.message, { itemIndex, description: error.description })
					: new NodeOperationError(context.getNode(), error as Error, { itemIndex });
			throw tagItem(itemError, itemIndex);
		}
	}
	return keys;
}

/** The history belongs to the saved workflow (its id); an unsaved workflow has none yet. */
export function assertSavedWorkflow(context: IExecuteFunctions): void {
	if (!context.getWorkflow().id) {
		throw new NodeOperationError(
			context.getNode(),
			'Save the workflow before running Billing Event Dedupe',
			{ description: "The dedupe history is stored in n8n's database under the workflow's ID, which an unsaved workflow does not have yet." },
		);
	}
}
