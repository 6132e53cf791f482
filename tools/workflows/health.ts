/**
 * workflows/kommo-webhook-health.json: every hour, Kommo → Webhook → Check and Heal re-enables
 * the webhooks to this n8n that Kommo switched off (more than 100 failed deliveries in 2 hours,
 * developers.kommo.com/docs/webhooks-general), then fails the execution when it had to heal, so
 * that the error workflow (error-to-kommo-task.json) and the execution list show it: deals whose
 * status changed while the hook was off were not processed. Written by `npm run workflows`.
 */
import { condition, filter, KEY_ORDER, sequentialIds, WorkflowBuilder } from './builder';
import type { WorkflowJson } from './builder';
import { kommo, reportingSettings } from './nodes';

export function healthWorkflow(): WorkflowJson {
	const b = new WorkflowBuilder({ keyOrder: KEY_ORDER.provisioning, nodeId: sequentialIds('h') });
	const conditionId = sequentialIds('h0c', '9000');
	const every = b.node('Every hour', 'n8n-nodes-base.scheduleTrigger', 1.2, [0, 0], { rule: { interval: [{ field: 'hours', hoursInterval: 1 }] } });
	const check = kommo(b, 'Check and heal Kommo webhooks', [220, 0], {
		resource: 'webhook',
		operation: 'checkHealth',
		destinationPrefix: 'https://your-n8n.example.com/webhook/',
		heal: true,
	});
	const healed = b.node('Had to heal?', 'n8n-nodes-base.if', 2.2, [440, 0], {
		conditions: filter([condition(conditionId(), '={{ $json.healed }}', { type: 'boolean', operation: 'true', singleValue: true }, '')], { caseSensitive: true }),
		looseTypeValidation: true,
		options: {},
	});
	const fail = b.node(
		'Fail: Kommo had switched a webhook off',
		'n8n-nodes-base.stopAndError',
		1,
		[660, -100],
		{
			errorMessage:
				"={{ 'Kommo had switched off ' + $input.all().length + ' webhook(s) to this n8n (more than 100 failed deliveries in 2 hours): ' + $input.all().map(i => i.json.destination + ' [' + i.json.settings.join(', ') + ']').join('; ') + '. They were re-enabled; deals that changed while they were off were not processed: check them in Kommo.' }}",
		},
		{ executeOnce: true },
	);
	const fine = b.node('All webhooks enabled', 'n8n-nodes-base.noOp', 1, [660, 100], {});
	b.sticky(
		[-40, -380],
		{
			content:
				'## Kommo webhook health\nKommo switches a webhook off after more than 100 failed deliveries in 2 hours and never back on; the workflow stays active and just stops receiving.\nEvery hour this re-enables the webhooks whose destination starts with **Destination Starts With** (set it to your n8n\'s public webhook address) and fails the execution when it had to, so the error workflow reports it.',
			width: 700,
			height: 260,
		},
		'Note',
	);
	b.chain(every, check, healed, fail);
	b.connect(healed, fine, 1);
	return b.workflow({
		id: 'kbKommoHealth001',
		name: 'Kommo webhook health (hourly)',
		active: false,
		settings: reportingSettings(true),
		pinData: {},
		meta: { templateCredsSetupCompleted: true },
	});
}
