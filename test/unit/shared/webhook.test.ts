/**
 * nodes/shared/webhook.ts: the answers of the four triggers' webhook() that start nothing. The
 * refusal body stays each vendor's own shape (vendors' delivery logs and the tests read it).
 */
import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import {
	acknowledge,
	answer,
	credentialText,
	modeProperty,
	notYetActive,
	rawBody,
	refuse,
	REFUSAL_BODY,
	refusal,
	respondingWebhook,
	respondProperty,
	STILL_ACTIVATING,
	webhookLifecycle,
} from '../../../nodes/shared/webhook';

function fakeContext(rawBodyValue?: unknown) {
	const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
	const res = {
		setHeader: (name: string, value: string) => (sent.headers[name] = value),
		status(code: number) {
			sent.status = code;
			return res;
		},
		json(body: unknown) {
			sent.body = body;
			return res;
		},
	};
	const ctx = { getResponseObject: () => res, getRequestObject: () => ({ rawBody: rawBodyValue }) } as unknown as IWebhookFunctions;
	return { ctx, sent };
}

describe('shared webhook answers', () => {
	test('a refusal is written in the vendor shape, with its headers, and starts no execution', () => {
		const refused = refusal(401, 'unauthorized', 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="x"' });
		const shapes = {
			error: { error: 'Unauthorized' },
			message: { message: 'Unauthorized' },
			reasonAndMessage: { error: 'unauthorized', message: 'Unauthorized' },
		};
		for (const [shape, body] of Object.entries(shapes)) {
			const { ctx, sent } = fakeContext();
			expect(refuse(ctx, refused, REFUSAL_BODY[shape as keyof typeof REFUSAL_BODY])).toEqual({ noWebhookResponse: true });
			expect(sent).toEqual({ status: 401, body, headers: { 'WWW-Authenticate': 'Basic realm="x"' } });
		}
	});

	test('still activating is a 503 with the one message the three self-registering triggers used', () => {
		expect(notYetActive()).toEqual({ status: 503, reason: 'activating', message: STILL_ACTIVATING });
		expect(STILL_ACTIVATING).toBe('The trigger is still being activated; try again shortly');
	});

	test('acknowledge and answer', () => {
		expect(acknowledge({ received: true, ignored: 'x' })).toEqual({ webhookResponse: { received: true, ignored: 'x' } });
		const { ctx, sent } = fakeContext();
		expect(answer(ctx, 200, { received: true })).toEqual({ noWebhookResponse: true });
		expect(sent).toEqual({ status: 200, body: { received: true }, headers: {} });
	});

	test('rawBody is the Buffer n8n kept, or undefined', () => {
		expect(rawBody(fakeContext(Buffer.from('a')).ctx)?.toString()).toBe('a');
		expect(rawBody(fakeContext('a').ctx)).toBeUndefined();
		expect(rawBody(fakeContext().ctx)).toBeUndefined();
	});

	test('credentialText reads text fields, empty when unset', () => {
		expect(credentialText({ id: '1', name: 'c', type: 't', data: { user: 'u', n: 3 } }, 'user', 'password', 'n')).toEqual({
			user: 'u',
			password: '',
			n: '3',
		});
	});

	test('webhookLifecycle hands checkExists, create and delete to the registration, with the hook context', async () => {
		const calls: Array<[string, unknown]> = [];
		const lifecycle = webhookLifecycle({
			async checkExists(this: IHookFunctions) {
				calls.push(['checkExists', this]);
				return false;
			},
			async create(this: IHookFunctions) {
				calls.push(['create', this]);
				return true;
			},
			async remove(this: IHookFunctions) {
				calls.push(['remove', this]);
				return true;
			},
		});
		const hook = {} as IHookFunctions;
		expect(await lifecycle.default.checkExists.call(hook)).toBe(false);
		expect(await lifecycle.default.create.call(hook)).toBe(true);
		expect(await lifecycle.default.delete.call(hook)).toBe(true);
		expect(calls).toEqual([
			['checkExists', hook],
			['create', hook],
			['remove', hook],
		]);
	});

	test('modeProperty: Automatic (the default) or Manual, each with the vendor\'s own description', () => {
		expect(modeProperty('registers it', 'by hand')).toEqual({
			displayName: 'Mode',
			name: 'mode',
			type: 'options',
			options: [
				{ name: 'Automatic', value: 'automatic', description: 'registers it' },
				{ name: 'Manual', value: 'manual', description: 'by hand' },
			],
			default: 'automatic',
		});
	});

	test('respondingWebhook: the POST webhook whose responseMode is the Respond parameter', () => {
		expect(respondingWebhook()).toEqual({ name: 'default', httpMethod: 'POST', responseMode: '={{$parameter["responseMode"]}}', path: 'webhook' });
		expect(respondingWebhook().responseMode).toBe(`={{$parameter["${respondProperty('V', 'x').name}"]}}`);
	});
});
