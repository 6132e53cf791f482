/**
 * Zuora's own OpenAPI spec as the sandbox's referee (issue 15 item 15).
 *
 * The spec is Zuora's "Full OpenAPI spec (compact)", 2026-05-01, OpenAPI 3.0
 * (../shared/specs/zuora/zuora-openapi-full-compact_2026-05-01.yaml, see
 * ../shared/specs/SOURCES.md). It lives outside the repository: ZUORA_OPENAPI_SPEC,
 * then /work/shared/specs/zuora/…, then ../shared/specs/zuora/… beside the repository.
 *
 * Parsing the 4 MB YAML takes over a second, so the parsed document (already
 * prepared for validation, see `prepare`) is cached as JSON in os.tmpdir(),
 * keyed by the spec's path, size and mtime. Validators are compiled lazily per
 * operation (Ajv 6, JSON Schema draft-07 plus OpenAPI's `nullable`).
 *
 * "Allow unknown extra fields, nothing missing or mistyped": every
 * `additionalProperties: false` in the spec is dropped; required fields, types,
 * enums, lengths and formats (date, date-time = RFC 3339 with offset, uuid) are kept.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require('ajv') as new (options: object) => {
	compile(schema: object): Validator;
};

type Json = Record<string, unknown>;
type Validator = ((data: unknown) => boolean) & {
	errors?: Array<{ dataPath?: string; message?: string; params?: unknown }> | null;
};

const SPEC_FILE = 'zuora-openapi-full-compact_2026-05-01.yaml';

function candidatePaths(): string[] {
	return [
		process.env.ZUORA_OPENAPI_SPEC,
		`/work/shared/specs/zuora/${SPEC_FILE}`,
		// dev/sandbox/zuora → repository root → its parent's shared/
		resolve(__dirname, '../../../../shared/specs/zuora', SPEC_FILE),
		// compiled copies (dist-test/dev/sandbox/zuora) sit one level deeper
		resolve(__dirname, '../../../../../shared/specs/zuora', SPEC_FILE),
	].filter((p): p is string => typeof p === 'string' && p.length > 0);
}

export function zuoraSpecPath(): string {
	const paths = candidatePaths();
	const found = paths.find((p) => existsSync(p));
	if (!found) {
		throw new Error(
			`Zuora OpenAPI spec not found; set ZUORA_OPENAPI_SPEC (looked in ${paths.join(', ')}), or ZUORA_SANDBOX_SPEC_CHECK=off to run the sandbox without its referee`,
		);
	}
	return found;
}

/** Drops `additionalProperties: false` (unknown extra fields are allowed) everywhere. */
function prepare(node: unknown): void {
	if (Array.isArray(node)) {
		for (const item of node) prepare(item);
		return;
	}
	if (!node || typeof node !== 'object') return;
	const o = node as Json;
	if (o.additionalProperties === false) delete o.additionalProperties;
	for (const value of Object.values(o)) prepare(value);
}

/** The parsed spec, from the tmpdir cache when the spec file has not changed. */
function loadDocument(path: string): Json {
	const stat = statSync(path);
	const key = createHash('sha256').update(`${path}|${stat.size}|${stat.mtimeMs}|v1`).digest('hex').slice(0, 16);
	const dir = join(tmpdir(), 'kommo-billing-spec-cache');
	const cached = join(dir, `zuora-${key}.json`);
	if (existsSync(cached)) {
		try {
			return JSON.parse(readFileSync(cached, 'utf8')) as Json;
		} catch {
			// a half-written or foreign file: parse the YAML again below
		}
	}
	const doc = yaml.load(readFileSync(path, 'utf8')) as Json;
	prepare(doc);
	try {
		mkdirSync(dir, { recursive: true });
		const temp = `${cached}.${process.pid}.tmp`;
		writeFileSync(temp, JSON.stringify(doc));
		renameSync(temp, cached); // atomic: parallel jest workers never read half a file
	} catch {
		// no cache, only slower
	}
	return doc;
}

interface Operation {
	template: string;
	method: string;
	pattern: RegExp;
	literals: number;
	op: Json;
}

export interface OperationRef {
	template: string;
	method: string;
	operationId: string;
}

function escapePointer(segment: string): string {
	return encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
}

export class ZuoraSpec {
	readonly doc: { paths: Record<string, Record<string, Json>>; components: Record<string, Record<string, Json>> };
	private readonly ajv: InstanceType<typeof Ajv>;
	private readonly detailed: InstanceType<typeof Ajv>;
	private readonly roots = new Map<string, Json>();
	private readonly validators = new Map<string, Validator>();
	private readonly operations: Operation[] = [];

	constructor(path = zuoraSpecPath()) {
		this.doc = loadDocument(path) as ZuoraSpec['doc'];
		// first error only (compiles about twice as fast); a failing value is checked again with
		// `detailed` to list every error
		this.ajv = new Ajv({
			allErrors: false,
			nullable: true,
			unknownFormats: 'ignore',
			format: 'full',
			schemaId: 'auto',
			jsonPointers: true,
			logger: false,
		});
		this.detailed = new Ajv({ allErrors: true, nullable: true, unknownFormats: 'ignore', format: 'full', schemaId: 'auto', jsonPointers: true, logger: false });
		for (const [template, item] of Object.entries(this.doc.paths)) {
			for (const [method, op] of Object.entries(item)) {
				if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
				const parts = template.split('/');
				const source = parts
					.map((p) => (/^\{[^}]+\}$/.test(p) ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
					.join('/');
				this.operations.push({
					template,
					method: method.toUpperCase(),
					pattern: new RegExp(`^${source}/?$`),
					literals: parts.filter((p) => p && !p.startsWith('{')).length,
					op,
				});
			}
		}
	}

	private static shared?: ZuoraSpec;

	/** One parsed spec per process (module registry). */
	static get(): ZuoraSpec {
		ZuoraSpec.shared ??= new ZuoraSpec();
		return ZuoraSpec.shared;
	}

	/** The operation a request path and method address; the most literal template wins. */
	find(method: string, path: string): Operation | undefined {
		let best: Operation | undefined;
		for (const op of this.operations) {
			if (op.method !== method.toUpperCase() || !op.pattern.test(path)) continue;
			if (!best || op.literals > best.literals) best = op;
		}
		return best;
	}

	/** Follows a `$ref` inside the document. */
	deref<T = Json>(value: unknown): T {
		let current = value as Json;
		for (let i = 0; i < 20 && current && typeof current.$ref === 'string'; i++) {
			const pointer = (current.$ref as string).replace(/^#\//, '').split('/');
			current = pointer.reduce<Json>((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')] as Json, this.doc as unknown as Json);
		}
		return current as T;
	}

	/** The value at a JSON pointer (`/a/b~1c`, segments may be URI-encoded). */
	private at(pointer: string): unknown {
		return pointer
			.split('/')
			.slice(1)
			.map((seg) => decodeURIComponent(seg).replace(/~1/g, '/').replace(/~0/g, '~'))
			.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Json)[k] : undefined), this.doc);
	}

	/**
	 * A validator for the schema at `pointer`. Only the schema and the components it reaches
	 * (transitively) go to Ajv, at the paths their `$ref`s name: adding the whole 4 MB document
	 * would cost most of a second per test file.
	 */
	private validator(pointer: string): Validator {
		let v = this.validators.get(pointer);
		if (!v) {
			const target = this.at(pointer);
			if (target === undefined) throw new Error(`Zuora spec has nothing at ${pointer}`);
			const root: Json = { allOf: [target] };
			const seen = new Set<string>();
			const stack: unknown[] = [target];
			while (stack.length > 0) {
				const node = stack.pop();
				if (!node || typeof node !== 'object') continue;
				for (const [key, child] of Object.entries(node as Json)) {
					if (key === '$ref' && typeof child === 'string' && child.startsWith('#/')) {
						if (seen.has(child)) continue;
						seen.add(child);
						const schema = this.at(child.slice(1));
						const path = child.slice(2).split('/');
						let parent = root;
						for (const part of path.slice(0, -1)) parent = (parent[part] ??= {}) as Json;
						parent[path[path.length - 1]] = schema;
						stack.push(schema);
					} else if (child && typeof child === 'object') stack.push(child);
				}
			}
			v = this.ajv.compile(root);
			this.validators.set(pointer, v);
			this.roots.set(pointer, root);
		}
		return v;
	}

	/** Errors of `data` against a JSON pointer into the spec ([] = valid). */
	errorsAt(pointer: string, data: unknown): string[] {
		if (this.validator(pointer)(data)) return [];
		const validate = this.detailed.compile(this.roots.get(pointer) as Json);
		validate(data);
		return (validate.errors ?? []).map((e) => `${e.dataPath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`.trim());
	}

	/** Errors of `data` against a named component schema. */
	errorsAgainst(schemaName: string, data: unknown): string[] {
		return this.errorsAt(`/components/schemas/${escapePointer(schemaName)}`, data);
	}

	private pointer(op: Operation, ...rest: string[]): string {
		return ['', 'paths', op.template, op.method.toLowerCase(), ...rest].map((s, i) => (i === 0 ? s : escapePointer(s))).join('/');
	}

	/**
	 * What is wrong with a request for the operation it addresses: required
	 * headers and query parameters, their types, and the body for the
	 * declared content type. `undefined` when the spec has no such operation.
	 */
	requestErrors(req: {
		method: string;
		path: string;
		query: Record<string, string | string[]>;
		headers: Record<string, string>;
		body: unknown;
		rawBody: Buffer;
	}): { operation: OperationRef; errors: string[] } | undefined {
		const op = this.find(req.method, req.path);
		if (!op) return undefined;
		const errors: string[] = [];
		const params = ((op.op.parameters as unknown[]) ?? []).map((p) => this.deref<Json>(p));
		for (const p of params) {
			const name = String(p.name);
			const schema = this.deref<Json>(p.schema ?? {});
			let raw: string | string[] | undefined;
			if (p.in === 'header') raw = req.headers[name.toLowerCase()];
			else if (p.in === 'query') raw = req.query[name];
			else continue; // path parameters are matched by the template
			if (raw === undefined) {
				if (p.required) errors.push(`${p.in} parameter ${name} is required`);
				continue;
			}
			const values = Array.isArray(raw) ? raw : [raw];
			for (const value of values) {
				const problems = checkScalar(value, schema);
				if (problems) errors.push(`${p.in} parameter ${name}=${JSON.stringify(value)}: ${problems}`);
			}
		}
		const requestBody = op.op.requestBody ? this.deref<Json>(op.op.requestBody) : undefined;
		if (requestBody) {
			const content = (requestBody.content ?? {}) as Record<string, Json>;
			const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
			const empty = req.rawBody.length === 0;
			if (empty) {
				if (requestBody.required) errors.push('a request body is required');
			} else if (!content[type]) {
				errors.push(`content type ${JSON.stringify(type)} is not one of ${Object.keys(content).join(', ')}`);
			} else if (content[type].schema) {
				let data: unknown = req.body;
				if (type === 'multipart/form-data' && Array.isArray(req.body)) {
					// a file part counts as the binary string the spec declares
					data = Object.fromEntries(
						(req.body as Array<{ name: string; filename?: string; data: Buffer }>).map((part) => [part.name, part.data.toString('utf8')]),
					);
				}
				const ref = (op.op.requestBody as Json).$ref;
				const base = typeof ref === 'string' ? ref.replace(/^#/, '') : this.pointer(op, 'requestBody');
				const found = this.errorsAt(`${base}/content/${escapePointer(type)}/schema`, data);
				errors.push(...found.map((e) => `body ${e}`));
			}
		}
		return { operation: { template: op.template, method: op.method, operationId: String(op.op.operationId ?? '') }, errors };
	}

	/**
	 * What is wrong with a response: the status must be declared (exactly, as
	 * `4XX`-style range, or `default`) and a JSON body must match its schema.
	 */
	responseErrors(
		method: string,
		path: string,
		status: number,
		contentType: string,
		body: string,
	): { operation: OperationRef; errors: string[] } | undefined {
		const op = this.find(method, path);
		if (!op) return undefined;
		const operation = { template: op.template, method: op.method, operationId: String(op.op.operationId ?? '') };
		const responses = (op.op.responses ?? {}) as Record<string, unknown>;
		const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => responses[k] !== undefined);
		if (!key) return { operation, errors: [`status ${status} is not declared (declared: ${Object.keys(responses).join(', ')})`] };
		const response = this.deref<Json>(responses[key]);
		const content = (response.content ?? {}) as Record<string, Json>;
		const type = contentType.split(';')[0].trim().toLowerCase();
		if (!content[type]?.schema) {
			if (Object.keys(content).length === 0 || body === '') return { operation, errors: [] };
			return { operation, errors: [`content type ${JSON.stringify(type)} is not declared for ${key} (${Object.keys(content).join(', ')})`] };
		}
		let data: unknown;
		try {
			data = JSON.parse(body);
		} catch {
			return { operation, errors: [`the ${key} body is not JSON`] };
		}
		const base = (responses[key] as Json).$ref
			? `${String((responses[key] as Json).$ref).replace(/^#/, '')}`
			: this.pointer(op, 'responses', key);
		const errors = this.errorsAt(`${base}/content/${escapePointer(type)}/schema`, data).map((e) => `${key} body ${e}`);
		return { operation, errors };
	}
}

/** A header or query value against a scalar schema; a message or undefined. */
function checkScalar(value: string, schema: Json): string | undefined {
	const type = schema.type;
	if (type === 'integer' && !/^-?\d+$/.test(value)) return 'not an integer';
	if (type === 'number' && (value.trim() === '' || !Number.isFinite(Number(value)))) return 'not a number';
	if (type === 'boolean' && value !== 'true' && value !== 'false') return 'not a boolean';
	if ((type === 'integer' || type === 'number') && value.trim() !== '') {
		const n = Number(value);
		if (typeof schema.minimum === 'number' && n < schema.minimum) return `below the minimum ${schema.minimum}`;
		if (typeof schema.maximum === 'number' && n > schema.maximum) return `above the maximum ${schema.maximum}`;
	}
	if (type === 'string' || type === undefined) {
		if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return `longer than ${schema.maxLength} characters`;
		if (typeof schema.minLength === 'number' && value.length < schema.minLength) return `shorter than ${schema.minLength} characters`;
		if (Array.isArray(schema.enum) && !schema.enum.map(String).includes(value)) return `not one of ${schema.enum.join(', ')}`;
		if (schema.format === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return 'not a UUID';
	}
	return undefined;
}
