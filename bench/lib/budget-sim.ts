/**
 * The Kommo Rate Budget's limiter alone, without n8n: `chains` callers each ask for a permit,
 * "send" (arrival `sendMs` after the grant), wait for the answer (`latencyMs` + jitter), return
 * it, and go again. Prints the arrival rate (% of 7/s) and the most arrivals in any 1 s: the
 * ceiling the broker itself allows, before n8n's own costs.
 *
 *   npx tsc -p bench/tsconfig.json && node .bench-out/bench/lib/budget-sim.js [latencyMs]
 */
import { PermitBroker, type BrokerSettings } from '../../nodes/KommoRateBudget/broker';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function simulate(settings: BrokerSettings, options = { chains: 14, requests: 140, latencyMs: 100, jitterMs: 20, sendMs: 3 }) {
	const broker = new PermitBroker();
	const arrivals: number[] = [];
	let left = options.requests;
	await Promise.all(
		Array.from({ length: options.chains }, async () => {
			while (left-- > 0) {
				let answer = await broker.acquire('sim.kommo.com', settings);
				while (answer.body.retry) answer = await broker.acquire('sim.kommo.com', settings);
				await sleep(options.sendMs);
				arrivals.push(Date.now());
				await sleep(options.latencyMs + Math.random() * options.jitterMs);
				broker.release(answer.body.permit);
			}
		}),
	);
	arrivals.sort((a, b) => a - b);
	let max = 0;
	for (let end = 0, start = 0; end < arrivals.length; end++) {
		while (arrivals[end] - arrivals[start] >= 1000) start++;
		max = Math.max(max, end - start + 1);
	}
	const perSecond = (arrivals.length - 1) / ((arrivals[arrivals.length - 1] - arrivals[0]) / 1000);
	return { perSecond: Math.round(perSecond * 100) / 100, percentOf7: Math.round((perSecond / 7) * 100), maxInOneSecond: max };
}

if (require.main === module) {
	const latencyMs = Number(process.argv[2] ?? 100);
	void (async () => {
		const r = await simulate({ requestsPerSecond: 7 }, { chains: 14, requests: 140, latencyMs, jitterMs: 20, sendMs: 3 });
		process.stdout.write(`${r.perSecond}/s (${r.percentOf7}% of 7), max ${r.maxInOneSecond} in 1 s\n`);
		process.exit(0);
	})();
}
