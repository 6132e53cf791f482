/**
 * Missed events (issue 15 item 11): Event → Get Many over Paddle's event stream and
 * Notification → Get / Get Many / Replay, in a real n8n-core ExecuteContext against the sandbox,
 * whose /events and /notifications answers are checked against Paddle's OpenAPI spec.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { normalizePaddleEvent } from '../../../nodes/PaddleBilling/trigger/normalize';
import { PaddleSandbox, SANDBOX_API_KEY } from '../../../dev/sandbox/paddle';
import { PaddleSpec } from './openapi';
import { apiCredentials, runner, useSandbox } from './helpers';

jest.setTimeout(30_000);

let sandbox: PaddleSandbox;
const node = runner(() => sandbox);
const spec = new PaddleSpec();
const realNow = () => new Date();

useSandbox({ started: (s) => (sandbox = s) });
beforeEach(() => {
	sandbox.now = realNow;
});

const HOUR = 3600_000;
const fixture = (name: string) => (JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/paddle', name), 'utf8')) as { data: IDataObject }).data;
const TRANSACTION = fixture('spec-example__transaction.completed.json');
const CUSTOMER = fixture('sdk-python__examples_webhook_payload.customer.created.json');

/** `count` events, one per minute ending `endsAgoMs` before now, of the given types in turn. */
function emitEvents(count: number, types = ['customer.updated'], endsAgoMs = 0): IDataObject[] {
	const end = Date.now() - endsAgoMs;
	const out: IDataObject[] = [];
	for (let i = 0; i < count; i++) {
		const at = new Date(end - (count - 1 - i) * 60_000);
		sandbox.now = () => at;
		const type = types[i % types.length];
		// Whole entities (Paddle's own examples, ids changed): the sandbox checks every notification
		// against the spec, and a real event carries the complete entity.
		const entity = type.startsWith('transaction.')
			? { ...TRANSACTION, id: `txn_${String(i).padStart(26, '0')}`, status: 'completed', customer_id: 'ctm_01hv976dcgq4wmyrp8yq7asfmj', origin: 'web', currency_code: 'USD' }
			: { ...CUSTOMER, id: `ctm_${String(i).padStart(26, '0')}`, email: `e${i}@example.com`, custom_data: null };
		out.push(sandbox.emit(type, entity) as unknown as IDataObject);
	}
	sandbox.now = realNow;
	return out;
}

async function raw(method: string, path: string, apiKey = SANDBOX_API_KEY) {
	const response = await fetch(`${sandbox.url}${path}`, { method, headers: { authorization: `Bearer ${apiKey}` } });
	return { status: response.status, body: (await response.json()) as IDataObject };
}

function expectValid(pointer: string, data: unknown) {
	expect({ pointer, errors: spec.errors(pointer, data) }).toEqual({ pointer, errors: [] });
}

const eventsQueries = () => sandbox.requestsTo('GET', '/events').map((r) => r.query);

describe('Event → Get Many', () => {
	it('pages through every event oldest first (200 a page, the after cursor from meta.pagination.next)', async () => {
		const emitted = emitEvents(450);
		const out = await node.run({ resource: 'event', operation: 'getAll', returnAll: true, output: 'raw' });
		expect(out.map((e) => e.event_id)).toEqual(emitted.map((e) => e.event_id));
		const queries = eventsQueries();
		expect(queries).toHaveLength(3);
		expect(queries[0]).toEqual({ order_by: 'id[ASC]', per_page: '200' });
		expect(queries[1].after).toBe(emitted[199].event_id);
		expect(queries[2].after).toBe(emitted[399].event_id);
		// No id field of our own, no event-type filter: the events are the spec's `event` entity.
		expect(Object.keys(out[0]).sort()).toEqual(['data', 'event_id', 'event_type', 'occurred_at']);
	});

	it('stops reading at the limit, and newest first follows Paddle\'s default order', async () => {
		const emitted = emitEvents(250);
		const oldest = await node.run({ resource: 'event', operation: 'getAll', limit: 3, output: 'raw' });
		expect(oldest.map((e) => e.event_id)).toEqual(emitted.slice(0, 3).map((e) => e.event_id));
		expect(eventsQueries()).toHaveLength(1);
		const newest = await node.run({ resource: 'event', operation: 'getAll', limit: 210, order: 'newestFirst', output: 'raw' });
		expect(newest.map((e) => e.event_id)).toEqual(emitted.slice(-210).reverse().map((e) => e.event_id));
		expect(eventsQueries().slice(1).map((q) => q.order_by)).toEqual(['id[DESC]', 'id[DESC]']);
	});

	it('Occurred Since: only events at or after the time, oldest first, and stops paging once the events are older', async () => {
		// 430 events a minute apart ending 1 h ago: the last 20 (from 20 min before the end) are wanted.
		const emitted = emitEvents(430, ['customer.updated'], HOUR);
		const since = new Date(Date.parse(String(emitted[410].occurred_at)));
		const out = await node.run({
			resource: 'event',
			operation: 'getAll',
			returnAll: true,
			output: 'raw',
			filters: { occurredSince: since.toISOString() },
		});
		expect(out.map((e) => e.event_id)).toEqual(emitted.slice(410).map((e) => e.event_id));
		// newest first, one page of 200 reaches past the time: the other 230 events are never read
		expect(eventsQueries()).toEqual([{ order_by: 'id[DESC]', per_page: '200' }]);
		// and newest first gives the same events the other way round
		const newest = await node.run({
			resource: 'event',
			operation: 'getAll',
			returnAll: true,
			order: 'newestFirst',
			output: 'raw',
			filters: { occurredSince: since.toISOString() },
		});
		expect(newest.map((e) => e.event_id)).toEqual(emitted.slice(410).reverse().map((e) => e.event_id));
	});

	it('filters by event type in n8n (GET /events has no type filter; the sandbox refuses one as an unknown parameter)', async () => {
		const emitted = emitEvents(9, ['customer.updated', 'transaction.completed', 'customer.created']);
		const out = await node.run({
			resource: 'event',
			operation: 'getAll',
			returnAll: true,
			output: 'raw',
			filters: { eventTypes: ['transaction.completed', 'customer.created'] },
		});
		expect(out.map((e) => e.event_id)).toEqual(emitted.filter((e) => e.event_type !== 'customer.updated').map((e) => e.event_id));
		expect(eventsQueries()[0]).not.toHaveProperty('event_type');
		sandbox.tolerateInvalidRequests = true; // an unknown query parameter, on purpose
		const refused = await raw('GET', '/events?event_type=transaction.completed');
		expect(refused.status).toBe(400);
		expectValid(PaddleSpec.schema('error'), refused.body);
	});

	it('After Event ID continues from a checkpoint: only events after it', async () => {
		const emitted = emitEvents(6);
		const out = await node.run({
			resource: 'event',
			operation: 'getAll',
			returnAll: true,
			output: 'raw',
			filters: { afterEventId: emitted[3].event_id as string },
		});
		expect(out.map((e) => e.event_id)).toEqual(emitted.slice(4).map((e) => e.event_id));
		const bad = await node.error({ resource: 'event', operation: 'getAll', filters: { afterEventId: 'ntf_01hv97zsr34dfd2e6wd9cswxmr' } });
		expect(bad.message).toContain('is not a Paddle evt_ id');
	});

	it('normalised output is what the trigger emits for the same event, with the key the webhook flow claims', async () => {
		sandbox.createNotificationSetting({ description: 'd', type: 'url', destination: 'http://127.0.0.1:9/x', subscribed_events: ['transaction.completed'] });
		const [event] = emitEvents(1, ['transaction.completed']);
		await sandbox.settle();
		const delivered = JSON.parse(sandbox.deliveriesOf('transaction.completed')[0].body) as IDataObject;
		const [item] = await node.run({ resource: 'event', operation: 'getAll', returnAll: true });
		expect(item.normalized).toEqual(normalizePaddleEvent(delivered));
		expect((item.normalized as IDataObject).dedupeKey).toBe(`paddle:${String(event.event_id)}`);
		expect((item.event as IDataObject).event_id).toBe(event.event_id);
	});

	it('the event-type dropdown lists GET /event-types', async () => {
		const options = await node.loadOptions('getEventTypes');
		expect(options.map((o) => o.value)).toContain('transaction.completed');
		expect(options.map((o) => o.value)).toContain('subscription.updated');
	});

	it('sandbox answers match the spec; per_page above 200 is clamped and events older than 90 days are not served', async () => {
		emitEvents(3);
		const [old] = emitEvents(1, ['customer.updated'], 91 * 24 * HOUR);
		const list = await raw('GET', '/events?per_page=2');
		expectValid(PaddleSpec.response('/events', 'get', '200'), list.body);
		const meta = list.body.meta as IDataObject;
		expect(meta.pagination).toMatchObject({ per_page: 2, has_more: true });
		expect(String((meta.pagination as IDataObject).next)).toContain('after=evt_');
		const all = await raw('GET', '/events?per_page=200');
		expect((all.body.data as IDataObject[]).map((e) => e.event_id)).not.toContain(old.event_id);
		// "Paddle returns the maximum number of results if a number greater than the maximum is
		// requested" (spec components/parameters/per_page_query, maximum 200)
		const clamped = await raw('GET', '/events?per_page=201');
		expect(clamped.status).toBe(200);
		expect((clamped.body.meta as IDataObject).pagination).toMatchObject({ per_page: 200 });
	});
});

describe('Notification → Get Many / Get / Replay', () => {
	/** One destination that answers 200 (a local server) and one that is down. */
	async function twoDestinations() {
		const { createServer } = await import('node:http');
		const received: string[] = [];
		const server = createServer((req, res) => {
			let body = '';
			req.on('data', (c: Buffer) => (body += c.toString()));
			req.on('end', () => {
				received.push(body);
				res.writeHead(200).end('ok');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as { port: number }).port;
		const up = sandbox.createNotificationSetting({
			description: 'up',
			type: 'url',
			destination: `http://127.0.0.1:${port}/hook`,
			subscribed_events: ['transaction.completed', 'customer.updated'],
		});
		const down = sandbox.createNotificationSetting({
			description: 'down',
			type: 'url',
			destination: 'http://127.0.0.1:9/down',
			subscribed_events: ['transaction.completed'],
		});
		return { up: String(up.id), down: String(down.id), received, close: () => new Promise((r) => server.close(r)) };
	}

	it('lists with the spec\'s filters: status, destination, search, entity, from / to, and validates against the spec', async () => {
		const d = await twoDestinations();
		try {
			emitEvents(2, ['transaction.completed', 'customer.updated'], 2 * HOUR);
			emitEvents(1, ['transaction.completed']);
			await sandbox.settle();
			// transaction.completed ×2 to both, customer.updated ×1 to "up": 5 notifications
			const all = await node.run({ resource: 'notification', operation: 'getAll', simplify: false, returnAll: true });
			expect(all).toHaveLength(5);
			for (const n of all) expectValid(PaddleSpec.schema('notification'), n);

			const retrying = await node.run({ resource: 'notification', operation: 'getAll', simplify: false, returnAll: true, filters: { status: ['needs_retry'] } });
			expect(retrying.map((n) => n.notification_setting_id)).toEqual([d.down, d.down]);
			expect(retrying.every((n) => n.times_attempted === 1 && n.retry_at !== null && n.delivered_at === null)).toBe(true);

			const toUp = await node.run({ resource: 'notification', operation: 'getAll', simplify: false, returnAll: true, filters: { notificationSettingIds: d.up } });
			expect(toUp).toHaveLength(3);
			expect(toUp.every((n) => n.status === 'delivered' && typeof n.delivered_at === 'string')).toBe(true);

			const customers = await node.run({ resource: 'notification', operation: 'getAll', simplify: false, returnAll: true, filters: { search: 'customer.' } });
			expect(customers.map((n) => n.type)).toEqual(['customer.updated']);

			const entity = ((customers[0].payload as IDataObject).data as IDataObject).id as string;
			const about = await node.run({ resource: 'notification', operation: 'getAll', simplify: false, returnAll: true, filters: { entityId: entity } });
			expect(about.map((n) => n.id)).toEqual([customers[0].id]);

			const recent = await node.run({
				resource: 'notification',
				operation: 'getAll',
				returnAll: true,
				filters: { from: new Date(Date.now() - HOUR).toISOString() },
			});
			expect(recent).toHaveLength(2);
			const older = await node.run({
				resource: 'notification',
				operation: 'getAll',
				returnAll: true,
				filters: { to: new Date(Date.now() - HOUR).toISOString(), status: ['delivered', 'needs_retry'] },
			});
			expect(older).toHaveLength(3);
			const last = sandbox.requestsTo('GET', '/notifications').pop()!;
			expect(last.query).toMatchObject({ status: 'delivered,needs_retry', per_page: '200' });
			expect(last.query.to).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

			// Paddle's retries run out (3 days in live): failed
			sandbox.notificationLog.giveUp(String(retrying[0].id));
			const failed = await node.run({ resource: 'notification', operation: 'getAll', simplify: false, returnAll: true, filters: { status: ['failed'] } });
			expect(failed.map((n) => n.id)).toEqual([retrying[0].id]);

			expectValid(PaddleSpec.response('/notifications', 'get', '200'), (await raw('GET', '/notifications?per_page=2')).body);
			expectValid(PaddleSpec.response('/notifications/{notification_id}', 'get', '200'), (await raw('GET', `/notifications/${String(all[0].id)}`)).body);
			sandbox.tolerateInvalidRequests = true; // a status outside the spec's enum, on purpose
			const badStatus = await raw('GET', '/notifications?status=lost');
			expect(badStatus.status).toBe(400);
			expectValid(PaddleSpec.schema('error'), badStatus.body);
		} finally {
			await d.close();
		}
	});

	it('pages through notifications with the after cursor', async () => {
		sandbox.createNotificationSetting({ description: 'd', type: 'url', destination: 'http://127.0.0.1:9/x', subscribed_events: ['customer.updated'] });
		emitEvents(230);
		await sandbox.settle();
		const out = await node.run({ resource: 'notification', operation: 'getAll', simplify: false, returnAll: true });
		expect(out).toHaveLength(230);
		expect(new Set(out.map((n) => n.id)).size).toBe(230);
		const queries = sandbox.requestsTo('GET', '/notifications').map((r) => r.query);
		expect(queries).toHaveLength(2);
		expect(queries[1].after).toBe(out[199].id);
	});

	it('replays a delivered notification: a new notification id, the same event id, delivered again signed at its own time', async () => {
		const d = await twoDestinations();
		try {
			const [event] = emitEvents(1, ['customer.updated']);
			await sandbox.settle();
			const [first] = sandbox.deliveries;
			const original = await node.one({ resource: 'notification', operation: 'get', simplify: false, notificationId: first.notificationId });
			expect((original.payload as IDataObject).event_id).toBe(event.event_id);

			const later = new Date(Date.now() + 2 * HOUR);
			sandbox.now = () => later;
			const out = await node.one({ resource: 'notification', operation: 'replay', notificationId: first.notificationId });
			await sandbox.settle();
			expect(out.replayed_notification_id).toBe(first.notificationId);
			expect(out.notification_id).toMatch(/^ntf_[a-z\d]{26}$/);
			expect(out.notification_id).not.toBe(first.notificationId);

			const replay = sandbox.deliveries[1];
			expect(replay.notificationId).toBe(out.notification_id);
			const body = JSON.parse(replay.body) as IDataObject;
			expect(body.event_id).toBe(event.event_id);
			expect(body.notification_id).toBe(out.notification_id);
			expect(replay.ts).toBe(Math.floor(later.getTime() / 1000));
			expect(replay.ts).toBeGreaterThan(first.ts);
			expect(d.received).toHaveLength(2);

			const entity = await node.one({ resource: 'notification', operation: 'get', simplify: false, notificationId: out.notification_id as string });
			expect(entity).toMatchObject({ origin: 'replay', status: 'delivered', type: 'customer.updated' });
			expect((await node.one({ resource: 'notification', operation: 'get', simplify: false, notificationId: first.notificationId })).replayed_at).toBe(later.toISOString());

			// the answer as the spec has it: 202 {data: {notification_id}}
			const direct = await fetch(`${sandbox.url}/notifications/${first.notificationId}/replay`, {
				method: 'POST',
				headers: { authorization: `Bearer ${SANDBOX_API_KEY}` },
			});
			expect(direct.status).toBe(202);
			expectValid(PaddleSpec.response('/notifications/{notification_id}/replay', 'post', '202'), await direct.json());
		} finally {
			await d.close();
		}
	});

	it('refuses what Paddle refuses: a replay of a replay, a notification still retrying, an unknown id, a key without notification.write', async () => {
		const d = await twoDestinations();
		try {
			emitEvents(1, ['transaction.completed']);
			await sandbox.settle();
			const delivered = sandbox.deliveries.find((x) => x.settingId === d.up)!;
			const retrying = sandbox.deliveries.find((x) => x.settingId === d.down)!;
			const replay = await node.one({ resource: 'notification', operation: 'replay', notificationId: delivered.notificationId });
			await sandbox.settle();

			const ofReplay = await node.error({ resource: 'notification', operation: 'replay', notificationId: replay.notification_id as string });
			expect(ofReplay.message).toContain('Only notifications with the origin `event` can be replayed.');
			expect(ofReplay.message).toContain('notification_replay_invalid_origin_type');
			const stillRetrying = await node.error({ resource: 'notification', operation: 'replay', notificationId: retrying.notificationId });
			expect(stillRetrying.message).toContain("cannot be replayed because it's not `delivered` or `failed`");
			// once Paddle gave up, the failed notification can be replayed
			sandbox.notificationLog.giveUp(retrying.notificationId);
			expect((await node.one({ resource: 'notification', operation: 'replay', notificationId: retrying.notificationId })).notification_id).toMatch(/^ntf_/);
			const unknown = await node.error({ resource: 'notification', operation: 'replay', notificationId: 'ntf_01aaaaaaaaaaaaaaaaaaaaaaaa' });
			expect(unknown.httpCode).toBe('404');

			const readOnly = sandbox.addRestrictedKey(['notification.read']);
			const credentials = { credentials: { paddleBillingApi: apiCredentials(sandbox, readOnly) as never } };
			expect(await node.run({ resource: 'notification', operation: 'getAll', simplify: false, limit: 1 }, credentials)).toHaveLength(1);
			const forbidden = await node.error({ resource: 'notification', operation: 'replay', notificationId: delivered.notificationId }, credentials);
			expect(forbidden.httpCode).toBe('403');
			expect(forbidden.description).toContain('it needs notification.write');
			const none = sandbox.addRestrictedKey([]);
			const noEvents = await node.error({ resource: 'event', operation: 'getAll' }, { credentials: { paddleBillingApi: apiCredentials(sandbox, none) as never } });
			expect(noEvents.description).toContain('it needs notification.read');
		} finally {
			await d.close();
		}
	});
});
