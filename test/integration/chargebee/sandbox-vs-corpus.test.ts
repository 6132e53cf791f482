/**
 * The sandbox's generated webhooks look like Chargebee's real ones (/work/shared/payloads/chargebee,
 * real events from Chargebee sites): the same event envelope keys, and for every key both carry
 * (event, and each content object), the same JSON value shape (number / string / boolean / object /
 * array). The real bodies are Product Catalog 1.0 and the sandbox 2.0, so keys that exist in one
 * catalogue only (plan_id vs subscription_items) are not compared; shared keys must agree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { ChargebeeSandbox } from '../../../dev/sandbox/chargebee';

type Json = Record<string, unknown>;
const DIR = path.join(__dirname, '../../fixtures/chargebee-payloads');

const shape = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** key → shape differences between a real and a sandbox object (keys in both only). */
function mismatches(real: Json, mine: Json, where: string): string[] {
	const out: string[] = [];
	for (const [key, value] of Object.entries(real)) {
		if (!(key in mine) || value === null || mine[key] === null) continue;
		if (shape(value) !== shape(mine[key])) out.push(`${where}.${key}: real ${shape(value)}, sandbox ${shape(mine[key])}`);
	}
	return out;
}

// the corpus ships in the repository (test/fixtures), so it is never skipped
const corpus = describe;

corpus('sandbox webhooks vs real Chargebee bodies', () => {
	let sandbox: ChargebeeSandbox;
	const mine = new Map<string, Json>();

	beforeAll(async () => {
		sandbox = await new ChargebeeSandbox({ autoDeliver: false, customersHaveCard: true }).start();
		sandbox.addCustomer({ id: 'c1', email: 'a@b.test', cf_kommo_lead_id: '7' });
		const created = await fetch(`${sandbox.url}/api/v2/customers/c1/subscription_for_items`, {
			method: 'POST',
			headers: { authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'subscription_items[item_price_id][0]=pro-USD-monthly',
		});
		const sub = ((await created.json()) as { subscription: { id: string } }).subscription.id;
		await sandbox.simulatePaymentFailed(sub, 'Insufficient funds');
		await sandbox.simulateRenewal(sub, 'succeed');
		await sandbox.simulatePause(sub);
		await sandbox.simulateResume(sub);
		await sandbox.simulateCreditNote(sub, 100);
		await sandbox.simulateSubscriptionChanged(sub, [{ itemPriceId: 'enterprise-USD-monthly' }], true);
		await sandbox.simulateCancellation(sub);
		for (const event of sandbox.events) if (!mine.has(String(event.event_type))) mine.set(String(event.event_type), event);
	});
	afterAll(async () => sandbox.stop());

	test('every real event type the sandbox also generates has the same envelope and value shapes', () => {
		const problems: string[] = [];
		let compared = 0;
		for (const file of readdirSync(DIR).filter((f) => f.startsWith('bonusly-'))) {
			const real = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Json;
			const ours = mine.get(String(real.event_type));
			if (!ours) continue;
			compared++;
			for (const key of ['id', 'occurred_at', 'source', 'object', 'api_version', 'event_type', 'webhook_status', 'content']) {
				if (!(key in ours)) problems.push(`${String(real.event_type)}: sandbox event lacks ${key}`);
			}
			problems.push(...mismatches(real, ours, String(real.event_type)));
			const realContent = real.content as Json;
			const ourContent = ours.content as Json;
			for (const [key, value] of Object.entries(realContent)) {
				if (!(key in ourContent)) {
					if (key !== 'card') problems.push(`${String(real.event_type)}: sandbox content lacks ${key}`);
					continue;
				}
				problems.push(...mismatches(value as Json, ourContent[key] as Json, `${String(real.event_type)}.content.${key}`));
			}
		}
		expect(compared).toBeGreaterThanOrEqual(8);
		expect(problems).toEqual([]);
	});
});
