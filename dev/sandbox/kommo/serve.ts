/**
 * Standalone Kommo sandbox for demos and manual poking:
 *
 *   npx tsc -p tsconfig.test.json --outDir /tmp/kb && node /tmp/kb/dev/sandbox/kommo/serve.js [port]
 *
 * Prints the base URL and the long-lived token, seeds one lead with a contact,
 * and runs until Ctrl-C.
 */
import { KommoSandbox } from './index';

async function main(): Promise<void> {
	const port = Number(process.argv[2] ?? process.env.KOMMO_SANDBOX_PORT ?? 0);
	const sandbox = await new KommoSandbox().start(port);
	const lead = sandbox.addLead({
		name: 'Demo deal: Acme Corp',
		price: 4800,
		customFields: { Plan: 'Pro' },
		contacts: [{ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@acme.test', phone: '+1 555 0100' }],
	});
	process.stdout.write(
		`Kommo sandbox on ${sandbox.url}\n` +
			`  long-lived token: ${sandbox.longLivedToken}\n` +
			`  account id: ${sandbox.account.id}, demo lead: ${lead.id}\n`,
	);
	const stop = () => void sandbox.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main();
