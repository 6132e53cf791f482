/**
 * The four sandboxes the benchmark and the reliability suite run against, started in this
 * process with a per-call latency, plus the credentials that point n8n at them:
 *  - our credentials with the ids and names the shipped workflows reference (see the team
 *    brief: kbKommoApi000001, kbChargebee00001, …);
 *  - the credentials the hand-built reference workflows use (n8n core types only: Header Auth,
 *    Basic Auth, generic OAuth2), as a user building the chain with HTTP Request nodes would.
 *
 * Sandboxes answer every call `latencyMs` late (default 100 ms, a SaaS round trip from a
 * European VPS to a US API); webhook deliveries from the sandboxes to n8n are not delayed.
 */
import { ChargebeeSandbox } from '../../dev/sandbox/chargebee';
import { KommoSandbox } from '../../dev/sandbox/kommo';
import { PaddleSandbox, SANDBOX_API_KEY } from '../../dev/sandbox/paddle';
import { ZuoraSandbox } from '../../dev/sandbox/zuora';
import type { CredentialJson } from '../../dev/n8n';
import { CREDENTIAL_IDS } from '../../dev/demo/stack';

// Zuora client ids are 36 characters (spec createToken.client_id)
export const ZUORA_CLIENT_ID = 'be4c0000-0000-4000-8000-00000000c11e';
export const ZUORA_CLIENT_SECRET = 'bench-zuora-client-secret-0123456789';
export const ZUORA_CALLOUT_USER = 'bench-zuora-callout';
export const ZUORA_CALLOUT_PASSWORD = 'bench-zuora-callout-password-0123456789abcdef';
export const ZUORA_CALLOUT_HMAC = 'bench-zuora-callout-hmac-secret-0123456789abcdef';
/** Basic pair the reference Chargebee workflow's Webhook node checks. */
export const REF_CHARGEBEE_HOOK = { user: 'ref-chargebee-hook', password: 'ref-chargebee-hook-password-0123456789' };

/** Credential ids and names the shipped workflows reference (the demo stack defines them). */
export const OUR_CREDENTIALS = CREDENTIAL_IDS;

export interface StackOptions {
	/** Added to every sandbox answer (ms). */
	latencyMs?: number;
	/** "Max Requests per Second" in our Kommo credential (per n8n process). */
	kommoRequestsPerSecond?: number;
	/** Kommo's own limit in the sandbox (requests per second). */
	kommoLimit?: number;
	/** 429s before the Kommo sandbox blocks the "IP" (its default: 20). */
	kommoBlockAfter?: number;
}

export class Stack {
	latencyMs = 0;

	private constructor(
		readonly kommo: KommoSandbox,
		readonly chargebee: ChargebeeSandbox,
		readonly paddle: PaddleSandbox,
		readonly zuora: ZuoraSandbox,
		readonly options: StackOptions,
	) {}

	static async start(options: StackOptions = {}): Promise<Stack> {
		const kommo = await new KommoSandbox().start();
		if (options.kommoLimit) kommo.setRequestsPerSecond(options.kommoLimit);
		if (options.kommoBlockAfter) kommo.blockAfterViolations = options.kommoBlockAfter;
		// Chargebee live sites allow far more than a test site's 150/min; the benchmark measures
		// our chain, not Chargebee's plan limits (Kommo's 7/s stays: it is the point).
		// customers with a card on file: the bench's hand-built reference workflow creates a paid subscription
		// straight away, which a card-less customer would be refused (payment_method_not_present)
		const chargebee = await new ChargebeeSandbox({ requestsPerMinute: 0, autoDeliver: false, customersHaveCard: true }).start();
		const paddle = await new PaddleSandbox().start();
		paddle.autoDeliver = false;
		const zuora = await new ZuoraSandbox({ tokenRateLimit: { limit: 1000, windowMs: 60_000 } })
			.addClient(ZUORA_CLIENT_ID, ZUORA_CLIENT_SECRET)
			.start();
		const stack = new Stack(kommo, chargebee, paddle, zuora, options);
		stack.setLatency(options.latencyMs ?? 100);
		return stack;
	}

	get sandboxes() {
		return [this.kommo, this.chargebee, this.paddle, this.zuora];
	}

	setLatency(ms: number): void {
		this.latencyMs = ms;
		for (const s of this.sandboxes) s.latencyMs = ms;
	}

	/** Forgets request logs, faults and rate-limit history (and Kommo's IP block). */
	resetLogs(): void {
		for (const s of this.sandboxes) s.resetLog();
		if (this.options.kommoLimit) this.kommo.setRequestsPerSecond(this.options.kommoLimit);
		else this.kommo.setRequestsPerSecond(this.kommo.rateLimitPerSecond);
	}

	/** Our credentials (ids/names as the shipped workflows reference them) + the reference ones. */
	credentials(kommoRequestsPerSecond = this.options.kommoRequestsPerSecond ?? 7): CredentialJson[] {
		const { kommo, chargebee, paddle, zuora } = this;
		return [
			{
				...OUR_CREDENTIALS.kommoApi,
				type: 'kommoApi',
				data: {
					subdomain: kommo.account.subdomain,
					domain: 'kommo.com',
					accessToken: kommo.longLivedToken,
					requestsPerSecond: kommoRequestsPerSecond,
					customHost: true,
					baseUrl: kommo.url,
				},
			},
			{
				...OUR_CREDENTIALS.chargebeeBillingApi,
				type: 'chargebeeBillingApi',
				data: { site: chargebee.site, apiKey: chargebee.apiKey, customHost: true, baseUrl: chargebee.url, requestsPerMinute: 0 },
			},
			{
				...OUR_CREDENTIALS.paddleBillingApi,
				type: 'paddleBillingApi',
				data: { apiKey: SANDBOX_API_KEY, environment: 'custom', baseUrl: paddle.url },
			},
			{
				...OUR_CREDENTIALS.zuoraOAuth2Api,
				type: 'zuoraOAuth2Api',
				data: {
					environment: 'custom',
					baseUrl: zuora.url,
					clientId: ZUORA_CLIENT_ID,
					clientSecret: ZUORA_CLIENT_SECRET,
					accessToken: '',
					expiresAt: 0,
					refreshAt: 0,
					obtainedAt: 0,
				},
			},
			{
				...OUR_CREDENTIALS.zuoraCalloutAuthApi,
				type: 'zuoraCalloutAuthApi',
				data: { user: ZUORA_CALLOUT_USER, password: ZUORA_CALLOUT_PASSWORD, hmacSecret: ZUORA_CALLOUT_HMAC, urlSecret: '' },
			},
			// ---- reference workflows (n8n core credential types only)
			{
				id: 'refKommoHeader01',
				name: 'Reference: Kommo token header',
				type: 'httpHeaderAuth',
				data: { name: 'Authorization', value: `Bearer ${kommo.longLivedToken}` },
			},
			{
				id: 'refChargebeeApi1',
				name: 'Reference: Chargebee API key',
				type: 'httpBasicAuth',
				data: { user: chargebee.apiKey, password: '' },
			},
			{
				id: 'refChargebeeHook',
				name: 'Reference: Chargebee webhook pair',
				type: 'httpBasicAuth',
				data: { user: REF_CHARGEBEE_HOOK.user, password: REF_CHARGEBEE_HOOK.password },
			},
			{
				id: 'refPaddleHeader1',
				name: 'Reference: Paddle API key header',
				type: 'httpHeaderAuth',
				data: { name: 'Authorization', value: `Bearer ${SANDBOX_API_KEY}` },
			},
			{
				id: 'refZuoraOAuth001',
				name: 'Reference: Zuora OAuth2 client credentials',
				type: 'oAuth2Api',
				data: {
					grantType: 'clientCredentials',
					accessTokenUrl: `${zuora.url}/oauth/token`,
					clientId: ZUORA_CLIENT_ID,
					clientSecret: ZUORA_CLIENT_SECRET,
					scope: '',
					authentication: 'body',
				},
			},
			{
				id: 'refZuoraCallout1',
				name: 'Reference: Zuora callout pair',
				type: 'httpBasicAuth',
				data: { user: ZUORA_CALLOUT_USER, password: ZUORA_CALLOUT_PASSWORD },
			},
		];
	}

	/** Values substituted for `__NAME__` placeholders in the reference workflows. */
	placeholders(extra: Record<string, string> = {}): Record<string, string> {
		const field = (name: string) => String(this.kommo.field('leads', name).id);
		return {
			KOMMO_URL: this.kommo.url,
			CHARGEBEE_URL: this.chargebee.url,
			PADDLE_URL: this.paddle.url,
			ZUORA_URL: this.zuora.url,
			KOMMO_FIELD_BILLING_CUSTOMER_ID: field('Billing customer ID'),
			KOMMO_FIELD_SUBSCRIPTION_ID: field('Subscription ID'),
			KOMMO_FIELD_SUBSCRIPTION_STATUS: field('Subscription status'),
			PADDLE_PRICE_PRO: this.paddle.seed.monthlyUsd,
			...extra,
		};
	}

	async stop(): Promise<void> {
		await Promise.all(this.sandboxes.map((s) => s.stop().catch(() => undefined)));
	}
}

/** Replaces `__NAME__` in every string of a workflow (deep). Unknown placeholders throw. */
export function fillPlaceholders<T>(value: T, values: Record<string, string>): T {
	const walk = (v: unknown): unknown => {
		if (typeof v === 'string') {
			return v.replace(/__([A-Z][A-Z0-9_]*)__/g, (whole, name: string) => {
				if (!(name in values)) throw new Error(`reference workflow placeholder ${whole} has no value`);
				return values[name];
			});
		}
		if (Array.isArray(v)) return v.map(walk);
		if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
		return v;
	};
	return walk(value) as T;
}
