/**
 * A running set-up for the benchmark and the reliability suite: the sandboxes (stack.ts), one
 * real n8n (regular or queue mode) with OUR shipped workflows (workflows/*.json) and the
 * reference workflows imported and published, and for each flow how to reach it:
 *  - Won flows: the Kommo webhook destination (our Kommo Trigger registers its own, with a
 *    secret in the URL; the reference one is registered by hand in Kommo);
 *  - event flows: how the vendor delivers to it (Chargebee endpoint + Basic pair, Paddle
 *    notification setting + secret, Zuora callout URL + Basic pair).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
	REPO_ROOT,
	startN8n,
	startN8nQueue,
	type N8nHandle,
	type N8nQueueHandle,
	type WorkflowJson,
} from '../../dev/n8n';
import type { DeliveryResult } from '../../dev/sandbox/kit';
import { PaddleSandbox } from '../../dev/sandbox/paddle';
import { referenceWorkflows, REF_EVENTS_PATH, REF_WON_PATH } from '../reference/workflows';
import { fillPlaceholders, REF_CHARGEBEE_HOOK, Stack, ZUORA_CALLOUT_PASSWORD, ZUORA_CALLOUT_USER, type StackOptions } from './stack';
import { n8nProfilesIn, profileMarkdown } from './cpu-profile';
import { sleep } from './stats';

export const VENDORS = ['chargebee', 'paddle', 'zuora'] as const;
export type Vendor = (typeof VENDORS)[number];
export type Variant = 'ours' | 'reference';

export const SHIPPED = {
	won: { chargebee: 'kommo-won-to-chargebee.json', paddle: 'kommo-won-to-paddle.json', zuora: 'kommo-won-to-zuora.json' },
	events: { chargebee: 'chargebee-events-to-kommo.json', paddle: 'paddle-events-to-kommo.json', zuora: 'zuora-callouts-to-kommo.json' },
	/** the events workflows' "notes, fields, tasks" sub-workflows */
	effects: { chargebee: 'chargebee-events-to-kommo-effects.json', paddle: 'paddle-events-to-kommo-effects.json', zuora: 'zuora-callouts-to-kommo-effects.json' },
	error: 'error-to-kommo-task.json',
} as const;

export interface WorldOptions extends StackOptions {
	mode?: 'regular' | 'queue';
	workers?: number;
	/** Which variants to import (default both). */
	variants?: Variant[];
	/** Extra workflows (e.g. the dedupe-cost probe). */
	extraWorkflows?: WorkflowJson[];
	/** Label for n8n's folders and logs. */
	name?: string;
	env?: Record<string, string>;
	/** Reuse sandboxes from an earlier world (queue mode after regular mode). */
	stack?: Stack;
	/** Workflow settings merged into every shipped workflow (e.g. what executions to save). */
	oursSettings?: Record<string, unknown>;
	/** Merged into our Kommo credential's data (e.g. the shared budget's secret). */
	kommoCredentialData?: Record<string, unknown>;
	/** More production webhook paths to wait for. */
	waitForWebhooks?: string[];
	/**
	 * Folder for CPU profiles: every n8n process runs with `--cpu-prof`, and stop() writes a summary
	 * of the main's and each worker's profile there (bench/lib/cpu-profile.ts). Profiling slows n8n
	 * down, so a profiled run's timings are for the profile only.
	 */
	cpuProfileOut?: string;
}

const PROFILE_DIR = 'cpu-profile';
const PROFILE_STOP_GRACE_MS = 120_000;

/** What the vendor needs to post one event to a flow. */
export type EventTarget =
	| { vendor: 'chargebee'; url: string; user?: string; password?: string }
	| { vendor: 'paddle'; url: string; secret: string }
	| { vendor: 'zuora'; url: string; user: string; password: string };

function readShipped(file: string): WorkflowJson | undefined {
	const full = path.join(REPO_ROOT, 'workflows', file);
	if (!existsSync(full)) return undefined;
	return JSON.parse(readFileSync(full, 'utf8')) as WorkflowJson;
}

function triggerOf(workflow: WorkflowJson, type: string) {
	return workflow.nodes.find((n) => n.type === `n8n-nodes-kommo-billing.${type}` && !n.disabled);
}

/** Waits until `ok()` (a webhook registered, …); past `deadline` (ms since epoch) it throws. */
async function appears(what: string, ok: () => boolean, deadline: number): Promise<void> {
	while (!ok()) {
		if (Date.now() > deadline) throw new Error(`bench: ${what} did not appear in time`);
		await sleep(100);
	}
}

export class World {
	readonly wonTargets = new Map<string, string>();
	readonly eventTargets = new Map<string, EventTarget>();
	/** Workflow ids by `<variant>:<kind>:<vendor>`. */
	readonly workflowIds = new Map<string, string>();
	readonly missing: string[] = [];

	private constructor(
		readonly stack: Stack,
		readonly n8n: N8nHandle | N8nQueueHandle,
		readonly options: WorldOptions,
		private readonly ownsStack: boolean,
	) {}

	/** Options every world of this bench run gets (set once by bench/run.ts, e.g. `cpuProfileOut`). */
	static defaults: Pick<WorldOptions, 'cpuProfileOut'> = {};

	static async start(startOptions: WorldOptions = {}): Promise<World> {
		const options = { ...World.defaults, ...startOptions };
		const stack = options.stack ?? (await Stack.start(options));
		const variants = options.variants ?? ['ours', 'reference'];
		const workflows: WorkflowJson[] = [];
		const missing: string[] = [];
		const ours: Record<string, WorkflowJson> = {};
		if (variants.includes('ours')) {
			for (const vendor of VENDORS) {
				for (const kind of ['won', 'events', 'effects'] as const) {
					let wf = readShipped(SHIPPED[kind][vendor]);
					if (wf && options.oursSettings) wf = { ...wf, settings: { ...(wf.settings as object), ...options.oursSettings } };
					if (wf) ours[`${kind}:${vendor}`] = wf;
					else missing.push(`workflows/${SHIPPED[kind][vendor]}`);
				}
			}
			const errorWf = readShipped(SHIPPED.error);
			if (errorWf) ours.error = errorWf;
			else missing.push(`workflows/${SHIPPED.error}`);
			workflows.push(...Object.values(ours));
		}
		let paddleRefSecret = 'unset';
		if (variants.includes('reference')) {
			// The reference Paddle flow needs a destination in Paddle first (its secret goes into the Code node).
			stack.paddle.latencyMs = 0;
			const setting = stack.paddle.createNotificationSetting({
				description: 'Reference workflow (core nodes)',
				type: 'url',
				destination: 'http://127.0.0.1:1/placeholder',
				subscribed_events: ['transaction.completed'],
			});
			stack.paddle.latencyMs = stack.latencyMs;
			paddleRefSecret = String(setting.endpoint_secret_key);
			(stack as unknown as { refPaddleSettingId: string }).refPaddleSettingId = String(setting.id);
			workflows.push(...fillPlaceholders(referenceWorkflows(), stack.placeholders({ PADDLE_REF_SECRET: paddleRefSecret })));
		}
		workflows.push(...(options.extraWorkflows ?? []));

		const waitFor: string[] = [];
		for (const wf of Object.values(ours)) {
			for (const type of ['kommoTrigger', 'chargebeeBillingTrigger', 'paddleBillingTrigger']) {
				const t = triggerOf(wf, type);
				if (t?.webhookId) waitFor.push(`${t.webhookId}/webhook`);
			}
			const z = triggerOf(wf, 'zuoraTrigger');
			if (z?.webhookId) waitFor.push(`${z.webhookId}/callout`);
		}
		const common = {
			name: options.name ?? 'bench',
			credentials: stack
				.credentials(options.kommoRequestsPerSecond)
				.map((c) => (c.type === 'kommoApi' && options.kommoCredentialData ? { ...c, data: { ...c.data, ...options.kommoCredentialData } } : c)),
			workflows,
			waitForWebhooks: [...waitFor, ...(options.waitForWebhooks ?? [])],
			env: {
				NODE_FUNCTION_ALLOW_BUILTIN: 'crypto',
				// relative: each process writes into its own working folder (the main's user folder, a worker's folder)
				...(options.cpuProfileOut ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` } : {}),
				...(options.env ?? {}),
			},
			// a profile is written when the process exits normally: give a profiled n8n time for that
			...(options.cpuProfileOut ? { keepUserFolder: true, stopGraceMs: PROFILE_STOP_GRACE_MS } : {}),
		};
		// Our triggers register themselves in the sandboxes while n8n activates them: no latency
		// then, so start-up is not slowed down by the simulated round trips.
		const latency = stack.latencyMs;
		stack.setLatency(0);
		const n8n =
			options.mode === 'queue'
				? await startN8nQueue({ ...common, workers: options.workers ?? 2 })
				: await startN8n(common);
		const world = new World(stack, n8n, options, !options.stack);
		world.missing.push(...missing);
		try {
			await world.discover(ours, variants, paddleRefSecret);
		} finally {
			stack.setLatency(latency);
		}
		return world;
	}

	private async discover(ours: Record<string, WorkflowJson>, variants: Variant[], paddleRefSecret: string): Promise<void> {
		const { kommo } = this.stack;
		const deadline = Date.now() + 60_000;
		const until = (what: string, ok: () => boolean) => appears(what, ok, deadline);
		for (const vendor of VENDORS) {
			const won = ours[`won:${vendor}`];
			if (won) {
				this.workflowIds.set(`ours:won:${vendor}`, won.id as string);
				const trigger = triggerOf(won, 'kommoTrigger');
				if (trigger?.webhookId) {
					const prefix = this.n8n.webhookUrl(`${trigger.webhookId}/webhook`);
					await until(`the Kommo webhook of ${won.name}`, () => kommo.webhooks.some((w) => w.destination.startsWith(prefix)));
					this.wonTargets.set(`ours:${vendor}`, kommo.webhooks.find((w) => w.destination.startsWith(prefix))!.destination);
				}
			}
			const events = ours[`events:${vendor}`];
			if (events) {
				this.workflowIds.set(`ours:events:${vendor}`, events.id as string);
				this.eventTargets.set(`ours:${vendor}`, await this.eventTargetOf(vendor, events));
			}
		}
		if (ours.error) this.workflowIds.set('ours:error', ours.error.id as string);
		if (variants.includes('reference')) {
			for (const vendor of VENDORS) this.wonTargets.set(`reference:${vendor}`, this.n8n.webhookUrl(REF_WON_PATH[vendor]));
			this.eventTargets.set('reference:chargebee', {
				vendor: 'chargebee',
				url: this.n8n.webhookUrl(REF_EVENTS_PATH.chargebee),
				user: REF_CHARGEBEE_HOOK.user,
				password: REF_CHARGEBEE_HOOK.password,
			});
			this.eventTargets.set('reference:paddle', { vendor: 'paddle', url: this.n8n.webhookUrl(REF_EVENTS_PATH.paddle), secret: paddleRefSecret });
			this.eventTargets.set('reference:zuora', {
				vendor: 'zuora',
				url: this.n8n.webhookUrl(REF_EVENTS_PATH.zuora),
				user: ZUORA_CALLOUT_USER,
				password: ZUORA_CALLOUT_PASSWORD,
			});
			for (const wf of referenceWorkflows()) this.workflowIds.set(`reference:${wf.id}`, wf.id as string);
		}
	}

	/** How the vendor reaches an event workflow of ours (the endpoint / destination its trigger registered, or the callout auth). */
	async eventTargetOf(vendor: Vendor, events: WorkflowJson): Promise<EventTarget> {
		const { chargebee, paddle } = this.stack;
		const deadline = Date.now() + 60_000;
		const until = (what: string, ok: () => boolean) => appears(what, ok, deadline);
		if (vendor === 'chargebee') {
			const t = triggerOf(events, 'chargebeeBillingTrigger');
			const url = this.n8n.webhookUrl(`${t?.webhookId}/webhook`);
			if (t?.parameters?.mode === 'manual') {
				const cred = this.stack.credentials().find((c) => c.type === 'chargebeeWebhookAuthApi');
				return { vendor, url, user: cred?.data.user as string, password: cred?.data.password as string };
			}
			await until('the Chargebee endpoint', () => [...chargebee.webhookEndpoints.values()].some((e) => e.url === url));
			const e = [...chargebee.webhookEndpoints.values()].find((x) => x.url === url)!;
			return { vendor, url, user: e.basic_auth_username as string | undefined, password: e.basic_auth_password as string | undefined };
		}
		if (vendor === 'paddle') {
			const t = triggerOf(events, 'paddleBillingTrigger');
			const url = this.n8n.webhookUrl(`${t?.webhookId}/webhook`);
			await until('the Paddle notification setting', () => [...paddle.notificationSettings.values()].some((s) => s.destination === url));
			const s = [...paddle.notificationSettings.values()].find((x) => x.destination === url)!;
			return { vendor, url, secret: String(s.endpoint_secret_key) };
		}
		const t = triggerOf(events, 'zuoraTrigger');
		return { vendor, url: this.n8n.webhookUrl(`${t?.webhookId}/callout`), user: ZUORA_CALLOUT_USER, password: ZUORA_CALLOUT_PASSWORD };
	}

	/** Process group ids of every n8n process (main + workers), for memory sampling and kills. */
	pgids(): number[] {
		const workers = 'workers' in this.n8n ? this.n8n.workers.map((w) => w.pid) : [];
		return [this.n8n.pid, ...workers].filter((p): p is number => typeof p === 'number');
	}

	async stop(): Promise<void> {
		await this.n8n.stop().catch(() => undefined);
		if (this.options.cpuProfileOut) this.writeProfiles(this.options.cpuProfileOut);
		if (this.ownsStack) await this.stack.stop();
	}

	/** The main's and each worker's profile, summarised into `<out>/<name>.md`; the user folder goes after. */
	private writeProfiles(out: string): void {
		const folder = this.n8n.userFolder;
		const name = this.options.name ?? 'bench';
		const sections: string[] = [];
		// per process folder: n8n itself, then its task runner if it used 1 s of CPU or more
		const folders = [{ label: 'main', dir: path.join(folder, PROFILE_DIR) }];
		for (let i = 1; i <= (this.options.mode === 'queue' ? (this.options.workers ?? 2) : 0); i++) {
			folders.push({ label: `worker ${i}`, dir: path.join(folder, `worker-${i}`, PROFILE_DIR) });
		}
		mkdirSync(out, { recursive: true });
		for (const { label, dir } of folders) {
			const { n8n, others } = n8nProfilesIn(dir);
			// the raw profile too, for Chrome DevTools or a closer look (large: not for bench/results)
			if (n8n) copyFileSync(n8n.file, path.join(out, `${name}-${label.replace(/ /g, '-')}.cpuprofile`));
			sections.push(n8n ? profileMarkdown(`${name}: ${label}`, n8n) : `### ${name}: ${label}\n\nNo profile of the n8n process (it did not exit normally).\n`);
			others.forEach((other, k) => sections.push(profileMarkdown(`${name}: ${label}, child process ${k + 1}`, other, 'Another long-lived node process of this n8n (its task runner).')));
		}
		const file = path.join(out, `${name}.md`);
		writeFileSync(
			file,
			[`# CPU profile: ${name}`, '', sections.length ? '' : 'No process wrote a profile (stopped by SIGKILL?).', ...sections].join('\n'),
		);
		process.stderr.write(`[bench] CPU profile summary: ${file}\n`);
		rmSync(folder, { recursive: true, force: true });
	}
}

/** Posts one event to a flow the way its vendor does; `attempt` > 1 is a retry (fresh signature). */
export async function sendEvent(stack: Stack, target: EventTarget, event: SentEvent): Promise<DeliveryResult> {
	if (target.vendor === 'chargebee') {
		const [record] = await stack.chargebee.deliverEvent(event.chargebee as Record<string, unknown>, [
			{
				id: 'bench-endpoint',
				name: 'bench',
				url: target.url,
				api_version: 'v2',
				enabled_events: [],
				disabled: false,
				...(target.user !== undefined ? { basic_auth_username: target.user, basic_auth_password: target.password } : {}),
			} as never,
		]);
		return record;
	}
	if (target.vendor === 'paddle') {
		const body = event.paddleBody as string;
		const signature = PaddleSandbox.signatureHeader([target.secret], body, Math.floor(Date.now() / 1000));
		// Paddle waits 5 s for an answer, then counts the attempt as failed and retries later.
		return await stack.paddle.deliver(target.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'paddle-signature': signature, 'user-agent': 'Paddle' },
			body,
			timeoutMs: 5000,
		});
	}
	const result = await stack.zuora.sendCallout(target.url, event.zuora as Record<string, unknown>, {
		type: 'basic',
		user: target.user,
		password: target.password,
	});
	return result.final;
}

/** One billing event, in the form its vendor sends it. */
export interface SentEvent {
	vendor: Vendor;
	id: string;
	leadId: number;
	chargebee?: Record<string, unknown>;
	paddleBody?: string;
	zuora?: Record<string, unknown>;
}
