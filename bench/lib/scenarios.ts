/**
 * The measured scenarios: Won → provisioned latency, the billing-event burst, and the dedupe
 * cost per event. Each works on a running World (world.ts) and returns plain data.
 */
import type { WorkflowJson } from '../../dev/n8n';
import type { PublicApi } from './dedupe-bucket';
import { deliverAll, type DeliveryOutcome } from './deliver';
import { RssSampler } from './proc';
import { mean, percentile, round, sleep } from './stats';
import { sendEvent, type SentEvent, type Variant, type Vendor, type World } from './world';

const nowMs = () => performance.timeOrigin + performance.now();

// ------------------------------------------------------------------------------------- Won

export interface WonSample {
	vendor: Vendor;
	variant: Variant;
	leadId: number;
	ok: boolean;
	/** Kommo webhook sent → subscription id and note on the deal (ms). */
	ms: number;
	/** Sandbox calls the chain made (all four sandboxes). */
	calls: number;
	kommoCalls: number;
	/**
	 * The time the vendors themselves account for: the union of the calls' latency intervals
	 * ([arrival, arrival + latency] each), so that calls made side by side count once. For calls
	 * made one after the other it is calls × latency.
	 */
	latencyShareMs: number;
	overheadMs: number;
	/** The calls, in order: `+<ms since start> <sandbox> <METHOD> <path> <status>`. */
	trace: string[];
	error?: string;
}

/** Length of the union of the intervals [t, t + length] (ms). */
export function coveredMs(starts: number[], length: number): number {
	let total = 0;
	let end = Number.NEGATIVE_INFINITY;
	for (const t of [...starts].sort((a, b) => a - b)) {
		if (t >= end) total += length;
		else total += Math.max(0, t + length - end);
		end = Math.max(end, t + length);
	}
	return total;
}

/** One deal through a Won flow: fire Kommo's status webhook, wait for the write-back and note. */
export async function runWonOnce(world: World, vendor: Vendor, variant: Variant, leadId: number, timeoutMs = 20_000): Promise<WonSample> {
	const { kommo } = world.stack;
	const target = world.wonTargets.get(`${variant}:${vendor}`);
	if (!target) throw new Error(`no ${variant} Won flow for ${vendor}`);
	await kommo.moveLead(leadId, 142, { fire: false });
	const body = kommo.webhookBody('status_lead', [leadId]);
	const started = nowMs();
	const delivery = kommo.sendRaw(target, body);
	let finished: number | undefined;
	let error: string | undefined;
	for (;;) {
		const fields = kommo.leadFieldMap(leadId);
		if (fields['Subscription ID'] && kommo.notesFor(leadId).length > 0) {
			finished = nowMs();
			break;
		}
		if (nowMs() - started > timeoutMs) {
			error = `no subscription id + note on the deal after ${timeoutMs} ms`;
			break;
		}
		await sleep(4);
	}
	const answer = await delivery;
	if (answer.status < 200 || answer.status >= 300) error = `Kommo webhook answered ${answer.status} ${answer.error ?? ''}`;
	const end = finished ?? nowMs();
	const inWindow = (r: { at: number; path: string }) => r.at >= started && r.at <= end;
	const calls = world.stack.sandboxes.reduce((n, s) => n + s.requests.filter(inWindow).length, 0);
	const kommoCalls = kommo.requests.filter((r) => inWindow(r) && r.path.startsWith('/api/')).length;
	const trace = world.stack.sandboxes
		.flatMap((s) => s.requests.filter(inWindow).map((r) => ({ at: r.at, line: `${s.name} ${r.method} ${r.path} ${r.status ?? '-'}` })))
		.sort((a, b) => a.at - b.at)
		.map((r) => `+${Math.round(r.at - started)} ${r.line}`);
	const ms = end - started;
	const arrivals = world.stack.sandboxes.flatMap((s) => s.requests.filter(inWindow).map((r) => r.at));
	const latencyShareMs = coveredMs(arrivals, world.stack.latencyMs);
	return { vendor, variant, leadId, ok: !error && finished !== undefined, ms, calls, kommoCalls, latencyShareMs, overheadMs: ms - latencyShareMs, trace, error };
}

export interface WonSummary {
	vendor: Vendor;
	variant: Variant;
	deals: number;
	failed: number;
	p50Ms: number;
	p95Ms: number;
	meanMs: number;
	callsPerDeal: number;
	kommoCallsPerDeal: number;
	overheadP50Ms: number;
	overheadP95Ms: number;
	errors: string[];
}

export function summarizeWon(samples: WonSample[]): WonSummary {
	const ok = samples.filter((s) => s.ok);
	return {
		vendor: samples[0].vendor,
		variant: samples[0].variant,
		deals: samples.length,
		failed: samples.length - ok.length,
		p50Ms: round(percentile(ok.map((s) => s.ms), 50)),
		p95Ms: round(percentile(ok.map((s) => s.ms), 95)),
		meanMs: round(mean(ok.map((s) => s.ms))),
		callsPerDeal: round(mean(ok.map((s) => s.calls)), 1),
		kommoCallsPerDeal: round(mean(ok.map((s) => s.kommoCalls)), 1),
		overheadP50Ms: round(percentile(ok.map((s) => s.overheadMs), 50)),
		overheadP95Ms: round(percentile(ok.map((s) => s.overheadMs), 95)),
		errors: [...new Set(samples.filter((s) => !s.ok).map((s) => s.error ?? 'unknown'))].slice(0, 5),
	};
}

// ------------------------------------------------------------------------------------- burst

export interface BurstResult {
	variant: Variant;
	mode: 'regular' | 'queue';
	events: number;
	concurrency: number;
	/** First delivery → last 2xx (ms), or until the run gave up. */
	completionMs: number;
	completed: boolean;
	acknowledged: number;
	deliveryAttempts: number;
	non2xxAnswers: number;
	noAnswer: number;
	kommoRequests: number;
	/** Kommo requests / (last − first Kommo request) in the burst. */
	kommoReqPerSec: number;
	/** Most Kommo requests that arrived within any 1 s. */
	kommoMaxInAnySecond: number;
	kommo429: number;
	kommo403: number;
	kommoBlocked: boolean;
	notesLanded: number;
	lost: number;
	duplicated: number;
	ackP50Ms: number;
	ackP95Ms: number;
	ackP99Ms: number;
	/** Delivery sent → 2xx per vendor (ms). */
	ackByVendor: Record<string, { events: number; p50Ms: number; p95Ms: number; p99Ms: number }>;
	/** Kommo API requests per event (issue 17 target 3: ack latency ≥ in flight × this / 7 req/s). */
	kommoCallsPerEvent: number;
	/** Queue mode: worker processes. */
	workers?: number;
	memory: { beforeMb: number; peakMb: number; meanMb: number; afterMb: number };
	/** CPU the n8n processes used during the burst: per event (ms) and on average (cores). */
	cpu: { msPerEvent: number; cores: number };
	note?: string;
	/** Queue-mode runs (queue-budget.ts): what was measured, e.g. "queue, 4 workers, shared budget …". */
	label?: string;
	budget?: 'static' | 'broker';
}

export interface BurstOptions {
	concurrency: number;
	/** Give up after this long (ms). */
	maxMs: number;
	/** Stop early when Kommo blocks the IP (nothing can land any more). */
	stopWhenBlocked?: boolean;
}

/** Delivers the events to one variant's event flows as the vendors would, and counts effects. */
export async function runBurst(world: World, variant: Variant, events: SentEvent[], options: BurstOptions): Promise<BurstResult> {
	const { stack } = world;
	const { kommo } = stack;
	const targets = new Map(events.map((e) => [e.vendor, world.eventTargets.get(`${variant}:${e.vendor}`)]));
	for (const [vendor, target] of targets) if (!target) throw new Error(`no ${variant} event flow for ${vendor}`);
	stack.resetLogs();
	await sleep(1100); // a fresh Kommo second for both limiters
	const sampler = new RssSampler(() => world.pgids(), 250).start();
	const before = sampler.samples[0]?.mb ?? Number.NaN;
	const started = Date.now();
	const deadline = started + options.maxMs;
	const outcomes: DeliveryOutcome[] = await deliverAll(
		events.map((event) => ({
			id: event.id,
			send: async () => await sendEvent(stack, targets.get(event.vendor)!, event),
		})),
		{ concurrency: options.concurrency, deadline, shouldStop: () => Boolean(options.stopWhenBlocked && kommo.blocked) },
	);
	const lastAck = Math.max(...outcomes.map((o) => o.ackAt ?? 0));
	// let executions that are still writing finish: quiet Kommo for 2 s (max 30 s)
	const settleUntil = Date.now() + 30_000;
	for (;;) {
		const last = kommo.requests[kommo.requests.length - 1]?.at ?? 0;
		if (nowMs() - last > 2000 || Date.now() > settleUntil) break;
		await sleep(250);
	}
	const memory = sampler.stop();
	const after = groupAfter(sampler);
	const apiRequests = kommo.requests.filter((r) => r.path.startsWith('/api/'));
	const first = apiRequests[0]?.at ?? 0;
	const last = apiRequests[apiRequests.length - 1]?.at ?? 0;
	let notesLanded = 0;
	let lost = 0;
	let duplicated = 0;
	for (const event of events) {
		const notes = kommo.notesFor(event.leadId).length;
		if (notes === 0) lost++;
		else notesLanded++;
		duplicated += Math.max(0, notes - 1);
	}
	const acked = outcomes.filter((o) => o.ok);
	const completed = acked.length === events.length;
	const ackMs = (o: DeliveryOutcome) => (o.ackAt as number) - o.firstAt;
	const vendorOf = new Map(events.map((e) => [e.id, e.vendor]));
	const ackByVendor: BurstResult['ackByVendor'] = {};
	for (const vendor of [...new Set(events.map((e) => e.vendor))]) {
		const mine = acked.filter((o) => vendorOf.get(o.id) === vendor).map(ackMs);
		ackByVendor[vendor] = { events: mine.length, p50Ms: round(percentile(mine, 50)), p95Ms: round(percentile(mine, 95)), p99Ms: round(percentile(mine, 99)) };
	}
	return {
		variant,
		mode: world.options.mode ?? 'regular',
		events: events.length,
		concurrency: options.concurrency,
		completionMs: round((completed ? lastAck : Date.now()) - started),
		completed,
		acknowledged: acked.length,
		deliveryAttempts: outcomes.reduce((n, o) => n + o.attempts, 0),
		non2xxAnswers: outcomes.reduce((n, o) => n + o.statuses.filter((s) => s !== 0 && (s < 200 || s >= 300)).length, 0),
		noAnswer: outcomes.reduce((n, o) => n + o.statuses.filter((s) => s === 0).length, 0),
		kommoRequests: apiRequests.length,
		kommoReqPerSec: last > first ? round((apiRequests.length - 1) / ((last - first) / 1000), 2) : Number.NaN,
		kommoMaxInAnySecond: kommo.maxInWindow(1000, (r) => r.path.startsWith('/api/')),
		kommo429: apiRequests.filter((r) => r.status === 429).length,
		kommo403: apiRequests.filter((r) => r.status === 403).length,
		kommoBlocked: kommo.blocked,
		notesLanded,
		lost,
		duplicated,
		ackP50Ms: round(percentile(acked.map(ackMs), 50)),
		ackP95Ms: round(percentile(acked.map(ackMs), 95)),
		ackP99Ms: round(percentile(acked.map(ackMs), 99)),
		ackByVendor,
		kommoCallsPerEvent: notesLanded ? round(apiRequests.length / notesLanded, 2) : Number.NaN,
		...(world.options.mode === 'queue' ? { workers: world.options.workers ?? 2 } : {}),
		memory: { beforeMb: round(before), peakMb: round(memory.peakMb), meanMb: round(memory.meanMb), afterMb: round(after) },
		cpu: { msPerEvent: round(memory.cpuMs / events.length, 1), cores: round(memory.cpuMs / memory.wallMs, 2) },
		...(kommo.blocked ? { note: 'Kommo blocked the IP after repeated 429s; every later call answered 403' } : {}),
	};
}

function groupAfter(sampler: RssSampler): number {
	return sampler.samples[sampler.samples.length - 1]?.mb ?? Number.NaN;
}

// ------------------------------------------------------------------------------------- dedupe

export const DEDUPE_PROBE_PATH = 'bench-dedupe-cost';

/**
 * Webhook → Code (one item per key in the body) → Billing Event Dedupe Claim (final at once), or,
 * with `lease: true` in the body, → Claim (final after Confirm) → Confirm, both on one history.
 */
export function dedupeProbeWorkflow(historySize: number): WorkflowJson {
	return {
		id: 'benchDedupeCost1',
		name: 'Bench: dedupe cost probe',
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'd0000000-0000-4000-8000-000000000001',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: 'bench-dedupe-cost',
				parameters: { httpMethod: 'POST', path: DEDUPE_PROBE_PATH, responseMode: 'lastNode', options: {} },
			},
			{
				id: 'd0000000-0000-4000-8000-000000000002',
				name: 'Keys',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: {
					jsCode:
						'const b = $json.body; const out = []; for (let i = b.from; i < b.to; i++) out.push({ json: { k: b.prefix + i } }); return out;',
				},
			},
			{
				id: 'd0000000-0000-4000-8000-000000000004',
				name: 'Lease?',
				type: 'n8n-nodes-base.if',
				typeVersion: 2.2,
				position: [330, 0],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
						conditions: [
							{
								id: 'd0000000-0000-4000-8000-0000000000c1',
								leftValue: "={{ $('Webhook').item.json.body.lease === true }}",
								rightValue: '',
								operator: { type: 'boolean', operation: 'true', singleValue: true },
							},
						],
						combinator: 'and',
					},
					looseTypeValidation: true,
					options: {},
				},
			},
			{
				id: 'd0000000-0000-4000-8000-000000000003',
				name: 'Claim',
				type: 'n8n-nodes-kommo-billing.billingEventDedupe',
				typeVersion: 1,
				position: [440, 100],
				parameters: { operation: 'claim', key: '={{ $json.k }}', historySize },
			},
			{
				id: 'd0000000-0000-4000-8000-000000000005',
				name: 'Claim (lease)',
				type: 'n8n-nodes-kommo-billing.billingEventDedupe',
				typeVersion: 1,
				position: [440, -100],
				parameters: { operation: 'claim', key: '={{ $json.k }}', historySize, finalWhen: 'confirm', leaseSeconds: 120 },
			},
			{
				id: 'd0000000-0000-4000-8000-000000000006',
				name: 'Confirm',
				type: 'n8n-nodes-kommo-billing.billingEventDedupe',
				typeVersion: 1,
				position: [660, -100],
				parameters: { operation: 'confirm', key: '={{ $json.k }}' },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Keys', type: 'main', index: 0 }]] },
			Keys: { main: [[{ node: 'Lease?', type: 'main', index: 0 }]] },
			'Lease?': {
				main: [
					[{ node: 'Claim (lease)', type: 'main', index: 0 }],
					[{ node: 'Claim', type: 'main', index: 0 }],
				],
			},
			'Claim (lease)': { main: [[{ node: 'Confirm', type: 'main', index: 0 }]] },
		},
	};
}

export interface DedupeLevel {
	storedKeys: number;
	samples: number;
	/** Claim node execution time per event (ms). */
	claimP50Ms: number;
	claimP95Ms: number;
	claimMeanMs: number;
	/** Whole execution (webhook in → response out) per event (ms). */
	roundTripP50Ms: number;
	/** Claim with "final after Confirm" (lease) on the same history (ms). */
	leaseClaimP50Ms: number;
	leaseClaimP95Ms: number;
	/** Confirm's execution time (ms). */
	confirmP50Ms: number;
	confirmP95Ms: number;
	/**
	 * The candidate store measured side by side (issue 17): n8n Data Tables through n8n's public
	 * API, the only route from a community node to them in n8n 2.40 (the in-process
	 * getDataTableProxy refuses every node type but n8n's own Data Table nodes). One row per
	 * key, the table already holding N rows. Claim = look the key up + insert its row; Confirm =
	 * conditional update of that row by id. Client-side round trips (ms); absent when skipped.
	 */
	dataTable?: {
		samples: number;
		claimP50Ms: number;
		claimP95Ms: number;
		lookupP50Ms: number;
		confirmP50Ms: number;
		confirmP95Ms: number;
	};
}

/** Fills the probe's history to each level and times single-event claims there. */
export async function measureDedupe(
	world: World,
	levels: number[],
	samples: number,
	log: (m: string) => void,
	options: { dataTable?: boolean } = {},
): Promise<DedupeLevel[]> {
	const dataTable = options.dataTable ? await dataTableCandidate(world, log) : undefined;
	const url = world.n8n.webhookUrl(DEDUPE_PROBE_PATH);
	const workflowId = 'benchDedupeCost1';
	const post = async (body: unknown) => {
		const t = performance.now();
		const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const text = await response.text();
		if (!response.ok) throw new Error(`dedupe probe: HTTP ${response.status} ${text.slice(0, 300)}`);
		return performance.now() - t;
	};
	const out: DedupeLevel[] = [];
	let stored = 0;
	let probe = 0;
	for (const level of [...levels].sort((a, b) => a - b)) {
		while (stored < level) {
			const to = Math.min(level, stored + 10_000);
			await post({ prefix: 'fill-', from: stored, to });
			stored = to;
		}
		log(`dedupe: ${stored} keys stored, timing ${samples} single-event claims`);
		const nodeTimes = async (body: (i: number) => unknown, nodes: string[]) => {
			const before = new Set((await world.n8n.api.executions({ workflowId })).map((e) => e.id));
			const roundTrips: number[] = [];
			for (let i = 0; i < samples; i++) {
				roundTrips.push(await post(body(probe)));
				probe++;
			}
			stored += samples;
			const runs = (await world.n8n.api.executions({ workflowId })).filter((e) => !before.has(e.id));
			const times = new Map(nodes.map((n) => [n, [] as number[]]));
			for (const run of runs) {
				const detail = await world.n8n.api.execution(run.id);
				for (const n of nodes) {
					const r = detail.data.resultData.runData[n]?.[0];
					if (r) times.get(n)?.push(r.executionTime);
				}
			}
			return { roundTrips, times };
		};
		const once = await nodeTimes((i) => ({ prefix: `probe-${level}-`, from: i, to: i + 1 }), ['Claim']);
		const lease = await nodeTimes((i) => ({ prefix: `lease-${level}-`, from: i, to: i + 1, lease: true }), ['Claim (lease)', 'Confirm']);
		const claimTimes = once.times.get('Claim') ?? [];
		const leaseTimes = lease.times.get('Claim (lease)') ?? [];
		const confirmTimes = lease.times.get('Confirm') ?? [];
		const measured: DedupeLevel = {
			storedKeys: level,
			samples: claimTimes.length,
			claimP50Ms: round(percentile(claimTimes, 50), 1),
			claimP95Ms: round(percentile(claimTimes, 95), 1),
			claimMeanMs: round(mean(claimTimes), 1),
			roundTripP50Ms: round(percentile(once.roundTrips, 50), 1),
			leaseClaimP50Ms: round(percentile(leaseTimes, 50), 1),
			leaseClaimP95Ms: round(percentile(leaseTimes, 95), 1),
			confirmP50Ms: round(percentile(confirmTimes, 50), 1),
			confirmP95Ms: round(percentile(confirmTimes, 95), 1),
			...(dataTable ? { dataTable: await dataTable.measure(level, samples) } : {}),
		};
		// each level as soon as it is measured: the 1M level takes minutes on a busy machine
		log(`dedupe at ${level} keys: ${JSON.stringify(measured)}`);
		out.push(measured);
	}
	return out;
}

/** n8n's public API with an API key of the owner holding every data-table scope. */
export async function publicDataTableApi(world: World): Promise<PublicApi> {
	const api = world.n8n.api;
	const scopes = (await api.request<string[]>('GET', '/rest/api-keys/scopes')).filter((s) => s.startsWith('dataTable'));
	const { rawApiKey } = await api.request<{ rawApiKey: string }>('POST', '/rest/api-keys', { label: `bench-${Date.now()}`, scopes, expiresAt: null });
	return {
		async call<T>(method: string, p: string, body?: unknown): Promise<T> {
			const send = async () =>
				await fetch(`${world.n8n.baseUrl}/api/v1${p}`, {
					method,
					headers: { 'X-N8N-API-KEY': rawApiKey, 'content-type': 'application/json' },
					body: body === undefined ? undefined : JSON.stringify(body),
				});
			// a kept-alive socket that n8n closed after 5 s idle fails the next request before it is
			// sent; a read is repeated once (writes are not: the bench reads before it writes)
			const response = await send().catch(async (error: unknown) => {
				if (method !== 'GET') throw error;
				return await send();
			});
			const text = await response.text();
			if (!response.ok) throw new Error(`data table ${method} ${p}: HTTP ${response.status} ${text.slice(0, 300)}`);
			return (text ? JSON.parse(text) : undefined) as T;
		},
	};
}

/**
 * n8n Data Tables through the public API (`/api/v1/data-tables`, API key of the owner), as a
 * community node would have to reach them: one row per key (columns k, state, v). The table is
 * filled to each level with 1,000-row inserts, then each sample claims one new key (look-up by
 * the k column, then insert) and confirms it (update filtered by id AND state = 'lease', the
 * conditional update a lease store needs). n8n creates no index on a data table's own columns
 * and no unique constraint, so the look-up scans the table and two inserts of one key both land.
 */
export async function dataTableCandidate(world: World, log: (m: string) => void) {
	const { call } = await publicDataTableApi(world);
	const table = await call<{ id: string }>('POST', '/data-tables', {
		name: `bench-dedupe-${Date.now()}`,
		columns: [{ name: 'k', type: 'string' }, { name: 'state', type: 'string' }, { name: 'v', type: 'number' }],
	});
	const rows = `/data-tables/${table.id}/rows`;
	const filter = (filters: Array<{ columnName: string; condition: 'eq'; value: string | number }>) => ({ type: 'and', filters });
	let stored = 0;
	let probe = 0;
	const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
		const t = performance.now();
		const value = await fn();
		return [value, performance.now() - t];
	};
	return {
		async measure(level: number, samples: number) {
			while (stored < level) {
				const n = Math.min(1000, level - stored);
				const data = Array.from({ length: n }, (_, i) => ({ k: `fill-${stored + i}`, state: 'final', v: 1 }));
				await call('POST', rows, { data, returnType: 'count' });
				stored += n;
			}
			log(`dedupe (data table candidate): ${stored} rows, timing ${samples} claims and confirms`);
			const claims: number[] = [];
			const lookups: number[] = [];
			const confirms: number[] = [];
			for (let i = 0; i < samples; i++) {
				const key = `probe-${level}-${probe++}`;
				const [found, lookupMs] = await timed(async () =>
					await call<{ data: unknown[] }>('GET', `${rows}?filter=${encodeURIComponent(JSON.stringify(filter([{ columnName: 'k', condition: 'eq', value: key }])))}`),
				);
				if (found.data.length !== 0) throw new Error(`data table candidate: ${key} unexpectedly present`);
				const [inserted, insertMs] = await timed(async () => await call<Array<{ id: number }>>('POST', rows, { data: [{ k: key, state: 'lease', v: 1 }], returnType: 'id' }));
				const [updated, confirmMs] = await timed(async () =>
					await call<unknown[]>('PATCH', `${rows}/update`, {
						filter: filter([{ columnName: 'id', condition: 'eq', value: inserted[0].id }, { columnName: 'state', condition: 'eq', value: 'lease' }]),
						data: { state: 'final', v: 2 },
						returnData: true,
					}),
				);
				if (updated.length !== 1) throw new Error(`data table candidate: the conditional update of ${key} matched ${updated.length} rows`);
				stored++;
				lookups.push(lookupMs);
				claims.push(lookupMs + insertMs);
				confirms.push(confirmMs);
			}
			return {
				samples,
				claimP50Ms: round(percentile(claims, 50), 1),
				claimP95Ms: round(percentile(claims, 95), 1),
				lookupP50Ms: round(percentile(lookups, 50), 1),
				confirmP50Ms: round(percentile(confirms, 50), 1),
				confirmP95Ms: round(percentile(confirms, 95), 1),
			};
		},
	};
}
