// The demo's moving parts: the four vendor sandboxes on loopback (seeded), and a real n8n
// (via the e2e harness) with the packed package, the shared credentials pointing at the
// sandboxes and every workflows/*.json imported and published. Used by `npm run demo`
// (dev/demo/run.ts), the README screenshots (dev/screenshots/capture.ts) and the demo test.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { REPO_ROOT, startN8n, type CredentialJson, type N8nHandle, type WorkflowJson } from '../n8n';
import { ChargebeeSandbox } from '../sandbox/chargebee';
import { KommoSandbox, type ContactSeed, type Lead } from '../sandbox/kommo';
import { PaddleSandbox, SANDBOX_API_KEY, SEED_IDS } from '../sandbox/paddle';
import { ZuoraSandbox } from '../sandbox/zuora';
import { SHIPPED_CREDENTIAL } from '../../tools/workflows/credentials';

export const PACKAGE = 'n8n-nodes-kommo-billing';

/** Credential ids and names the shipped workflows reference (tools/workflows/credentials.ts). */
export const CREDENTIAL_IDS = SHIPPED_CREDENTIAL;

/** Demo-only secrets for the Zuora OAuth client and the callout receiver (loopback sandboxes). */
// Zuora client ids are 36 characters (spec createToken.client_id)
export const ZUORA_CLIENT = { id: 'de70de70-0000-4000-8000-00000000c11e', secret: 'demo-zuora-client-secret-0001' };
export const ZUORA_CALLOUT = {
	user: 'zuora-callouts',
	password: 'demo-callout-password-0001',
	hmacSecret: 'demo-callout-hmac-secret-0001',
	urlSecret: 'demo-callout-url-secret-0001',
};

/** The three plans of the Kommo "Plan" field and their prices in every vendor's catalog. */
export const PLANS = [
	{ name: 'Starter', usdMinor: 1500 },
	{ name: 'Pro', usdMinor: 3000 },
	{ name: 'Enterprise', usdMinor: 50000 },
] as const;
export type PlanName = (typeof PLANS)[number]['name'];
export type Vendor = 'chargebee' | 'paddle' | 'zuora';
export const VENDOR_LABEL: Record<Vendor, string> = { chargebee: 'Chargebee', paddle: 'Paddle', zuora: 'Zuora' };

export interface LoadedWorkflow {
	/** File name in workflows/, e.g. kommo-won-to-chargebee.json */
	file: string;
	json: WorkflowJson;
	/** Published (active) in n8n: it has a trigger other than the Error/Manual trigger. */
	published: boolean;
}

export interface DemoStack {
	kommo: KommoSandbox;
	chargebee: ChargebeeSandbox;
	paddle: PaddleSandbox;
	zuora: ZuoraSandbox;
	n8n: N8nHandle;
	workflows: LoadedWorkflow[];
	/** Workflow by file name (without .json), if present. */
	workflow(name: string): LoadedWorkflow | undefined;
	/** Seeded demo deals by key. */
	deals: Record<DealKey, Lead>;
	/** Ids of the catalog entries the demo seeded, per vendor and plan. */
	catalog: Record<Vendor, Record<PlanName, string>>;
	stop(): Promise<void>;
}

export type DealKey = 'chargebee' | 'paddle' | 'zuora' | 'spare';

/** workflows/*.json (or DEMO_WORKFLOWS_DIR/*.json), sorted by name. */
export function workflowFiles(dir = process.env.DEMO_WORKFLOWS_DIR || path.join(REPO_ROOT, 'workflows')): string[] {
	let names: string[] = [];
	try {
		names = readdirSync(dir).filter((name) => name.endsWith('.json'));
	} catch {
		return [];
	}
	return names.sort().map((name) => path.join(dir, name));
}

const NOT_STARTING = new Set(['n8n-nodes-base.manualTrigger']);

/**
 * A workflow n8n can publish: some enabled node starts it (a trigger or a Webhook node). n8n 2.x
 * runs an error workflow and a sub-workflow (Execute Workflow Trigger) only when it is published.
 */
export function isPublishable(workflow: WorkflowJson): boolean {
	return workflow.nodes.some(
		(node) => !node.disabled && !NOT_STARTING.has(node.type) && (/trigger$/i.test(node.type) || node.type === 'n8n-nodes-base.webhook'),
	);
}

/** Enabled nodes of our package of the given short type (e.g. 'kommoTrigger'). */
export function nodesOfType(workflow: WorkflowJson, shortType: string): WorkflowJson['nodes'] {
	return workflow.nodes.filter((node) => !node.disabled && node.type === `${PACKAGE}.${shortType}`);
}

/** Production webhook path of one of our trigger nodes (`<webhookId>/<path>`). */
export function triggerPath(node: WorkflowJson['nodes'][number]): string | undefined {
	if (!node.webhookId) return undefined;
	const suffix = node.type === `${PACKAGE}.zuoraTrigger` ? 'callout' : 'webhook';
	return `${node.webhookId}/${suffix}`;
}

export function loadWorkflows(files = workflowFiles()): LoadedWorkflow[] {
	return files.map((file) => {
		const json = JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
		if (!json || !Array.isArray(json.nodes)) throw new Error(`${file} is not an n8n workflow (no "nodes" array)`);
		return { file: path.basename(file), json, published: isPublishable(json) };
	});
}

/** A Paddle-shaped id (`pri_` + 26 of [0-9a-z]) that stays the same from run to run. */
function paddleId(prefix: string, seed: string): string {
	const body = `01kbdemo${seed.toLowerCase().replace(/[^0-9a-z]/g, '')}`.padEnd(26, '0').slice(0, 26);
	return `${prefix}_${body}`;
}

function seedKommo(kommo: KommoSandbox): Record<DealKey, Lead> {
	// The shared fields ("Plan", "Billing system", ids, status) are seeded by the sandbox itself.
	if (!kommo.customFields.some((f) => f.entity_type === 'leads' && f.name === 'Payment method')) {
		kommo.addCustomField('leads', { name: 'Payment method', type: 'select', enums: ['Invoice', 'Card'] });
	}
	if (!kommo.customFields.some((f) => f.entity_type === 'leads' && f.name === 'Country')) {
		kommo.addCustomField('leads', { name: 'Country', type: 'text' });
	}
	if (!kommo.customFields.some((f) => f.entity_type === 'leads' && f.name === 'Billing versions')) {
		kommo.addCustomField('leads', { name: 'Billing versions', type: 'text' });
	}
	for (const plan of PLANS) {
		const field = kommo.field('leads', 'Plan');
		if (!field.enums?.some((e) => e.value === plan.name)) throw new Error(`Kommo sandbox: field Plan lacks the option ${plan.name}`);
	}
	const negotiation = kommo.mainPipeline.statuses.find((s) => s.name === 'Negotiation') ?? kommo.mainPipeline.statuses[0];
	const bob = kommo.users.find((u) => u.name === 'Bob Sales') ?? kommo.users[0];
	const deal = (name: string, price: number, customFields: Record<string, unknown>, contact: ContactSeed) =>
		kommo.addLead({ name, price, status_id: negotiation.id, responsible_user_id: bob.id, customFields, contacts: [contact] });
	return {
		chargebee: deal('Acme Corp', 3000, { Plan: 'Pro', 'Billing system': 'Chargebee', 'Payment method': 'Card', Country: 'US' }, {
			first_name: 'Ada',
			last_name: 'Lovelace',
			email: 'ada@acme.test',
			phone: '+1 555 0100',
		}),
		paddle: deal('Globex', 3000, { Plan: 'Pro', 'Billing system': 'Paddle', 'Payment method': 'Invoice', Country: 'DE' }, {
			first_name: 'Grace',
			last_name: 'Hopper',
			email: 'grace@globex.test',
			phone: '+1 555 0101',
		}),
		zuora: deal('Initech', 50000, { Plan: 'Enterprise', 'Billing system': 'Zuora', Country: 'GB' }, {
			first_name: 'Alan',
			last_name: 'Turing',
			email: 'alan@initech.test',
			phone: '+44 20 7946 0102',
		}),
		// left in Negotiation for the visitor to win from the demo prompt
		spare: deal('Umbrella', 1500, { Plan: 'Starter', 'Billing system': 'Chargebee', Country: 'US' }, {
			first_name: 'Katherine',
			last_name: 'Johnson',
			email: 'katherine@umbrella.test',
		}),
	};
}

function seedChargebee(chargebee: ChargebeeSandbox): Record<PlanName, string> {
	const ids = {} as Record<PlanName, string>;
	for (const plan of PLANS) {
		const id = `${plan.name.toLowerCase()}-USD-monthly`;
		const existing = chargebee.itemPrices.get(id);
		if (!existing || existing.price !== plan.usdMinor) {
			chargebee.addItemPrice({ id, name: `${plan.name} USD Monthly`, item_id: plan.name.toLowerCase(), price: plan.usdMinor, currency_code: 'USD' });
		}
		ids[plan.name] = id;
	}
	return ids;
}

function seedPaddle(paddle: PaddleSandbox): Record<PlanName, string> {
	// Pro is the sandbox's own seeded monthly USD price (fixed id); Starter and Enterprise join it.
	const ids = {} as Record<PlanName, string>;
	for (const plan of PLANS) {
		const existing = [...paddle.prices.values()].find(
			(p) => p.product_id === SEED_IDS.productId && (p.billing_cycle as { interval?: string } | null)?.interval === 'month' &&
				(p.unit_price as { amount: string; currency_code: string }).currency_code === 'USD' &&
				(p.unit_price as { amount: string }).amount === String(plan.usdMinor),
		);
		ids[plan.name] = (existing?.id as string | undefined) ?? addPaddlePrice(paddle, paddleId('pri', `${plan.name}monthusd`), plan.name, plan.usdMinor);
	}
	return ids;
}

/** A monthly USD price with a fixed id, under the seeded product. */
function addPaddlePrice(paddle: PaddleSandbox, id: string, plan: string, usdMinor: number): string {
	return paddle.addPrice({ id, productId: SEED_IDS.productId, description: `${plan} monthly`, amount: String(usdMinor), currency: 'USD', interval: 'month' }).id as string;
}

function seedZuora(zuora: ZuoraSandbox): Record<PlanName, string> {
	const ids = {} as Record<PlanName, string>;
	for (const plan of PLANS) {
		const product = zuora.catalog.find((p) => p.name === plan.name);
		const monthly = product?.productRatePlans.find((rp) => /month/i.test(rp.name) && rp.status === 'Active');
		ids[plan.name] = monthly?.id ?? addZuoraRatePlan(zuora, `8ad09be48db5aba7018db5plan00${plan.name.toLowerCase().slice(0, 3)}-m`, plan.name, plan.usdMinor);
	}
	return ids;
}

/** A product with one monthly flat-fee USD rate plan of the given id. */
function addZuoraRatePlan(zuora: ZuoraSandbox, ratePlanId: string, plan: string, usdMinor: number): string {
	const suffix = ratePlanId.slice(-6).replace(/[^0-9a-z]/gi, '');
	zuora.catalog.push({
		id: `8ad09be48db5aba7018db5prod${suffix}`.slice(0, 32),
		sku: `SKU-${plan.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
		name: plan,
		description: `${plan} plan`,
		productRatePlans: [
			{
				id: ratePlanId,
				name: `${plan} Monthly`,
				status: 'Active',
				productRatePlanCharges: [
					{
						id: `8ad09be48db5aba7018db5chrg${suffix}`.slice(0, 32),
						name: `${plan} Monthly Fee`,
						type: 'Recurring',
						model: 'FlatFee',
						billingPeriod: 'Month',
						pricing: [{ currency: 'USD', price: usdMinor / 100 }],
					},
				],
			},
		],
	});
	return ratePlanId;
}

/** Plan label → price id, per billing system, from the Billing Plan Mapping nodes of the workflows. */
export function planMappings(workflows: LoadedWorkflow[], kommo: KommoSandbox): Record<Vendor, Record<string, string>> {
	const out: Record<Vendor, Record<string, string>> = { chargebee: {}, paddle: {}, zuora: {} };
	const planField = kommo.customFields.find((f) => f.entity_type === 'leads' && f.name === 'Plan');
	for (const workflow of workflows) {
		for (const node of nodesOfType(workflow.json, 'billingPlanMapping')) {
			const p = (node.parameters ?? {}) as { billingSystem?: string; mappings?: { mapping?: Array<{ kommoPlan?: unknown; priceId?: unknown }> } };
			const vendor = (p.billingSystem ?? 'chargebee') as Vendor;
			if (!(vendor in out)) continue;
			for (const row of p.mappings?.mapping ?? []) {
				const raw = String(row.kommoPlan ?? '').trim();
				const priceId = String(row.priceId ?? '').trim();
				if (!raw || !priceId || raw.startsWith('=') || priceId.startsWith('=')) continue;
				const label = planField?.enums?.find((e) => String(e.id) === raw)?.value ?? raw;
				out[vendor][label] = priceId;
			}
		}
	}
	return out;
}

/**
 * Makes every price the workflows map a plan to exist in the sandboxes (the demo's catalogue
 * follows the shipped mapping, whatever ids it names), and records them as the plans' prices.
 */
function alignCatalogs(
	s: { kommo: KommoSandbox; chargebee: ChargebeeSandbox; paddle: PaddleSandbox; zuora: ZuoraSandbox },
	workflows: LoadedWorkflow[],
	catalog: Record<Vendor, Record<PlanName, string>>,
	log: (line: string) => void,
): void {
	const mappings = planMappings(workflows, s.kommo);
	for (const vendor of Object.keys(mappings) as Vendor[]) {
		for (const [label, priceId] of Object.entries(mappings[vendor])) {
			const plan = PLANS.find((p) => p.name.toLowerCase() === label.toLowerCase());
			const usdMinor = plan?.usdMinor ?? 1000;
			let added = false;
			if (vendor === 'chargebee' && !s.chargebee.itemPrices.has(priceId)) {
				s.chargebee.addItemPrice({ id: priceId, name: `${label} (demo)`, item_id: label.toLowerCase().replace(/\W+/g, '-'), price: usdMinor, currency_code: 'USD' });
				added = true;
			}
			if (vendor === 'paddle' && !s.paddle.prices.has(priceId)) {
				addPaddlePrice(s.paddle, priceId, label, usdMinor);
				added = true;
			}
			if (vendor === 'zuora' && !s.zuora.catalog.some((p) => p.productRatePlans.some((rp) => rp.id === priceId))) {
				addZuoraRatePlan(s.zuora, priceId, label, usdMinor);
				added = true;
			}
			if (added) log(`${VENDOR_LABEL[vendor]} sandbox: added ${priceId} for plan "${label}" (named by the workflow's plan mapping)`);
			if (plan) catalog[vendor][plan.name] = priceId;
		}
	}
}

export function demoCredentials(s: { kommo: KommoSandbox; chargebee: ChargebeeSandbox; paddle: PaddleSandbox; zuora: ZuoraSandbox }): CredentialJson[] {
	return [
		{
			...CREDENTIAL_IDS.kommoApi,
			type: 'kommoApi',
			data: { subdomain: s.kommo.account.subdomain, domain: 'kommo.com', accessToken: s.kommo.longLivedToken, requestsPerSecond: 7, customHost: true, baseUrl: s.kommo.url },
		},
		{
			...CREDENTIAL_IDS.chargebeeBillingApi,
			type: 'chargebeeBillingApi',
			data: { site: s.chargebee.site, apiKey: s.chargebee.apiKey, customHost: true, baseUrl: s.chargebee.url, requestsPerMinute: 0 },
		},
		{
			...CREDENTIAL_IDS.paddleBillingApi,
			type: 'paddleBillingApi',
			data: { apiKey: SANDBOX_API_KEY, environment: 'custom', baseUrl: s.paddle.url },
		},
		{
			...CREDENTIAL_IDS.zuoraOAuth2Api,
			type: 'zuoraOAuth2Api',
			data: {
				environment: 'custom',
				baseUrl: s.zuora.url,
				clientId: ZUORA_CLIENT.id,
				clientSecret: ZUORA_CLIENT.secret,
				accessToken: '',
				expiresAt: 0,
				refreshAt: 0,
				obtainedAt: 0,
			},
		},
		{ ...CREDENTIAL_IDS.zuoraCalloutAuthApi, type: 'zuoraCalloutAuthApi', data: { ...ZUORA_CALLOUT } },
	];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StackOptions {
	/** Progress lines (default: stderr). */
	log?: (line: string) => void;
	/** Label of the n8n user folder. */
	name?: string;
	/** Workflow files (default: every workflows/*.json). */
	files?: string[];
	/** Extra environment for n8n. */
	env?: Record<string, string>;
}

function envPort(name: string): number {
	const value = Number(process.env[name] ?? 0);
	return Number.isInteger(value) && value > 0 && value < 65536 ? value : 0;
}

export async function startStack(options: StackOptions = {}): Promise<DemoStack> {
	const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
	const workflows = loadWorkflows(options.files ?? workflowFiles());
	const started: Array<{ stop(): Promise<void> }> = [];
	// Everything is stopped even when one stop fails; then the failures are reported. A sandbox's
	// stop() throws when its vendor spec check recorded a deviation in the demo's traffic, and
	// that must fail `npm run demo -- --ci` as it fails the tests.
	const stopStarted = async () => {
		const problems: string[] = [];
		for (const s of started.reverse()) await s.stop().catch((error: Error) => problems.push(error.message));
		started.length = 0;
		if (problems.length > 0) throw new Error(problems.join('\n'));
	};
	try {
		const kommo = await new KommoSandbox().start(envPort('KOMMO_SANDBOX_PORT'));
		started.push(kommo);
		const chargebee = await new ChargebeeSandbox().start(envPort('CHARGEBEE_SANDBOX_PORT'));
		started.push(chargebee);
		const paddle = await new PaddleSandbox().start(envPort('PADDLE_SANDBOX_PORT'));
		started.push(paddle);
		const zuora = await new ZuoraSandbox().addClient(ZUORA_CLIENT.id, ZUORA_CLIENT.secret).start(envPort('ZUORA_SANDBOX_PORT'));
		started.push(zuora);
		log(`sandboxes: Kommo ${kommo.url}, Chargebee ${chargebee.url}, Paddle ${paddle.url}, Zuora ${zuora.url}`);

		const deals = seedKommo(kommo);
		const catalog = { chargebee: seedChargebee(chargebee), paddle: seedPaddle(paddle), zuora: seedZuora(zuora) };
		alignCatalogs({ kommo, chargebee, paddle, zuora }, workflows, catalog, log);

		const published = workflows.filter((w) => w.published);
		const waitForWebhooks = published.flatMap((w) =>
			w.json.nodes
				.filter((n) => !n.disabled && n.type.startsWith(`${PACKAGE}.`) && /Trigger$/.test(n.type))
				.map(triggerPath)
				.filter((p): p is string => Boolean(p)),
		);
		log(`starting n8n with ${workflows.length} workflow(s): ${workflows.map((w) => w.file).join(', ') || '(none)'}`);
		const n8n = await startN8n({
			name: options.name ?? 'demo',
			workflows: workflows.map((w) => w.json),
			credentials: demoCredentials({ kommo, chargebee, paddle, zuora }),
			publish: published.map((w) => w.json.id as string).filter(Boolean),
			waitForWebhooks,
			env: options.env,
		});
		started.push(n8n);

		// n8n serves a trigger's path first and runs its create() (registration at the vendor) right after.
		const expected = {
			kommo: published.reduce((sum, w) => sum + nodesOfType(w.json, 'kommoTrigger').length, 0),
			chargebee: published.reduce(
				(sum, w) => sum + nodesOfType(w.json, 'chargebeeBillingTrigger').filter((n) => n.parameters?.mode !== 'manual').length,
				0,
			),
			paddle: published.reduce(
				(sum, w) => sum + nodesOfType(w.json, 'paddleBillingTrigger').filter((n) => n.parameters?.mode !== 'manual').length,
				0,
			),
		};
		const registered = () => ({
			kommo: kommo.webhooks.filter((h) => !h.disabled).length,
			chargebee: [...chargebee.webhookEndpoints.values()].filter((e) => !e.disabled).length,
			paddle: paddle.notificationSettings.size,
		});
		const deadline = Date.now() + 60_000;
		for (;;) {
			const now = registered();
			if (now.kommo >= expected.kommo && now.chargebee >= expected.chargebee && now.paddle >= expected.paddle) break;
			if (Date.now() > deadline) {
				log(`warning: not every trigger registered its webhook in time (expected ${JSON.stringify(expected)}, have ${JSON.stringify(now)})`);
				break;
			}
			await sleep(200);
		}

		const byName = new Map(workflows.map((w) => [w.file.replace(/\.json$/, ''), w]));
		return {
			kommo,
			chargebee,
			paddle,
			zuora,
			n8n,
			workflows,
			workflow: (name) => byName.get(name),
			deals,
			catalog,
			stop: stopStarted,
		};
	} catch (error) {
		await stopStarted().catch(() => undefined); // the start-up error is the one to report
		throw error;
	}
}
