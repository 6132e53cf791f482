/**
 * Standalone Chargebee sandbox for the demo and manual poking:
 *
 *   npx tsc -p tsconfig.test.json --outDir /tmp/kb && node /tmp/kb/dev/sandbox/chargebee/serve.js [port]
 *   (or call serveChargebee() from the demo runner)
 *
 * Prints the base URL and API key; Ctrl-C stops it.
 */
import { ChargebeeSandbox } from './index';

export async function serveChargebee(port = Number(process.env.CHARGEBEE_SANDBOX_PORT ?? 0)): Promise<ChargebeeSandbox> {
	const sandbox = await new ChargebeeSandbox().start(port);
	process.stdout.write(
		`chargebee sandbox on ${sandbox.url} (site ${sandbox.site}, api key ${sandbox.apiKey}, ${sandbox.requestsPerMinute}/min)\n`,
	);
	return sandbox;
}

if (require.main === module) {
	void serveChargebee(Number(process.argv[2] ?? process.env.CHARGEBEE_SANDBOX_PORT ?? 0)).then((sandbox) => {
		// stop() throws when the spec check found deviations (index.ts `specCheck`): print them
		const stop = () =>
			void sandbox.stop().then(
				() => process.exit(0),
				(error: Error) => {
					process.stderr.write(`${error.message}\n`);
					process.exit(1);
				},
			);
		process.on('SIGINT', stop);
		process.on('SIGTERM', stop);
	});
}
