/**
 * Validates JSON against schemas of Paddle's published OpenAPI 3.1 spec.
 *
 * The spec lives outside the repository (../shared/specs beside the repo, or
 * PADDLE_OPENAPI_SPEC). It is parsed with js-yaml and checked with Ajv 6
 * (JSON Schema draft-07): Paddle's schemas use the 3.1 features draft-07
 * shares (type arrays with "null", oneOf, patterns, enums, formats); 3.1-only
 * annotations (examples, deprecated, x-*) are ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require('ajv') as new (options: object) => {
	addSchema(schema: object, key: string): void;
	compile(schema: object): ((data: unknown) => boolean) & { errors?: Array<{ dataPath?: string; message?: string; params?: unknown }> | null };
};

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

type Validator = ((data: unknown) => boolean) & { errors?: Array<{ dataPath?: string; message?: string; params?: unknown }> | null };

export class PaddleSpec {
	readonly doc: { paths: Record<string, Record<string, unknown>>; components: Record<string, Record<string, unknown>> };
	private readonly ajv: InstanceType<typeof Ajv>;
	private readonly cache = new Map<string, Validator>();

	constructor(path = specPath()) {
		this.doc = yaml.load(readFileSync(path, 'utf8')) as PaddleSpec['doc'];
		this.ajv = new Ajv({ allErrors: true, unknownFormats: 'ignore', schemaId: 'auto', jsonPointers: true, format: 'full', logger: false });
		this.ajv.addSchema({ ...this.doc, $id: 'paddle' }, 'paddle');
	}

	private validator(pointer: string): Validator {
		let v = this.cache.get(pointer);
		if (!v) {
			v = this.ajv.compile({ $ref: `paddle#${pointer}` }) as Validator;
			this.cache.set(pointer, v);
		}
		return v;
	}

	/** Errors of `data` against a pointer into the spec (empty = valid). */
	errors(pointer: string, data: unknown): string[] {
		const validate = this.validator(pointer);
		if (validate(data)) return [];
		return (validate.errors ?? []).map((e) => `${e.dataPath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
	}

	static schema(name: string): string {
		return `/components/schemas/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
	}

	static pathPointer(path: string, method: string, ...rest: string[]): string {
		const escape = (s: string) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));
		return ['', 'paths', path, method, ...rest].map((s, i) => (i === 0 ? s : escape(s))).join('/');
	}

	/** Pointer to an operation's JSON request body schema. */
	static request(path: string, method: string): string {
		return PaddleSpec.pathPointer(path, method, 'requestBody', 'content', 'application/json', 'schema');
	}

	/** Pointer to an operation's JSON response schema for a status (the default error response follows its $ref). */
	static response(path: string, method: string, status: string): string {
		return PaddleSpec.pathPointer(path, method, 'responses', status, 'content', 'application/json', 'schema');
	}
}
