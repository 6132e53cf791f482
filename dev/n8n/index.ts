// Real-n8n end-to-end harness.
//
// Starts a real n8n 2.40.7 on Node 24 (KOMMO_BILLING_E2E_N8N=oldest: 1.123.81 on Node 22) with
// this repository's PACKED package installed the way n8n's community-package installer installs
// it, imports credentials and workflows, publishes them, and stops everything (the whole process
// tree) afterwards. Used by test/e2e/**/*.test.ts
// (`npm run test:e2e` = build + `jest --selectProjects e2e --runInBand`), the demo and benchmarks.
//
//   import { startN8n, stopAll } from '../../dev/n8n';   // from a test/e2e/*.test.ts
//
//   const n8n = await startN8n({ workflows: ['test/e2e/fixtures/dedupe-claim.json'] });
//   try {
//     const res = await fetch(n8n.webhookUrl('dedupe-claim'), { method: 'POST', body: '…' });
//     const executions = await n8n.api.executions({ workflowId: n8n.workflowIds['Dedupe claim'] });
//     const detail = await n8n.api.execution(executions[0].id);   // run data, decoded
//     await n8n.restart();                                         // same database, same port
//   } finally {
//     await n8n.stop();
//   }
//
// Pieces:
// - ensureN8n()       pinned n8n + Node 24 in ~/.cache/kommo-billing-e2e (env
//                     KOMMO_BILLING_E2E_CACHE), installed on first use under a lock, with a
//                     completion marker; see install.ts.
// - packPackage()     `npm pack` of the repo (dist/ must be built) once per process; pack.ts.
// - startN8n(opts)    regular mode, SQLite, private user folder and ports; n8n.ts.
// - startN8nQueue()   queue mode: main + N workers, fresh Postgres database, private Redis
//                     prefix; needs `dev/services.sh`; queue.ts.
// - handle.api        REST client logged in as the instance owner (N8N_INSTANCE_OWNER_* env):
//                     executions (list / detail with run data), node and credential types; rest.ts.
//                     Chosen over reading the database (schema-bound, SQLite and Postgres differ)
//                     and over the public API (needs a key that only this REST API can create).
//                     "No execution started" = `(await api.executions({workflowId})).length === 0`.
// - stopAll()         stops every instance this process started (for afterAll hooks).
//
// Safety: each n8n runs under a small watchdog (watchdog.ts) as leader of its own process
// group; stop() ends the group (SIGTERM, then SIGKILL). Leftovers are stopped by stopAll() in
// test/e2e/setup.ts's afterAll (jest) or by an exit hook (plain node scripts; jest's sandbox
// never fires 'exit'), and the watchdog ends n8n within a second when the test process dies
// without cleaning up (crash, SIGKILL, Ctrl-C). User folders of dead runs are pruned at the
// next start; a folder of a failed start is kept a day for inspection (path in the error).
//
// Scripts (demo, benchmarks) outside jest: compile with `npx tsc -p tsconfig.test.json
// --outDir <dir>` and require <dir>/dev/n8n; it finds the repository from the current
// directory.
//
// Speed: a migrated empty database (SQLite file / Postgres template) is kept in the cache, so a
// start skips n8n's migrations; the package is packed and laid out once per process.
export { ensureN8n, cacheDir, N8N_VERSION, NODE24_VERSION, type N8nInstall } from './install';
export { packPackage, repoPackageJson, REPO_ROOT } from './pack';
export {
	startN8n,
	stopAll,
	ENCRYPTION_KEY,
	type N8nHandle,
	type StartOptions,
	type WorkflowJson,
	type CredentialJson,
	type Timings,
} from './n8n';
export { startN8nQueue, type N8nQueueHandle, type QueueOptions, type PgClient } from './queue';
export {
	N8nRestClient,
	nodeOutput,
	OWNER_EMAIL,
	OWNER_PASSWORD,
	type ExecutionDetail,
	type ExecutionSummary,
	type ExecutionStatus,
	type NodeRun,
} from './rest';
