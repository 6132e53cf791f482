import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Endpoint secret key(s) of a Paddle notification destination, for the
 * Paddle Billing Trigger in manual mode. A delivery is accepted when any
 * `h1` in its Paddle-Signature matches under any of these keys, so during a
 * rotation both the new and the old key can be kept until Paddle stops using
 * the old one. Nothing is sent anywhere: the keys only check signatures.
 * The trigger's credential check (testedBy) validates the key format.
 */
export class PaddleWebhookApi implements ICredentialType {
	name = 'paddleWebhookApi';

	displayName = 'Paddle Webhook Secret API';

	icon: Icon = { light: 'file:../icons/paddleBilling.svg', dark: 'file:../icons/paddleBilling.dark.svg' };

	documentationUrl = 'https://developer.paddle.com/webhooks/signature-verification';

	properties: INodeProperties[] = [
		{
			displayName: 'Endpoint Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'pdl_ntfset_…',
			description:
				'Paddle → Developer Tools → Notifications → your destination → Secret key (starts with pdl_ntfset_)',
		},
		{
			displayName: 'Additional Secret Keys',
			name: 'additionalSecretKeys',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. More keys that may sign deliveries, separated by commas or spaces: during a rotation put the previous key here until it expires. Also useful when several destinations point at the same workflow.',
		},
	];
}
