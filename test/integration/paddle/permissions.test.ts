/**
 * API key permissions (issue 15 item 7). The sandbox takes each operation's permissions from
 * Paddle's spec (`x-permissions`, and `x-enum-permissions` for `include`: `GET /prices?include=
 * product` needs product.read) and answers a key without one with 403 `forbidden` exactly as
 * developer.paddle.com/errors/shared/forbidden shows. Paddle's answer does not name the missing
 * permission; the node's error does.
 */
import { PaddleBillingTrigger } from '../../../nodes/PaddleBilling/PaddleBillingTrigger.node';
import { createHookContext } from '../../helpers/n8n-context';
import { PaddleSandbox } from '../../../dev/sandbox/paddle';
import { apiCredentials, credentialTypes, runner, useSandbox } from './helpers';

jest.setTimeout(30_000);
let sandbox: PaddleSandbox;
const node = runner(() => sandbox);
useSandbox({ started: (s) => (sandbox = s) });

const as = (key: string) => ({ credentials: { paddleBillingApi: apiCredentials(sandbox, key) as never } });

it("the sandbox answers a missing permission with Paddle's 403 forbidden body", async () => {
	const key = sandbox.addRestrictedKey(['price.read']);
	const res = await fetch(`${sandbox.url}/prices?include=product`, { headers: { authorization: `Bearer ${key}` } });
	expect(res.status).toBe(403);
	const body = (await res.json()) as { error: Record<string, unknown>; meta: Record<string, unknown> };
	expect(body.error).toMatchObject({ type: 'request_error', code: 'forbidden', detail: "You aren't permitted to perform this request." });
	expect(body.meta.request_id).toEqual(expect.any(String));
	// The same key without the include is allowed: the permission comes from the include value.
	expect((await fetch(`${sandbox.url}/prices`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
	// GET /event-types needs no permission at all (spec x-permissions: []).
	const none = sandbox.addRestrictedKey([]);
	expect((await fetch(`${sandbox.url}/event-types`, { headers: { authorization: `Bearer ${none}` } })).status).toBe(200);
});

it('Price → List with a key that has price.read but not product.read names product.read', async () => {
	const error = await node.error({ resource: 'price', operation: 'list', returnAll: true }, as(sandbox.addRestrictedKey(['price.read'])));
	expect(error.message).toContain('forbidden');
	expect(error.description).toContain('GET /prices?include=product');
	expect(error.description).toContain('price.read and product.read');
	expect(await node.run({ resource: 'price', operation: 'list', returnAll: true }, as(sandbox.addRestrictedKey(['price.read', 'product.read'])))).toHaveLength(5);
});

it('Customer → Create with a read-only key names customer.write', async () => {
	const error = await node.error({ resource: 'customer', operation: 'create', email: 'p@example.com', name: 'P', kommoLeadId: '', additionalFields: {} }, as(sandbox.addRestrictedKey(['customer.read'])));
	expect(error.description).toContain('needs customer.write');
});

it("the trigger's activation without notification_setting.write names it", async () => {
	const trigger = new PaddleBillingTrigger();
	const key = sandbox.addRestrictedKey(['notification_setting.read']);
	const context = createHookContext({ nodeType: trigger, parameters: { mode: 'automatic', events: ['*'] }, staticData: {}, credentials: { paddleBillingApi: apiCredentials(sandbox, key) as never }, credentialTypes });
	const error = (await trigger.webhookMethods.default.create.call(context).catch((e: unknown) => e)) as Error & { description?: string };
	expect(error.description).toContain('notification_setting.write');
});
