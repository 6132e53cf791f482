// The parameter JSON n8n sees, pinned: a refactor of how descriptions are built (shared pieces,
// moved files) must leave every action node's description and every credential's properties as
// they were: names, defaults, displayOptions, order. Icons are left out on purpose; where the SVG
// files live is a packaging matter, checked by test/e2e/package-loads.test.ts after a build.
// Trigger nodes are not pinned here: their descriptions are their own files' business.
import type { ICredentialType, INodeType } from 'n8n-workflow';
import { BillingEventDedupe } from '../../../nodes/BillingEventDedupe/BillingEventDedupe.node';
import { BillingPlanMapping } from '../../../nodes/BillingPlanMapping/BillingPlanMapping.node';
import { ChargebeeBilling } from '../../../nodes/ChargebeeBilling/ChargebeeBilling.node';
import { Kommo } from '../../../nodes/Kommo/Kommo.node';
import { PaddleBilling } from '../../../nodes/PaddleBilling/PaddleBilling.node';
import { Zuora } from '../../../nodes/Zuora/Zuora.node';
import { ChargebeeBillingApi } from '../../../credentials/ChargebeeBillingApi.credentials';
import { ChargebeeWebhookAuthApi } from '../../../credentials/ChargebeeWebhookAuthApi.credentials';
import { KommoApi } from '../../../credentials/KommoApi.credentials';
import { KommoOAuth2Api } from '../../../credentials/KommoOAuth2Api.credentials';
import { PaddleBillingApi } from '../../../credentials/PaddleBillingApi.credentials';
import { PaddleWebhookApi } from '../../../credentials/PaddleWebhookApi.credentials';
import { ZuoraCalloutAuthApi } from '../../../credentials/ZuoraCalloutAuthApi.credentials';
import { ZuoraOAuth2Api } from '../../../credentials/ZuoraOAuth2Api.credentials';

const nodes: Array<[string, INodeType]> = [
	['BillingEventDedupe', new BillingEventDedupe()],
	['BillingPlanMapping', new BillingPlanMapping()],
	['ChargebeeBilling', new ChargebeeBilling()],
	['Kommo', new Kommo()],
	['PaddleBilling', new PaddleBilling()],
	['Zuora', new Zuora()],
];

const credentials: Array<[string, ICredentialType]> = [
	['ChargebeeBillingApi', new ChargebeeBillingApi()],
	['ChargebeeWebhookAuthApi', new ChargebeeWebhookAuthApi()],
	['KommoApi', new KommoApi()],
	['KommoOAuth2Api', new KommoOAuth2Api()],
	['PaddleBillingApi', new PaddleBillingApi()],
	['PaddleWebhookApi', new PaddleWebhookApi()],
	['ZuoraCalloutAuthApi', new ZuoraCalloutAuthApi()],
	['ZuoraOAuth2Api', new ZuoraOAuth2Api()],
];

describe('node descriptions as n8n reads them', () => {
	it.each(nodes)('%s: properties are unchanged', (_name, node) => {
		expect(node.description.properties).toMatchSnapshot();
	});

	it.each(nodes)('%s: the rest of the description is unchanged (icon aside)', (_name, node) => {
		const { properties: _properties, icon: _icon, ...rest } = node.description;
		expect(rest).toMatchSnapshot();
	});

	it.each(credentials)('%s credential: properties are unchanged', (_name, credential) => {
		expect(credential.properties).toMatchSnapshot();
	});
});
