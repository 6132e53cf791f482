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
			'Kommo allows 7 requests per second per account and blocks the IP address after repeated violations. Each n8n process keeps to this number; with several queue-mode workers, divide 7 by the number of workers (e.g. 2 workers: 3.5).',
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
