import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { CHARGEBEE_HOST, hostExpression } from '../nodes/shared/hosts';

/**
 * Chargebee API v2: HTTP Basic auth with the API key as the user name and an
 * empty password, against `https://{site}.chargebee.com/api/v2`.
 */
export class ChargebeeBillingApi implements ICredentialType {
	name = 'chargebeeBillingApi';

	displayName = 'Chargebee Billing API';

	icon = {
		light: 'file:../icons/chargebeeBilling.svg',
		dark: 'file:../icons/chargebeeBilling.dark.svg',
	} as const;

	documentationUrl = 'https://apidocs.chargebee.com/docs/api/auth';

	properties: INodeProperties[] = [
		{
			displayName: 'Site',
			name: 'site',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'acme-test',
			description:
				'Your site name, the first part of https://&lt;site&gt;.chargebee.com. Test sites end in "-test" and have their own API keys.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A full-access key (Settings → Configure Chargebee → API Keys) for the Chargebee Billing node and the trigger\'s automatic mode. A read-only key is enough for Get/List/Find operations and for the trigger in manual mode.',
		},
		{
			displayName: 'Custom Host or Proxy',
			name: 'customHost',
			type: 'boolean',
			default: false,
			description:
				"Whether to send this credential's API key to the host in Base URL Override even though it is not https on chargebee.com (a proxy, or a local stand-in server on 127.0.0.1). Whoever controls that host receives the key.",
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:4010',
			description:
				'Leave empty for Chargebee. Set only to talk to a stand-in server (such as the project\'s sandbox) together with "Custom Host or Proxy"; "/api/v2" is added to it once.',
		},
		{
			displayName: 'Client Rate Limit (Requests per Minute)',
			name: 'requestsPerMinute',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description:
				'Spread requests so that no more than this many reach the site per minute (test sites allow 150). 0 sends at once and relies on retrying after 429.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			auth: {
				username: '={{$credentials.apiKey}}',
				password: '',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			// The same host rules as the node (nodes/shared/hosts.ts); the expression already ends in /api/v2.
			baseURL: `={{ ${hostExpression(CHARGEBEE_HOST, '$credentials', 'base')} }}`,
			url: '/item_prices',
			qs: { limit: 1 },
		},
	};
}
