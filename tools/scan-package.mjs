#!/usr/bin/env node
// `npm run scan`: n8n's community-package scanner (@n8n/scan-community-package), run on what we
// would publish, before publishing. The scanner's CLI only takes a package name and downloads
// the published tarball and its provenance-attested source; it cannot scan a local build. So this
// runs the scanner's own `analyzePackage` (same rule set: n8n's community-nodes ESLint plugin,
// eslint-plugin-n8n-nodes-base's community/nodes/credentials rules, no-console) on the same two
// legs its CLI scans:
//   1. the source: package.json, nodes/**, credentials/** (SOURCE_FILE_PATTERNS)
//   2. the packed tarball (`npm pack`): its compiled .js and package.json
// Exit code 1 with the scanner's report when either leg fails.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import('@n8n/scan-community-package/scanner/scanner.mjs');

const work = mkdtempSync(path.join(os.tmpdir(), 'kommo-billing-scan-'));
try {
	// .npmrc sets ignore-scripts, so `npm run scan` builds first (package.json) and pack only packs
	execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
	const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'));
	if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
	const unpacked = path.join(work, 'package');
	execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work]);
	if (!readdirSync(unpacked).includes('dist')) {
		throw new Error(`${tarball} has no dist/: run \`npm run build\` first (npm run scan does)`);
	}

	const legs = [
		['source (package.json, nodes, credentials)', await analyzePackage(root, SOURCE_FILE_PATTERNS)],
		[`tarball ${tarball} (compiled .js, package.json)`, await analyzePackage(unpacked, ['**/*.js', 'package.json'])],
	];
	let failed = false;
	for (const [label, result] of legs) {
		if (result.passed) {
			console.log(`scan: ${label}: passed`);
		} else {
			failed = true;
			console.log(`scan: ${label}: FAILED: ${result.message}`);
			if (result.details) console.log(result.details);
		}
	}
	process.exitCode = failed ? 1 : 0;
} finally {
	rmSync(work, { recursive: true, force: true });
}
