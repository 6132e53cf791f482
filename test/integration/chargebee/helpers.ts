import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ChargebeeBillingApi } from '../../../credentials/ChargebeeBillingApi.credentials';
import { ChargebeeWebhookAuthApi } from '../../../credentials/ChargebeeWebhookAuthApi.credentials';
import { ChargebeeBilling } from '../../../nodes/ChargebeeBilling/ChargebeeBilling.node';
import { executeNode, loadOptions } from '../../helpers/n8n-context';
import type { ChargebeeSandbox } from '../../../dev/sandbox/chargebee';

export function chargebeeCredentials(sandbox: ChargebeeSandbox, extra: IDataObject = {}) {
	return {
		chargebeeBillingApi: { site: sandbox.site, apiKey: sandbox.apiKey, customHost: true, baseUrl: sandbox.url, requestsPerMinute: 0, ...extra },
	};
}

export const credentialTypes = [new ChargebeeBillingApi(), new ChargebeeWebhookAuthApi()];

/** Runs the Chargebee Billing node once (in a real n8n-core ExecuteContext) and returns the output items' JSON. */
export async function runNode(
	sandbox: ChargebeeSandbox,
	parameters: INodeParameters,
	options: { items?: IDataObject[]; continueOnFail?: boolean; credentials?: IDataObject; typeVersion?: number } = {},
): Promise<IDataObject[]> {
	const out = await executeNode({
		nodeType: new ChargebeeBilling(),
		parameters,
		credentials: chargebeeCredentials(sandbox, options.credentials),
		credentialTypes,
		items: (options.items ?? [{}]).map((json) => ({ json }) as INodeExecutionData),
		continueOnFail: options.continueOnFail,
		typeVersion: options.typeVersion,
	});
	return out[0].map((item) => item.json);
}

export async function runNodeError(sandbox: ChargebeeSandbox, parameters: INodeParameters, credentials?: IDataObject): Promise<Error & { description?: string | null; httpCode?: string | null }> {
	try {
		await runNode(sandbox, parameters, { credentials });
	} catch (error) {
		return error as Error & { description?: string | null };
	}
	throw new Error('expected the node to fail');
}

export async function itemPriceOptions(sandbox: ChargebeeSandbox) {
	return await loadOptions(
		{
			nodeType: new ChargebeeBilling(),
			parameters: { resource: 'subscription', operation: 'create' },
			credentials: chargebeeCredentials(sandbox),
			credentialTypes,
		},
		'getItemPrices',
	);
}
