// The n8n download (minutes on an empty cache) must happen before and outside any test's
// timeout, print progress, and fail with words a newcomer can act on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainNpmFailure, runChecked } from '../../dev/n8n/util';

const ROOT = join(__dirname, '..', '..');

describe('e2e install runs outside the test clock', () => {
	it('the e2e project installs n8n in its globalSetup, which jest runs before any test file', () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const config = require(join(ROOT, 'jest.config.js')) as { projects: Array<{ displayName: string; globalSetup?: string }> };
		const e2e = config.projects.find((project) => project.displayName === 'e2e');
		expect(e2e?.globalSetup).toBe('<rootDir>/test/e2e/global-setup.ts');
		const setup = readFileSync(join(ROOT, 'test', 'e2e', 'global-setup.ts'), 'utf8');
		expect(setup).toMatch(/export default async function globalSetup/);
		expect(setup).toMatch(/await ensureN8n\(\)/);
	});

	it('npm test reaches the e2e project through the script that CI runs', () => {
		const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
		expect(pkg.scripts.test).toMatch(/npm run test:e2e/);
		expect(pkg.scripts['test:e2e']).toMatch(/jest --selectProjects e2e/);
	});

	it('CI starts the same install in the background before npm test, and npm test still installs by itself', () => {
		const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
		// e2e:install runs only the e2e project's globalSetup (a name no test has)
		expect(pkg.scripts['e2e:install']).toMatch(/^jest \S+ --selectProjects e2e -t /);
		const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
		const background = ci.indexOf('npm run e2e:install');
		expect(background).toBeGreaterThan(ci.indexOf('npm ci'));
		expect(background).toBeLessThan(ci.indexOf('\nnpm test\n'));
		expect(ci).toMatch(/wait "\$install_pid"/);
	});

	it('CI also tests the oldest supported n8n: installed in the background, run after npm test', () => {
		const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
		expect(pkg.scripts['e2e:install:oldest']).toMatch(/KOMMO_BILLING_E2E_N8N=oldest npm run e2e:install/);
		expect(pkg.scripts['test:e2e:oldest']).toMatch(/KOMMO_BILLING_E2E_N8N=oldest jest .*package-loads\.test\.ts.* --selectProjects e2e --runInBand/);
		const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
		const background = ci.indexOf('setsid npm run e2e:install:oldest');
		expect(background).toBeGreaterThan(ci.indexOf('npm ci'));
		expect(background).toBeLessThan(ci.indexOf('\nnpm test\n'));
		expect(ci.indexOf('\nnpm run test:e2e:oldest\n')).toBeGreaterThan(ci.indexOf('\nnpm test\n'));
		expect(ci).toMatch(/wait "\$oldest_pid"/);
	});

	it('a long command prints a heartbeat line while it runs', async () => {
		const lines: string[] = [];
		const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
			lines.push(String(chunk));
			return true;
		});
		try {
			await runChecked('sleeping', process.execPath, ['-e', 'setTimeout(() => {}, 450)'], { heartbeatMs: 100 });
		} finally {
			spy.mockRestore();
		}
		const beats = lines.filter((line) => line.includes('sleeping: still running'));
		expect(beats.length).toBeGreaterThanOrEqual(2);
		expect(beats[0]).toMatch(/\d+ s so far/);
	});

	it('a failed npm run names the likely cause', async () => {
		expect(explainNpmFailure('npm error code ENOSPC\nnpm error syscall write')).toMatch(/disk is full.*KOMMO_BILLING_E2E_CACHE/);
		expect(explainNpmFailure('npm error code ENOTFOUND\nnpm error request to https://registry.example failed')).toMatch(/registry could not be reached \(ENOTFOUND\)/);
		expect(explainNpmFailure('npm error code E404\nnpm error 404 Not Found')).toMatch(/HTTP 401\/403\/404/);
		expect(explainNpmFailure('npm error something else')).toBeUndefined();
		await expect(
			runChecked('npm install n8n', process.execPath, ['-e', 'console.error("npm error code EAI_AGAIN"); process.exit(1)']),
		).rejects.toThrow(/npm install n8n failed \(exit 1\)[\s\S]*Likely cause: the npm registry could not be reached \(EAI_AGAIN\)/);
	});
});
