#!/usr/bin/env node
/**
 * Builds README.md from docs/: the front matter in docs/readme/ and one
 * section per topic file, so the README and the topic docs never disagree.
 * `node test/tools/build-readme.js` writes it; `--check` exits 1 when the
 * committed README is not what the docs make (a unit test runs that).
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const docs = path.join(root, 'docs');

// Order of the README: [kind, name]; a missing topic file is left out.
const LAYOUT = [
	['part', '00-title'],
	['toc'],
	['part', '10-start'],
	['part', '20-architecture'],
	['doc', 'kommo'],
	['doc', 'chargebee'],
	['doc', 'paddle'],
	['doc', 'zuora'],
	['doc', 'workflows-provisioning'],
	['doc', 'workflows-events'],
	['doc', 'dedupe'],
	['doc', 'demo'],
	['part', '70-limits'],
	['doc', 'scaling'],
	['doc', 'benchmarks'],
	['doc', 'reliability'],
	['part', '80-troubleshooting'],
	['part', '90-development'],
	['doc', 'e2e-harness', 3],
];

function read(file) {
	return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() + '\n' : '';
}

/** Shifts headings so the file's top heading sits at `level`; fixes links relative to docs/. */
function topic(name, level = 2) {
	const text = read(path.join(docs, `${name}.md`));
	if (!text) return '';
	const lines = text.split('\n');
	let inCode = false;
	const levels = [];
	for (const line of lines) {
		if (line.startsWith('```')) inCode = !inCode;
		const m = !inCode && /^(#+) /.exec(line);
		if (m) levels.push(m[1].length);
	}
	const top = levels.length ? Math.min(...levels) : level;
	inCode = false;
	return lines
		.map((line) => {
			if (line.startsWith('```')) inCode = !inCode;
			const m = !inCode && /^(#+) (.*)$/.exec(line);
			return m ? `${'#'.repeat(m[1].length - top + level)} ${m[2]}` : line;
		})
		.join('\n')
		.replace(/\]\(dedupe\.md\)/g, '](#billing-event-dedupe)')
		.replace(/\]\(screenshots\//g, '](docs/screenshots/');
}

function slug(title) {
	return title
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\- _]/gu, '')
		.replace(/ /g, '-');
}

function build() {
	const parts = LAYOUT.map(([kind, name, level]) => {
		if (kind === 'toc') return '@@TOC@@\n';
		if (kind === 'part') return read(path.join(docs, 'readme', `${name}.md`));
		return topic(name, level);
	}).filter((p) => p.trim());
	let text = parts.join('\n');
	const toc = [];
	let inCode = false;
	for (const line of text.split('\n')) {
		if (line.startsWith('```')) inCode = !inCode;
		const m = !inCode && /^## (.*)$/.exec(line);
		if (m) toc.push(`- [${m[1]}](#${slug(m[1])})`);
	}
	text = text.replace('@@TOC@@', `## Contents\n\n${toc.join('\n')}\n`);
	const header = '<!-- Generated from docs/ by `node test/tools/build-readme.js`; edit the files there. -->\n';
	return header + text.replace(/\n{3,}/g, '\n\n');
}

module.exports = { build };

if (require.main === module) {
	const target = path.join(root, 'README.md');
	const text = build();
	if (process.argv.includes('--check')) {
		if (read(target) !== text.trim() + '\n') {
			process.stderr.write('README.md is out of date: run node test/tools/build-readme.js\n');
			process.exit(1);
		}
	} else {
		fs.writeFileSync(target, text.trim() + '\n');
	}
}
