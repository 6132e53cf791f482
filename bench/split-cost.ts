/**
 * `npm run bench:split`: what splitting each billing-event workflow into a main workflow and a
 * "notes, fields, tasks" sub-workflow (issue 19 item 7) costs per event. The shipped pair and the
 * single workflow it replaced (read from git at PREVIOUS_REV, ids and webhook paths renamed) run
 * side by side in one n8n against the sandboxes; payment events go to one and then the other,
 * one at a time, and the time to the vendor's 2xx is compared.
 *
 *   npm run bench:split                       20 events per variant and vendor, 100 ms latency
 *   npm run bench:split -- --events=40 --latency-ms=50 --vendors=chargebee,zuora
 *
 * Needs the repository's git history (the previous workflows are not shipped any more).
 */
import { execFileSync } from 'node:child_process';

import { REPO_ROOT, type WorkflowJson } from '../dev/n8n';
import { args } from './lib/args';
import { makePaymentEvents, seedProvisionedDeals } from './lib/events';
import { percentile, ratio, round, textTable } from './lib/stats';
import { sendEvent, SHIPPED, VENDORS, World, type EventTarget, type SentEvent, type Vendor } from './lib/world';

/** The last commit with one workflow per vendor for the billing events. */
const PREVIOUS_REV = '5533f4b';

const cli = args();
const option = (name: string, fallback: string): string => cli.get(name) ?? fallback;

/** The single event workflow before the split, under its own id and webhook path. */
function previousWorkflow(vendor: Vendor): WorkflowJson {
	const text = execFileSync('git', ['show', `${PREVIOUS_REV}:workflows/${SHIPPED.events[vendor]}`], { cwd: REPO_ROOT, encoding: 'utf8' });
	const workflow = JSON.parse(text) as WorkflowJson;
	workflow.id = `${String(workflow.id).slice(0, 10)}Prev01`;
	workflow.name = `${workflow.name} (before the split)`;
	for (const node of workflow.nodes) if (node.webhookId) node.webhookId = `${node.webhookId}-before-split`;
	return workflow;
}

function webhookPathOf(workflow: WorkflowJson): string {
	const trigger = workflow.nodes.find((n) => n.webhookId)!;
	return `${trigger.webhookId}/${trigger.type.endsWith('zuoraTrigger') ? 'callout' : 'webhook'}`;
}

async function timed(world: World, target: EventTarget, event: SentEvent): Promise<number> {
	const started = performance.now();
	const result = await sendEvent(world.stack, target, event);
	if (result.status !== 200) throw new Error(`${target.vendor} event ${event.id} answered ${result.status} by ${target.url}`);
	return performance.now() - started;
}

async function main(): Promise<void> {
	const perVariant = Number(option('events', '20'));
	const latencyMs = Number(option('latency-ms', '100'));
	const vendors = option('vendors', VENDORS.join(',')).split(',') as Vendor[];
	const previous = Object.fromEntries(vendors.map((v) => [v, previousWorkflow(v)])) as Record<Vendor, WorkflowJson>;
	const world = await World.start({
		variants: ['ours'],
		latencyMs,
		name: 'bench-split',
		extraWorkflows: Object.values(previous),
		waitForWebhooks: Object.values(previous).map(webhookPathOf),
	});
	const rows: Array<Array<string | number>> = [];
	try {
		for (const vendor of vendors) {
			const split = world.eventTargets.get(`ours:${vendor}`);
			if (!split) throw new Error(`no shipped ${vendor} event workflow`);
			const before = await world.eventTargetOf(vendor, previous[vendor]);
			const warmup = 2;
			const events = await makePaymentEvents(world.stack, vendor, seedProvisionedDeals(world.stack, vendor, 2 * (perVariant + warmup)));
			const times: Record<'split' | 'before', number[]> = { split: [], before: [] };
			for (let i = 0; i < perVariant + warmup; i++) {
				// alternate which goes first, so neither always meets a warmer n8n
				const order: Array<['split' | 'before', EventTarget]> = i % 2 === 0 ? [['split', split], ['before', before]] : [['before', before], ['split', split]];
				for (const [k, [variant, target]] of order.entries()) {
					const ms = await timed(world, target, events[2 * i + k]);
					if (i >= warmup) times[variant].push(ms);
				}
			}
			const p = (variant: 'split' | 'before', q: number) => round(percentile(times[variant], q));
			rows.push([vendor, times.split.length, p('before', 50), p('split', 50), ratio(p('split', 50), p('before', 50)), p('before', 95), p('split', 95), ratio(p('split', 95), p('before', 95))]);
		}
	} finally {
		await world.stop();
	}
	process.stdout.write(`\nTime to the vendor's 2xx per payment event, one at a time, ${latencyMs} ms sandbox latency (one n8n, both variants side by side):\n\n`);
	process.stdout.write(textTable(['vendor', 'events', 'before p50 ms', 'split p50 ms', 'split/before', 'before p95 ms', 'split p95 ms', 'split/before p95'], rows));
	process.stdout.write('\n');
}

main().catch((error: unknown) => {
	process.stderr.write(`bench:split failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exitCode = 1;
});
