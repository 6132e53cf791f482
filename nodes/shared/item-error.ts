/** The item a node error belongs to, in its context and at the end of its message. */
import type { NodeApiError, NodeOperationError } from 'n8n-workflow';

const ITEM_TAG = / \[item \d+\]$/;

/**
 * Ties a per-item error to item `itemIndex` (n8n's item index, from 0): sets `context.itemIndex`
 * when the error has none and ends the message with ` [item N]`, as n8n's error guidelines ask,
 * so that a run of many items names the one that failed. Idempotent: a message that already ends
 * with ` [item <digits>]` (an error re-thrown through several catches) is not tagged twice.
 *
 * One error object can reach several items (a batch request that failed as a whole, a cached
 * lookup that failed once): when it already belongs to another item, the item gets a copy tagged
 * with its own index, and the other item's error is left as it was.
 */
export function tagItem<E extends NodeApiError | NodeOperationError>(error: E, itemIndex: number): E {
	const owner = error.context.itemIndex as number | undefined;
	const tagged = owner === undefined || owner === itemIndex ? error : copyFor(error);
	if (tagged.context.itemIndex === undefined) tagged.context.itemIndex = itemIndex;
	if (!ITEM_TAG.test(tagged.message)) tagged.message = `${tagged.message} [item ${itemIndex}]`;
	return tagged;
}

/** The same error (class, description, HTTP code, cause) with its own context and an untagged message. */
function copyFor<E extends NodeApiError | NodeOperationError>(error: E): E {
	const copy = Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as E;
	copy.context = { ...error.context, itemIndex: undefined };
	copy.message = error.message.replace(ITEM_TAG, '');
	return copy;
}
