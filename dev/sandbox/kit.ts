/**
 * Base for the vendor sandboxes: a loopback HTTP server with in-memory state,
 * a request log, fault injection and programmable rate limits. Each vendor
 * sandbox (dev/sandbox/<vendor>/) subclasses SandboxServer and registers its
 * routes; the same servers power the unit/integration tests, the real-n8n
 * end-to-end tests, the demo and the benchmarks.
 *
 *   class MySandbox extends SandboxServer {
 *     constructor() { super('my'); this.route('GET', '/api/items/:id', (req, res) => res.json(200, {...})); }
 *   }
 *   const sb = await new MySandbox().start();   // sb.url = http://127.0.0.1:<port>
 *   sb.faults.push({ path: '/api/items/1', status: 500, times: 2 });
 *   sb.setRateLimit({ limit: 7, windowMs: 1000, respond: (req, res) => res.json(429, {...}) });
 *   ... sb.requests (log), sb.stats.rateLimited ...
 *   await sb.stop();
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { URL } from 'node:url';

export interface SandboxRequest {
	method: string;
	path: string;
	/** Query string decoded; repeated keys become arrays. */
	query: Record<string, string | string[]>;
	headers: Record<string, string>;
	rawBody: Buffer;
	/** JSON or form body decoded as the content type says (forms: flat key → value(s)). */
	body: unknown;
	params: Record<string, string>;
	/** Arrival time (ms since epoch, fractional). */
	at: number;
	/** HTTP status the sandbox answered with (filled once answered). */
	status?: number;
}

export class SandboxResponse {
	status = 200;
	readonly headers: Record<string, string> = {};
	body: Buffer | string = '';
	sent = false;

	header(name: string, value: string): this {
		this.headers[name.toLowerCase()] = value;
		return this;
	}

	json(status: number, body: unknown, contentType = 'application/json'): this {
		this.status = status;
		this.header('content-type', contentType);
		this.body = JSON.stringify(body);
		this.sent = true;
		return this;
	}

	text(status: number, body: string, contentType = 'text/plain'): this {
		this.status = status;
		this.header('content-type', contentType);
		this.body = body;
		this.sent = true;
		return this;
	}

	empty(status = 204): this {
		this.status = status;
		this.body = '';
		this.sent = true;
		return this;
	}
}

export type Handler = (req: SandboxRequest, res: SandboxResponse) => unknown;

export interface Fault {
	method?: string;
	/** Exact path, or a RegExp tested against the path. */
	path?: string | RegExp;
	/** Answer with this status (and body) instead of the route. */
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
	/** Delay before answering (added to the sandbox latency). */
	latencyMs?: number;
	/** Destroy the connection without an answer. */
	drop?: boolean;
	/** Let the route run first (the effect lands), then answer with the fault. */
	afterEffect?: boolean;
	/** How many requests this fault applies to; undefined = until removed. */
	times?: number;
	/** Fraction (0..1) of matching requests it applies to; default 1. */
	probability?: number;
}

export interface RateLimitRule {
	limit: number;
	windowMs: number;
	/** Which requests count (default: all). */
	match?: (req: SandboxRequest) => boolean;
	/** Key to count by (default: one bucket). */
	key?: (req: SandboxRequest) => string;
	/** Answers a request over the limit; `violations` counts them so far for that key. */
	respond: (req: SandboxRequest, res: SandboxResponse, violations: number) => void;
}

interface Route {
	method: string;
	pattern: RegExp;
	names: string[];
	handler: Handler;
}

export interface DeliveryResult {
	status: number;
	body: string;
	headers: Record<string, string | string[] | undefined>;
	ms: number;
	error?: string;
}

function compile(path: string): { pattern: RegExp; names: string[] } {
	const names: string[] = [];
	const source = path
		.split('/')
		.map((part) => {
			if (part.startsWith(':')) {
				names.push(part.slice(1));
				return '([^/]+)';
			}
			return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		})
		.join('/');
	return { pattern: new RegExp(`^${source}/?$`), names };
}

/** Decodes `a=1&b[0]=x&b[0]=y` into `{a: '1', 'b[0]': ['x','y']}` (flat keys, repeated → array). */
export function decodeFlatForm(text: string): Record<string, string | string[]> {
	const out: Record<string, string | string[]> = {};
	for (const [key, value] of new URLSearchParams(text)) {
		const prev = out[key];
		if (prev === undefined) out[key] = value;
		else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
	}
	return out;
}

export class SandboxServer {
	readonly requests: SandboxRequest[] = [];
	faults: Fault[] = [];
	/** Added before every answer, like a real SaaS round trip. */
	latencyMs = 0;
	readonly stats = { rateLimited: 0, faultsInjected: 0, dropped: 0 };
	private readonly routes: Route[] = [];
	private rateRules: RateLimitRule[] = [];
	private readonly rateLog = new Map<string, number[]>();
	private readonly violations = new Map<string, number>();
	private server?: Server;
	private readonly sockets = new Set<Socket>();
	url = '';
	port = 0;

	constructor(readonly name: string) {}

	route(method: string, path: string, handler: Handler): this {
		const { pattern, names } = compile(path);
		this.routes.push({ method: method.toUpperCase(), pattern, names, handler });
		return this;
	}

	setRateLimit(rule: RateLimitRule | undefined): void {
		this.rateRules = rule ? [rule] : [];
		this.rateLog.clear();
		this.violations.clear();
	}

	addRateLimit(rule: RateLimitRule): void {
		this.rateRules.push(rule);
	}

	/** Requests whose method/path match, for assertions. */
	requestsTo(method: string, path: string | RegExp): SandboxRequest[] {
		return this.requests.filter(
			(r) => r.method === method.toUpperCase() && (typeof path === 'string' ? r.path === path : path.test(r.path)),
		);
	}

	/** Clears the log, faults and rate-limit history; state is the subclass's to reset. */
	resetLog(): void {
		this.requests.length = 0;
		this.faults = [];
		this.stats.rateLimited = 0;
		this.stats.faultsInjected = 0;
		this.stats.dropped = 0;
		this.rateLog.clear();
		this.violations.clear();
	}

	/**
	 * Highest number of requests that arrived within any window of `windowMs`
	 * (optionally only those matching) — how a vendor counts a rate limit.
	 */
	maxInWindow(windowMs: number, filter: (r: SandboxRequest) => boolean = () => true): number {
		const times = this.requests.filter(filter).map((r) => r.at).sort((a, b) => a - b);
		let best = 0;
		let start = 0;
		for (let end = 0; end < times.length; end++) {
			while (times[end] - times[start] >= windowMs) start++;
			best = Math.max(best, end - start + 1);
		}
		return best;
	}

	async start(port = 0): Promise<this> {
		this.server = createServer((req, res) => void this.handle(req, res));
		this.server.keepAliveTimeout = 5_000;
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve, reject) => {
			this.server!.once('error', reject);
			this.server!.listen(port, '127.0.0.1', () => resolve());
		});
		this.port = (this.server.address() as AddressInfo).port;
		this.url = `http://127.0.0.1:${this.port}`;
		return this;
	}

	async stop(): Promise<void> {
		if (!this.server) return;
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}

	/** Decodes the body by content type; subclasses may override. */
	protected decodeBody(contentType: string, raw: Buffer): unknown {
		if (raw.length === 0) return undefined;
		const text = raw.toString('utf8');
		if (contentType.includes('json')) {
			try {
				return JSON.parse(text);
			} catch {
				return text;
			}
		}
		if (contentType.includes('application/x-www-form-urlencoded')) return decodeFlatForm(text);
		return text;
	}

	private takeFault(req: SandboxRequest): Fault | undefined {
		for (const fault of this.faults) {
			if (fault.method && fault.method.toUpperCase() !== req.method) continue;
			if (fault.path !== undefined) {
				const ok = typeof fault.path === 'string' ? fault.path === req.path : fault.path.test(req.path);
				if (!ok) continue;
			}
			if (fault.times !== undefined && fault.times <= 0) continue;
			if (fault.probability !== undefined && Math.random() >= fault.probability) continue;
			if (fault.times !== undefined) fault.times--;
			return fault;
		}
		return undefined;
	}

	private checkRate(req: SandboxRequest, res: SandboxResponse): boolean {
		for (const [i, rule] of this.rateRules.entries()) {
			if (rule.match && !rule.match(req)) continue;
			const key = `${i}|${rule.key ? rule.key(req) : ''}`;
			const log = this.rateLog.get(key) ?? [];
			while (log.length > 0 && log[0] <= req.at - rule.windowMs) log.shift();
			if (log.length >= rule.limit) {
				const count = (this.violations.get(key) ?? 0) + 1;
				this.violations.set(key, count);
				this.stats.rateLimited++;
				rule.respond(req, res, count);
				return false;
			}
			log.push(req.at);
			this.rateLog.set(key, log);
		}
		return true;
	}

	private async handle(incoming: IncomingMessage, out: ServerResponse): Promise<void> {
		const at = performance.timeOrigin + performance.now();
		const chunks: Buffer[] = [];
		for await (const chunk of incoming) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		const url = new URL(incoming.url ?? '/', 'http://sandbox');
		const query: Record<string, string | string[]> = {};
		for (const [k, v] of url.searchParams) {
			const prev = query[k];
			query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
		}
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(incoming.headers)) {
			headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
		}
		const req: SandboxRequest = {
			method: (incoming.method ?? 'GET').toUpperCase(),
			path: decodeURIComponent(url.pathname),
			query,
			headers,
			rawBody,
			body: this.decodeBody(headers['content-type'] ?? '', rawBody),
			params: {},
			at,
		};
		this.requests.push(req);
		const res = new SandboxResponse();
		try {
			await this.dispatch(req, res);
		} catch (error) {
			res.json(500, { sandbox_error: String((error as Error)?.stack ?? error) });
		}
		if (res.status === -1) {
			this.stats.dropped++;
			incoming.socket.destroy();
			return;
		}
		req.status = res.status;
		out.writeHead(res.status, res.headers);
		out.end(res.body);
	}

	private async dispatch(req: SandboxRequest, res: SandboxResponse): Promise<void> {
		const fault = this.takeFault(req);
		const delay = this.latencyMs + (fault?.latencyMs ?? 0);
		if (delay > 0) await new Promise((r) => setTimeout(r, delay));
		if (fault && !fault.afterEffect && (fault.drop || fault.status)) {
			this.stats.faultsInjected++;
			return this.applyFault(fault, res);
		}
		if (!this.checkRate(req, res)) return;
		if (!this.before(req, res)) return;
		const route = this.routes.find((r) => r.method === req.method && r.pattern.test(req.path));
		if (!route) {
			this.notFound(req, res);
		} else {
			const match = route.pattern.exec(req.path)!;
			route.names.forEach((name, i) => (req.params[name] = decodeURIComponent(match[i + 1])));
			await route.handler(req, res);
			if (!res.sent) res.empty(204);
		}
		if (fault && fault.afterEffect && (fault.drop || fault.status)) {
			this.stats.faultsInjected++;
			this.applyFault(fault, res);
		}
	}

	private applyFault(fault: Fault, res: SandboxResponse): void {
		if (fault.drop) {
			res.status = -1;
			return;
		}
		res.json(fault.status!, fault.body ?? { error: 'injected fault' });
		for (const [k, v] of Object.entries(fault.headers ?? {})) res.header(k, v);
	}

	/** Auth and other checks before routing; return false after answering. */
	protected before(_req: SandboxRequest, _res: SandboxResponse): boolean {
		return true;
	}

	protected notFound(req: SandboxRequest, res: SandboxResponse): void {
		res.json(404, { error: `sandbox ${this.name}: no route ${req.method} ${req.path}` });
	}

	/**
	 * Sends a webhook the way a vendor does and reports status and timing.
	 * Never throws: a refused connection or timeout is reported in `error`.
	 */
	async deliver(
		target: string,
		init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number },
	): Promise<DeliveryResult> {
		const started = performance.now();
		const url = new URL(target);
		const body = init.body ?? '';
		return await new Promise<DeliveryResult>((resolve) => {
			const req = httpRequest(
				{
					host: url.hostname,
					port: url.port,
					path: `${url.pathname}${url.search}`,
					method: init.method ?? 'POST',
					headers: { 'content-length': String(Buffer.byteLength(body)), ...(init.headers ?? {}) },
					timeout: init.timeoutMs ?? 30_000,
				},
				(response) => {
					const chunks: Buffer[] = [];
					response.on('data', (c: Buffer) => chunks.push(c));
					response.on('end', () =>
						resolve({
							status: response.statusCode ?? 0,
							body: Buffer.concat(chunks).toString('utf8'),
							headers: response.headers,
							ms: performance.now() - started,
						}),
					);
				},
			);
			req.on('timeout', () => req.destroy(new Error('timeout')));
			req.on('error', (error) =>
				resolve({ status: 0, body: '', headers: {}, ms: performance.now() - started, error: error.message }),
			);
			req.end(body);
		});
	}
}

/** Reads a request header case-insensitively (headers are stored lower-case). */
export function header(req: SandboxRequest, name: string): string | undefined {
	return req.headers[name.toLowerCase()];
}

/** Parses `Authorization: Basic …` into its pair, or undefined. */
export function basicAuth(req: SandboxRequest): { user: string; pass: string } | undefined {
	const value = header(req, 'authorization');
	if (!value?.startsWith('Basic ')) return undefined;
	const decoded = Buffer.from(value.slice(6), 'base64').toString('utf8');
	const i = decoded.indexOf(':');
	if (i < 0) return undefined;
	return { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

/** `Authorization: Bearer …` token, or undefined. */
export function bearerToken(req: SandboxRequest): string | undefined {
	const value = header(req, 'authorization');
	return value?.startsWith('Bearer ') ? value.slice(7) : undefined;
}
