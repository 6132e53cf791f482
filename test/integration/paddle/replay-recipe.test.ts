/**
 * The operator's recipe for re-processing one Paddle event (docs/paddle.md, "Catching up missed
 * events"), end to end in-process: the sandbox delivers to a local endpoint that runs the Paddle
 * Billing Trigger and the shipped events workflow's Claim event / Confirm event (Billing Event
 * Dedupe with the workflow's own parameters, on n8n-core's real deduplication service over an
 * in-memory store). A replayed notification keeps its event_id, so the Claim drops it; after
 * Billing Event Dedupe → Release with the key paddle:<event_id>, the next replay is processed.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';

import { BillingEventDedupe } from '../../../nodes/BillingEventDedupe/BillingEventDedupe.node';
import { PaddleBillingTrigger } from '../../../nodes/PaddleBilling/PaddleBillingTrigger.node';
import { resetLimiters } from '../../../nodes/shared/rate-limiter';
import { createWebhookContext, executeNode, fakeHttpExchange } from '../../helpers/n8n-context';
import { PaddleSandbox } from '../../../dev/sandbox/paddle';
import { credentialTypes, runner } from './helpers';

// After n8n-context (it sets up n8n-core's environment).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DataDeduplicationService } = require('n8n-core') as typeof import('n8n-core');

jest.setTimeout(30_000);

/** n8n's processed-data store in "entries" mode: one list per workflow (or node), oldest first. */
class MemoryDeduplicator implements IDataDeduplicator {
	readonly rows = new Map<string, string[]>();

	private key(scope: DeduplicationScope, context: ICheckProcessedContextData): string {
		return scope === 'node' ? `${context.workflow.id}:node:${context.node?.id}` : context.workflow.id;
	}

	async checkProcessedAndRecord(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData, options: ICheckProcessedOptions) {
		const row = this.rows.get(this.key(scope, context)) ?? [];
		const out = { new: [] as DeduplicationItemTypes[], processed: [] as DeduplicationItemTypes[] };
		for (const item of items) {
			if (row.includes(String(item))) out.processed.push(item);
			else {
				out.new.push(item);
				row.push(String(item));
			}
		}
		if (options.maxEntries) row.splice(0, Math.max(0, row.length - options.maxEntries));
		this.rows.set(this.key(scope, context), row);
		return out;
	}

	async removeProcessed(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData) {
		const gone = new Set(items.map(String));
		this.rows.set(this.key(scope, context), (this.rows.get(this.key(scope, context)) ?? []).filter((e) => !gone.has(e)));
	}

	async clearAllProcessedItems(scope: DeduplicationScope, context: ICheckProcessedContextData) {
		this.rows.delete(this.key(scope, context));
	}

	async getProcessedDataCount(scope: DeduplicationScope, context: ICheckProcessedContextData) {
		return (this.rows.get(this.key(scope, context)) ?? []).length;
	}
}

const store = new MemoryDeduplicator();
const shipped = JSON.parse(readFileSync(path.join(__dirname, '../../../workflows/paddle-events-to-kommo.json'), 'utf8')) as {
	nodes: Array<{ name: string; parameters: INodeParameters }>;
};
const claimParameters = shipped.nodes.find((n) => n.name === 'Claim event')!.parameters;
const dedupe = new BillingEventDedupe();
const trigger = new PaddleBillingTrigger();

let sandbox: PaddleSandbox;
let server: Server;
let secret = '';
const node = runner(() => sandbox);
/** Event ids the workflow's effect ran for (the Kommo steps, in the shipped flow). */
const processed: string[] = [];
const answers: string[] = [];

async function dedupeRun(parameters: INodeParameters, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	return (await executeNode({ nodeType: dedupe, parameters, items, nodeName: 'Claim event' })) as INodeExecutionData[][];
}

/** The events workflow: trigger → Claim event → (effect) → Confirm event, answering as its Respond nodes do. */
async function receive(body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
	const exchange = fakeHttpExchange({ headers, rawBody: body, body: JSON.parse(body) });
	const context = createWebhookContext(
		{
			nodeType: trigger,
			parameters: { mode: 'manual', events: ['transaction.completed'], responseMode: 'responseNode' },
			credentials: { paddleWebhookApi: { secretKey: secret, additionalSecretKeys: '' } },
			credentialTypes,
		},
		exchange,
	);
	const result = await trigger.webhook.call(context);
	if (!result.workflowData) return { status: exchange.response.statusCode, body: JSON.stringify(exchange.response.sent ?? result.webhookResponse) };
	const items = result.workflowData[0];
	const [fresh, duplicate, inProgress] = await dedupeRun(claimParameters, items);
	if (inProgress?.length) return { status: 409, body: '{"received":false,"inProgress":true,"retry":true}' };
	if (duplicate.length) return { status: 200, body: '{"received":true,"duplicate":true}' };
	for (const item of fresh) processed.push(String((item.json.normalized as IDataObject).eventId));
	await dedupeRun({ operation: 'confirm', key: '={{ $json.normalized.dedupeKey }}' }, fresh);
	return { status: 200, body: '{"received":true,"processed":true}' };
}

beforeAll(async () => {
	await DataDeduplicationService.init(store);
	sandbox = await new PaddleSandbox().start();
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
			receive(Buffer.concat(chunks).toString('utf8'), headers)
				.then((answer) => {
					answers.push(answer.body);
					res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
				})
				.catch((error: Error) => {
					answers.push(`error: ${error.message}`);
					res.writeHead(500).end(error.message);
				});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
	await sandbox.settle();
	await sandbox.stop();
	await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
	sandbox.reset();
	resetLimiters();
});

it('a replay keeps event_id and is dropped by the Claim; after Release of paddle:<event_id>, the next replay is processed once', async () => {
	// the shipped workflow claims normalized.dedupeKey, which is paddle:<event_id>
	expect(claimParameters).toMatchObject({ operation: 'claim', key: '={{ $json.normalized.dedupeKey }}', finalWhen: 'confirm' });
	const { port } = server.address() as { port: number };
	const setting = sandbox.createNotificationSetting({
		description: 'events workflow',
		type: 'url',
		destination: `http://127.0.0.1:${port}/webhook/paddle`,
		subscribed_events: ['transaction.completed'],
	});
	secret = String(setting.endpoint_secret_key);
	const event = sandbox.emit('transaction.completed', {
		// Paddle's own example transaction (whole: the sandbox checks notifications against the spec)
		...(JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/paddle/spec-example__transaction.completed.json'), 'utf8')) as { data: IDataObject }).data,
		id: 'txn_01hv975mbh902hcyb7mks5kt0n',
		status: 'completed',
		customer_id: 'ctm_01hv976dcgq4wmyrp8yq7asfmj',
		origin: 'web',
		currency_code: 'USD',
		custom_data: null,
	});
	await sandbox.settle();
	expect(processed).toEqual([event.event_id]);
	const [first] = sandbox.deliveries;
	expect(sandbox.notificationLog.byId.get(first.notificationId)?.status).toBe('delivered');

	// 1. A replay without releasing: same event_id, so Claim routes it to Duplicate.
	const replay = await node.one({ resource: 'notification', operation: 'replay', notificationId: first.notificationId });
	await sandbox.settle();
	expect(JSON.parse(sandbox.deliveries[1].body)).toMatchObject({ event_id: event.event_id, notification_id: replay.notification_id });
	expect(answers.pop()).toContain('"duplicate":true');
	expect(processed).toEqual([event.event_id]);

	// 2. The operator's recipe: read the notification's event id, Release its key, replay.
	const notification = await node.one({ resource: 'notification', operation: 'get', notificationId: first.notificationId });
	const released = (await executeNode({
		nodeType: dedupe,
		parameters: { operation: 'release', key: '=paddle:{{ $json.event_id }}' },
		items: [{ json: notification }],
		nodeName: 'Release by hand',
	})) as INodeExecutionData[][];
	expect(released[0]).toHaveLength(1);
	await node.one({ resource: 'notification', operation: 'replay', notificationId: first.notificationId });
	await sandbox.settle();
	expect(answers.pop()).toContain('"processed":true');
	expect(processed).toEqual([event.event_id, event.event_id]);

	// 3. Processed again and confirmed: a further replay is a duplicate once more.
	await node.one({ resource: 'notification', operation: 'replay', notificationId: first.notificationId });
	await sandbox.settle();
	expect(answers.pop()).toContain('"duplicate":true');
	expect(processed).toHaveLength(2);
	expect(sandbox.notificationLog.ofEvent(String(event.event_id)).map((n) => n.origin)).toEqual(['event', 'replay', 'replay', 'replay']);
});
