/**
 * API key permissions as Paddle's OpenAPI spec states them, so the sandbox's rule comes from the
 * vendor, not from our node: every operation lists `x-permissions`, and `include` values add
 * `x-enum-permissions` (e.g. `GET /prices?include=product` needs `product.read`). A key without
 * one answers 403 `forbidden`, "You aren't permitted to perform this request."
 * (developer.paddle.com/errors/shared/forbidden; api-reference/about/permissions).
 */
import { specDoc } from './spec';

type Json = Record<string, unknown>;

interface Rule {
	method: string;
	pattern: RegExp;
	permissions: string[];
	include: Record<string, string[]>;
}

let rules: Rule[] | undefined;

function load(): Rule[] {
	const doc = specDoc() as unknown as { paths: Record<string, Record<string, Json>>; components: { parameters: Record<string, Json> } };
	const out: Rule[] = [];
	for (const [path, operations] of Object.entries(doc.paths)) {
		const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
		for (const [method, op] of Object.entries(operations)) {
			if (!op || typeof op !== 'object' || !Array.isArray(op['x-permissions'])) continue;
			const include: Record<string, string[]> = {};
			for (const p of (op.parameters ?? []) as Json[]) {
				const param = typeof p.$ref === 'string' ? doc.components.parameters[String(p.$ref).split('/').pop() as string] : p;
				const extra = ((param?.schema as Json | undefined)?.items as Json | undefined)?.['x-enum-permissions'] as Record<string, string[]> | undefined;
				if (param?.name === 'include' && extra) Object.assign(include, extra);
			}
			out.push({ method: method.toUpperCase(), pattern, permissions: op['x-permissions'] as string[], include });
		}
	}
	return out;
}

/** The permissions a request needs (undefined when the spec has no such operation). */
export function requiredPermissions(method: string, path: string, query: Record<string, string | string[]>): string[] | undefined {
	rules ??= load();
	const rule = rules.find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
	if (!rule) return undefined;
	const includes = ([] as string[]).concat(query.include ?? []).flatMap((v) => String(v).split(','));
	return [...new Set([...rule.permissions, ...includes.flatMap((i) => rule.include[i.trim()] ?? [])])];
}
