/**
 * Reliability suite (`npm run test:reliability`; CI runs `RELIABILITY_SHORT=1`): OUR shipped
 * workflows (workflows/*.json) in a real n8n against the sandboxes, under the things that go
 * wrong in production. One line per scenario:
 *
 *   scenario  sent  delivered  effects  lost  dup  rejected  executions  result
 *
 *  - sent: webhook deliveries made (retries included); delivered: events answered 2xx;
 *  - effects: expected effects that landed (a note per payment, one provisioned subscription
 *    per deal, one task per deal that cannot be provisioned);
 *  - lost: expected effects missing at the end; dup: effects beyond one per event/deal;
 *  - rejected: calls answered 4xx other than 409 (409 = "another delivery of this event is in
 *    progress, come back later", which the vendor retries); executions: workflow executions the
 *    calls started.
 * Exits non-zero when any scenario loses or duplicates anything, a forged call is not rejected
 * or starts an execution, or a call gets a 5xx it should not.
 *
 * Scenarios: duplicates ×3 of every event (payments and Won), 20 % injected 5xx / 429 /
 * dropped connections on Kommo and the vendors, n8n killed (SIGKILL) and restarted mid-burst
 * with the vendors' retries bringing every event home, forged / tampered / replayed / unsigned
 * webhooks, malformed and oversized bodies, an unmapped plan, a missing email; then the
 * duplicate scenarios again with n8n in queue mode (Postgres + Redis, 2 workers; needs
 * `bash dev/services.sh`; RELIABILITY_QUEUE=0 skips them).
 *
 * Sizes: RELIABILITY_SHORT=1 (CI, a few minutes), or RELIABILITY_EVENTS / RELIABILITY_DEALS /
 * RELIABILITY_KILL_EVENTS; RELIABILITY_ONLY=<scenario,…> runs a subset.
 */
import { randomBytes } from 'node:crypto';

import { deliverAll, type Delivery, type DeliveryOutcome } from '../../bench/lib/deliver';
import { makePaymentEvents, seedProvisionedDeals, seedWonDeals, type DealSeed } from '../../bench/lib/events';
import type { Stack } from '../../bench/lib/stack';
import { pool, sleep, textTable } from '../../bench/lib/stats';
import { sendEvent, VENDORS, World, type EventTarget, type SentEvent, type Vendor } from '../../bench/lib/world';
import { PaddleSandbox } from '../sandbox/paddle';
import type { DeliveryResult } from '../sandbox/kit';

const SHORT = process.env.RELIABILITY_SHORT === '1';
const EVENTS = Number(process.env.RELIABILITY_EVENTS ?? (SHORT ? 12 : 60));
const DEALS = Number(process.env.RELIABILITY_DEALS ?? (SHORT ? 1 : 4));
const KILL_EVENTS = Number(process.env.RELIABILITY_KILL_EVENTS ?? (SHORT ? 30 : 120));
const QUEUE = process.env.RELIABILITY_QUEUE !== '0';
const ONLY = (process.env.RELIABILITY_ONLY ?? '').split(',').filter(Boolean);
const LATENCY_MS = Number(process.env.RELIABILITY_LATENCY_MS ?? 20);

const log = (message: string) => process.stderr.write(`[reliability ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

interface Row {
	scenario: string;
	sent: number;
	delivered: number;
	effects: number;
	lost: number;
	duplicated: number;
	rejected: number;
	executions: number | string;
	ok: boolean;
	notes: string[];
}

const rows: Row[] = [];

/**
 * Scenarios the product does not survive yet, each with the reason. A row of
 * one of them that fails is printed as GAP (and counted) instead of failing
 * the run; any other failure still fails it. Remove an entry once it is fixed.
 */
export const KNOWN_GAPS: Array<{ scenario: string; why: string }> = [
	// Closed in session 2: "answer lost after the effect" (notes and tasks now look for the
	// event id before writing on a redelivery) and "n8n killed mid-burst" (claims are final only
	// after Confirm; an unconfirmed claim's lease runs out and the retry goes through).
];

const gapOf = (row: Row) => (row.ok ? undefined : KNOWN_GAPS.find((g) => row.scenario.startsWith(g.scenario)));
const verdict = (row: Row) => (row.ok ? 'PASS' : gapOf(row) ? 'GAP' : 'FAIL');

function report(row: Row): void {
	rows.push(row);
	const gap = gapOf(row);
	if (gap) row.notes.push(`known gap: ${gap.why}`);
	const line = `${verdict(row).padEnd(4)}  ${row.scenario}: sent ${row.sent}, delivered ${row.delivered}, effects ${row.effects}, lost ${row.lost}, duplicated ${row.duplicated}, rejected ${row.rejected}, executions ${row.executions}`;
	process.stdout.write(`${line}${row.notes.length ? `\n      ${row.notes.join('\n      ')}` : ''}\n`);
}

const want = (name: string) => ONLY.length === 0 || ONLY.some((o) => name.startsWith(o));

// ----------------------------------------------------------------------------------- effects

/** Notes on each event's deal: one expected per event. */
function noteEffects(stack: Stack, events: SentEvent[]): { effects: number; lost: number; duplicated: number; lostIds: string[]; dupIds: string[] } {
	let effects = 0;
	let lost = 0;
	let duplicated = 0;
	const lostIds: string[] = [];
	const dupIds: string[] = [];
	for (const e of events) {
		const n = stack.kommo.notesFor(e.leadId).length;
		if (n === 0) {
			lost++;
			lostIds.push(`${e.vendor}:${e.leadId}`);
		} else effects++;
		if (n > 1) dupIds.push(`${e.vendor}:${e.leadId}`);
		duplicated += Math.max(0, n - 1);
	}
	return { effects, lost, duplicated, lostIds, dupIds };
}

/**
 * The columns and notes every payments scenario reports: one note expected per event. `ok` is
 * nothing lost and nothing duplicated; callers add their own conditions.
 */
async function paymentRow(world: World, events: SentEvent[], outcomes: DeliveryOutcome[], firstNote: string) {
	const fx = noteEffects(world.stack, events);
	return {
		sent: sum(outcomes.map((o) => o.attempts)),
		delivered: outcomes.filter((o) => o.ok).length,
		effects: fx.effects,
		lost: fx.lost,
		duplicated: fx.duplicated,
		rejected: countStatus(outcomes, isRejection),
		ok: fx.lost === 0 && fx.duplicated === 0,
		notes: [
			firstNote,
			...(fx.lostIds.length ? [`lost: ${fx.lostIds.slice(0, 10).join(', ')}`] : []),
			...(fx.dupIds.length ? [`duplicated: ${fx.dupIds.slice(0, 10).join(', ')}`] : []),
			...(await explain(world, events, fx)),
		],
	};
}

/** Subscriptions each vendor holds for a Kommo lead. */
function subscriptionsFor(stack: Stack, vendor: Vendor, leadId: number): number {
	if (vendor === 'chargebee') {
		return [...stack.chargebee.subscriptions.values()].filter((s) => s.customer_id === `kommo-lead-${leadId}`).length;
	}
	if (vendor === 'paddle') {
		const fromSubs = [...stack.paddle.subscriptions.values()].filter(
			(s) => String(((s.custom_data ?? {}) as Record<string, unknown>).kommo_lead_id ?? '') === String(leadId),
		).length;
		return fromSubs;
	}
	const accounts = new Set(stack.zuora.accounts.filter((a) => a.crmId === String(leadId)).map((a) => a.id));
	return stack.zuora.subscriptions.filter((s) => accounts.has(s.accountId)).length;
}

interface DealState {
	vendor: Vendor;
	leadId: number;
	provisioned: boolean;
	subscriptions: number;
	notes: number;
	tasks: number;
}

function dealState(stack: Stack, vendor: Vendor, leadId: number): DealState {
	const fields = stack.kommo.leadFieldMap(leadId);
	return {
		vendor,
		leadId,
		provisioned: Boolean(fields['Subscription ID']),
		subscriptions: subscriptionsFor(stack, vendor, leadId),
		notes: stack.kommo.notesFor(leadId).length,
		tasks: stack.kommo.tasksFor(leadId).length,
	};
}

// ----------------------------------------------------------------------------------- drivers

function deliveriesFor(world: World, events: SentEvent[], times = 1): Delivery[] {
	const out: Delivery[] = [];
	for (let t = 0; t < times; t++) {
		for (const e of events) {
			const target = world.eventTargets.get(`ours:${e.vendor}`);
			if (!target) throw new Error(`no shipped event flow for ${e.vendor}`);
			out.push({ id: `${e.id}#${t}`, send: async () => await sendEvent(world.stack, target, e) });
		}
	}
	return out;
}

async function executionsSince(world: World, before: Map<string, Set<string>>): Promise<number> {
	let n = 0;
	for (const [wf, ids] of before) {
		const now = await world.n8n.api.executions({ workflowId: wf });
		n += now.filter((e) => !ids.has(e.id)).length;
	}
	return n;
}

async function snapshotExecutions(world: World, workflowIds: string[]): Promise<Map<string, Set<string>>> {
	const out = new Map<string, Set<string>>();
	for (const wf of workflowIds) out.set(wf, new Set((await world.n8n.api.executions({ workflowId: wf })).map((e) => e.id)));
	return out;
}

function ourWorkflowIds(world: World, kind: 'won' | 'events'): string[] {
	return VENDORS.map((v) => world.workflowIds.get(`ours:${kind}:${v}`)).filter((x): x is string => Boolean(x));
}

/** Waits until every execution of our workflows has finished (none new / running / waiting). */
async function quiesce(world: World, timeoutMs = 120_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	const ids = [...ourWorkflowIds(world, 'won'), ...ourWorkflowIds(world, 'events')];
	for (;;) {
		let busy = 0;
		for (const wf of ids) {
			busy += (await world.n8n.api.executions({ workflowId: wf, status: ['new', 'running', 'waiting'] })).length;
		}
		if (busy === 0) return;
		if (Date.now() > deadline) throw new Error(`executions still running after ${timeoutMs / 1000} s`);
		await sleep(500);
	}
}

async function mixedEvents(stack: Stack, count: number): Promise<SentEvent[]> {
	const per = Math.ceil(count / VENDORS.length);
	const byVendor = await Promise.all(VENDORS.map(async (v) => await makePaymentEvents(stack, v, seedProvisionedDeals(stack, v, per))));
	const out: SentEvent[] = [];
	for (let i = 0; out.length < count; i++) out.push(byVendor[i % VENDORS.length][Math.floor(i / VENDORS.length)]);
	return out;
}

/** Fires Kommo's status webhook for a deal moved to Won, `times` times at once (redeliveries). */
async function fireWon(world: World, vendor: Vendor, leadId: number, times = 1): Promise<number[]> {
	const { kommo } = world.stack;
	const target = world.wonTargets.get(`ours:${vendor}`);
	if (!target) throw new Error(`no shipped Won flow for ${vendor}`);
	const lead = kommo.leads.get(leadId)!;
	if (lead.status_id === 142) {
		// a manager moves it back and wins it again; Kommo's timestamps are whole seconds
		await kommo.moveLead(leadId, kommo.mainPipeline.statuses[0].id, { fire: false });
		await sleep(1100);
	}
	await kommo.moveLead(leadId, 142, { fire: false });
	const body = kommo.webhookBody('status_lead', [leadId]);
	const answers = await Promise.all(Array.from({ length: times }, async () => (await kommo.sendRaw(target, body)).status));
	return answers;
}

/** Waits until `count` more executions of the Won flows have finished. */
async function waitWonExecutions(world: World, before: Map<string, Set<string>>, count: number, timeoutMs = 120_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		let finished = 0;
		for (const [wf, ids] of before) {
			const list = await world.n8n.api.executions({ workflowId: wf });
			finished += list.filter((e) => !ids.has(e.id) && !['new', 'running', 'waiting'].includes(e.status)).length;
		}
		if (finished >= count) return;
		if (Date.now() > deadline) throw new Error(`only ${finished} of ${count} Won executions finished`);
		await sleep(300);
	}
}

// ----------------------------------------------------------------------------------- faults

/** 20 % of the calls to every sandbox API fail: a third 5xx, a third 429, a third dropped. */
function injectFaults(stack: Stack, rate: number, afterEffect: boolean): void {
	const r = rate / 3;
	const probabilities = [r, r / (1 - r), r / (1 - 2 * r)];
	const targets: Array<{ sandbox: Stack['kommo'] | Stack['chargebee'] | Stack['paddle'] | Stack['zuora']; path: RegExp; tooMany: unknown; headers?: Record<string, string> }> = [
		{ sandbox: stack.kommo, path: /^\/api\//, tooMany: { title: 'Too Many Requests', type: 'https://httpstatus.es/429', status: 429, detail: 'Too many requests', retry_after: 1 } },
		{
			sandbox: stack.chargebee,
			path: /^\/api\/v2\//,
			tooMany: { message: 'Sorry, access has been blocked temporarily due to request count exceeding acceptable limits.', type: 'invalid_request', api_error_code: 'api_request_limit_exceeded', http_status_code: 429 },
			headers: { 'retry-after': '1' },
		},
		{
			sandbox: stack.paddle,
			path: /^\/(customers|transactions|subscriptions|addresses|businesses|prices|products)/,
			tooMany: { error: { type: 'request_error', code: 'too_many_requests', detail: 'Too many requests', documentation_url: 'https://developer.paddle.com/errors/shared/too_many_requests' } },
			headers: { 'retry-after': '1' },
		},
		{ sandbox: stack.zuora, path: /^\/(v1|oauth)\//, tooMany: { message: 'Too many requests' }, headers: { 'retry-after': '1' } },
	];
	for (const t of targets) {
		t.sandbox.faults.push(
			{ path: t.path, status: 503, body: { error: 'injected: service unavailable' }, probability: probabilities[0], afterEffect },
			// a 429 is a refusal: the server did nothing, whatever the other faults do
			{ path: t.path, status: 429, body: t.tooMany, headers: t.headers, probability: probabilities[1] },
			{ path: t.path, drop: true, probability: probabilities[2], afterEffect },
		);
	}
}

function faultCount(stack: Stack): number {
	return sum(stack.sandboxes.map((s) => s.stats.faultsInjected + s.stats.dropped));
}

/** Removes the faults; returns how many were injected since `since` (a faultCount()). */
function clearFaults(stack: Stack, since: number): number {
	for (const s of stack.sandboxes) s.faults = [];
	return faultCount(stack) - since;
}

/** `POST /api/v4/leads/notes` answers Kommo gave since a request-log index. */
function noteCalls(stack: Stack, fromIndex: number): string {
	const counts = new Map<string, number>();
	for (const r of stack.kommo.requests.slice(fromIndex)) {
		if (r.method !== 'POST' || !r.path.startsWith('/api/v4/leads/notes')) continue;
		const key = r.status === undefined ? 'dropped' : String(r.status);
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	return [...counts].map(([k, v]) => `${k}×${v}`).join(', ') || 'none';
}

/** For lost or duplicated events: the executions that carried them (status, last node). */
async function explain(world: World, events: SentEvent[], fx: { lostIds: string[]; dupIds: string[] }): Promise<string[]> {
	const wanted = new Map<string, string>();
	for (const id of [...fx.lostIds, ...fx.dupIds]) wanted.set(id.split(':')[1], id);
	if (wanted.size === 0) return [];
	const out: string[] = [];
	const unreadable: string[] = [];
	for (const vendor of VENDORS) {
		const wf = world.workflowIds.get(`ours:events:${vendor}`);
		if (!wf) continue;
		for (const summary of await world.n8n.api.executions({ workflowId: wf })) {
			let detail;
			try {
				detail = await world.n8n.api.execution(summary.id);
			} catch (error) {
				// an execution whose data cannot be read may be the one that carried the event: say so
				unreadable.push(`${summary.id}:${summary.status} (${(error as Error).message.slice(0, 60)})`);
				continue;
			}
			const runData = detail.data.resultData.runData;
			const trigger = Object.keys(runData).find((n) => / Trigger$/.test(n));
			const item = trigger ? runData[trigger]?.[0]?.data?.main?.[0]?.[0]?.json : undefined;
			const lead = String(((item?.normalized ?? {}) as Record<string, unknown>).kommoLeadId ?? '');
			if (!wanted.has(lead)) continue;
			const claimOut = runData['Claim event']?.[0]?.data?.main ?? [];
			const claimed = claimOut.flatMap((items, output) => (items ?? []).map((i) => `${['new', 'duplicate', 'in progress'][output]}/${String(((i.json.dedupe ?? {}) as Record<string, unknown>).status ?? '-')}`));
			const started = (summary as { startedAt?: string }).startedAt?.slice(11, 23) ?? '';
			out.push(`${wanted.get(lead)} execution ${summary.id} ${started}: ${summary.status}, claim ${claimed.join(',') || '-'}, ran ${Object.keys(runData).join(' → ')}`);
		}
	}
	void events;
	// when each note on a duplicated deal was written (the Kommo sandbox's request log), to match against the executions above
	for (const id of fx.dupIds) {
		const lead = Number(id.split(':')[1]);
		const writes = world.stack.kommo.requests.filter((r) => r.method === 'POST' && r.path.includes('/notes') && (r.path.includes(String(lead)) || JSON.stringify(r.body ?? '').includes(String(lead))));
		out.push(`${id} note writes: ${writes.map((r) => `${new Date(r.at).toISOString().slice(11, 23)}→${r.status ?? 'dropped'}`).join(', ') || 'none logged'}`);
	}
	if (unreadable.length) out.push(`executions whose data could not be read: ${unreadable.slice(0, 10).join(', ')}${unreadable.length > 10 ? ` and ${unreadable.length - 10} more` : ''}`);
	return out.slice(0, 30);
}

// ----------------------------------------------------------------------------------- scenarios

async function scenarioDuplicates(world: World, label: string): Promise<void> {
	const stack = world.stack;
	if (want(`${label}duplicates`)) {
		const events = await mixedEvents(stack, EVENTS);
		const before = await snapshotExecutions(world, ourWorkflowIds(world, 'events'));
		// every event three times; the copies race each other (concurrency 20, shuffled)
		const deliveries = shuffle(deliveriesFor(world, events, 3));
		const outcomes = await deliverAll(deliveries, { concurrency: 20, deadline: Date.now() + 300_000 });
		await quiesce(world);
		const row = await paymentRow(world, events, outcomes, `answers to the vendor: ${statusSummary(outcomes)} (409: a copy of the event was in progress; the vendor came back)`);
		report({
			scenario: `${label}duplicate deliveries ×3 (payments)`,
			...row,
			executions: await executionsSince(world, before),
			ok: row.ok && row.delivered === deliveries.length,
		});
	}
	if (want(`${label}duplicates`)) {
		const deals = VENDORS.flatMap((vendor) => seedWonDeals(stack, vendor, DEALS).map((leadId) => ({ vendor, leadId })));
		const before = await snapshotExecutions(world, ourWorkflowIds(world, 'won'));
		const answers = (await pool(deals, 6, async (d) => await fireWon(world, d.vendor, d.leadId, 3))).flat();
		await waitWonExecutions(world, before, deals.length * 3);
		const states = deals.map((d) => dealState(stack, d.vendor, d.leadId));
		const lost = states.filter((s) => !s.provisioned || s.subscriptions === 0).length;
		const duplicated = sum(states.map((s) => Math.max(0, s.subscriptions - 1) + Math.max(0, s.notes - 1)));
		report({
			scenario: `${label}duplicate deliveries ×3 (Won)`,
			sent: answers.length,
			delivered: answers.filter((s) => s >= 200 && s < 300).length,
			effects: states.filter((s) => s.provisioned && s.subscriptions >= 1).length,
			lost,
			duplicated,
			rejected: answers.filter((s) => s >= 400 && s < 500).length,
			executions: await executionsSince(world, before),
			ok: lost === 0 && duplicated === 0,
			notes: describeDeals(states.filter((s) => !s.provisioned || s.subscriptions !== 1 || s.notes !== 1)),
		});
	}
}

async function scenarioFaults(world: World, afterEffect: boolean): Promise<void> {
	const name = afterEffect ? 'faults-after' : 'faults';
	if (!want(name)) return;
	const stack = world.stack;
	const what = afterEffect ? '20% 5xx/429/drop AFTER the effect landed (answer lost)' : '20% injected 5xx/429/dropped connections';
	// payments
	{
		const events = await mixedEvents(stack, EVENTS);
		const before = await snapshotExecutions(world, ourWorkflowIds(world, 'events'));
		const faultsBefore = faultCount(stack);
		const logIndex = stack.kommo.requests.length;
		injectFaults(stack, 0.2, afterEffect);
		const outcomes = await deliverAll(deliveriesFor(world, events), { concurrency: 10, deadline: Date.now() + 300_000 });
		await quiesce(world);
		const injected = clearFaults(stack, faultsBefore);
		const row = await paymentRow(
			world,
			events,
			outcomes,
			`faults injected: ${injected}; answers to the vendor: ${statusSummary(outcomes)}; Kommo note calls: ${noteCalls(stack, logIndex)}`,
		);
		report({ scenario: `${what} (payments)`, ...row, executions: await executionsSince(world, before) });
	}
	// Won: Kommo does not retry (the trigger answers at once); a failed provisioning leaves a
	// task, and the manager moves the deal to Won again, up to 5 times
	{
		const deals = VENDORS.flatMap((vendor) => seedWonDeals(stack, vendor, DEALS).map((leadId) => ({ vendor, leadId })));
		const before = await snapshotExecutions(world, ourWorkflowIds(world, 'won'));
		const faultsBefore = faultCount(stack);
		injectFaults(stack, 0.2, afterEffect);
		let rounds = 0;
		let fired = 0;
		let pending = deals;
		while (pending.length && rounds < 5) {
			rounds++;
			const roundBefore = await snapshotExecutions(world, ourWorkflowIds(world, 'won'));
			await pool(pending, 6, async (d) => await fireWon(world, d.vendor, d.leadId));
			fired += pending.length;
			await waitWonExecutions(world, roundBefore, pending.length);
			pending = pending.filter((d) => !dealState(stack, d.vendor, d.leadId).provisioned);
		}
		const injected = clearFaults(stack, faultsBefore);
		const states = deals.map((d) => dealState(stack, d.vendor, d.leadId));
		const lost = states.filter((s) => !s.provisioned).length;
		const duplicated = sum(states.map((s) => Math.max(0, s.subscriptions - 1) + Math.max(0, s.notes - 1)));
		report({
			scenario: `${what} (Won, re-won by the manager after a failure task)`,
			sent: fired,
			delivered: fired,
			effects: states.filter((s) => s.provisioned && s.subscriptions >= 1).length,
			lost,
			duplicated,
			rejected: 0,
			executions: await executionsSince(world, before),
			ok: lost === 0 && duplicated === 0,
			notes: [
				`faults injected: ${injected}; Won rounds: ${rounds}; failure tasks: ${sum(states.map((s) => s.tasks))}`,
				...describeDeals(states.filter((s) => !s.provisioned || s.subscriptions !== 1 || s.notes !== 1)),
			],
		});
	}
}

async function scenarioKill(world: World): Promise<void> {
	if (!want('kill')) return;
	const stack = world.stack;
	const events = await mixedEvents(stack, KILL_EVENTS);
	let acked = 0;
	let killedAt = 0;
	let restarted: Promise<void> | undefined;
	const killAfter = Math.floor(events.length * 0.3);
	const outcomes = await deliverAll(deliveriesFor(world, events), {
		concurrency: 20,
		deadline: Date.now() + 600_000,
		onAttempt: (_id, result) => {
			if (result.status >= 200 && result.status < 300) acked++;
			if (acked >= killAfter && !killedAt) {
				killedAt = Date.now();
				for (const pgid of world.pgids()) {
					try {
						process.kill(-pgid, 'SIGKILL');
					} catch {
						// gone already
					}
				}
				log(`killed n8n (SIGKILL) after ${acked} of ${events.length} events were acknowledged; restarting`);
				restarted = world.n8n.restart().then(() => {
					log(`n8n is back after ${Math.round((Date.now() - killedAt) / 1000)} s`);
				});
			}
		},
	});
	await restarted;
	await quiesce(world);
	const row = await paymentRow(world, events, outcomes, `answers to the vendors: ${statusSummary(outcomes)} (no answer / 404 while n8n was down or starting)`);
	report({
		scenario: 'n8n killed (SIGKILL) and restarted mid-burst, vendors retry until 2xx',
		...row,
		executions: 'n/a',
		ok: row.ok && killedAt > 0,
	});
}

interface Attack {
	what: string;
	workflow: string;
	send: () => Promise<DeliveryResult>;
}

async function scenarioForged(world: World): Promise<void> {
	if (!want('forged')) return;
	const stack = world.stack;
	const attacks: Attack[] = [];
	const target = (v: Vendor) => world.eventTargets.get(`ours:${v}`) as EventTarget;
	const post = (url: string, body: string | Buffer, headers: Record<string, string>) =>
		stack.kommo.deliver(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, timeoutMs: 20_000 });
	const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
	const [cbEvent, pdEvent, zuEvent] = await Promise.all(VENDORS.map(async (v) => (await mixedEventsFor(stack, v, 1))[0]));

	// Chargebee: Basic auth on the endpoint
	const cb = target('chargebee') as Extract<EventTarget, { vendor: 'chargebee' }>;
	const cbBody = JSON.stringify(cbEvent.chargebee);
	attacks.push(
		{ what: 'Chargebee: no Authorization', workflow: 'chargebee', send: () => post(cb.url, cbBody, {}) },
		{ what: 'Chargebee: wrong password', workflow: 'chargebee', send: () => post(cb.url, cbBody, { authorization: basic(cb.user ?? 'x', 'wrong-password') }) },
		{ what: 'Chargebee: wrong user', workflow: 'chargebee', send: () => post(cb.url, cbBody, { authorization: basic('someone-else', cb.password ?? '') }) },
	);
	// Paddle: HMAC signature with timestamp
	const pd = target('paddle') as Extract<EventTarget, { vendor: 'paddle' }>;
	const pdBody = pdEvent.paddleBody as string;
	const now = () => Math.floor(Date.now() / 1000);
	attacks.push(
		{ what: 'Paddle: unsigned', workflow: 'paddle', send: () => post(pd.url, pdBody, {}) },
		{ what: 'Paddle: signed with another secret (forged)', workflow: 'paddle', send: () => post(pd.url, pdBody, { 'paddle-signature': PaddleSandbox.signatureHeader(['pdl_ntfset_forged_secret'], pdBody, now()) }) },
		{
			what: 'Paddle: body tampered after signing',
			workflow: 'paddle',
			send: () => post(pd.url, pdBody.replace(/"grand_total":"\d+"/, '"grand_total":"1"'), { 'paddle-signature': PaddleSandbox.signatureHeader([pd.secret], pdBody, now()) }),
		},
		// The signature tolerance is 3 days + 1 h by default (Paddle's retries may keep the original
		// ts; docs/paddle.md): a younger replay is stopped by event-id dedupe (the "genuine
		// deliveries replayed later" scenario), an older one by the signature check, as here.
		{ what: 'Paddle: replayed (valid signature, 4 days old)', workflow: 'paddle', send: () => post(pd.url, pdBody, { 'paddle-signature': PaddleSandbox.signatureHeader([pd.secret], pdBody, now() - 4 * 86_400) }) },
		{ what: 'Paddle: garbage signature header', workflow: 'paddle', send: () => post(pd.url, pdBody, { 'paddle-signature': 'ts=abc;h1=zz' }) },
	);
	// Zuora: Basic auth on the callout
	const zu = target('zuora') as Extract<EventTarget, { vendor: 'zuora' }>;
	const zuBody = JSON.stringify(zuEvent.zuora);
	attacks.push(
		{ what: 'Zuora: no Authorization', workflow: 'zuora', send: () => post(zu.url, zuBody, {}) },
		{ what: 'Zuora: wrong password', workflow: 'zuora', send: () => post(zu.url, zuBody, { authorization: basic(zu.user, 'wrong-password') }) },
	);
	// Kommo Won: secret in the URL + account id
	for (const vendor of VENDORS) {
		const destination = world.wonTargets.get(`ours:${vendor}`);
		if (!destination) continue;
		const [leadId] = seedWonDeals(stack, vendor, 1);
		stack.kommo.leads.get(leadId)!.status_id = 142;
		const form = stack.kommo.webhookBody('status_lead', [leadId]);
		const base = destination.split('?')[0];
		const kommoPost = (url: string, body: string) => stack.kommo.deliver(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
		attacks.push(
			{ what: `Kommo Won (${vendor}): no secret in the URL`, workflow: `won:${vendor}`, send: () => kommoPost(base, form) },
			{ what: `Kommo Won (${vendor}): wrong secret`, workflow: `won:${vendor}`, send: () => kommoPost(`${base}?secret=${randomBytes(12).toString('hex')}`, form) },
			{
				what: `Kommo Won (${vendor}): right secret, another Kommo account`,
				workflow: `won:${vendor}`,
				send: () => kommoPost(destination, form.replace(/account%5Bid%5D=\d+/, 'account%5Bid%5D=12345')),
			},
		);
	}
	const ids = [...ourWorkflowIds(world, 'events'), ...ourWorkflowIds(world, 'won')];
	const before = await snapshotExecutions(world, ids);
	const notesBefore = stack.kommo.notes.length;
	const results: Array<{ attack: Attack; result: DeliveryResult }> = [];
	for (const attack of attacks) results.push({ attack, result: await attack.send() });
	await sleep(1500);
	await quiesce(world);
	const executions = await executionsSince(world, before);
	const rejected = results.filter((r) => r.result.status >= 400 && r.result.status < 500);
	const effects = stack.kommo.notes.length - notesBefore;
	report({
		scenario: 'forged, tampered, replayed and unsigned webhooks',
		sent: results.length,
		delivered: results.filter((r) => r.result.status >= 200 && r.result.status < 300).length,
		effects,
		lost: 0,
		duplicated: 0,
		rejected: rejected.length,
		executions,
		ok: rejected.length === results.length && executions === 0 && effects === 0,
		notes: results.filter((r) => r.result.status < 400 || r.result.status >= 500).map((r) => `NOT rejected: ${r.attack.what} → ${r.result.status}`),
	});
	// Replays of a real, already processed delivery: acknowledged, no second effect.
	const genuine = [cbEvent, pdEvent, zuEvent];
	const first = await deliverAll(deliveriesFor(world, genuine), { concurrency: 3, deadline: Date.now() + 120_000 });
	await quiesce(world);
	const replay = await deliverAll(deliveriesFor(world, genuine, 2), { concurrency: 3, deadline: Date.now() + 120_000 });
	await quiesce(world);
	const fx = noteEffects(stack, genuine);
	report({
		scenario: 'genuine deliveries replayed later (same event, fresh signature)',
		sent: sum([...first, ...replay].map((o) => o.attempts)),
		delivered: [...first, ...replay].filter((o) => o.ok).length,
		effects: fx.effects,
		lost: fx.lost,
		duplicated: fx.duplicated,
		rejected: countStatus(replay, isRejection),
		executions: 'n/a',
		ok: fx.lost === 0 && fx.duplicated === 0,
		notes: [],
	});
}

async function mixedEventsFor(stack: Stack, vendor: Vendor, count: number): Promise<SentEvent[]> {
	return await makePaymentEvents(stack, vendor, seedProvisionedDeals(stack, vendor, count));
}

async function scenarioMalformed(world: World): Promise<void> {
	if (!want('malformed')) return;
	const stack = world.stack;
	const target = (v: Vendor) => world.eventTargets.get(`ours:${v}`) as EventTarget;
	const post = (url: string, body: string | Buffer, headers: Record<string, string>, contentType = 'application/json') =>
		stack.kommo.deliver(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body, timeoutMs: 60_000 });
	const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
	const cb = target('chargebee') as Extract<EventTarget, { vendor: 'chargebee' }>;
	const pd = target('paddle') as Extract<EventTarget, { vendor: 'paddle' }>;
	const zu = target('zuora') as Extract<EventTarget, { vendor: 'zuora' }>;
	const cbAuth = { authorization: basic(cb.user ?? '', cb.password ?? '') };
	const zuAuth = { authorization: basic(zu.user, zu.password) };
	const signed = (body: string | Buffer) => ({ 'paddle-signature': PaddleSandbox.signatureHeader([pd.secret], body, Math.floor(Date.now() / 1000)) });
	const broken = '{"id":"ev_broken","event_type":"payment_succeeded","content":{"customer":';
	const huge = Buffer.alloc(17 * 1024 * 1024, 'a'); // above n8n's 16 MiB payload limit
	const bigJson = JSON.stringify({ id: `ev_big_${randomBytes(4).toString('hex')}`, event_type: 'payment_succeeded', padding: 'x'.repeat(3 * 1024 * 1024) });
	// Bodies above n8n's N8N_PAYLOAD_SIZE_MAX (16 MiB) are refused by n8n itself before any
	// workflow runs; n8n 2.40 answers them 500 ("request entity too large"), which a vendor
	// would retry, so they are expected to start nothing rather than to get a 4xx.
	const cases: Array<{ what: string; overLimit?: boolean; send: () => Promise<DeliveryResult> }> = [
		{ what: 'Chargebee: truncated JSON (valid auth)', send: () => post(cb.url, broken, cbAuth) },
		{ what: 'Chargebee: JSON array instead of an event', send: () => post(cb.url, '[1,2,3]', cbAuth) },
		{ what: 'Chargebee: event without id / type', send: () => post(cb.url, '{"content":{}}', cbAuth) },
		{ what: 'Chargebee: 17 MB body', overLimit: true, send: () => post(cb.url, huge, cbAuth) },
		{ what: 'Chargebee: 3 MB event of an unknown shape', send: () => post(cb.url, bigJson, cbAuth) },
		{ what: 'Paddle: truncated JSON, correctly signed', send: () => post(pd.url, broken, signed(broken)) },
		{ what: 'Paddle: 17 MB body, signed', overLimit: true, send: () => post(pd.url, huge, signed(huge)) },
		{ what: 'Zuora: truncated JSON (valid auth)', send: () => post(zu.url, broken, zuAuth) },
		{ what: 'Zuora: form body instead of JSON', send: () => post(zu.url, 'a=1&b=2', zuAuth, 'application/x-www-form-urlencoded') },
		{ what: 'Zuora: 17 MB body', overLimit: true, send: () => post(zu.url, huge, zuAuth) },
	];
	for (const vendor of VENDORS) {
		const destination = world.wonTargets.get(`ours:${vendor}`);
		if (!destination) continue;
		cases.push(
			{ what: `Kommo Won (${vendor}): form with a non-numeric lead id`, send: () => post(destination, 'leads%5Bstatus%5D%5B0%5D%5Bid%5D=abc&account%5Bid%5D=29000001', {}, 'application/x-www-form-urlencoded') },
			{ what: `Kommo Won (${vendor}): JSON instead of a form`, send: () => post(destination, '{"leads":{"status":[{"id":1}]}}', {}) },
		);
	}
	const ids = [...ourWorkflowIds(world, 'events'), ...ourWorkflowIds(world, 'won')];
	const before = await snapshotExecutions(world, ids);
	const notesBefore = stack.kommo.notes.length;
	const tasksBefore = stack.kommo.tasks.length;
	const results: Array<{ what: string; overLimit?: boolean; result: DeliveryResult }> = [];
	for (const c of cases) results.push({ what: c.what, overLimit: c.overLimit, result: await c.send() });
	await sleep(1500);
	await quiesce(world);
	// n8n must still work: one genuine payment per vendor lands afterwards
	const after = await Promise.all(VENDORS.map(async (v) => (await mixedEventsFor(stack, v, 1))[0]));
	const afterOutcomes = await deliverAll(deliveriesFor(world, after), { concurrency: 3, deadline: Date.now() + 120_000 });
	await quiesce(world);
	const fx = noteEffects(stack, after);
	const executions = await executionsSince(world, before);
	const effects = stack.kommo.notes.length - notesBefore - fx.effects + (stack.kommo.tasks.length - tasksBefore);
	const fiveXX = results.filter((r) => !r.overLimit && (r.result.status >= 500 || r.result.status === 0));
	report({
		scenario: 'malformed and oversized bodies (then a genuine event per vendor)',
		sent: results.length + sum(afterOutcomes.map((o) => o.attempts)),
		delivered: results.filter((r) => r.result.status >= 200 && r.result.status < 300).length,
		effects,
		lost: fx.lost,
		duplicated: fx.duplicated,
		rejected: results.filter((r) => r.result.status >= 400 && r.result.status < 500).length,
		executions: executions - after.length,
		ok: effects === 0 && fiveXX.length === 0 && fx.lost === 0 && fx.duplicated === 0,
		notes: results.map(
			(r) =>
				`${r.what} → ${r.result.status}${r.result.error ? ` (${r.result.error})` : ''}${r.overLimit ? ' (n8n\'s own payload limit, before any workflow)' : ''}${!r.overLimit && r.result.status >= 500 ? '  <-- 5xx' : ''}`,
		),
	});
}

async function scenarioDealProblems(world: World): Promise<void> {
	const stack = world.stack;
	const cases: Array<{ name: string; scenario: string; seed: DealSeed; task: RegExp }> = [
		{ name: 'unmapped', scenario: 'an unmapped plan (Starter) on a won deal', seed: { plan: 'Starter' }, task: /Starter|mapping|mapped/i },
		{ name: 'no-email', scenario: 'a won deal whose contact has no email', seed: { email: null }, task: /email/i },
	];
	for (const c of cases) {
		if (!want(c.name)) continue;
		const deals = VENDORS.flatMap((vendor) => seedWonDeals(stack, vendor, DEALS, c.seed).map((leadId) => ({ vendor, leadId })));
		const before = await snapshotExecutions(world, ourWorkflowIds(world, 'won'));
		await pool(deals, 6, async (d) => await fireWon(world, d.vendor, d.leadId));
		await waitWonExecutions(world, before, deals.length);
		const states = deals.map((d) => ({ ...dealState(stack, d.vendor, d.leadId), matching: stack.kommo.tasksFor(d.leadId).filter((t) => c.task.test(t.text)).length }));
		const customers = deals.filter((d) => vendorCustomerExists(stack, d.vendor, d.leadId)).length;
		const lost = states.filter((s) => s.matching === 0).length;
		const duplicated = sum(states.map((s) => Math.max(0, s.matching - 1) + s.subscriptions + (s.provisioned ? 1 : 0)));
		report({
			scenario: `${c.scenario}: one task, nothing created in the vendor`,
			sent: deals.length,
			delivered: deals.length,
			effects: states.filter((s) => s.matching === 1).length,
			lost,
			duplicated,
			rejected: 0,
			executions: await executionsSince(world, before),
			ok: lost === 0 && duplicated === 0 && customers === 0,
			notes: [
				...(customers ? [`${customers} deal(s) got a customer/account in the vendor anyway`] : []),
				...states.filter((s) => s.matching !== 1).map((s) => `${s.vendor} deal ${s.leadId}: ${s.matching} matching task(s), tasks: ${stack.kommo.tasksFor(s.leadId).map((t) => t.text.slice(0, 80)).join(' | ')}`),
			],
		});
	}
}

function vendorCustomerExists(stack: Stack, vendor: Vendor, leadId: number): boolean {
	if (vendor === 'chargebee') return stack.chargebee.customers.has(`kommo-lead-${leadId}`);
	if (vendor === 'paddle') {
		return [...stack.paddle.customers.values()].some((c) => String(((c.custom_data ?? {}) as Record<string, unknown>).kommo_lead_id ?? '') === String(leadId));
	}
	return stack.zuora.accounts.some((a) => a.crmId === String(leadId));
}

// ----------------------------------------------------------------------------------- helpers

function sum(values: number[]): number {
	return values.reduce((a, b) => a + b, 0);
}

function shuffle<T>(list: T[]): T[] {
	const out = [...list];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(Math.random() * (i + 1));
		[out[i], out[j]] = [out[j], out[i]];
	}
	return out;
}

function countStatus(outcomes: DeliveryOutcome[], match: (s: number) => boolean): number {
	return sum(outcomes.map((o) => o.statuses.filter(match).length));
}

/** A 4xx that refuses the call for good; 409 (in progress, retry later) is not one. */
function isRejection(status: number): boolean {
	return status >= 400 && status < 500 && status !== 409;
}

function statusSummary(outcomes: DeliveryOutcome[]): string {
	const counts = new Map<string, number>();
	for (const o of outcomes) for (const s of o.statuses) counts.set(s === 0 ? 'no answer' : String(s), (counts.get(s === 0 ? 'no answer' : String(s)) ?? 0) + 1);
	return [...counts].map(([k, v]) => `${k}×${v}`).join(', ');
}

function describeDeals(states: DealState[]): string[] {
	return states.slice(0, 10).map((s) => `${s.vendor} deal ${s.leadId}: provisioned ${s.provisioned}, subscriptions ${s.subscriptions}, notes ${s.notes}, tasks ${s.tasks}`);
}

// ----------------------------------------------------------------------------------- main

async function main(): Promise<void> {
	const started = Date.now();
	log(`${SHORT ? 'short' : 'full'} run: ${EVENTS} events per scenario, ${DEALS} deal(s) per vendor, ${KILL_EVENTS} events in the kill burst, queue mode ${QUEUE ? 'on' : 'off'}`);
	const world = await World.start({ variants: ['ours'], latencyMs: LATENCY_MS, name: 'reliability' });
	try {
		if (world.missing.length) throw new Error(`shipped workflows missing: ${world.missing.join(', ')}`);
		await scenarioDuplicates(world, '');
		await scenarioFaults(world, false);
		await scenarioFaults(world, true);
		await scenarioKill(world);
		await scenarioForged(world);
		await scenarioMalformed(world);
		await scenarioDealProblems(world);
	} finally {
		await world.stop();
	}
	if (QUEUE && want('queue')) {
		log('queue mode: main + 2 workers, Postgres + Redis');
		const queue = await World.start({ variants: ['ours'], latencyMs: LATENCY_MS, mode: 'queue', workers: 2, kommoRequestsPerSecond: 3, name: 'reliability-queue' });
		try {
			await scenarioDuplicates(queue, 'queue mode: ');
		} finally {
			await queue.stop();
		}
	}
	const failed = rows.filter((r) => verdict(r) === 'FAIL');
	const gaps = rows.filter((r) => verdict(r) === 'GAP');
	process.stdout.write(
		`\n${textTable(
			['scenario', 'sent', 'delivered', 'effects', 'lost', 'dup', 'rejected', 'executions', 'result'],
			rows.map((r) => [r.scenario, r.sent, r.delivered, r.effects, r.lost, r.duplicated, r.rejected, r.executions, verdict(r)]),
		)}\n\n${rows.length - failed.length - gaps.length} of ${rows.length} scenarios passed in ${Math.round((Date.now() - started) / 1000)} s\n` +
			`Reliability: ${rows.length - failed.length - gaps.length} passed, ${failed.length} failed\n` +
			`known gaps (reported, not failing the run): ${gaps.length}\n`,
	);
	if (failed.length) process.exitCode = 1;
}

main().then(
	() => process.exit(process.exitCode ?? 0),
	(error) => {
		process.stderr.write(`reliability suite failed: ${(error as Error).stack ?? error}\n`);
		process.exit(1);
	},
);
