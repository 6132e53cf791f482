/**
 * Paddle's published OpenAPI 3.1 spec as the sandbox's referee (issue 15 item 15).
 *
 * The spec lives outside the repository (../shared/specs beside the repo, or PADDLE_OPENAPI_SPEC);
 * ../shared/specs/SOURCES.md identifies it: PaddleHQ/paddle-openapi `v1/openapi.yaml` @ 792a49e
 * (2025-05-27). It is parsed once per module registry with js-yaml and checked with Ajv 6 (JSON
 * Schema draft-07): Paddle's schemas use the 3.1 features draft-07 shares (type arrays with
 * "null", oneOf, patterns, enums, formats); 3.1-only annotations (examples, deprecated, x-*) are
 * ignored. Validators are compiled on first use of a schema and cached.
 *
 * Two views of the spec:
 *  - `PaddleSpec`: the spec as published (additionalProperties: false kept), for tests that hold
 *    our node's requests to the letter;
 *  - the sandbox's runtime checks of answers and notifications (`SpecGuard`): the same spec with
 *    `additionalProperties: false` dropped (requests are checked against the spec as published). The copy dates from 2025-05 and real payloads and the 2026 SDKs carry fields it
 *    lacks (../shared/payloads/VENDOR-FACTS.md #33: `seller_id`, `grand_total_tax`, …), so extra
 *    fields are allowed, while every required field, type, enum and format is checked at every
 *    depth.
 *
 * What the guard checks, per request the sandbox receives and per answer and notification it
 * produces:
 *  - request: query parameters (by the operation's `parameters`, `in: query`; arrays are
 *    comma-separated, Paddle's `style: form, explode: false`; unknown parameters are refused) and
 *    the JSON body (the operation's `requestBody`). A request that fails is refused with Paddle's
 *    400 `invalid_field` "Request does not pass validation." and an `errors[]` of `{field,
 *    message}` (spec `components/schemas/error`; developer.paddle.com/errors/shared/invalid_field);
 *  - response: the status is one the operation declares (2xx) and the body validates against its
 *    schema; every error body validates against `components/schemas/error`;
 *  - notification: the wire body validates against `webhooks/<event_type>` (its requestBody).
 *
 * Deviations — a request refused here, a response or notification that does not validate — are
 * recorded. `PaddleSandbox.stop()` throws listing its own, and test/helpers/paddle-spec-guard.ts
 * fails any unit or integration test file that leaves one unreported (sandboxes that were never
 * started). A test that sends bad input on purpose sets `sandbox.tolerateInvalidRequests`; the
 * refusals are still listed in `sandbox.specGuard.refused`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require('ajv') as new (options: object) => {
	addSchema(schema: object, key: string): void;
	compile(schema: object): Validator;
};

type Json = Record<string, unknown>;
type Validator = ((data: unknown) => boolean) & { errors?: Array<{ dataPath?: string; message?: string; params?: unknown }> | null };

export interface SpecDoc {
	paths: Record<string, Record<string, unknown>>;
	webhooks: Record<string, Record<string, unknown>>;
	components: Record<string, Record<string, unknown>>;
}

const SPEC_PATHS = [
	process.env.PADDLE_OPENAPI_SPEC,
	resolve(__dirname, '../../../../shared/specs/paddle-billing-openapi.yaml'),
	'/work/shared/specs/paddle-billing-openapi.yaml',
].filter((p): p is string => typeof p === 'string' && p.length > 0);

export function specPath(): string {
	const found = SPEC_PATHS.find((p) => existsSync(p));
	if (!found) throw new Error(`Paddle OpenAPI spec not found; set PADDLE_OPENAPI_SPEC (looked in ${SPEC_PATHS.join(', ')})`);
	return found;
}

const docs = new Map<string, SpecDoc>();

/**
 * The parsed spec (cached per path); callers must not modify it. Parsing 1.6 MB of YAML takes
 * ~0.3 s and every test file that uses the sandbox needs it, so the parsed form is also kept as
 * JSON in the temp directory, keyed by the spec's path, size and modification time (~0.03 s).
 */
export function specDoc(path = specPath()): SpecDoc {
	let doc = docs.get(path);
	if (!doc) {
		const stat = statSync(path);
		const key = createHash('sha256').update(`${path}|${stat.size}|${stat.mtimeMs}`).digest('hex').slice(0, 16);
		const cached = join(tmpdir(), `kommo-billing-paddle-openapi-${key}.json`);
		try {
			doc = JSON.parse(readFileSync(cached, 'utf8')) as SpecDoc;
		} catch {
			doc = yaml.load(readFileSync(path, 'utf8')) as SpecDoc;
			try {
				const partial = `${cached}.${process.pid}.tmp`;
				writeFileSync(partial, JSON.stringify(doc));
				renameSync(partial, cached);
			} catch {
				// a read-only temp directory only costs the parse next time
			}
		}
		docs.set(path, doc);
	}
	return doc;
}

function escapePointer(s: string): string {
	return encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));
}

function newAjv(doc: object): InstanceType<typeof Ajv> {
	// validateSchema: false — the spec is Paddle's, checking it against the meta-schema on every
	// load only costs start-up time.
	const ajv = new Ajv({ allErrors: true, unknownFormats: 'ignore', schemaId: 'auto', jsonPointers: true, format: 'full', logger: false, validateSchema: false });
	ajv.addSchema({ ...doc, $id: 'paddle' }, 'paddle');
	return ajv;
}

function fieldList(errors: Validator['errors'], prefix = ''): Array<{ field: string; message: string }> {
	return (errors ?? []).map((e) => ({
		field: [prefix, (e.dataPath ?? '').replace(/^\//, '').replace(/\//g, '.')].filter(Boolean).join('.') || '(body)',
		message: `${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`,
	}));
}

/** Validation against the spec as published (strict: additionalProperties as the spec says). */
export class PaddleSpec {
	readonly doc: SpecDoc;
	private readonly ajv: InstanceType<typeof Ajv>;
	private readonly cache = new Map<string, Validator>();

	constructor(path = specPath(), relaxed = false) {
		this.doc = specDoc(path);
		this.ajv = newAjv(relaxed ? forAnswers(this.doc) : this.doc);
	}

	validator(pointer: string): Validator {
		let v = this.cache.get(pointer);
		if (!v) {
			v = this.ajv.compile({ $ref: `paddle#${pointer}` });
			this.cache.set(pointer, v);
		}
		return v;
	}

	/** Errors of `data` against a pointer into the spec (empty = valid). */
	errors(pointer: string, data: unknown): string[] {
		return this.fieldErrors(pointer, data).map((e) => `${e.field} ${e.message}`);
	}

	fieldErrors(pointer: string, data: unknown, prefix = ''): Array<{ field: string; message: string }> {
		const validate = this.validator(pointer);
		return validate(data) ? [] : fieldList(validate.errors, prefix);
	}

	static schema(name: string): string {
		return `/components/schemas/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
	}

	static pathPointer(path: string, method: string, ...rest: string[]): string {
		return ['', 'paths', path, method, ...rest].map((s, i) => (i === 0 ? s : escapePointer(s))).join('/');
	}

	/** Pointer to an operation's JSON request body schema. */
	static request(path: string, method: string): string {
		return PaddleSpec.pathPointer(path, method, 'requestBody', 'content', 'application/json', 'schema');
	}

	/** Pointer to an operation's JSON response schema for a status (the default error response follows its $ref). */
	static response(path: string, method: string, status: string): string {
		return PaddleSpec.pathPointer(path, method, 'responses', status, 'content', 'application/json', 'schema');
	}

	/** Pointer to a notification's schema (the webhook's request body). */
	static notification(eventType: string): string {
		return ['', 'webhooks', eventType, 'post', 'requestBody', 'content', 'application/json', 'schema'].map((s, i) => (i === 0 ? s : escapePointer(s))).join('/');
	}
}

/**
 * Properties Paddle's own published examples or real payloads omit, so they are optional although
 * the entity declares them (`<schema> : <property>`). Found by validating every response and
 * webhook example of the spec (2025-05-27) and ../shared/payloads/paddle/ against the spec with
 * every declared property required; each entry names one omitting example.
 */
const OPTIONAL = new Set([
	'adjustment : credit_applied_to_balance', // spec example "post /adjustments 201 Standard"
	'adjustment : tax_rates_used', // same
	'adjustment.created.data : tax_rates_used', // webhook example adjustment.created
	'adjustment.updated.data : tax_rates_used', // webhook example adjustment.updated
	'adjustment_payout_totals : chargeback_fee', // spec example "post /adjustments 201 Standard"
	// @paddle/paddle-node-sdk types shared/billing-details-response.d.ts: `purchase_order_number?: string | null`
	'billing_details : purchase_order_number',
	'customer-payment-method : underlying_details', // "get /customers/{customer_id}/payment-methods 200"
	'discount : mode', // "post /pricing-preview 200 Standard"
	'error.error : errors', // spec `error`.errors: "Only returned when there's a validation error."
	'item-subscription : product', // "patch /subscriptions/{subscription_id}/preview 200 Standard"
	'method_details : underlying_details', // "get /transactions 200 Standard", webhook transaction.completed
	'price : import_meta', // "get /transactions/{transaction_id} 200 Standard" (transaction items[].price)
	'price : trial_period', // "get /subscriptions/{subscription_id}/update-payment-method-transaction 200"
	'price-preview : import_meta', // "post /transactions/preview 200 Standard"
	'product : import_meta', // payloads/paddle/real-capture__monsterwriter_subscription.updated (items[].product)
	'product-preview : import_meta', // "post /transactions/preview 200 Standard"
	'subscription_transaction_preview_details.line_items : proration', // "post …/charge/preview 200"
	'transaction : revised_at', // "get /transactions 200 Standard"
	'transaction_details : adjusted_payout_totals', // webhook examples transaction.billed / .canceled / .completed
	'transaction_item : price_id', // "post /transactions 201 Standard" (items carry `price`)
	'transaction_item : proration', // same
	'transaction_line_item : proration', // same
	'transaction_preview_line_item : proration', // "post /transactions/preview 200 Standard"
]);

/**
 * The spec for checking answers and notifications: `additionalProperties: false` dropped (fields
 * newer than 2025-05 allowed), and every property an object schema declares required unless it is
 * include-only (`x-included: true`, returned only when asked for with `include`) or in OPTIONAL.
 * Paddle's entity schemas list no `required` at all (e.g. `customer`, `transaction`), while its
 * answers carry every field, `null` when empty (every example of the spec does), so without this a
 * missing field would pass unnoticed.
 */
function forAnswers(doc: SpecDoc): SpecDoc {
	// `names`: the keys of this object are property names (under `properties`), not keywords;
	// `owner`: the component schema (and property path) the object schema belongs to
	const walk = (value: unknown, names: boolean, owner: string): unknown => {
		if (Array.isArray(value)) return value.map((v) => walk(v, false, owner));
		if (value === null || typeof value !== 'object') return value;
		const out: Json = {};
		for (const [k, v] of Object.entries(value as Json)) {
			if (!names && k === 'additionalProperties' && v === false) continue;
			out[k] = walk(v, !names && (k === 'properties' || k === 'patternProperties'), names ? `${owner}.${k}` : owner);
		}
		if (!names && out.properties && typeof out.properties === 'object' && !Array.isArray(out.properties)) {
			const required = new Set((out.required as string[] | undefined) ?? []);
			for (const [k, p] of Object.entries(out.properties as Json)) {
				if (!(p as Json | null)?.['x-included'] && !OPTIONAL.has(`${owner} : ${k}`)) required.add(k);
			}
			out.required = [...required];
		}
		return out;
	};
	const schemas: Json = {};
	for (const [name, schema] of Object.entries(doc.components.schemas)) schemas[name] = walk(schema, false, name);
	return {
		paths: walk(doc.paths, false, 'paths'),
		webhooks: walk(doc.webhooks, false, 'webhooks'),
		components: { ...(walk(doc.components, false, 'components') as Json), schemas },
	} as SpecDoc;
}

// ---------------------------------------------------------------- operations and parameters

interface Parameter {
	name: string;
	required: boolean;
	schema: Json;
	/** Where its schema is, for the validator. */
	pointer: string;
	description: string;
}

export interface Operation {
	path: string;
	method: string;
	pattern: RegExp;
	query: Parameter[];
	requestBody?: { required: boolean; json: boolean };
	responses: Record<string, Json>;
}

let relaxedSpec: PaddleSpec | undefined;
let strictSpec: PaddleSpec | undefined;
let operationList: Operation[] | undefined;

/** For answers and notifications: fields newer than the spec allowed. */
function relaxed(): PaddleSpec {
	relaxedSpec ??= new PaddleSpec(specPath(), true);
	return relaxedSpec;
}

/**
 * For requests: the spec as published. Its request schemas say `additionalProperties: false`, and
 * some tell their alternatives apart by it (POST /subscriptions/{id}/resume: a body with
 * `effective_from`, null, or an empty object), so they cannot be relaxed.
 */
function strict(): PaddleSpec {
	strictSpec ??= new PaddleSpec(specPath(), false);
	return strictSpec;
}

function deref(doc: SpecDoc, value: unknown): Json {
	let v = value as Json;
	while (v && typeof v.$ref === 'string') {
		const parts = String(v.$ref).replace(/^#\//, '').split('/').map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
		v = parts.reduce<unknown>((node, key) => (node as Json)?.[key], doc) as Json;
	}
	return v;
}

function operations(): Operation[] {
	if (operationList) return operationList;
	const doc = specDoc();
	const out: Operation[] = [];
	for (const [path, item] of Object.entries(doc.paths)) {
		for (const [method, raw] of Object.entries(item)) {
			if (!['get', 'post', 'patch', 'put', 'delete'].includes(method) || !raw || typeof raw !== 'object') continue;
			const op = raw as Json;
			const query = ((op.parameters ?? []) as Json[]).flatMap((p, i): Parameter[] => {
				const param = deref(doc, p);
				if (param.in !== 'query') return [];
				const at = typeof p.$ref === 'string' ? String(p.$ref).replace(/^#/, '') : PaddleSpec.pathPointer(path, method, 'parameters', String(i));
				return [{ name: String(param.name), required: param.required === true, schema: param.schema as Json, pointer: `${at}/schema`, description: String(p.description ?? param.description ?? '') }];
			});
			const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
			out.push({
				path,
				method: method.toUpperCase(),
				// literal segments before parameters: /transactions/preview wins over /transactions/{id}
				pattern: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '{' || c === '}' ? c : `\\${c}`)).replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
				query,
				requestBody: body ? { required: body.required === true, json: Boolean((body.content as Json | undefined)?.['application/json']) } : undefined,
				responses: (op.responses ?? {}) as Record<string, Json>,
			});
		}
	}
	out.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
	operationList = out;
	return out;
}

/** The spec's operation for a request, if the spec has one. */
export function findOperation(method: string, path: string): Operation | undefined {
	return operations().find((o) => o.method === method.toUpperCase() && o.pattern.test(path));
}

const CLAMPS = 'Paddle returns the maximum number of results if a number greater than the maximum is requested';

/**
 * `per_page` of a list operation: its default, maximum and whether Paddle clamps a larger value
 * (the parameter's description says so for most lists, e.g. `components/parameters/per_page_query`:
 * "Paddle returns the maximum number of results if a number greater than the maximum is
 * requested"; `per_page_transaction_query` says nothing, so GET /transactions refuses it).
 */
export function perPage(method: string, path: string): { default: number; maximum: number; clamps: boolean } | undefined {
	const param = findOperation(method, path)?.query.find((p) => p.name === 'per_page');
	if (!param) return undefined;
	const schema = deref(specDoc(), param.schema);
	return { default: Number(schema.default), maximum: Number(schema.maximum), clamps: param.description.includes(CLAMPS) };
}

/** A query value as the parameter's schema types it (arrays: comma-separated). */
function coerce(doc: SpecDoc, schema: Json, raw: string | string[]): unknown {
	const s = deref(doc, schema);
	const types = ([] as unknown[]).concat(s.type ?? []);
	const values = Array.isArray(raw) ? raw : [raw];
	if (types.includes('array')) {
		const items = deref(doc, s.items ?? {});
		return values.flatMap((v) => v.split(',')).map((v) => coerce(doc, items, v));
	}
	const value = values.join(',');
	if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
	if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
	return value;
}

// ---------------------------------------------------------------- deviations

export interface Deviation {
	owner: object;
	kind: 'request' | 'response' | 'notification';
	what: string;
	errors: string[];
}

/** Deviations not yet reported, across every sandbox of this module registry (= jest test file). */
const open: Deviation[] = [];

/** Removes and returns the open deviations (of one sandbox, or all). */
export function takeDeviations(owner?: object): Deviation[] {
	const taken: Deviation[] = [];
	for (let i = open.length - 1; i >= 0; i--) {
		if (owner === undefined || open[i].owner === owner) taken.unshift(...open.splice(i, 1));
	}
	return taken;
}

export function formatDeviations(list: Deviation[]): string {
	const lines = list.slice(0, 20).map((d) => `- ${d.kind} ${d.what}: ${d.errors.slice(0, 5).join('; ')}`);
	if (list.length > 20) lines.push(`… and ${list.length - 20} more`);
	return `Paddle sandbox traffic deviates from Paddle's OpenAPI spec (../shared/specs/paddle-billing-openapi.yaml; dev/sandbox/paddle/spec.ts):\n${lines.join('\n')}`;
}

export interface RequestLike {
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	rawBody: Buffer;
	body: unknown;
}

/** One sandbox's checks against the spec, with what it refused and what deviated. */
export class SpecGuard {
	/** Requests refused by the spec check (also the deliberate ones), newest last. */
	readonly refused: Array<{ method: string; path: string; errors: Array<{ field: string; message: string }> }> = [];
	/** Deviations this sandbox recorded (all of them, reported or not). */
	readonly deviations: Deviation[] = [];
	/** Off: no checks at all (benchmarks that measure the sandbox's own speed may turn it off). */
	enabled = true;

	constructor(private readonly owner: object) {}

	private record(kind: Deviation['kind'], what: string, errors: string[]): void {
		const deviation = { owner: this.owner, kind, what, errors };
		this.deviations.push(deviation);
		open.push(deviation);
	}

	/**
	 * Field errors of a request against its operation (empty = valid, or no such operation in the
	 * spec: the sandbox answers those 404 itself). `tolerated`: a test sends this on purpose.
	 */
	request(req: RequestLike, tolerated = false): Array<{ field: string; message: string }> {
		if (!this.enabled) return [];
		const op = findOperation(req.method, req.path);
		if (!op) return [];
		const doc = specDoc();
		const spec = strict();
		const errors: Array<{ field: string; message: string }> = [];
		const query: Json = {};
		for (const [name, raw] of Object.entries(req.query)) {
			const param = op.query.find((p) => p.name === name);
			if (!param) {
				errors.push({ field: name, message: `is not a query parameter of ${op.method} ${op.path}` });
				continue;
			}
			query[name] = coerce(doc, param.schema, raw);
		}
		for (const param of op.query) {
			if (param.required && query[param.name] === undefined) errors.push({ field: param.name, message: 'must be provided as part of the request' });
			if (query[param.name] === undefined) continue;
			let value = query[param.name];
			const schema = deref(doc, param.schema);
			// per_page above the maximum is clamped, not refused, where the spec says so (see perPage)
			if (param.name === 'per_page' && param.description.includes(CLAMPS) && typeof value === 'number' && value > Number(schema.maximum)) value = Number(schema.maximum);
			errors.push(...spec.fieldErrors(param.pointer, value, param.name));
		}
		const hasBody = req.rawBody.length > 0;
		if (op.requestBody?.json) {
			if (!hasBody && op.requestBody.required) errors.push({ field: '(body)', message: 'request body must be provided' });
			if (hasBody) errors.push(...spec.fieldErrors(PaddleSpec.request(op.path, op.method.toLowerCase()), req.body));
		} else if (hasBody && !(req.rawBody.toString('utf8').trim() === '{}' && op.method !== 'GET')) {
			errors.push({ field: '(body)', message: `${op.method} ${op.path} takes no request body` });
		}
		if (errors.length > 0) {
			this.refused.push({ method: req.method, path: req.path, errors });
			if (!tolerated) this.record('request', `${req.method} ${req.path}`, errors.map((e) => `${e.field} ${e.message}`));
		}
		return errors;
	}

	/** Checks an answer of a routed request: its status is declared and its body validates. */
	response(req: { method: string; path: string }, status: number, body: Buffer | string): void {
		if (!this.enabled) return;
		const what = `${req.method} ${req.path} → ${status}`;
		const op = findOperation(req.method, req.path);
		if (!op) {
			if (status < 400) this.record('response', what, ['the spec has no such operation']);
			return;
		}
		if (status >= 400) return; // error bodies are checked where they are made (errorBody)
		const declared = op.responses[String(status)];
		if (!declared) {
			this.record('response', what, [`status ${status} is not a response of ${op.method} ${op.path} (declared: ${Object.keys(op.responses).join(', ')})`]);
			return;
		}
		const json = (deref(specDoc(), declared).content as Json | undefined)?.['application/json'];
		const text = body.toString();
		if (!json) {
			if (text !== '') this.record('response', what, ['the spec declares no body for this status']);
			return;
		}
		let data: unknown;
		try {
			data = JSON.parse(text);
		} catch {
			this.record('response', what, ['body is not JSON']);
			return;
		}
		const errors = relaxed().errors(PaddleSpec.response(op.path, op.method.toLowerCase(), String(status)), data);
		if (errors.length > 0) this.record('response', what, errors);
	}

	/** Checks an error envelope (`components/schemas/error`). */
	errorBody(status: number, body: unknown): void {
		if (!this.enabled) return;
		const errors = relaxed().errors(PaddleSpec.schema('error'), body);
		if (errors.length > 0) this.record('response', `error ${status} ${String(((body as Json)?.error as Json | undefined)?.code)}`, errors);
	}

	/** Checks a notification's wire body against `webhooks/<event_type>`. */
	notification(wire: { event_type: string } & Json): void {
		if (!this.enabled) return;
		const what = `${wire.event_type} ${String(wire.event_id)}`;
		if (!specDoc().webhooks[wire.event_type]) {
			this.record('notification', what, ['the spec has no such webhook']);
			return;
		}
		const errors = relaxed().errors(PaddleSpec.notification(wire.event_type), wire);
		if (errors.length > 0) this.record('notification', what, errors);
	}

	/** Throws listing this sandbox's unreported deviations (stop() calls it). */
	assertClean(): void {
		const mine = takeDeviations(this.owner);
		if (mine.length > 0) throw new Error(formatDeviations(mine));
	}
}
