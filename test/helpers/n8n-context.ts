/**
 * Runs one of our nodes in-process with n8n-core's REAL execution contexts
 * (ExecuteContext, LoadOptionsContext, HookContext, WebhookContext), so
 * parameters, defaults, resource locators, credentials and the HTTP helpers
 * (`httpRequestWithAuthentication` → n8n's OutboundHttp) behave as in n8n.
 *
 * The only stand-in is the credentials helper (n8n keeps that in its CLI
 * package, with a database behind it): it hands out the credential data
 * given here, applies each credential type's `authenticate` (function, or
 * `generic` with `{{$credentials.x}}` templates) and runs `preAuthentication`
 * for expirable tokens the way n8n does (first use, and again after a 401).
 * The real-n8n suite (test/e2e) covers the rest.
 *
 *   const out = await executeNode({ nodeType: new Kommo(), parameters: {...},
 *     credentials: { kommoApi: {...} }, credentialTypes: [new KommoApi()] });
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IWorkflowExecuteAdditionalData,
	IRunExecutionData,
	INodePropertyOptions,
	ILoadOptionsFunctions,
	IHookFunctions,
	IWebhookFunctions,
	WorkflowActivateMode,
} from 'n8n-workflow';
import { NodeHelpers, Workflow, createRunExecutionData } from 'n8n-workflow';

// n8n-core reads its instance settings (user folder, encryption key) on first use.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'kb-n8n-core-'));
process.env.N8N_ENCRYPTION_KEY ??= 'test-encryption-key-not-secret';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('n8n-core') as typeof import('n8n-core');

export interface NodeRunOptions {
	nodeType: INodeType;
	parameters: INodeParameters;
	/** Decrypted credential data by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Instances of every credential type the node may use (and their parents). */
	credentialTypes?: ICredentialType[];
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	nodeName?: string;
	typeVersion?: number;
	/** Workflow static data, shared across calls when the same object is passed. */
	staticData?: IDataObject;
	/** n8n's execution id (default 'test-execution'); a new id models a new execution (re-run). */
	executionId?: string;
}

const TEMPLATE = /\{\{\s*\$credentials\??\.([\w.?]+)\s*\}\}/g;

function resolveTemplate(value: unknown, credentials: ICredentialDataDecryptedObject): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const body = value.slice(1);
	const whole = /^\{\{\s*\$credentials\??\.([\w.?]+)\s*\}\}$/.exec(body);
	const read = (path: string) =>
		path
			.replace(/\?/g, '')
			.split('.')
			.reduce<unknown>((acc, key) => (acc as IDataObject | undefined)?.[key], credentials);
	if (whole) return read(whole[1]);
	return body.replace(TEMPLATE, (_m, path: string) => String(read(path) ?? ''));
}

class TestCredentialsHelper {
	constructor(
		private readonly types: Map<string, ICredentialType>,
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
	) {}

	getParentTypes(name: string): string[] {
		const type = this.types.get(name);
		const parents = type?.extends ?? [];
		return parents.flatMap((p) => [p, ...this.getParentTypes(p)]);
	}

	async getDecrypted(
		_additionalData: unknown,
		nodeCredentials: { name?: string },
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const found = this.data[type];
		if (!found) throw new Error(`Test credentials of type "${type}" were not provided (node cred ${nodeCredentials?.name})`);
		return found;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const type = this.types.get(typeName);
		const auth = type?.authenticate;
		if (!auth) return requestOptions;
		if (typeof auth === 'function') return await auth(credentials, requestOptions);
		const out = { ...requestOptions } as IHttpRequestOptions & IDataObject;
		for (const [outerKey, inner] of Object.entries(auth.properties)) {
			const target = { ...((out[outerKey] as IDataObject) ?? {}) };
			for (const [key, value] of Object.entries(inner as IDataObject)) {
				target[key] = resolveTemplate(value, credentials) as IDataObject[string];
			}
			out[outerKey] = target;
		}
		return out;
	}

	async preAuthentication(
		helpers: { helpers: unknown },
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types.get(typeName);
		if (!type?.preAuthentication) return undefined;
		const expirable = type.properties.find((p) => p.typeOptions?.expirable === true);
		if (!expirable) return undefined;
		if (!credentialsExpired && credentials[expirable.name]) return undefined;
		// n8n's CredentialsHelper calls it with `this` = { helpers: { httpRequest } }.
		const output = await type.preAuthentication.call(helpers as never, credentials);
		Object.assign(this.data[typeName], output);
		return output as ICredentialDataDecryptedObject;
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async runPreAuthentication() {
		return undefined;
	}

	getCredentialsProperties(type: string) {
		return this.types.get(type)?.properties ?? [];
	}

	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
}

function nodeTypesFor(nodeType: INodeType): INodeTypes {
	const name = nodeType.description.name;
	return {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({ [name]: { className: name, sourcePath: '' } }) as never,
	} as INodeTypes;
}

function build(options: NodeRunOptions) {
	const { nodeType } = options;
	const description = nodeType.description;
	const typeVersion =
		options.typeVersion ??
		(Array.isArray(description.version)
			? description.version[description.version.length - 1]
			: description.version);
	const credentialNames = Object.keys(options.credentials ?? {});
	const node: INode = {
		id: 'node-under-test',
		name: options.nodeName ?? description.defaults.name ?? description.displayName,
		type: description.name,
		typeVersion,
		position: [0, 0],
		parameters: {},
		credentials: Object.fromEntries(credentialNames.map((c) => [c, { id: c, name: c }])),
		continueOnFail: options.continueOnFail,
	};
	node.parameters =
		NodeHelpers.getNodeParameters(description.properties, options.parameters, true, false, node, description) ??
		options.parameters;
	const workflow = new Workflow({
		id: 'wf-test',
		name: 'in-process test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: nodeTypesFor(nodeType),
		staticData: options.staticData ?? {},
		settings: {},
	});
	const types = new Map((options.credentialTypes ?? []).map((t) => [t.name, t]));
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(types, options.credentials ?? {}),
		executionId: options.executionId ?? 'test-execution',
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		webhookBaseUrl: 'http://127.0.0.1/webhook/',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting/',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test/',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting/',
		variables: {},
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'test-user',
		setExecutionStatus: () => {},
		hooks: undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
	const items = options.items ?? [{ json: {} }];
	const runExecutionData = createRunExecutionData({});
	return { node, workflow, additionalData, items, runExecutionData };
}

/** The node's `execute()` run inside a real n8n-core ExecuteContext. */
export function createExecuteContext(options: NodeRunOptions): IExecuteFunctions {
	const { node, workflow, additionalData, items, runExecutionData } = build(options);
	const executeData = { node, data: { main: [items] }, source: { main: [{ previousNode: 'Start' }] } };
	return new core.ExecuteContext(
		workflow,
		node,
		additionalData,
		'manual',
		runExecutionData as IRunExecutionData,
		0,
		items,
		{ main: [items] },
		executeData as never,
		[],
	) as unknown as IExecuteFunctions;
}

export async function executeNode(options: NodeRunOptions): Promise<INodeExecutionData[][]> {
	const context = createExecuteContext(options);
	if (!options.nodeType.execute) throw new Error('node has no execute()');
	return (await options.nodeType.execute.call(context)) as INodeExecutionData[][];
}

/** A `loadOptions` or `listSearch` method run inside a real LoadOptionsContext. */
export function createLoadOptionsContext(options: NodeRunOptions): ILoadOptionsFunctions {
	const { node, workflow, additionalData } = build(options);
	return new core.LoadOptionsContext(workflow, node, additionalData, '') as unknown as ILoadOptionsFunctions;
}

export async function loadOptions(
	options: NodeRunOptions,
	method: string,
): Promise<INodePropertyOptions[]> {
	const fn = options.nodeType.methods?.loadOptions?.[method];
	if (!fn) throw new Error(`no loadOptions method ${method}`);
	return await fn.call(createLoadOptionsContext(options));
}

/** A trigger's webhookMethods (checkExists/create/delete) inside a real HookContext. */
export function createHookContext(
	options: NodeRunOptions,
	webhookPath = 'webhook-under-test',
	activation: WorkflowActivateMode = 'activate',
): IHookFunctions {
	const { node, workflow, additionalData } = build(options);
	const webhookData = {
		httpMethod: 'POST',
		node: node.name,
		path: webhookPath,
		webhookDescription: options.nodeType.description.webhooks?.[0] ?? {},
		workflowId: workflow.id,
		isTest: false,
	};
	return new core.HookContext(
		workflow,
		node,
		additionalData,
		'trigger',
		activation,
		webhookData as never,
	) as unknown as IHookFunctions;
}

/** Minimal Express-like request/response pair for a trigger's `webhook()`. */
export interface FakeHttpExchange {
	request: {
		method: string;
		headers: Record<string, string>;
		body: unknown;
		rawBody: Buffer;
		query: Record<string, string>;
		params?: Record<string, string>;
		ip?: string;
	};
	response: {
		statusCode: number;
		headers: Record<string, string>;
		sent?: unknown;
		status(code: number): FakeHttpExchange['response'];
		setHeader(name: string, value: string): FakeHttpExchange['response'];
		header(name: string, value: string): FakeHttpExchange['response'];
		set(name: string, value: string): FakeHttpExchange['response'];
		send(body?: unknown): FakeHttpExchange['response'];
		json(body?: unknown): FakeHttpExchange['response'];
		end(body?: unknown): FakeHttpExchange['response'];
	};
}

export function fakeHttpExchange(init: {
	headers?: Record<string, string>;
	body?: unknown;
	rawBody?: Buffer | string;
	query?: Record<string, string>;
}): FakeHttpExchange {
	const response: FakeHttpExchange['response'] = {
		statusCode: 200,
		headers: {},
		status(code) {
			this.statusCode = code;
			return this;
		},
		setHeader(name, value) {
			this.headers[name.toLowerCase()] = value;
			return this;
		},
		header(name, value) {
			return this.setHeader(name, value);
		},
		set(name, value) {
			return this.setHeader(name, value);
		},
		send(body) {
			this.sent = body ?? '';
			return this;
		},
		json(body) {
			this.sent = body;
			return this;
		},
		end(body) {
			this.sent = body ?? '';
			return this;
		},
	};
	const raw = init.rawBody ?? (typeof init.body === 'string' ? init.body : JSON.stringify(init.body ?? {}));
	return {
		request: {
			method: 'POST',
			headers: Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
			body: init.body,
			rawBody: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
			query: init.query ?? {},
			ip: '127.0.0.1',
		},
		response,
	};
}

/**
 * A trigger's `webhook()` inside a real n8n-core WebhookContext; the HTTP
 * request and response are the fake exchange given (n8n passes Express's).
 */
export function createWebhookContext(
	options: NodeRunOptions,
	exchange: FakeHttpExchange,
	webhookName = 'default',
): IWebhookFunctions {
	const { node, workflow, additionalData } = build(options);
	const webhookData = {
		httpMethod: 'POST',
		node: node.name,
		path: 'webhook-under-test',
		webhookDescription: options.nodeType.description.webhooks?.[0] ?? {},
		workflowId: workflow.id,
		isTest: false,
	};
	(additionalData as unknown as IDataObject).httpRequest = exchange.request;
	(additionalData as unknown as IDataObject).httpResponse = exchange.response;
	return new core.WebhookContext(
		workflow,
		node,
		additionalData,
		'webhook',
		webhookData as never,
		[],
		null,
	) as unknown as IWebhookFunctions;
	void webhookName;
}
