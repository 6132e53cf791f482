/**
 * Checks every request ChargebeeSandbox accepts against the request schemas of the official
 * `chargebee` package (dev dependency): node_modules/chargebee/cjs/schema/<resource>.schema.js,
 * Zod schemas that Chargebee's sdk-generator makes from its OpenAPI spec (one
 * `<Action><Resource>BodySchema` per operation, see cjs/validationLoader.js), and the operation
 * table cjs/resources/api_endpoints.js (method, path prefix, id, suffix). Sources:
 * /work/shared/specs/SOURCES.md, "Chargebee".
 *
 * The schemas describe the SDK's typed parameters; on the wire they are form pairs with the
 * index last (`subscription_items[item_price_id][0]`, `email[is]`, `meta_data` as JSON), which is
 * exactly the SDK's encoding. So a request is decoded into that tree, its leaves are read as the
 * schema's types (numbers, booleans, JSON objects), and the schema parses it.
 *
 * Results per request:
 *  - `invalid`: values the schema refuses (wrong type, too long, not in the enum, a required
 *    parameter missing). Chargebee validates its parameters and answers 400 invalid_request
 *    `param_wrong_value` naming the parameter (apidocs.chargebee.com "Error handling"), so the
 *    sandbox refuses these;
 *  - `unknown`: parameters the operation does not have (except `cf_*` custom fields, which the
 *    spec leaves open and the sandbox checks against the site's definitions). What Chargebee does
 *    with them is not documented; they are recorded, not refused;
 *  - `operation` undefined: the method and path are not a Chargebee operation at all.
 */
import { join } from 'node:path';

import { chargebeePackageDir } from './type-check';

interface ZodLike {
	_zod: { def: ZodDef };
	safeParse(value: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } };
}
interface ZodDef {
	type: string;
	innerType?: ZodLike;
	shape?: Record<string, ZodLike>;
	catchall?: ZodLike;
	element?: ZodLike;
	options?: ZodLike[];
}

type EndpointRow = [string, string, string, string | null, boolean, ...unknown[]];

export interface Operation {
	/** SDK resource key, e.g. `customer`, `webhookEndpoint`. */
	resource: string;
	/** SDK action, e.g. `create`, `createWithItems`, `list`. */
	action: string;
	schema?: ZodLike;
}

export interface RequestCheck {
	operation?: Operation;
	/** Values the schema refuses, each with the wire parameter name. */
	invalid: Array<{ param: string; message: string }>;
	/** Parameters the operation does not have. */
	unknown: string[];
}

let table: Array<{ method: string; pattern: RegExp; literal: boolean; op: Omit<Operation, 'schema'> }> | undefined;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pascal = (s: string) => {
	const camel = s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
	return camel.charAt(0).toUpperCase() + camel.slice(1);
};
const snake = (s: string) => s.replace(/([A-Z])/g, '_$1').toLowerCase().replace(/^_/, '');

function operations() {
	if (table) return table;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Endpoints } = require(join(chargebeePackageDir(), 'cjs/resources/api_endpoints.js')) as { Endpoints: Record<string, EndpointRow[]> };
	table = [];
	for (const [resource, rows] of Object.entries(Endpoints)) {
		for (const [action, method, prefix, suffix, hasId] of rows) {
			const source = `^${escape(prefix)}${hasId ? '/[^/]+' : ''}${suffix ? escape(suffix) : ''}/?$`;
			table.push({ method: method.toUpperCase(), pattern: new RegExp(source), literal: !hasId, op: { resource, action } });
		}
	}
	// A literal path (POST /customers) wins over one with an id (POST /customers/{id}).
	table.sort((a, b) => Number(b.literal) - Number(a.literal));
	return table;
}

const schemaCache = new Map<string, ZodLike | undefined>();

function schemaFor(resource: string, action: string): ZodLike | undefined {
	const key = `${resource}.${action}`;
	if (schemaCache.has(key)) return schemaCache.get(key);
	let schema: ZodLike | undefined;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(join(chargebeePackageDir(), 'cjs/schema', `${snake(resource)}.schema.js`)) as Record<string, ZodLike>;
		schema = mod[`${pascal(action)}${pascal(resource)}BodySchema`];
	} catch {
		schema = undefined;
	}
	schemaCache.set(key, schema);
	return schema;
}

/**
 * Loads the request schemas of these resources now (Zod builds them on require, about a second
 * for the sandbox's seven): the sandbox calls it in start(), so no test's first request pays it.
 */
export function preloadSchemas(resources: string[]): void {
	for (const row of operations()) if (resources.includes(row.op.resource)) schemaFor(row.op.resource, row.op.action);
}

/** The Chargebee operation of `method path` (path below /api/v2), or undefined. */
export function operationFor(method: string, path: string): Operation | undefined {
	const row = operations().find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
	if (!row) return undefined;
	return { ...row.op, schema: schemaFor(row.op.resource, row.op.action) };
}

type Tree = { [key: string]: Tree | string };

/** Form pairs into the SDK's parameter tree: `a[b][0]=x` → {a: {b: {0: 'x'}}}. */
export function wireTree(pairs: Iterable<[string, string]>): Tree {
	const tree: Tree = {};
	for (const [key, value] of pairs) {
		const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
		const parts = m ? [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1])] : [key];
		let node = tree;
		for (let i = 0; i < parts.length - 1; i++) {
			const next = node[parts[i]];
			if (next === undefined || typeof next === 'string') node[parts[i]] = {};
			node = node[parts[i]] as Tree;
		}
		node[parts[parts.length - 1]] = value;
	}
	return tree;
}

const unwrap = (s: ZodLike): ZodLike => {
	let cur = s;
	while (['optional', 'default', 'nullable', 'readonly', 'prefault', 'catch', 'nonoptional'].includes(cur._zod.def.type) && cur._zod.def.innerType) {
		cur = cur._zod.def.innerType;
	}
	return cur;
};

const ctx: { invalid: Array<{ param: string; message: string }> } = { invalid: [] };

/** Reads wire strings as the schema's types, and collects parameters the schema does not have. */
function coerce(schema: ZodLike, value: unknown, path: string, unknown: string[], top: boolean): unknown {
	const s = unwrap(schema);
	const def = s._zod.def;
	switch (def.type) {
		case 'number':
		case 'int':
			return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
		case 'boolean':
			return value === 'true' ? true : value === 'false' ? false : value;
		case 'array': {
			let list: unknown[] | undefined;
			if (typeof value === 'string' && value.startsWith('[')) {
				// list filters `status[in]=["active","paused"]`: a JSON array, as the SDK's encodeListParams writes it
				try {
					const parsed = JSON.parse(value) as unknown;
					if (Array.isArray(parsed)) list = parsed;
				} catch {
					return value;
				}
			} else if (Array.isArray(value)) list = value;
			else if (value && typeof value === 'object' && Object.keys(value).every((k) => /^\d+$/.test(k))) {
				list = [];
				for (const [k, v] of Object.entries(value)) list[Number(k)] = v;
			}
			if (!list) return value;
			return Array.from(list, (v, i) => (v === undefined ? undefined : coerce(def.element as ZodLike, v, `${path}[${i}]`, unknown, false)));
		}
		case 'object': {
			const shape = def.shape ?? {};
			if (typeof value === 'string' && Object.keys(shape).length === 0) {
				// meta_data and other free-form objects travel as a JSON string
				try {
					return JSON.parse(value) as unknown;
				} catch {
					return value;
				}
			}
			if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
			const out: Record<string, unknown> = {};
			const free = Object.keys(shape).length === 0 && def.catchall !== undefined;
			for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
				const child = shape[key];
				const name = path ? `${path}[${key}]` : key;
				if (child && (key === 'in' || key === 'not_in') && unwrap(child)._zod.def.type === 'enum' && typeof v === 'string') {
					// List filters take a JSON array (`status[in]=["active","paused"]`, as the SDK's
					// encodeListParams writes arrays and apidocs.chargebee.com "Filtering" documents it), but
					// the generated schema types `in` / `not_in` of enum attributes as one value. Each
					// element is checked against the enum instead.
					let list: unknown;
					try {
						list = JSON.parse(v) as unknown;
					} catch {
						list = undefined;
					}
					if (!Array.isArray(list)) ctx.invalid.push({ param: name, message: 'must be a JSON array such as ["a","b"]' });
					else {
						for (const [i, element] of list.entries()) {
							const r = child.safeParse(element);
							if (!r.success) ctx.invalid.push({ param: `${name}[${i}]`, message: r.error?.issues[0]?.message ?? 'invalid' });
						}
					}
					continue;
				}
				if (child) out[key] = coerce(child, v, name, unknown, false);
				else {
					out[key] = v;
					if (!free && !key.startsWith('cf_')) unknown.push(name);
				}
			}
			void top;
			return out;
		}
		default:
			return value;
	}
}

/** Zod lists every enum member in its message (hundreds for event types): keep the start. */
const short = (message: string) => (message.length > 160 ? `${message.slice(0, 157)}…` : message);

/** The wire name of a Zod issue path: ['subscription_items','quantity',0] → subscription_items[quantity][0]. */
function wireName(path: PropertyKey[]): string {
	if (path.length === 0) return '';
	const [first, ...rest] = path.map(String);
	return `${first}${rest.map((p) => `[${p}]`).join('')}`;
}

/**
 * Checks one request: `path` below /api/v2, `pairs` the query (GET) or form body (POST).
 * An operation without a schema in the package (e.g. retrieve) takes no parameters.
 */
export function checkRequest(method: string, path: string, pairs: Array<[string, string]>): RequestCheck {
	const operation = operationFor(method, path);
	if (!operation) return { invalid: [], unknown: [] };
	const tree = wireTree(pairs);
	if (!operation.schema) {
		return { operation, invalid: [], unknown: Object.keys(tree) };
	}
	const unknown: string[] = [];
	ctx.invalid = [];
	const params = coerce(operation.schema, tree, '', unknown, true);
	const result = operation.schema.safeParse(params);
	const invalid = [
		...ctx.invalid,
		...(result.success ? [] : (result.error?.issues ?? []).map((issue) => ({ param: wireName(issue.path) || '(body)', message: short(issue.message) }))),
	];
	return { operation, invalid, unknown };
}
