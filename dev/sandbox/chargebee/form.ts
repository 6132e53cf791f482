/**
 * Chargebee's request encoding, server side: `application/x-www-form-urlencoded`
 * with bracketed keys, decoded into the nested shape the API documents.
 *
 *   subscription_items[item_price_id][0]=p&subscription_items[quantity][0]=2
 *     → { subscription_items: [{ item_price_id: 'p', quantity: '2' }] }
 *   enabled_events[0]=a&enabled_events[1]=b → { enabled_events: ['a', 'b'] }
 *   billing_address[first_name]=Ann        → { billing_address: { first_name: 'Ann' } }
 *
 * Chargebee's multi-attribute lists put the index LAST (`list[attr][i]`); an
 * object whose every value is an index-keyed array is that shape and is
 * turned into a list of objects. Values stay strings, as on the wire.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

function splitKey(key: string): string[] | undefined {
	const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
	if (!match) return undefined;
	const parts = [match[1]];
	for (const m of match[2].matchAll(/\[([^[\]]*)\]/g)) parts.push(m[1]);
	return parts;
}

type Tree = { [key: string]: Tree | string };

function insert(tree: Tree, parts: string[], value: string): void {
	let node = tree;
	for (let i = 0; i < parts.length - 1; i++) {
		const next = node[parts[i]];
		if (next === undefined || typeof next === 'string') node[parts[i]] = {};
		node = node[parts[i]] as Tree;
	}
	node[parts[parts.length - 1]] = value;
}

const isIndexKeyed = (t: Tree) => {
	const keys = Object.keys(t);
	return keys.length > 0 && keys.every((k) => /^\d+$/.test(k));
};

function finish(node: Tree | string): FormValue {
	if (typeof node === 'string') return node;
	if (isIndexKeyed(node)) {
		const out: FormValue[] = [];
		for (const [k, v] of Object.entries(node)) out[Number(k)] = finish(v);
		return out;
	}
	const entries = Object.entries(node);
	// list[attr][i] → [{attr}] (every value index-keyed)
	if (entries.length > 0 && entries.every(([, v]) => typeof v !== 'string' && isIndexKeyed(v))) {
		const rows: FormObject[] = [];
		for (const [attr, byIndex] of entries) {
			for (const [i, v] of Object.entries(byIndex as Tree)) {
				const row = (rows[Number(i)] ??= {});
				row[attr] = finish(v);
			}
		}
		return rows.map((r) => r ?? {});
	}
	const out: FormObject = {};
	for (const [k, v] of entries) out[k] = finish(v);
	return out;
}

export function decodeChargebeeForm(text: string): FormObject {
	const tree: Tree = {};
	for (const [key, value] of new URLSearchParams(text)) {
		const parts = splitKey(key);
		if (!parts) {
			tree[key] = value;
			continue;
		}
		insert(tree, parts, value);
	}
	return finish(tree) as FormObject;
}
