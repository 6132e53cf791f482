// The README is assembled from docs/ (test/tools/build-readme.js); it must be what they make.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { build } = require('../tools/build-readme.js') as { build: () => string };
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
	it('is up to date with docs/ (run node test/tools/build-readme.js)', () => {
		expect(readme).toBe(build().trim() + '\n');
	});

	it('names the two commands and the test command CI runs', () => {
		expect(readme).toContain('npm ci && npm run demo');
		expect(readme).toContain('npm ci && npm test');
		expect(readFileSync(join(__dirname, '..', '..', '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
	});

	it('has a section for every vendor, the workflows, dedupe, limits and troubleshooting', () => {
		for (const heading of ['## Kommo', '## Chargebee', '## Paddle Billing', '## Zuora', '## Billing Event Dedupe', '## Limits', '## Troubleshooting']) {
			expect(readme).toContain(`\n${heading}`);
		}
	});
});
