/** Runs the Kommo node and trigger in-process (real n8n-core contexts) against a KommoSandbox. */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { KommoApi } from '../../../credentials/KommoApi.credentials';
import { KommoOAuth2Api } from '../../../credentials/KommoOAuth2Api.credentials';
import { Kommo } from '../../../nodes/Kommo/Kommo.node';
import { KommoTrigger } from '../../../nodes/Kommo/KommoTrigger.node';
import {
	createHookContext,
	createLoadOptionsContext,
	createWebhookContext,
	executeNode,
	fakeHttpExchange,
	type NodeRunOptions,
} from '../../helpers/n8n-context';
import type { KommoSandbox } from '../../../dev/sandbox/kommo';

export function kommoCredentials(sandbox: KommoSandbox, overrides: IDataObject = {}) {
	return {
		kommoApi: {
			subdomain: 'acme',
			domain: 'kommo.com',
			customHost: true,
			baseUrl: sandbox.url,
			accessToken: sandbox.longLivedToken,
			requestsPerSecond: 7,
			...overrides,
		},
	};
}

export function nodeOptions(
	sandbox: KommoSandbox,
	parameters: INodeParameters,
	extra: Partial<NodeRunOptions> = {},
): NodeRunOptions {
	return {
		nodeType: new Kommo(),
		parameters: { authentication: 'longLivedToken', ...parameters },
		credentials: kommoCredentials(sandbox),
		credentialTypes: [new KommoApi(), new KommoOAuth2Api()],
		...extra,
	};
}

export async function runKommo(
	sandbox: KommoSandbox,
	parameters: INodeParameters,
	items?: IDataObject[],
	extra: Partial<NodeRunOptions> = {},
): Promise<INodeExecutionData[]> {
	const [out] = await executeNode(
		nodeOptions(sandbox, parameters, { items: items?.map((json) => ({ json })), ...extra }),
	);
	return out;
}

export async function runKommoError(
	sandbox: KommoSandbox,
	parameters: INodeParameters,
	items?: IDataObject[],
	extra: Partial<NodeRunOptions> = {},
): Promise<Error & { description?: string | null; httpCode?: string | null; context?: IDataObject }> {
	try {
		await runKommo(sandbox, parameters, items, extra);
	} catch (error) {
		return error as Error & { description?: string | null };
	}
	throw new Error('expected the Kommo node to fail');
}

/** A resource-locator value by ID, as the editor stores it. */
export const byId = (id: number | string) => ({ __rl: true, mode: 'id', value: String(id) });

export function loadOptionsContext(sandbox: KommoSandbox, parameters: INodeParameters = {}) {
	return createLoadOptionsContext(nodeOptions(sandbox, parameters));
}

export function triggerOptions(sandbox: KommoSandbox, parameters: INodeParameters, staticData: IDataObject): NodeRunOptions {
	return {
		nodeType: new KommoTrigger(),
		parameters: { authentication: 'longLivedToken', ...parameters },
		credentials: kommoCredentials(sandbox),
		credentialTypes: [new KommoApi(), new KommoOAuth2Api()],
		staticData,
	};
}

export function hookContext(sandbox: KommoSandbox, parameters: INodeParameters, staticData: IDataObject) {
	return createHookContext(triggerOptions(sandbox, parameters, staticData));
}

/** Calls the trigger's webhook() with a request as n8n hands it over (raw body + parsed form). */
export async function callTrigger(
	sandbox: KommoSandbox,
	parameters: INodeParameters,
	staticData: IDataObject,
	request: { body: string; query?: Record<string, string>; contentType?: string },
) {
	const exchange = fakeHttpExchange({
		headers: { 'content-type': request.contentType ?? 'application/x-www-form-urlencoded' },
		rawBody: request.body,
		body: Object.fromEntries(new URLSearchParams(request.body)),
		query: request.query ?? {},
	});
	const context = createWebhookContext(triggerOptions(sandbox, parameters, staticData), exchange);
	const result = await new KommoTrigger().webhook.call(context);
	return { result, response: exchange.response };
}
