/**
 * The Paddle Billing Trigger lets a workflow answer after its effect (When Last Node Finishes, or
 * a Respond to Webhook node) so that a failed run can answer 5xx and Paddle retries; older
 * workflows without the parameter keep answering at once. The real-n8n proof is
 * test/e2e/workflows-paddle-events.test.ts.
 */
import { PaddleBillingTrigger } from '../../../nodes/PaddleBilling/PaddleBillingTrigger.node';

const { description } = new PaddleBillingTrigger();

test('the webhook takes its response mode from the Respond parameter', () => {
	expect(description.webhooks).toEqual([
		{ name: 'default', httpMethod: 'POST', responseMode: '={{$parameter["responseMode"]}}', path: 'webhook' },
	]);
});

test('Respond offers the three modes and defaults to Immediately (as before the parameter existed)', () => {
	const respond = description.properties.find((p) => p.name === 'responseMode');
	expect(respond?.default).toBe('onReceived');
	expect((respond?.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['onReceived', 'lastNode', 'responseNode']);
});
