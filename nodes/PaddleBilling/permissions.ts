/**
 * The API key permissions each Paddle request of this package needs, from Paddle's OpenAPI spec
 * (`x-permissions` per operation, `x-enum-permissions` per `include` value). Paddle's own 403
 * `forbidden` answer does not say which permission is missing, so a refused call names it.
 */
interface Rule {
	method: string;
	pattern: RegExp;
	permissions: string[];
}

const RULES: Rule[] = [
	{ method: 'GET', pattern: /^\/customers$/, permissions: ['customer.read'] },
	{ method: 'POST', pattern: /^\/customers$/, permissions: ['customer.write'] },
	{ method: 'GET', pattern: /^\/customers\/[^/]+$/, permissions: ['customer.read'] },
	{ method: 'PATCH', pattern: /^\/customers\/[^/]+$/, permissions: ['customer.write'] },
	{ method: 'GET', pattern: /^\/customers\/[^/]+\/addresses(\/[^/]+)?$/, permissions: ['address.read'] },
	{ method: 'POST', pattern: /^\/customers\/[^/]+\/addresses$/, permissions: ['address.write'] },
	{ method: 'GET', pattern: /^\/customers\/[^/]+\/businesses(\/[^/]+)?$/, permissions: ['business.read'] },
	{ method: 'POST', pattern: /^\/customers\/[^/]+\/businesses$/, permissions: ['business.write'] },
	{ method: 'GET', pattern: /^\/prices(\/[^/]+)?$/, permissions: ['price.read'] },
	{ method: 'GET', pattern: /^\/transactions(\/[^/]+)?$/, permissions: ['transaction.read'] },
	{ method: 'GET', pattern: /^\/transactions\/[^/]+\/invoice$/, permissions: ['transaction.read'] },
	{ method: 'POST', pattern: /^\/transactions\/preview$/, permissions: ['transaction.read'] },
	{ method: 'POST', pattern: /^\/transactions$/, permissions: ['transaction.write'] },
	{ method: 'PATCH', pattern: /^\/transactions\/[^/]+$/, permissions: ['transaction.write'] },
	{ method: 'GET', pattern: /^\/subscriptions(\/[^/]+)?$/, permissions: ['subscription.read'] },
	{ method: 'PATCH', pattern: /^\/subscriptions\/[^/]+$/, permissions: ['subscription.write'] },
	{ method: 'POST', pattern: /^\/subscriptions\/[^/]+\/(cancel|pause|resume|charge)$/, permissions: ['subscription.write'] },
	{ method: 'PATCH', pattern: /^\/subscriptions\/[^/]+\/preview$/, permissions: ['subscription.read'] },
	{ method: 'POST', pattern: /^\/subscriptions\/[^/]+\/charge\/preview$/, permissions: ['subscription.read'] },
	{ method: 'GET', pattern: /^\/adjustments$/, permissions: ['adjustment.read'] },
	{ method: 'POST', pattern: /^\/adjustments$/, permissions: ['adjustment.write'] },
	{ method: 'GET', pattern: /^\/discounts(\/[^/]+)?$/, permissions: ['discount.read'] },
	{ method: 'POST', pattern: /^\/discounts$/, permissions: ['discount.write'] },
	{ method: 'GET', pattern: /^\/notification-settings(\/[^/]+)?$/, permissions: ['notification_setting.read'] },
	{ method: 'POST', pattern: /^\/notification-settings$/, permissions: ['notification_setting.write'] },
	{ method: 'PATCH', pattern: /^\/notification-settings\/[^/]+$/, permissions: ['notification_setting.write'] },
	{ method: 'DELETE', pattern: /^\/notification-settings\/[^/]+$/, permissions: ['notification_setting.write'] },
	{ method: 'GET', pattern: /^\/(events|notifications)(\/[^/]+)?$/, permissions: ['notification.read'] },
	{ method: 'POST', pattern: /^\/notifications\/[^/]+\/replay$/, permissions: ['notification.write'] },
	{ method: 'GET', pattern: /^\/event-types$/, permissions: [] },
];

/** `include` values and what they add (spec `x-enum-permissions`). */
const INCLUDE: Record<string, string> = {
	product: 'product.read',
	customer: 'customer.read',
	address: 'address.read',
	business: 'business.read',
	adjustments: 'adjustment.read',
	discount: 'discount.read',
	next_transaction: 'transaction.read',
	recurring_transaction_details: 'transaction.read',
};

/** The permissions a request needs, or undefined for a request this table does not know. */
export function permissionsFor(method: string, path: string, qs?: Record<string, unknown>): string[] | undefined {
	const bare = path.split('?')[0];
	const rule = RULES.find((r) => r.method === method.toUpperCase() && r.pattern.test(bare));
	if (!rule) return undefined;
	const include = typeof qs?.include === 'string' ? qs.include.split(',') : [];
	const extra = include.map((i) => INCLUDE[i.trim()]).filter((p): p is string => typeof p === 'string');
	return [...new Set([...rule.permissions, ...extra])];
}
