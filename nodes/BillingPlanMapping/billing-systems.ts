/** The billing systems a Kommo plan can be mapped to, and what each calls a price. */
export type BillingSystem = 'chargebee' | 'paddle' | 'zuora';

export interface BillingSystemInfo {
	/** As users see it in texts ("has no mapping to Chargebee"). */
	label: string;
	/** The credential whose API lists the prices. */
	credential: string;
	/** What the vendor calls the thing a plan maps to. */
	priceNoun: string;
}

export const BILLING_SYSTEMS: Record<BillingSystem, BillingSystemInfo> = {
	chargebee: { label: 'Chargebee', credential: 'chargebeeBillingApi', priceNoun: 'item price' },
	paddle: { label: 'Paddle', credential: 'paddleBillingApi', priceNoun: 'price' },
	zuora: { label: 'Zuora', credential: 'zuoraOAuth2Api', priceNoun: 'product rate plan' },
};

export function isBillingSystem(value: unknown): value is BillingSystem {
	return typeof value === 'string' && Object.hasOwn(BILLING_SYSTEMS, value);
}
