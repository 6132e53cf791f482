/**
 * What the shipped workflows (workflows/*.json) refer to outside themselves: the credentials
 * their nodes use, by the fixed ids and names agreed for imports (n8n links an imported node to
 * the credential with that id; an import of the matching credentials file, or one made in the
 * editor, fills them in), and the error workflow every other workflow reports to.
 *
 * Tests, the demo and the benchmark create credentials with these ids; change them only with the
 * workflow files (`npm run workflows`).
 */
import type { INodeCredentials } from 'n8n-workflow';

export const CREDENTIALS = {
	kommo: { kommoApi: { id: 'kbKommoApi000001', name: 'Kommo account' } },
	chargebee: { chargebeeBillingApi: { id: 'kbChargebee00001', name: 'Chargebee Billing account' } },
	paddle: { paddleBillingApi: { id: 'kbPaddle00000001', name: 'Paddle Billing account' } },
	zuora: { zuoraOAuth2Api: { id: 'kbZuora000000001', name: 'Zuora OAuth2 client' } },
	zuoraCallout: { zuoraCalloutAuthApi: { id: 'kbZuoraCallout01', name: 'Zuora callout auth' } },
} as const satisfies Record<string, INodeCredentials>;

/** The same credentials by credential type: what tests, the demo and the benchmark create. */
export const SHIPPED_CREDENTIAL = {
	kommoApi: CREDENTIALS.kommo.kommoApi,
	chargebeeBillingApi: CREDENTIALS.chargebee.chargebeeBillingApi,
	paddleBillingApi: CREDENTIALS.paddle.paddleBillingApi,
	zuoraOAuth2Api: CREDENTIALS.zuora.zuoraOAuth2Api,
	zuoraCalloutAuthApi: CREDENTIALS.zuoraCallout.zuoraCalloutAuthApi,
} as const;

/** workflows/error-to-kommo-task.json: the `errorWorkflow` of every other shipped workflow. */
export const ERROR_WORKFLOW_ID = 'kbErrorToKommo01';
