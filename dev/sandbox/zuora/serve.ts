/**
 * Standalone Zuora sandbox for demos and manual tries. Compile the tests once
 * and run the compiled file (no ts-node in this repository):
 *
 *   npx tsc -p tsconfig.test.json --outDir /tmp/kb-test
 *   node /tmp/kb-test/dev/sandbox/zuora/serve.js [port]
 *
 * Prints one JSON line with the base URL and the OAuth client to put into a
 * "Zuora OAuth2 API" credential (Base URL Override, Client ID, Client Secret).
 * The demo runner can import `startZuoraSandbox` instead.
 */
import { ZuoraSandbox } from './index';

export interface ZuoraSandboxInfo {
	sandbox: ZuoraSandbox;
	url: string;
	clientId: string;
	clientSecret: string;
}

export async function startZuoraSandbox(
	port = 0,
	// Zuora client ids are 36 characters (spec createToken.client_id)
	clientId = 'de70de70-0000-4000-8000-0000000c11e0',
	clientSecret = 'demo-secret',
): Promise<ZuoraSandboxInfo> {
	const sandbox = await new ZuoraSandbox().addClient(clientId, clientSecret).start(port);
	sandbox.seedAccount({ name: 'Demo Customer', crmId: '1001', currency: 'USD' });
	return { sandbox, url: sandbox.url, clientId, clientSecret };
}

async function main(): Promise<void> {
	const port = Number(process.argv[2] ?? process.env.ZUORA_SANDBOX_PORT ?? 0);
	const info = await startZuoraSandbox(
		port,
		process.env.ZUORA_SANDBOX_CLIENT_ID ?? 'de70de70-0000-4000-8000-0000000c11e0',
		process.env.ZUORA_SANDBOX_CLIENT_SECRET ?? 'demo-secret',
	);
	process.stdout.write(
		`${JSON.stringify({ vendor: 'zuora', url: info.url, clientId: info.clientId, clientSecret: info.clientSecret })}\n`,
	);
	const stop = async () => {
		await info.sandbox.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
}

if (require.main === module) void main();
