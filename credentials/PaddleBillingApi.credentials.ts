import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Paddle Billing API key (Bearer). Live keys only work against
 * api.paddle.com and sandbox keys only against sandbox-api.paddle.com, so the
 * environment must match the key. "Base URL Override" points the credential
 * at any other host (a local sandbox, a proxy) and wins over Environment.
 */
export class PaddleBillingApi implements ICredentialType {
	name = 'paddleBillingApi';

	displayName = 'Paddle Billing API';

	icon: Icon = { light: 'file:paddleBilling.svg', dark: 'file:paddleBilling.dark.svg' };

	documentationUrl = 'https://developer.paddle.com/api-reference/about/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Paddle → Developer Tools → Authentication. Sandbox keys work only with the Sandbox environment, live keys only with Live.',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Live', value: 'live', description: 'https://api.paddle.com' },
				{ name: 'Sandbox', value: 'sandbox', description: 'https://sandbox-api.paddle.com' },
				{ name: 'Custom', value: 'custom', description: 'The URL in Base URL Override' },
			],
			default: 'sandbox',
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:4010',
			description:
				'Optional. When set, every request goes to this URL instead of the environment\'s host (required for Custom).',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ $credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : ($credentials.environment === "live" ? "https://api.paddle.com" : "https://sandbox-api.paddle.com") }}',
			url: '/event-types',
			method: 'GET',
		},
	};
}
