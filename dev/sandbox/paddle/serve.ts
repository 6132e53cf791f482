/**
 * Standalone Paddle sandbox for demos and manual poking:
 *
 *   npx tsc -p tsconfig.test.json --outDir /tmp/kb-test
 *   node /tmp/kb-test/dev/sandbox/paddle/serve.js                 # port 4010
 *   PADDLE_SANDBOX_PORT=4999 node /tmp/kb-test/dev/sandbox/paddle/serve.js
 *
 * (or import PaddleSandbox from the demo runner).
 *
 * Point a Paddle Billing API credential at it (Environment: Custom,
 * Base URL Override: the printed URL, API Key: the printed key).
 */
import { PaddleSandbox, SANDBOX_API_KEY } from './index';

async function main(): Promise<void> {
	const port = Number(process.env.PADDLE_SANDBOX_PORT ?? 4010);
	const sandbox = await new PaddleSandbox().start(port);
	const lines = [
		`Paddle sandbox listening on ${sandbox.url}`,
		`API key: ${SANDBOX_API_KEY}`,
		`Prices: ${JSON.stringify(sandbox.seed)}`,
	];
	process.stdout.write(`${lines.join('\n')}\n`);
	// stop() lists any traffic that deviated from Paddle's OpenAPI spec (spec.ts)
	const stop = () =>
		void sandbox.stop().then(
			() => process.exit(0),
			(error: unknown) => {
				process.stderr.write(`${(error as Error).message}\n`);
				process.exit(1);
			},
		);
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main();
