// Dedupe keys: what a Claim stores for an item, and how items are routed by key.

export const DEFAULT_KEY_EXPRESSION = '={{ $json.normalized.dedupeKey }}';

export class DedupeKeyError extends Error {
	constructor(
		message: string,
		readonly itemIndex: number,
		readonly description: string,
	) {
		super(message);
		this.name = 'DedupeKeyError';
	}
}

function describeValue(value: unknown): string {
	if (value === undefined) return 'undefined (the field does not exist)';
	if (value === null) return 'null';
	if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : JSON.stringify(value);
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * The stored key for one item: the evaluated key (string, or finite number) trimmed, with the
 * optional prefix in front. Anything else (missing, empty, object, boolean, NaN) is an error that
 * names the item and the expression, because treating an event without a key as new would
 * process every redelivery again.
 */
export function buildKey(
	value: unknown,
	options: { itemIndex: number; expression: string; prefix?: string; namespace?: string },
): string {
	let key: string | undefined;
	if (typeof value === 'string' && value.trim() !== '') key = value.trim();
	else if (typeof value === 'number' && Number.isFinite(value)) key = String(value);
	if (key === undefined) {
		throw new DedupeKeyError(
			`The Dedupe Key is ${describeValue(value)}`,
			options.itemIndex,
			`The key expression ${options.expression} must give the event's id (a non-empty text or a number) for every item. ` +
				'Our triggers put it in $json.normalized.dedupeKey; for other sources, point the expression at the vendor event id.',
		);
	}
	const prefix = options.prefix?.trim();
	return [options.namespace, prefix, escapeKey(key)].filter((part) => part !== undefined && part !== '').join(':');
}

/**
 * Percent-encodes `%` and `#` in an event's key. Bookkeeping entries are the key plus a `#…`
 * suffix (`#seen`, `#lease:<slot>`, `#probing`), so an id that itself contained `#seen` would
 * alias another event's mark and be routed as duplicate or in progress (security review L4:
 * Chargebee id `ev_real#seen`). Ids without `%` or `#` — every real vendor id — keep the key
 * they were stored under, so existing histories stay valid.
 */
export function escapeKey(key: string): string {
	return /[%#]/.test(key) ? key.replace(/%/g, '%25').replace(/#/g, '%23') : key;
}

/**
 * Splits items into [new, duplicate] given each item's key and the keys n8n reported as new.
 * Only the first item with a given key can be new: later items with the same key in the same
 * batch are duplicates of it.
 */
export function routeByKey<T>(items: T[], keys: string[], newKeys: ReadonlySet<string>): [T[], T[]] {
	const fresh: T[] = [];
	const duplicate: T[] = [];
	const seen = new Set<string>();
	items.forEach((item, index) => {
		const key = keys[index];
		if (newKeys.has(key) && !seen.has(key)) fresh.push(item);
		else duplicate.push(item);
		seen.add(key);
	});
	return [fresh, duplicate];
}

export function uniqueKeys(keys: string[]): string[] {
	return [...new Set(keys)];
}
