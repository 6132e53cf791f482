/**
 * Kommo Rate Budget: one Kommo request budget (7 per second per account) for every n8n process.
 * In queue mode each worker would otherwise keep its own limiter, so the 7 had to be split
 * statically between them. This trigger runs where n8n receives webhooks (the main process),
 * keeps the limiter there, and hands out permits over HTTP: the Kommo node of every worker asks
 * for one before each request and returns it when the answer is in (credential field "Shared
 * Rate Budget URL").
 *
 * webhook() answers the request itself and returns no workflowData, so a permit request
 * starts no execution (n8n's webhook helpers only run the workflow when workflowData is
 * returned; see docs/scaling.md).
 */
import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { safeEqual } from '../shared/crypto';
import { answer } from '../shared/webhook';
import { authenticationProperty, kommoCredentials } from '../Kommo/descriptions';
import { KOMMO_CREDENTIAL_TYPES, type KommoAuthentication } from '../Kommo/transport';
import { broker, type BrokerSettings } from './broker';

/** Shortest secret accepted: a guessable one would let anyone hold Kommo's whole budget. */
const MIN_SECRET_LENGTH = 16;

export class KommoRateBudget implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kommo Rate Budget',
		name: 'kommoRateBudget',
		icon: { light: 'file:../../icons/kommoRateBudget.svg', dark: 'file:../../icons/kommoRateBudget.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["requestsPerSecond"] + " requests/s for all workers"}}',
		description: "Shares Kommo's 7 requests per second between all n8n workers (queue mode); starts no executions",
		defaults: { name: 'Kommo Rate Budget' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: kommoCredentials,
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'permit' }],
		properties: [
			{
				displayName:
					'Publish this workflow and put its Production URL into the Kommo credential\'s "Shared Rate Budget URL", with the same "Shared Rate Budget Secret". The URL must reach the main n8n process, not a separate webhook process.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			authenticationProperty,
			{
				displayName: 'Requests per Second',
				name: 'requestsPerSecond',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 7 },
				default: 7,
				description: 'Kommo requests per second per account, for all workers together (Kommo allows 7)',
			},
		],
	};

	// Nothing to register outside n8n: the node's URL goes into the Kommo credential by hand.
	webhookMethods = {
		default: {
			async checkExists(): Promise<boolean> {
				return false;
			},
			async create(): Promise<boolean> {
				return true;
			},
			async delete(): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const authentication = (this.getNodeParameter('authentication', 'longLivedToken') as KommoAuthentication) ?? 'longLivedToken';
		const credentials = await this.getCredentials(KOMMO_CREDENTIAL_TYPES[authentication] ?? 'kommoApi');
		const secret = typeof credentials.rateBudgetSecret === 'string' ? credentials.rateBudgetSecret : '';
		if (secret.length < MIN_SECRET_LENGTH) {
			this.logger.warn('Kommo Rate Budget: the Kommo credential has no "Shared Rate Budget Secret" (16+ characters); refusing permits');
			return answer(this, 503, { error: `set a Shared Rate Budget Secret of at least ${MIN_SECRET_LENGTH} characters in the Kommo credential` });
		}
		const header = this.getHeaderData().authorization;
		const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
		if (!safeEqual(match?.[1] ?? '', secret)) {
			this.logger.warn('Kommo Rate Budget refused a permit request with a wrong or missing secret');
			return answer(this, 401, { error: 'unauthorized' });
		}
		const body = (this.getBodyData() ?? {}) as IDataObject;
		if (body.action === 'release') {
			const result = broker.release(body.permit);
			return answer(this, result.status, result.body);
		}
		if (body.action === 'status') return answer(this, 200, broker.status());
		if (body.action !== 'acquire') return answer(this, 400, { error: 'action must be acquire, release or status' });

		// Strict reuse only: a permit is usable again 1 s after its return. Reuse counted from the
		// grant plus a margin was measured to break the 7-per-second rule when a process stalls
		// longer than the margin (bench/lib/budget-sim.ts, docs/scaling.md).
		const settings: BrokerSettings = { requestsPerSecond: Number(this.getNodeParameter('requestsPerSecond', 7)) };
		// the asker hung up (timeout, worker stopped): give up its place in line
		const response = this.getResponseObject();
		const closed = new AbortController();
		response.on('close', () => {
			if (!response.writableEnded) closed.abort();
		});
		const result = await broker.acquire(body.host, settings, closed.signal);
		if (closed.signal.aborted) {
			// granted after the asker left: hand the permit straight back
			if (typeof result.body.permit === 'string') broker.release(result.body.permit);
			return { noWebhookResponse: true };
		}
		return answer(this, result.status, result.body);
	}
}
