/**
 * Small builders for the reference workflows: the same chains as the shipped workflows, built
 * the way a user would build them by hand from n8n's core nodes only (Webhook, Code,
 * HTTP Request, Respond to Webhook), with the usual care: the HTTP Request nodes retry on
 * failure (3 tries, 1 s apart), the webhook answers only after the Kommo effect landed (so a
 * failure becomes a 5xx and the vendor retries), and a Code node keeps the ids it has seen in
 * the workflow's static data to skip redeliveries.
 *
 * The nodes are n8n's INode; `chain` lays them out and wires them with the builder the shipped
 * workflows use (tools/workflows/builder.ts).
 *
 * Addresses, field ids and secrets are `__PLACEHOLDERS__` filled in by the benchmark
 * (bench/lib/stack.ts `placeholders()`); a user would paste their own.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { WorkflowJson as HarnessWorkflowJson } from '../../dev/n8n';
import { condition, filter, KEY_ORDER, sequentialIds, WorkflowBuilder } from '../../tools/workflows/builder';
import type { WorkflowNode as Node } from '../../tools/workflows/builder';

/** Node ids count across all reference workflows (one sequence per process). */
const nodeId = sequentialIds('0b0b0b0b');

export function webhook(name: string, path: string, options: { basicAuthCredential?: { id: string; name: string }; responseMode?: 'onReceived' | 'lastNode' } = {}): Node {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [0, 0],
		webhookId: `ref-${path}`,
		parameters: {
			httpMethod: 'POST',
			path,
			responseMode: options.responseMode ?? 'lastNode',
			...(options.basicAuthCredential ? { authentication: 'basicAuth' } : {}),
			options: { rawBody: true },
		},
		...(options.basicAuthCredential ? { credentials: { httpBasicAuth: options.basicAuthCredential } } : {}),
	};
}

export function code(name: string, jsCode: string): Node {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [0, 0],
		parameters: { jsCode: jsCode.trim() },
	};
}

type Auth =
	| { type: 'httpHeaderAuth'; credential: { id: string; name: string } }
	| { type: 'httpBasicAuth'; credential: { id: string; name: string } }
	| { type: 'oAuth2Api'; credential: { id: string; name: string } };

export function http(
	name: string,
	request: {
		method: 'GET' | 'POST' | 'PATCH' | 'PUT';
		url: string;
		auth: Auth;
		/** An n8n expression producing the JSON body. */
		jsonBody?: string;
		/** Form fields (name → expression). */
		form?: Record<string, string>;
		query?: Record<string, string>;
	},
): Node {
	const parameters: INodeParameters = {
		method: request.method,
		url: request.url,
		authentication: 'genericCredentialType',
		genericAuthType: request.auth.type,
		// Kommo answers application/hal+json, which n8n does not read as JSON unless told
		options: { response: { response: { responseFormat: 'json' } } },
	};
	if (request.query) {
		parameters.sendQuery = true;
		parameters.queryParameters = { parameters: Object.entries(request.query).map(([name, value]) => ({ name, value })) };
	}
	if (request.jsonBody !== undefined) {
		parameters.sendBody = true;
		parameters.contentType = 'json';
		parameters.specifyBody = 'json';
		parameters.jsonBody = request.jsonBody;
	} else if (request.form) {
		parameters.sendBody = true;
		parameters.contentType = 'form-urlencoded';
		parameters.bodyParameters = { parameters: Object.entries(request.form).map(([name, value]) => ({ name, value })) };
	}
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [0, 0],
		parameters,
		credentials: { [request.auth.type]: request.auth.credential },
		retryOnFail: true,
		maxTries: 3,
		waitBetweenTries: 1000,
	};
}

/** An If node (n8n 2.x) with one condition; output 0 = true, 1 = false. */
export function ifNode(name: string, leftValue: string, operation: 'equals' | 'notEquals', rightValue: number): Node {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.if',
		typeVersion: 2.2,
		position: [0, 0],
		parameters: {
			conditions: filter([condition(`${name}-condition`, leftValue, { type: 'number', operation }, rightValue)], { caseSensitive: true, typeValidation: 'strict' }),
			options: {},
		},
	};
}

export function respond(name: string, body: string, status = 200): Node {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.1,
		position: [0, 0],
		parameters: { respondWith: 'json', responseBody: body, options: status === 200 ? {} : { responseCode: status } },
	};
}

/**
 * A linear workflow: each node feeds the next. Positions are laid out left to right. An If
 * node's true output feeds the next node; `skipTo` names the node its false output goes to
 * (a create-if-missing step is skipped that way, as a user wires it in the editor).
 */
export function chain(id: string, name: string, nodes: Node[], skips: Map<string, string> = new Map()): HarnessWorkflowJson {
	const ids = new Map(nodes.map((node) => [node.name, node.id]));
	const b = new WorkflowBuilder({ keyOrder: KEY_ORDER.reference, nodeId: (nodeName) => ids.get(nodeName)! });
	nodes.forEach((node, i) => {
		const { credentials, webhookId, retryOnFail, maxTries, waitBetweenTries } = node;
		b.node(node.name, node.type, node.typeVersion, [i * 240, 0], node.parameters, { credentials, webhookId, retryOnFail, maxTries, waitBetweenTries });
	});
	nodes.forEach((node, i) => {
		const next = nodes[i + 1];
		if (!next) return;
		b.connect(node.name, next.name);
		const skipTo = skips.get(node.name);
		if (skipTo) b.connect(node.name, skipTo, 1);
	});
	return b.workflow({ id, name, active: false, settings: { executionOrder: 'v1' } });
}

export const KOMMO_AUTH: Auth = { type: 'httpHeaderAuth', credential: { id: 'refKommoHeader01', name: 'Reference: Kommo token header' } };
export const CHARGEBEE_AUTH: Auth = { type: 'httpBasicAuth', credential: { id: 'refChargebeeApi1', name: 'Reference: Chargebee API key' } };
export const PADDLE_AUTH: Auth = { type: 'httpHeaderAuth', credential: { id: 'refPaddleHeader1', name: 'Reference: Paddle API key header' } };
export const ZUORA_AUTH: Auth = { type: 'oAuth2Api', credential: { id: 'refZuoraOAuth001', name: 'Reference: Zuora OAuth2 client credentials' } };
