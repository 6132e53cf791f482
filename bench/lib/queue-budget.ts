/**
 * Issue 17 target 4: queue mode with one Kommo budget for all workers. For each budget kind and
 * worker count, a queue-mode World (main + N workers, Postgres, Redis) runs the payment-event
 * burst:
 *  - static: each worker keeps its own limiter at 7 ÷ workers (rounded down), the documented
 *    split without the broker;
 *  - broker: the Kommo Rate Budget trigger on the main process hands out 7 permits a second to
 *    all workers; the credential's own limit stays at 7, so only the broker keeps the workers
 *    to 7 together.
 */
import {
	BUDGET_WEBHOOK_PATH,
	budgetWorkflow,
	pointAtBudget,
	withBudgetSecret,
} from '../../dev/n8n/rate-budget';
import type { BenchResults } from './report';
import type { BurstResult } from './scenarios';
import { OUR_CREDENTIALS, type Stack } from './stack';
import { World } from './world';

export type QueueBudget = 'static' | 'broker';

export interface QueueBudgetOptions {
	budgets: QueueBudget[];
	workers: number[];
	/** Per-process rate of the static split (default 7 ÷ workers, rounded down). */
	staticRps?: number;
}

/** Runs `burst` once per budget × worker count; labels each result. */
export async function runQueueBudgets(
	stack: Stack,
	options: QueueBudgetOptions,
	log: (message: string) => void,
	burst: (world: World) => Promise<BurstResult | undefined>,
): Promise<void> {
	for (const workers of options.workers) {
		for (const budget of options.budgets) {
			const staticRps = options.staticRps ?? Math.max(1, Math.floor(7 / workers));
			const label =
				budget === 'static'
					? `queue, ${workers} workers × ${staticRps}/s`
					: `queue, ${workers} workers, one shared budget`;
			log(`${label}`);
			stack.resetLogs();
			const kommoCredential = stack.credentials(budget === 'static' ? staticRps : 7).find((c) => c.type === 'kommoApi')!;
			const world = await World.start({
				stack,
				mode: 'queue',
				workers,
				variants: ['ours'],
				kommoRequestsPerSecond: budget === 'static' ? staticRps : 7,
				name: `bench-queue-${budget}-${workers}`,
				...(budget === 'broker'
					? {
							kommoCredentialData: withBudgetSecret(kommoCredential).data,
							extraWorkflows: [budgetWorkflow(OUR_CREDENTIALS.kommoApi)],
							waitForWebhooks: [BUDGET_WEBHOOK_PATH],
						}
					: {}),
			});
			try {
				if (budget === 'broker') await pointAtBudget(world.n8n, withBudgetSecret(kommoCredential));
				const result = await burst(world);
				if (result) Object.assign(result, { label, workers, budget });
			} finally {
				await world.stop();
			}
		}
	}
}

/** Target 4 rows: each shared-budget burst against ≥ 90 % of 7/s, 0 × 429, ≤ 7 in any 1 s. */
export function queueBudgetTargets(bursts: BurstResult[]): BenchResults['targets'] {
	return bursts
		.filter((b) => b.budget === 'broker')
		.map((b) => {
			const pct = Math.round((b.kommoReqPerSec / 7) * 100);
			const met = pct >= 90 && b.kommo429 === 0 && b.kommoMaxInAnySecond <= 7 && b.lost === 0 && b.duplicated === 0;
			return {
				target: `Queue mode, ${b.workers} workers, one shared Kommo budget: ≥ 90% of 7/s, 0 × 429, ≤ 7 arrivals in any 1 s`,
				measured: `${b.kommoReqPerSec} req/s (${pct}%), max ${b.kommoMaxInAnySecond} in 1 s, ${b.kommo429} × 429, ${b.lost} lost, ${b.duplicated} dup`,
				met,
			};
		});
}
