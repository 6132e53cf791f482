/**
 * Fields both Kommo credentials share: the account address (subdomain +
 * domain), the request budget, and a base URL override for sandboxes and
 * proxies.
 */
import type { INodeProperties } from 'n8n-workflow';

import { hostExpression, KOMMO_HOST } from '../nodes/shared/hosts';

export const kommoAccountProperties: INodeProperties[] = [
	{
		displayName: 'Subdomain',
		name: 'subdomain',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'acme',
		description: 'The part before the domain in your Kommo address: "acme" for https://acme.kommo.com',
	},
	{
		displayName: 'Domain',
		name: 'domain',
		type: 'options',
		options: [
			{ name: 'kommo.com', value: 'kommo.com' },
			{ name: 'amocrm.com', value: 'amocrm.com' },
			{ name: 'amocrm.ru', value: 'amocrm.ru' },
		],
		default: 'kommo.com',
		description: 'The domain of your account address (older accounts may still use amoCRM domains)',
	},
];

export const kommoTuningProperties: INodeProperties[] = [
	{
		displayName: 'Max Requests per Second',
		name: 'requestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 0.1, maxValue: 7, numberPrecision: 1 },
		default: 7,
		description:
			'Kommo allows 7 requests per second per account and blocks the IP address after repeated violations. Each n8n process keeps to this number; with several queue-mode workers, use "Shared Rate Budget URL" or give each worker a whole share (2 workers: 3).',
	},
	{
		displayName: 'Shared Rate Budget URL',
		name: 'rateBudgetUrl',
		type: 'string',
		default: '',
		placeholder: 'http://n8n-main:5678/webhook/…/permit',
		description:
			'Queue mode: the Production URL of a published Kommo Rate Budget node. Every worker then asks it before each Kommo request, so all of them together keep to one budget; "Max Requests per Second" is not used while it answers.',
	},
	{
		displayName: 'Shared Rate Budget Secret',
		name: 'rateBudgetSecret',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'At least 16 characters; the Kommo Rate Budget node checks it (it reads it from this credential)',
	},
	{
		displayName: 'Fallback Requests per Second',
		name: 'rateBudgetFallback',
		type: 'number',
		typeOptions: { minValue: 0.1, maxValue: 7, numberPrecision: 1 },
		default: 1,
		description:
			'Used by each n8n process while the Shared Rate Budget URL cannot be reached (fail safe: keep workers × this ≤ 7)',
	},
	{
		displayName: 'Custom Host or Proxy',
		name: 'customHost',
		type: 'boolean',
		default: false,
		description:
			"Whether to send this credential's token to the host in Base URL Override even though it is not https on a Kommo domain (a proxy, or a local sandbox on 127.0.0.1). Whoever controls that host receives the token.",
	},
	{
		displayName: 'Base URL Override',
		name: 'baseUrl',
		type: 'string',
		default: '',
		placeholder: 'https://acme.kommo.com',
		description:
			'Leave empty to use https://{subdomain}.{domain}. Without "Custom Host or Proxy" only https on kommo.com / amocrm.com / amocrm.ru is accepted; a trailing /api/v4 is ignored.',
	},
];

/** `https://{subdomain}.{domain}` or the override, as an n8n expression over the credential (same rules as the nodes). */
export const KOMMO_BASE_URL_EXPRESSION = `{{ ${hostExpression(KOMMO_HOST, '$credentials', 'base')} }}`;
