import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The Basic-auth pair that Chargebee sends with every webhook (manual mode of
 * the Chargebee Billing Trigger): enter the same pair in Chargebee under
 * Settings → Configure Chargebee → Webhooks → "Protect webhook URL with basic authentication".
 * Chargebee does not sign webhooks; this pair is what proves a call comes from your site.
 */
export class ChargebeeWebhookAuthApi implements ICredentialType {
	name = 'chargebeeWebhookAuthApi';

	displayName = 'Chargebee Webhook Auth API';

	icon = {
		light: 'file:../icons/chargebeeBilling.svg',
		dark: 'file:../icons/chargebeeBilling.dark.svg',
	} as const;

	documentationUrl = 'https://www.chargebee.com/docs/billing/2.0/site-configuration/webhook_settings';

	properties: INodeProperties[] = [
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
			description: 'The user name entered for the webhook in Chargebee. Must not contain ":".',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The password entered for the webhook in Chargebee. Use a long random value (at least 16 characters).',
		},
	];
}
