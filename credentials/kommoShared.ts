/**
 * Fields both Kommo credentials share: the account address (subdomain +
 * domain), the request budget, and a base URL override for sandboxes and
 * proxies.
 */
import type { INodeProperties } from 'n8n-workflow';

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
		displayName: 'Base URL Override',
		name: 'baseUrl',
		type: 'string',
		default: '',
		placeholder: 'http://127.0.0.1:8080',
		description:
			'Leave empty to use https://{subdomain}.{domain}. Set it to send every call to a sandbox or a proxy instead.',
	},
];

/** `https://{subdomain}.{domain}` or the override, as an n8n expression over the credential. */
export const KOMMO_BASE_URL_EXPRESSION =
	'{{ $credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : "https://" + $credentials.subdomain + "." + $credentials.domain }}';
