/**
 * Kommo → Webhook → Check and Heal (issue 14 item 10): Kommo switches a webhook off after more
 * than 100 failed deliveries in 2 hours and never back on (developers.kommo.com/docs/webhooks-general;
 * the sandbox models the rule in sendTo). The operation finds our disabled webhooks and registers
 * them again; the URL secret never reaches the output.
 */
import { KommoSandbox } from '../../../dev/sandbox/kommo';
import { runKommo } from './helpers';

let kommo: KommoSandbox;
beforeAll(async () => {
	kommo = await new KommoSandbox().start();
});
afterAll(async () => kommo.stop());

const OURS = 'https://n8n.example.com/webhook/';

it('re-enables our disabled webhooks (same destination and events), leaves others alone, hides the secret', async () => {
	const now = Math.floor(Date.now() / 1000);
	const base = { created_at: now, updated_at: now, account_id: kommo.account.id, created_by: kommo.currentUserId, sort: 10 };
	kommo.webhooks.push(
		{ ...base, id: 901, destination: `${OURS}a/webhook?secret=TOPSECRET1`, settings: ['status_lead'], disabled: true },
		{ ...base, id: 902, destination: `${OURS}b/webhook?secret=TOPSECRET2`, settings: ['add_lead'], disabled: false },
		{ ...base, id: 903, destination: 'https://other.example/hook', settings: ['add_lead'], disabled: true },
	);
	const out = await runKommo(kommo, { resource: 'webhook', operation: 'checkHealth', destinationPrefix: OURS, heal: true });
	expect(out.map((o) => o.json)).toEqual([
		{ id: 901, destination: `${OURS}a/webhook?secret=***`, settings: ['status_lead'], was_disabled: true, healed: true },
		{ id: 902, destination: `${OURS}b/webhook?secret=***`, settings: ['add_lead'], was_disabled: false, healed: false },
	]);
	expect(JSON.stringify(out)).not.toContain('TOPSECRET');
	const healed = kommo.webhooks.find((w) => w.destination === `${OURS}a/webhook?secret=TOPSECRET1`)!;
	expect([healed.disabled, healed.settings]).toEqual([false, ['status_lead']]);
	expect(kommo.webhooks.find((w) => w.id === 903)!.disabled).toBe(true);
});
