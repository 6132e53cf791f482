import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { KOMMO_BASE_URL_EXPRESSION, kommoAccountProperties, kommoTuningProperties } from './kommoShared';

/**
 * Kommo with a private integration's long-lived token (Bearer, valid from one
 * day to five years, no refresh).
 */
export class KommoApi implements ICredentialType {
	name = 'kommoApi';

	displayName = 'Kommo Long-Lived Token API';

	documentationUrl = 'https://github.com/kommo-billing/n8n-nodes-kommo-billing#kommo';

	icon = { light: 'file:../icons/kommo.svg', dark: 'file:../icons/kommo.dark.svg' } as const;

	properties: INodeProperties[] = [
		...kommoAccountProperties,
		{
			displayName: 'Long-Lived Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'From Settings → Integrations → your private integration → Keys and scopes → "Generate long-lived token"',
		},
		...kommoTuningProperties,
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: `=${KOMMO_BASE_URL_EXPRESSION}`,
			url: '/api/v4/account',
		},
	};
}
