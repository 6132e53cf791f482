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

	icon: Icon = { light: 'file:../icons/paddleBilling.svg', dark: 'file:../icons/paddleBilling.dark.svg' };

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

	/**
	 * The Test button reads one price with its product: what every price dropdown and the plan
	 * mapping need (`price.read` and `product.read`, spec x-permissions / x-enum-permissions). A key
	 * that cannot even do that fails here, named, instead of on the first dropdown.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ $credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : ($credentials.environment === "live" ? "https://api.paddle.com" : "https://sandbox-api.paddle.com") }}',
			url: '/prices',
			method: 'GET',
			qs: { include: 'product', per_page: 1 },
		},
		// Paddle answers every refusal with 403 and says why only in the body (invalid_token,
		// forbidden: developer.paddle.com/errors/shared/*); n8n's rules see the status alone.
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Paddle refused the key: it is invalid or revoked, belongs to the other environment (sandbox keys start with pdl_sdbx_, live keys with pdl_live_), or lacks price.read or product.read, which every price dropdown needs. Permissions are set under Paddle → Developer Tools → Authentication; the docs list what each operation needs (customer.write, transaction.write, notification_setting.write, …).',
				},
			},
		],
	};
}
