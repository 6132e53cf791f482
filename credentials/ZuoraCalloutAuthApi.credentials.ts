import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Secrets that a Zuora callout must present to the Zuora Trigger. Fill in the
 * part that matches the trigger's Authentication setting: the Basic pair, the
 * HMAC key, or the URL secret. Zuora's side is configured in the callout
 * template / notification (see docs/zuora.md).
 */
export class ZuoraCalloutAuthApi implements ICredentialType {
	name = 'zuoraCalloutAuthApi';

	displayName = 'Zuora Callout Auth API';

	icon = { light: 'file:../icons/zuora.svg', dark: 'file:../icons/zuora.dark.svg' } as const;

	documentationUrl =
		'https://docs.zuora.com/en/zuora-platform/extensibility/events-and-notifications/callout-templates/callout-template-overview';

	properties: INodeProperties[] = [
		{
			displayName: 'Basic Auth User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'For Basic authentication: the user name entered in the Zuora callout',
		},
		{
			displayName: 'Basic Auth Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'For Basic authentication: the password entered in the Zuora callout',
		},
		{
			displayName: 'HMAC Secret Key',
			name: 'hmacSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'For HMAC authentication: the key entered in the Zuora callout template',
		},
		{
			displayName: 'URL Secret',
			name: 'urlSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'For "None (Secret in URL)": a long random value that the callout URL must carry as a query parameter (e.g. ?secret=…)',
		},
	];
}
