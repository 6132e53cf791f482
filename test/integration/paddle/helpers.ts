/** Shared set-up for the Paddle integration tests: sandbox + in-process n8n contexts. */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { PaddleBillingApi } from '../../../credentials/PaddleBillingApi.credentials';
import { PaddleWebhookApi } from '../../../credentials/PaddleWebhookApi.credentials';
import { PaddleBilling } from '../../../nodes/PaddleBilling/PaddleBilling.node';
import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { createLoadOptionsContext, executeNode, loadOptions, type NodeRunOptions } from '../../helpers/n8n-context';
import { PaddleSandbox, SANDBOX_API_KEY } from '../../../dev/sandbox/paddle';

export const credentialTypes = [new PaddleBillingApi(), new PaddleWebhookApi()];

export function apiCredentials(sandbox: PaddleSandbox, apiKey = SANDBOX_API_KEY): IDataObject {
	return { apiKey, environment: 'custom', baseUrl: sandbox.url };
}

export function runner(getSandbox: () => PaddleSandbox) {
	const options = (parameters: INodeParameters, extra: Partial<NodeRunOptions> = {}): NodeRunOptions => ({
		nodeType: new PaddleBilling(),
		parameters,
		credentials: { paddleBillingApi: apiCredentials(getSandbox()) as never },
		credentialTypes,
		...extra,
	});
	return {
		options,
		/** All output items of one run. */
		async run(parameters: INodeParameters, extra: Partial<NodeRunOptions> = {}): Promise<IDataObject[]> {
			const [out] = (await executeNode(options(parameters, extra))) as INodeExecutionData[][];
			return out.map((i) => i.json);
		},
		/** The single output item of one run. */
		async one(parameters: INodeParameters, extra: Partial<NodeRunOptions> = {}): Promise<IDataObject> {
			const [out] = (await executeNode(options(parameters, extra))) as INodeExecutionData[][];
			if (out.length !== 1) throw new Error(`expected one item, got ${out.length}`);
			return out[0].json;
		},
		/** The error one run throws. */
		async error(parameters: INodeParameters, extra: Partial<NodeRunOptions> = {}): Promise<Error & { description?: string; httpCode?: string }> {
			try {
				await executeNode(options(parameters, extra));
			} catch (error) {
				return error as Error & { description?: string; httpCode?: string };
			}
			throw new Error('expected the node to fail');
		},
		async loadOptions(method: string) {
			return await loadOptions(options({ resource: 'subscription', operation: 'createByInvoice' }), method);
		},
	};
}

export const items = (...rows: Array<[string, number]>) => ({ item: rows.map(([priceId, quantity]) => ({ priceId, quantity })) });

/**
 * The sandbox lifecycle of a Paddle integration test file, in one place: one sandbox per file,
 * settled and stopped (stop() fails on spec deviations) after it, reset and rate limiters cleared
 * before each test (then `subscriptionDelayMs` set, if given). `started` receives the running
 * sandbox (for files that keep it in a variable). Returns a getter for it.
 */
export function useSandbox(options: { subscriptionDelayMs?: number; started?: (sandbox: PaddleSandbox) => void } = {}): () => PaddleSandbox {
	let sandbox: PaddleSandbox | undefined;
	beforeAll(async () => {
		sandbox = await new PaddleSandbox().start();
		options.started?.(sandbox);
	});
	afterAll(async () => {
		if (!sandbox) return;
		await sandbox.settle();
		await sandbox.stop();
	});
	beforeEach(() => {
		sandbox?.reset();
		if (sandbox && options.subscriptionDelayMs !== undefined) sandbox.subscriptionDelayMs = options.subscriptionDelayMs;
		resetLimiters();
	});
	return () => {
		if (!sandbox) throw new Error('the Paddle sandbox is not running (useSandbox() outside a test?)');
		return sandbox;
	};
}

/** A listSearch method of the Paddle Billing node, run in a real LoadOptionsContext. */
export async function listSearch(sandbox: PaddleSandbox, method: string, filter?: string, paginationToken?: string) {
	const nodeType = new PaddleBilling();
	const fn = nodeType.methods.listSearch[method as keyof typeof nodeType.methods.listSearch];
	const context = createLoadOptionsContext({
		nodeType,
		parameters: { resource: 'customer', operation: 'get' },
		credentials: { paddleBillingApi: apiCredentials(sandbox) as never },
		credentialTypes,
	});
	return await fn.call(context, filter, paginationToken);
}
