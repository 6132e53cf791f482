/**
 * Writes the shipped workflows, workflows/*.json, from their descriptions (won.ts, events.ts,
 * health.ts), so that they stay alike and consistent. The JSON files are what users import; edit
 * the descriptions, not the files.
 *
 *   npm run workflows                                  # rewrite the files
 *   npm run workflows -- --check                       # exit 1 if a file differs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from '../repo';
import { workflowText } from './builder';
import type { WorkflowJson } from './builder';
import { eventWorkflows } from './events';
import { healthWorkflow } from './health';
import { wonWorkflows } from './won';

/** workflows/<file> → its workflow, every shipped workflow. */
export function shippedWorkflows(): Record<string, WorkflowJson> {
	return { ...wonWorkflows(), ...eventWorkflows(), 'kommo-webhook-health.json': healthWorkflow() };
}

/** workflows/<file> → the text it must have. */
export function shippedWorkflowTexts(): Record<string, string> {
	return Object.fromEntries(Object.entries(shippedWorkflows()).map(([file, workflow]) => [file, workflowText(workflow)]));
}

function main(): void {
	const check = process.argv.includes('--check');
	const root = repoRoot();
	let differs = false;
	for (const [file, text] of Object.entries(shippedWorkflowTexts())) {
		const target = path.join(root, 'workflows', file);
		if (check) {
			let current = '';
			try {
				current = readFileSync(target, 'utf8');
			} catch {
				// missing counts as different
			}
			if (current !== text) {
				differs = true;
				process.stderr.write(`workflows/${file} differs from what tools/workflows writes; run npm run workflows\n`);
			}
		} else {
			writeFileSync(target, text);
			process.stdout.write(`wrote workflows/${file}\n`);
		}
	}
	process.exitCode = differs ? 1 : 0;
}

if (require.main === module) main();
