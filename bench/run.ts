/**
 * `npm run bench`: our shipped workflows and a hand-built reference (n8n core nodes only) in
 * one real n8n, side by side, against the sandboxes with a per-call latency.
 *
 *   npm run bench                                  full run (defaults below)
 *   npm run bench -- --deals=10 --burst=100        a quick look
 *   npm run bench -- --queue                       also the burst in queue mode (Postgres +
 *                                                  Redis, 2 workers; bash dev/services.sh)
 *   BENCH_LATENCY_MS=50 npm run bench              every option also as BENCH_<NAME>
 *
 * Options (defaults): --latency-ms=100 --deals=50 --vendors=chargebee,paddle,zuora
 *   --burst=500 --concurrency=20 --burst-vendors=chargebee,paddle,zuora --burst-max-s=600
 *   --dedupe-keys=10000,100000,1000000 --dedupe-stores=processed-data,data-table,data-table-bucket --dedupe-samples=20
 *   --dedupe-buckets=16384 --dedupe-queue (the bucket candidate also in queue mode, Postgres)
 *   --warmup=2 --variants=ours,reference
 *   --skip=<won,burst,dedupe,dedupe-regular,sustained> --queue --queue-workers=2 --queue-rps=3 --out=bench/results
 *   --queue-budget=static,broker --queue-workers=2,4 (issue 17 target 4: each worker's own share vs
 *     one Kommo Rate Budget for all; bench/lib/queue-budget.ts)
 *   --sustained-s=300 --sustained-rate=6 --sustained-drain-s=120 --sustained-modes=regular,queue2,queue4
 *     (the scale curve, bench/lib/sustained.ts; queue modes only with --queue, default regular alone)
 *   --kommo-block-after=20 (429s before the Kommo sandbox blocks the IP, as Kommo does)
 *   --cpu-prof (every n8n process runs with Node's --cpu-prof; a summary per world and process in
 *     <out>/profiles/<world>.md, bench/lib/cpu-profile.ts; a profiled run is slower, so it writes
 *     runs/<time>.json but not latest.*)
 *
 * Prints tables and issue 17's targets (met / not met / not measured); writes
 * bench/results/latest.{json,md} (summary, committed), bench/results/scale-curve/{latest.md,
 * latest.json,scale-curve.png} (committed) and bench/results/runs/<time>.json (every sample, not committed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { N8N_VERSION, NODE24_VERSION, REPO_ROOT } from '../dev/n8n';
import { args } from './lib/args';
import { interleavedPaymentEvents, seedWonDeals } from './lib/events';
import { measureBucketStore } from './lib/dedupe-bucket';
import { machineLoad } from './lib/proc';
import { renderMarkdown, renderText, type BenchResults } from './lib/report';
import { parseSustainedMode, runSustained, writeScaleCurve, type SustainedFailure, type SustainedResult } from './lib/sustained';
import { issue17Targets } from './lib/targets';
import {
	dedupeProbeWorkflow,
	measureDedupe,
	publicDataTableApi,
	runBurst,
	runWonOnce,
	summarizeWon,
	type BurstResult,
	type WonSample,
} from './lib/scenarios';
import { queueBudgetTargets, runQueueBudgets, type QueueBudget } from './lib/queue-budget';
import { Stack } from './lib/stack';
import { round, sleep } from './lib/stats';
import { VENDORS, World, type SentEvent, type Variant, type Vendor } from './lib/world';

// ------------------------------------------------------------------------------------- options

const cli = args();
function opt(name: string, fallback: string): string {
	const env = process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
	return cli.get(name) ?? env ?? fallback;
}
const num = (name: string, fallback: number) => {
	const v = Number(opt(name, String(fallback)));
	if (!Number.isFinite(v)) throw new Error(`--${name} must be a number`);
	return v;
};
const list = (name: string, fallback: string) =>
	opt(name, fallback)
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);

const options = {
	latencyMs: num('latency-ms', 100),
	deals: num('deals', 50),
	vendors: list('vendors', VENDORS.join(',')) as Vendor[],
	burst: num('burst', 500),
	concurrency: num('concurrency', 20),
	burstVendors: list('burst-vendors', VENDORS.join(',')) as Vendor[],
	burstMaxS: num('burst-max-s', 600),
	dedupeKeys: list('dedupe-keys', '10000,100000,1000000').map(Number),
	// issue 17: the shipped store (processed-data) and the candidates measured side by side, n8n
	// Data Tables via the public API with a row per key (data-table) and with CAS on bucket rows
	// addressed by id (data-table-bucket, bench/lib/dedupe-bucket.ts); only data-table-bucket
	// skips the slow processed-data fill
	dedupeStores: list('dedupe-stores', 'processed-data,data-table,data-table-bucket'),
	dedupeBuckets: num('dedupe-buckets', 16_384),
	dedupeQueue: opt('dedupe-queue', 'false') === 'true',
	dedupeSamples: num('dedupe-samples', 20),
	warmup: num('warmup', 2),
	variants: list('variants', 'ours,reference') as Variant[],
	skip: list('skip', ''),
	queue: opt('queue', 'false') === 'true',
	queueWorkers: list('queue-workers', '2').map(Number),
	queueRps: num('queue-rps', 0),
	queueBudget: list('queue-budget', 'static') as QueueBudget[],
	kommoBlockAfter: num('kommo-block-after', 20),
	/** "none": our workflows keep no data of successful executions (n8n's EXECUTIONS_DATA_SAVE_ON_SUCCESS per workflow). */
	oursSaveSuccess: opt('ours-save-success', ''),
	out: opt('out', path.join(REPO_ROOT, 'bench', 'results')),
	sustainedS: num('sustained-s', 300),
	sustainedRate: num('sustained-rate', 6),
	sustainedDrainS: num('sustained-drain-s', 120),
	sustainedModes: list('sustained-modes', opt('queue', 'false') === 'true' ? 'regular,queue2,queue4' : 'regular'),
	cpuProf: opt('cpu-prof', 'false') === 'true',
};
const sustainedModes = options.sustainedModes.map(parseSustainedMode);

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

// ------------------------------------------------------------------------------------- phases

async function wonPhase(world: World, samples: WonSample[]): Promise<void> {
	const variants = options.variants.filter((v) => v === 'reference' || world.wonTargets.has(`ours:${v}`));
	for (const vendor of options.vendors) {
		const available = options.variants.filter((v) => world.wonTargets.has(`${v}:${vendor}`));
		if (!available.length) continue;
		void variants;
		// warm-up (first executions load code, fetch OAuth tokens): not counted
		for (const variant of available) {
			for (const leadId of seedWonDeals(world.stack, vendor, options.warmup)) await runWonOnce(world, vendor, variant, leadId);
		}
		log(`Won → ${vendor}: ${options.deals} deals per variant (${available.join(' / ')}, alternating)`);
		const leads = Object.fromEntries(available.map((v) => [v, seedWonDeals(world.stack, vendor, options.deals)])) as Record<Variant, number[]>;
		for (let i = 0; i < options.deals; i++) {
			// alternate which variant goes first, so neither always follows the other
			const order = i % 2 === 0 ? available : [...available].reverse();
			for (const variant of order) {
				const sample = await runWonOnce(world, vendor, variant, leads[variant][i]);
				samples.push(sample);
				if (!sample.ok) log(`  ${variant} deal ${sample.leadId}: ${sample.error}`);
				await sleep(300);
			}
		}
		for (const variant of available) {
			const s = summarizeWon(samples.filter((x) => x.vendor === vendor && x.variant === variant));
			log(`  ${variant}: p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, overhead p95 ${s.overheadP95Ms} ms, ${s.callsPerDeal} calls/deal`);
		}
	}
}

async function burstEvents(world: World, count: number, vendors: Vendor[]): Promise<SentEvent[]> {
	return await interleavedPaymentEvents(world.stack, count, vendors);
}

async function burstPhase(world: World, variant: Variant, bursts: BurstResult[]): Promise<void> {
	const vendors = options.burstVendors.filter((v) => world.eventTargets.has(`${variant}:${v}`));
	if (!vendors.length) return;
	// warm-up: one event per vendor
	await runBurst(world, variant, await burstEvents(world, vendors.length * options.warmup, vendors), { concurrency: options.concurrency, maxMs: 60_000 });
	const events = await burstEvents(world, options.burst, vendors);
	log(`burst → ${variant} (${world.options.mode ?? 'regular'}): ${events.length} events (${vendors.join(', ')}), concurrency ${options.concurrency}`);
	const result = await runBurst(world, variant, events, {
		concurrency: options.concurrency,
		maxMs: options.burstMaxS * 1000,
		stopWhenBlocked: true,
	});
	bursts.push(result);
	log(
		`  ${result.completed ? 'done' : 'NOT done'} in ${round(result.completionMs / 1000, 1)} s, Kommo ${result.kommoReqPerSec} req/s (max ${result.kommoMaxInAnySecond} in 1 s), ` +
			`429s ${result.kommo429}, notes ${result.notesLanded}, lost ${result.lost}, dup ${result.duplicated}, RSS peak ${result.memory.peakMb} MB`,
	);
}

// ------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
	const started = Date.now();
	const loadBefore = machineLoad();
	log(`load average ${loadBefore.load1} ${loadBefore.load5} ${loadBefore.load15} on ${os.cpus().length} CPUs; options ${JSON.stringify(options)}`);
	const wonSamples: WonSample[] = [];
	const bursts: BurstResult[] = [];
	let dedupe: BenchResults['dedupe'] = [];
	let dedupeBuckets: BenchResults['dedupeBuckets'];
	let sustained: SustainedResult[] | undefined;
	const sustainedFailed: SustainedFailure[] = [];
	const missing = new Set<string>();
	if (options.cpuProf) World.defaults = { cpuProfileOut: path.join(options.out, 'profiles') };

	const stack = await Stack.start({ latencyMs: options.latencyMs, kommoBlockAfter: options.kommoBlockAfter });
	try {
		// --skip=won,burst,dedupe-regular with --dedupe-queue: only the queue-mode dedupe run
		const regularNeeded = ['won', 'burst', 'dedupe'].some((phase) => !options.skip.includes(phase) && !options.skip.includes(`${phase}-regular`));
		if (regularNeeded) {
			const world = await World.start({
				stack,
				variants: options.variants,
				...(options.oursSaveSuccess ? { oursSettings: { saveDataSuccessExecution: options.oursSaveSuccess } } : {}),
				extraWorkflows: options.skip.includes('dedupe') ? [] : [dedupeProbeWorkflow(Math.max(...options.dedupeKeys) + 10_000)],
				name: 'bench',
				...(process.env.BENCH_N8N_NODE_OPTIONS ? { env: { NODE_OPTIONS: process.env.BENCH_N8N_NODE_OPTIONS } } : {}),
			});
			world.missing.forEach((m) => missing.add(m));
			if (world.missing.length) log(`not found, not measured: ${world.missing.join(', ')}`);
			try {
				if (!options.skip.includes('won')) await wonPhase(world, wonSamples);
				if (!options.skip.includes('burst')) {
					for (const variant of options.variants) await burstPhase(world, variant, bursts);
				}
				if (!options.skip.includes('dedupe') && !options.skip.includes('dedupe-regular')) {
					stack.setLatency(0);
					const stores = options.dedupeStores;
					if (stores.includes('processed-data') || stores.includes('data-table')) {
						dedupe = await measureDedupe(world, options.dedupeKeys, options.dedupeSamples, log, { dataTable: stores.includes('data-table') });
					}
					if (stores.includes('data-table-bucket')) {
						dedupeBuckets = await measureBucketStore(await publicDataTableApi(world), options.dedupeKeys, options.dedupeSamples, log, {
							buckets: options.dedupeBuckets,
						});
					}
					stack.setLatency(options.latencyMs);
				}
			} finally {
				await world.stop();
			}
		}
		if (options.dedupeQueue && !options.skip.includes('dedupe') && options.dedupeStores.includes('data-table-bucket')) {
			log('dedupe (data table buckets) in queue mode: main + 2 workers, Postgres');
			const queueWorld = await World.start({ stack, mode: 'queue', workers: 2, variants: ['ours'], name: 'bench-dedupe-queue' });
			try {
				const levels = await measureBucketStore(await publicDataTableApi(queueWorld), options.dedupeKeys, options.dedupeSamples, log, {
					buckets: options.dedupeBuckets,
				});
				dedupeBuckets = [...(dedupeBuckets ?? []), ...levels.map((l) => ({ ...l, mode: 'queue (Postgres)' }))];
			} finally {
				await queueWorld.stop();
			}
		}
		if (options.queue && !options.skip.includes('burst')) {
			const budgets = { budgets: options.queueBudget, workers: options.queueWorkers };
			await runQueueBudgets(stack, { ...budgets, ...(options.queueRps > 0 ? { staticRps: options.queueRps } : {}) }, log, async (world) => {
				const before = bursts.length;
				await burstPhase(world, 'ours', bursts);
				return bursts.length > before ? bursts[bursts.length - 1] : undefined;
			});
		}
		if (!options.skip.includes('sustained')) {
			stack.setLatency(options.latencyMs);
			sustained = await runSustained(
				stack,
				sustainedModes,
				{
					durationS: options.sustainedS,
					ratePerS: options.sustainedRate,
					concurrency: options.concurrency,
					drainS: options.sustainedDrainS,
					vendors: options.burstVendors,
					dedupeSamples: options.dedupeSamples,
					warmup: options.warmup,
				},
				log,
				sustainedFailed,
			);
		}
	} finally {
		await stack.stop();
	}

	const won = [];
	for (const vendor of options.vendors) {
		for (const variant of options.variants) {
			const s = wonSamples.filter((x) => x.vendor === vendor && x.variant === variant);
			if (s.length) won.push(summarizeWon(s));
		}
	}
	const results: BenchResults = {
		meta: {
			date: new Date().toISOString(),
			command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
			machine: {
				cpus: os.cpus().length,
				cpuModel: os.cpus()[0]?.model ?? 'unknown',
				memoryGb: Math.round(os.totalmem() / 1024 ** 3),
				os: `${os.type()} ${os.release()}`,
				node: NODE24_VERSION,
				n8n: N8N_VERSION,
			},
			load: { before: [loadBefore.load1, loadBefore.load5, loadBefore.load15], after: Object.values(machineLoad()) },
			options: { ...options, out: undefined },
			durationS: (Date.now() - started) / 1000,
			missingWorkflows: [...missing],
		},
		won,
		bursts,
		dedupe,
		...(dedupeBuckets ? { dedupeBuckets } : {}),
		...(sustained ? { sustained } : {}),
		...(sustainedFailed.length ? { sustainedFailed } : {}),
		targets: [...issue17Targets({ won, bursts, dedupe, dedupeBuckets, sustained, sustainedFailed, concurrency: options.concurrency }), ...queueBudgetTargets(bursts)],
	};
	delete results.meta.options.out;
	mkdirSync(path.join(options.out, 'runs'), { recursive: true });
	const stamp = results.meta.date.replace(/[:.]/g, '-');
	writeFileSync(path.join(options.out, 'runs', `${stamp}.json`), JSON.stringify({ ...results, wonSamples }, null, 2));
	if (options.cpuProf) {
		process.stdout.write(`${renderText(results)}\n\nProfiled run (slower than an unprofiled one): runs/${stamp}.json and profiles/*.md only\n`);
		return;
	}
	writeFileSync(path.join(options.out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
	writeFileSync(path.join(options.out, 'latest.md'), renderMarkdown(results));
	if (sustained?.length) {
		const m = results.meta;
		writeScaleCurve(path.join(options.out, 'scale-curve'), sustained, {
			date: m.date,
			command: m.command,
			machine: `${m.machine.cpus} x ${m.machine.cpuModel}, ${m.machine.memoryGb} GB RAM; n8n ${m.machine.n8n} on Node ${m.machine.node}`,
			load: `before ${m.load.before.join(' / ')}, after ${m.load.after.join(' / ')}`,
			ratePerS: options.sustainedRate,
			durationS: options.sustainedS,
			concurrency: options.concurrency,
		});
	}
	process.stdout.write(`${renderText(results)}\n\nWritten: ${path.relative(process.cwd(), path.join(options.out, 'latest.md'))} (+ latest.json, runs/${stamp}.json)\n`);
}

main().then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
		process.exit(1);
	},
);
