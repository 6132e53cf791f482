/** Parameters the Kommo node and the Kommo Trigger share. */
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'Long-Lived Token', value: 'longLivedToken', description: 'A private integration\'s long-lived token' },
		{ name: 'OAuth2', value: 'oAuth2', description: 'An integration connected through OAuth 2.0' },
	],
	default: 'longLivedToken',
};

export const kommoCredentials: INodeTypeDescription['credentials'] = [
	{ name: 'kommoApi', required: true, displayOptions: { show: { authentication: ['longLivedToken'] } } },
	{ name: 'kommoOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
];
