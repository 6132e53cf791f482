// Client for the running n8n's own REST API (the one its editor uses), logged in as the
// instance owner that the harness provisions through N8N_INSTANCE_OWNER_* variables (n8n 2.x) or
// sets up through the REST API on first login (n8n 1.x).
//
// Why this and not the alternatives:
// - reading database.sqlite directly would tie tests to n8n's schema and does not work for the
//   Postgres (queue mode) variant without a second code path;
// - the public API (/api/v1) needs an API key that can only be created through this same REST
//   API after logging in, so it adds a step and no robustness;
// - `n8n export:…` CLI commands take ~3 s each.
// The owner login is rate limited by n8n (5 per minute per e-mail), so the client logs in once
// and reuses the cookie (and logs in again only after a 401, e.g. after a restart).
import { N8N_MAJOR, type N8nInstall } from './install';

export const OWNER_EMAIL = 'e2e-owner@kommo-billing.test';
/** Local test instances only; never used anywhere else. */
export const OWNER_PASSWORD = 'E2e-owner-password-1';
const BROWSER_ID = 'kommo-billing-e2e-harness';

let ownerHash: string | undefined;
/** bcrypt hash of OWNER_PASSWORD, computed with the bcryptjs that n8n itself ships. */
export function ownerPasswordHash(install: N8nInstall): string {
	if (!ownerHash) {
		const bcrypt = install.requireFromN8n('bcryptjs') as { hashSync(value: string, rounds: number): string };
		ownerHash = bcrypt.hashSync(OWNER_PASSWORD, 10);
	}
	return ownerHash;
}

export type ExecutionStatus =
	| 'canceled'
	| 'crashed'
	| 'error'
	| 'new'
	| 'running'
	| 'success'
	| 'unknown'
	| 'waiting';

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	mode: string;
	status: ExecutionStatus;
	startedAt: string | null;
	stoppedAt: string | null;
	[key: string]: unknown;
}

/** One node run as n8n stores it in resultData.runData[nodeName][runIndex]. */
export interface NodeRun {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	error?: { message: string; description?: string; [key: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
	[key: string]: unknown;
}

export interface ExecutionDetail extends ExecutionSummary {
	data: {
		resultData: {
			runData: Record<string, NodeRun[]>;
			error?: { message: string; [key: string]: unknown };
			lastNodeExecuted?: string;
		};
		[key: string]: unknown;
	};
}

/**
 * fetch, tried once more when the connection was closed under it: undici reuses a kept-alive
 * socket that n8n has just closed ("other side closed", ECONNRESET), seen with n8n 1.x on a busy
 * machine. Only connection failures are retried, never an HTTP answer.
 */
async function fetchOnce(url: string, init: RequestInit): Promise<Response> {
	try {
		return await fetch(url, init);
	} catch (error) {
		const cause = String((error as { cause?: unknown }).cause ?? '');
		if (!/other side closed|ECONNRESET|socket hang up/i.test(cause)) throw error;
		return await fetch(url, init);
	}
}

export class N8nRestClient {
	private cookie: string | undefined;

	constructor(
		private readonly baseUrl: string,
		private readonly install: N8nInstall,
	) {}

	async login(): Promise<void> {
		let response = await fetchOnce(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': BROWSER_ID },
			body: JSON.stringify({ emailOrLdapLoginId: OWNER_EMAIL, password: OWNER_PASSWORD }),
		});
		// n8n 1.x has no N8N_INSTANCE_OWNER_* variables: a fresh instance has no owner until the
		// first POST /rest/owner/setup (allowed without login only then), which also logs in
		if (response.status === 401 && N8N_MAJOR < 2) {
			const setup = await fetchOnce(`${this.baseUrl}/rest/owner/setup`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'browser-id': BROWSER_ID },
				body: JSON.stringify({ email: OWNER_EMAIL, firstName: 'E2E', lastName: 'Owner', password: OWNER_PASSWORD }),
			});
			if (setup.ok) response = setup;
		}
		if (!response.ok) {
			throw new Error(`n8n owner login failed: HTTP ${response.status} ${await response.text()}`);
		}
		const setCookie = response.headers.get('set-cookie') ?? '';
		const match = /n8n-auth=([^;]+)/.exec(setCookie);
		if (!match) throw new Error('n8n owner login answered without an n8n-auth cookie');
		this.cookie = `n8n-auth=${match[1]}`;
	}

	/** Authenticated request to n8n (path like `/rest/executions` or `/types/nodes.json`). */
	async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		for (let attempt = 0; ; attempt++) {
			if (!this.cookie) await this.login();
			// only reads are retried: a write may have reached n8n before the connection broke
			const response = await (method === 'GET' ? fetchOnce : fetch)(`${this.baseUrl}${path}`, {
				method,
				headers: {
					'browser-id': BROWSER_ID,
					cookie: this.cookie ?? '',
					...(body === undefined ? {} : { 'content-type': 'application/json' }),
				},
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			if (response.status === 401 && attempt === 0) {
				this.cookie = undefined;
				continue;
			}
			const text = await response.text();
			if (!response.ok) throw new Error(`n8n ${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
			const parsed = text ? (JSON.parse(text) as unknown) : undefined;
			// /rest endpoints wrap their payload in { data }, /types files do not
			return (path.startsWith('/rest/') && parsed && typeof parsed === 'object' && 'data' in parsed
				? (parsed as { data: T }).data
				: parsed) as T;
		}
	}

	/** Node type descriptions n8n loaded (what the editor's node panel shows). */
	nodeTypes(): Promise<Array<{ name: string; displayName: string; version: number | number[]; [key: string]: unknown }>> {
		return this.request('GET', '/types/nodes.json');
	}

	credentialTypes(): Promise<Array<{ name: string; displayName: string; [key: string]: unknown }>> {
		return this.request('GET', '/types/credentials.json');
	}

	/** Executions, newest first (all of them, following n8n's 100-per-page range paging). */
	async executions(filter: { workflowId?: string; status?: ExecutionStatus[] } = {}): Promise<ExecutionSummary[]> {
		const all: ExecutionSummary[] = [];
		let lastId: string | undefined;
		for (;;) {
			const query = new URLSearchParams({ limit: '100', filter: JSON.stringify(filter) });
			if (lastId) query.set('lastId', lastId);
			const page = await this.request<{ results: ExecutionSummary[] }>('GET', `/rest/executions?${query}`);
			all.push(...page.results);
			if (page.results.length < 100) break;
			lastId = page.results[page.results.length - 1].id;
			// n8n only honours lastId together with firstId or a status filter
			if (!filter.status) filter = { ...filter, status: ['canceled', 'crashed', 'error', 'new', 'running', 'success', 'unknown', 'waiting'] };
		}
		return all;
	}

	/** One execution with its run data decoded (n8n sends it in `flatted` form). */
	async execution(id: string): Promise<ExecutionDetail> {
		const raw = await this.request<ExecutionSummary & { data: string }>('GET', `/rest/executions/${id}`);
		const flatted = this.install.requireFromN8n('flatted') as { parse(text: string): unknown };
		return { ...raw, data: flatted.parse(raw.data) as ExecutionDetail['data'] };
	}

	/**
	 * Waits until `count` executions of the workflow have finished (any final status) and returns
	 * them. Throws with what it saw when the timeout passes.
	 */
	async waitForExecutions(workflowId: string, count: number, timeoutMs = 30_000): Promise<ExecutionSummary[]> {
		const deadline = Date.now() + timeoutMs;
		let seen: ExecutionSummary[] = [];
		for (;;) {
			seen = await this.executions({ workflowId });
			const finished = seen.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
			if (finished.length >= count) return finished;
			if (Date.now() > deadline) {
				throw new Error(
					`expected ${count} finished executions of workflow ${workflowId}, saw ${seen.length}: ` +
						seen.map((e) => `${e.id}:${e.status}`).join(', '),
				);
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	/**
	 * Waits until a published workflow's trigger has its static data saved (a self-registering
	 * trigger's secret or registration id). n8n starts serving a webhook before it saves what the
	 * trigger's create() stored, so a delivery in between meets a trigger without its secret.
	 */
	async waitForTriggerData(workflowId: string, timeoutMs = 30_000): Promise<Record<string, Record<string, unknown>>> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const workflow = await this.request<{ staticData?: Record<string, Record<string, unknown>> | null }>(
				'GET',
				`/rest/workflows/${workflowId}`,
			);
			const data = workflow.staticData ?? {};
			if (Object.values(data).some((node) => node && Object.keys(node).length > 0)) return data;
			if (Date.now() > deadline) throw new Error(`workflow ${workflowId}: trigger static data not saved after ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
}

/** Output items of a node in an execution: main output `output`, first run unless told. */
export function nodeOutput(
	execution: ExecutionDetail,
	nodeName: string,
	output = 0,
	runIndex = 0,
): Array<Record<string, unknown>> {
	const run = execution.data.resultData.runData[nodeName]?.[runIndex];
	return (run?.data?.main?.[output] ?? []).map((item) => item.json);
}
