/**
 * Standalone Zuora sandbox for demos and manual tries:
 *   npx ts-node test/sandbox/zuora/serve.ts [port]
 * (or through the demo runner). Prints the base URL and the OAuth client to
 * put into a "Zuora OAuth2 API" credential as "Base URL Override".
 */
import { ZuoraSandbox } from './index';

async function main(): Promise<void> {
	const port = Number(process.argv[2] ?? process.env.ZUORA_SANDBOX_PORT ?? 0);
	const clientId = process.env.ZUORA_SANDBOX_CLIENT_ID ?? 'demo-client';
	const clientSecret = process.env.ZUORA_SANDBOX_CLIENT_SECRET ?? 'demo-secret';
	const sandbox = await new ZuoraSandbox().addClient(clientId, clientSecret).start(port);
	sandbox.seedAccount({ name: 'Demo Customer', crmId: '1001', currency: 'USD' });
	process.stdout.write(
		`${JSON.stringify({ vendor: 'zuora', url: sandbox.url, clientId, clientSecret })}\n`,
	);
	const stop = async () => {
		await sandbox.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
}

void main();
