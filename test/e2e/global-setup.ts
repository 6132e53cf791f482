// Jest globalSetup of the e2e project (jest.config.js): installs the pinned n8n (KOMMO_BILLING_E2E_N8N:
// current or oldest, see dev/n8n/install.ts) and, where the machine's Node has another major, its
// Node into the cache BEFORE any test file starts, so no test's or hook's timeout ever includes the download (about 3–5 minutes and 2.8 GB on an empty cache).
// Progress lines go to stderr at least every HEARTBEAT_MS; a registry or disk failure stops the
// run here with the likely cause, instead of as a timeout in the first test's beforeAll.
// With a warm cache this takes well under a second (completion markers).
import { ensureN8n, HEARTBEAT_MS, N8N_VERSION, NODE_MAJOR } from '../../dev/n8n/install';
import { progress } from '../../dev/n8n/util';

export default async function globalSetup(): Promise<void> {
	const started = Date.now();
	progress(`e2e setup: checking n8n ${N8N_VERSION} and Node ${NODE_MAJOR} in the cache (installed once per machine; progress every ${HEARTBEAT_MS / 1000} s) …`);
	const install = await ensureN8n();
	progress(`e2e setup: n8n ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${install.n8nRoot}, node ${install.nodeBin})`);
}
