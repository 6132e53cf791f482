import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { hostExpression, KOMMO_HOST } from '../nodes/shared/hosts';
import { KOMMO_BASE_URL_EXPRESSION, kommoAccountProperties, kommoTuningProperties } from './kommoShared';

/**
 * Kommo through OAuth 2.0 (authorization code). The token endpoint lives on
 * the account's own subdomain; n8n refreshes the 24-hour access token with
 * the refresh token, which Kommo rotates on every refresh.
 */
export class KommoOAuth2Api implements ICredentialType {
	name = 'kommoOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Kommo OAuth2 API';

	documentationUrl = 'https://github.com/kommo-billing/n8n-nodes-kommo-billing#kommo';

	icon = { light: 'file:../icons/kommo.svg', dark: 'file:../icons/kommo.dark.svg' } as const;

	properties: INodeProperties[] = [
		...kommoAccountProperties,
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: `={{ ${hostExpression(KOMMO_HOST, '$self', 'consent')} }}`,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: `={{ ${hostExpression(KOMMO_HOST, '$self', 'base', '/oauth2/access_token')} }}`,
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			// post_message: Kommo redirects inside the consent window n8n opened; popup would close it
			// and navigate the editor tab instead (amoCRM OAuth docs; ../shared/API-FACTS.md).
			default: 'mode=post_message',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
		...kommoTuningProperties,
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: `=${KOMMO_BASE_URL_EXPRESSION}`,
			url: '/api/v4/account',
		},
	};
}
