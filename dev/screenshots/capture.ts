// `npm run screenshots`: PNGs of the shipped workflows as the real n8n editor shows them, for
// the README. Starts the same stack as the demo (sandboxes + n8n via the e2e harness, every
// workflows/*.json imported and published), signs in with headless Chromium (Debian package
// "chromium", driven over the DevTools protocol), opens each workflow and saves
// docs/screenshots/<workflow file name>.png. Then stops everything.
//
//   npm run screenshots                         all workflows
//   npm run screenshots -- kommo-won-to-paddle  only the named ones (file names without .json)
//
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_WIDTH / SCREENSHOT_HEIGHT
// (default: sized to the workflow so that labels stay readable, 1440 × 810 up to 2880 × 1620),
// SCREENSHOTS_DIR (default docs/screenshots).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { OWNER_EMAIL, OWNER_PASSWORD, REPO_ROOT, stopAll } from '../n8n';
import { startStack, type DemoStack, type LoadedWorkflow } from '../demo/stack';
import { viewportFor } from './capture-layout';
import { launchChromium, type Browser, type Page } from './cdp';

const log = (line: string) => process.stderr.write(`[screenshots] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OUT_DIR = process.env.SCREENSHOTS_DIR ?? path.join(REPO_ROOT, 'docs', 'screenshots');

/** Signs in through n8n's own sign-in form (the session is then the browser's own). */
async function signIn(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.waitFor('the sign-in form', `!!document.querySelector('input[type=password]')`);
	const focus = (selector: string) =>
		page.evaluate(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); if (!el) return false; el.focus(); el.select?.(); return true; })()`);
	if (!(await focus('input[type=email], input[name=emailOrLdapLoginId], input[name=email], input[autocomplete=email], input[autocomplete=username]'))) {
		throw new Error('the sign-in page has no e-mail input');
	}
	await page.type(OWNER_EMAIL);
	await focus('input[type=password]');
	await page.type(OWNER_PASSWORD);
	await page.press('Enter', 'Enter', 13);
	await page.waitFor('the sign-in to finish', `!location.pathname.startsWith('/signin')`, 30_000);
}

/** Everything that is not the workflow: toasts, banners, the "ask AI" panel, tooltips. */
const TIDY = `(() => {
	for (const sel of ['.el-notification', '[data-test-id="banners"]', '.n8n-callout.banner', '[role=tooltip]', '.el-popper[aria-hidden=false]']) {
		for (const el of document.querySelectorAll(sel)) el.style.setProperty('display', 'none', 'important');
	}
	document.activeElement?.blur?.();
	return true;
})()`;

async function captureWorkflow(page: Page, stack: DemoStack, workflow: LoadedWorkflow): Promise<string> {
	const id = workflow.json.id as string;
	const nodeCount = workflow.json.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length;
	const { width, height } = viewportFor(workflow.json);
	await page.resize(width, height);
	await page.goto(`${stack.n8n.baseUrl}/workflow/${id}`);
	await page.waitFor(
		`the canvas of "${workflow.json.name}" with its ${nodeCount} nodes`,
		`document.querySelectorAll('[data-test-id="canvas-node"]').length >= ${nodeCount}`,
		90_000,
	);
	// node icons and fonts arrive after the nodes themselves
	await page.waitFor('node icons', `[...document.images].every((img) => img.complete)`, 30_000).catch(() => undefined);
	await page.evaluate('document.fonts.ready.then(() => true)');
	// "zoom to fit" (shortcut 1) once everything is laid out, then let the transition settle
	await page.evaluate(`document.querySelector('[data-test-id="canvas-wrapper"], .vue-flow')?.focus?.(); true`).catch(() => undefined);
	await page.press('1', 'Digit1', 49);
	await sleep(1200);
	await page.evaluate(TIDY);
	await sleep(200);
	const png = await page.screenshot();
	const file = path.join(OUT_DIR, workflow.file.replace(/\.json$/, '.png'));
	writeFileSync(file, png);
	return file;
}

/**
 * The Plan mapping node of a Won workflow, opened as a business user sees it when changing a
 * mapping (its dropdowns filled from the Kommo and billing sandboxes).
 */
async function captureMapping(page: Page, stack: DemoStack, workflow: LoadedWorkflow, file: string): Promise<string | undefined> {
	const node = workflow.json.nodes.find((n) => n.type === 'n8n-nodes-kommo-billing.billingPlanMapping' && !n.disabled);
	if (!node?.id) return undefined;
	await page.resize(1600, 1000);
	await page.goto(`${stack.n8n.baseUrl}/workflow/${workflow.json.id as string}/${node.id as string}`);
	await page.waitFor('the node panel', `!!document.querySelector('[data-test-id="ndv"]') && document.querySelectorAll('[data-test-id="parameter-input"], [data-test-id^="parameter-input"]').length > 0`, 60_000);
	// option labels come from the sandboxes (load options): wait until no input shows a raw id alone
	await sleep(3000);
	await page.evaluate(TIDY);
	const target = path.join(OUT_DIR, file);
	writeFileSync(target, await page.screenshot());
	return target;
}

async function main(): Promise<void> {
	const only = process.argv.slice(2).map((a) => a.replace(/\.json$/, ''));
	let stack: DemoStack | undefined;
	let browser: Browser | undefined;
	let code = 0;
	const stopEverything = async () => {
		await browser?.close().catch(() => undefined);
		await stack?.stop().catch(() => undefined);
		await stopAll().catch(() => undefined);
	};
	process.once('SIGINT', () => void stopEverything().then(() => process.exit(130)));
	process.once('SIGTERM', () => void stopEverything().then(() => process.exit(143)));
	try {
		stack = await startStack({ name: 'screenshots', log });
		const targets = stack.workflows.filter((w) => only.length === 0 || only.includes(w.file.replace(/\.json$/, '')));
		if (targets.length === 0) throw new Error(`no workflow to capture (workflows/: ${stack.workflows.map((w) => w.file).join(', ') || 'empty'})`);
		mkdirSync(OUT_DIR, { recursive: true });
		browser = await launchChromium({ log });
		const page = await browser.newPage(1440, 900);
		await signIn(page, stack.n8n.baseUrl);
		for (const workflow of targets) {
			const file = await captureWorkflow(page, stack, workflow);
			log(`${path.relative(REPO_ROOT, file)}  ←  "${workflow.json.name}"`);
		}
		const won = stack.workflow('kommo-won-to-chargebee');
		if (won && targets.includes(won)) {
			const file = await captureMapping(page, stack, won, 'plan-mapping.png');
			if (file) log(`${path.relative(REPO_ROOT, file)}  ←  the "Plan mapping" node of "${won.json.name}"`);
		}
	} catch (error) {
		log(`failed: ${(error as Error).message}`);
		code = 1;
	} finally {
		await stopEverything();
	}
	process.exit(code);
}

if (require.main === module) void main();
