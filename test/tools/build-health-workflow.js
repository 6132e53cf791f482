#!/usr/bin/env node
/**
 * Writes workflows/kommo-webhook-health.json: every hour, Kommo → Webhook → Check and Heal re-enables
 * the webhooks to this n8n that Kommo switched off (more than 100 failed deliveries in 2 hours,
 * developers.kommo.com/docs/webhooks-general), then fails the execution when it had to heal, so
 * that the error workflow (error-to-kommo-task.json) and the execution list show it: deals whose
 * status changed while the hook was off were not processed.
 *
 *   node test/tools/build-health-workflow.js          # rewrite the file
 *   node test/tools/build-health-workflow.js --check  # exit 1 if the file differs (used by a unit test)
 */
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const FILE = path.resolve(__dirname, '..', '..', 'workflows', 'kommo-webhook-health.json');
const PKG = 'n8n-nodes-kommo-billing.';
const id = (n) => `h0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const workflow = {
	id: 'kbKommoHealth001',
	name: 'Kommo webhook health (hourly)',
	active: false,
	nodes: [
		{
			id: id(1),
			name: 'Every hour',
			type: 'n8n-nodes-base.scheduleTrigger',
			typeVersion: 1.2,
			position: [0, 0],
			parameters: { rule: { interval: [{ field: 'hours', hoursInterval: 1 }] } },
		},
		{
			id: id(2),
			name: 'Check and heal Kommo webhooks',
			type: `${PKG}kommo`,
			typeVersion: 1,
			position: [220, 0],
			parameters: {
				authentication: 'longLivedToken',
				resource: 'webhook',
				operation: 'checkHealth',
				destinationPrefix: 'https://your-n8n.example.com/webhook/',
				heal: true,
			},
			credentials: { kommoApi: { id: 'kbKommoApi000001', name: 'Kommo account' } },
		},
		{
			id: id(3),
			name: 'Had to heal?',
			type: 'n8n-nodes-base.if',
			typeVersion: 2.2,
			position: [440, 0],
			parameters: {
				conditions: {
					options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
					conditions: [{ id: 'h0c00000-0000-4000-9000-000000000001', leftValue: '={{ $json.healed }}', rightValue: '', operator: { type: 'boolean', operation: 'true', singleValue: true } }],
					combinator: 'and',
				},
				looseTypeValidation: true,
				options: {},
			},
		},
		{
			id: id(4),
			name: 'Fail: Kommo had switched a webhook off',
			type: 'n8n-nodes-base.stopAndError',
			typeVersion: 1,
			position: [660, -100],
			parameters: {
				errorMessage:
					"={{ 'Kommo had switched off ' + $input.all().length + ' webhook(s) to this n8n (more than 100 failed deliveries in 2 hours): ' + $input.all().map(i => i.json.destination + ' [' + i.json.settings.join(', ') + ']').join('; ') + '. They were re-enabled; deals that changed while they were off were not processed: check them in Kommo.' }}",
			},
			executeOnce: true,
		},
		{ id: id(5), name: 'All webhooks enabled', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [660, 100], parameters: {} },
		{
			id: id(6),
			name: 'Note',
			type: 'n8n-nodes-base.stickyNote',
			typeVersion: 1,
			position: [-40, -380],
			parameters: {
				content:
					'## Kommo webhook health\nKommo switches a webhook off after more than 100 failed deliveries in 2 hours and never back on; the workflow stays active and just stops receiving.\nEvery hour this re-enables the webhooks whose destination starts with **Destination Starts With** (set it to your n8n\'s public webhook address) and fails the execution when it had to, so the error workflow reports it.',
				width: 700,
				height: 260,
			},
		},
	],
	connections: {
		'Every hour': { main: [[{ node: 'Check and heal Kommo webhooks', type: 'main', index: 0 }]] },
		'Check and heal Kommo webhooks': { main: [[{ node: 'Had to heal?', type: 'main', index: 0 }]] },
		'Had to heal?': {
			main: [[{ node: 'Fail: Kommo had switched a webhook off', type: 'main', index: 0 }], [{ node: 'All webhooks enabled', type: 'main', index: 0 }]],
		},
	},
	settings: { executionOrder: 'v1', errorWorkflow: 'kbErrorToKommo01', saveDataErrorExecution: 'all', saveDataSuccessExecution: 'all', saveManualExecutions: true },
	pinData: {},
	meta: { templateCredsSetupCompleted: true },
};

const text = `${JSON.stringify(workflow, null, '\t')}\n`;
if (process.argv.includes('--check')) {
	let current = '';
	try {
		current = readFileSync(FILE, 'utf8');
	} catch {
		current = '';
	}
	if (current !== text) {
		process.stderr.write(`${FILE} differs from what ${path.basename(__filename)} writes; run it.\n`);
		process.exit(1);
	}
} else {
	writeFileSync(FILE, text);
	process.stdout.write(`wrote ${path.relative(process.cwd(), FILE)}\n`);
}
