/**
 * Writes the reference workflows to bench/reference/*.json (with their __PLACEHOLDERS__) so they
 * can be read or imported into an editor. `npm run bench` builds them from workflows.ts itself.
 *
 *   npx tsc -p bench/tsconfig.json && node .bench-out/bench/reference/export.js
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { REPO_ROOT } from '../../dev/n8n';
import { referenceWorkflows } from './workflows';

for (const workflow of referenceWorkflows()) {
	const file = path.join(
		REPO_ROOT,
		'bench',
		'reference',
		`${workflow.name.replace(/^Reference: /, '').replace(/\(core nodes\)/, '').replace(/→/g, 'to').trim().toLowerCase().replace(/[^a-z0-9]+/g, '-')}.json`,
	);
	writeFileSync(file, `${JSON.stringify(workflow, null, '\t')}\n`);
	process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
}
