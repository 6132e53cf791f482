// `npm run demo`: the whole chain on this machine, in one command.
//
//   npm run demo                     story, then n8n keeps running with a prompt; Ctrl-C stops all
//   npm run demo -- --ci             story only; exit code 0 only if every expected effect was seen
//   DEMO_NON_INTERACTIVE=1 npm run demo            same as --ci
//   npm run demo -- --ci --keep-running            story, then keep running without a prompt
//                                                  (until SIGINT/SIGTERM; used by the demo test)
//
// Starts the Kommo, Chargebee, Paddle and Zuora sandboxes on loopback, a real n8n with the packed
// package, the credentials and every workflows/*.json (published), plays the story (story.ts),
// prints each step and what changed on the Kommo deals, then leaves n8n running for the editor.
// See docs/demo.md.
import { writeFileSync } from 'node:fs';
import readline from 'node:readline';

import { OWNER_EMAIL, OWNER_PASSWORD, stopAll } from '../n8n';
import type { Lead } from '../sandbox/kommo';
import * as act from './actions';
import { DEAL_FIELDS, dealFields, describeTask, noteText, statusName, userName } from './observe';
import { bold, cyan, dim, FAIL, heading, OK, out, red, yellow } from './print';
import { playStory, runStep, type StepResult, type StoryResult } from './story';
import { PLANS, startStack, VENDOR_LABEL, workflowFiles, type DemoStack, type Vendor } from './stack';

interface Options {
	ci: boolean;
	keepRunning: boolean;
	help: boolean;
}

function parseOptions(argv: string[]): Options {
	const truthy = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
	const options: Options = {
		ci: truthy(process.env.DEMO_NON_INTERACTIVE) || truthy(process.env.CI_DEMO),
		keepRunning: truthy(process.env.DEMO_KEEP_RUNNING),
		help: false,
	};
	for (const arg of argv) {
		if (arg === '--ci' || arg === '--non-interactive') options.ci = true;
		else if (arg === '--keep-running') options.keepRunning = true;
		else if (arg === '--help' || arg === '-h') options.help = true;
		else {
			process.stderr.write(`unknown option ${arg} (try --help)\n`);
			process.exit(2);
		}
	}
	return options;
}

const HELP = `npm run demo [-- options]

  (no option)        play the story, then keep n8n and the sandboxes running with a prompt
                     (type "help" there); Ctrl-C stops everything
  --ci               play the story and stop; exit code 0 only if every step's expected
                     effect was observed (also: DEMO_NON_INTERACTIVE=1)
  --keep-running     with --ci: keep running after the story, without a prompt, until
                     SIGINT/SIGTERM (also: DEMO_KEEP_RUNNING=1)

Environment: DEMO_RESULT_FILE=<path> writes the story result as JSON;
KOMMO_SANDBOX_PORT, CHARGEBEE_SANDBOX_PORT, PADDLE_SANDBOX_PORT, ZUORA_SANDBOX_PORT fix the
sandboxes' ports; KOMMO_BILLING_E2E_CACHE moves the n8n cache (default ~/.cache/kommo-billing-e2e).
`;

let stack: DemoStack | undefined;
let stopping: Promise<void> | undefined;
let exitCode = 0;

async function shutdown(code: number, why: string): Promise<void> {
	if (stopping) return stopping;
	stopping = (async () => {
		out();
		out(dim(`${why}: stopping n8n and the sandboxes …`));
		try {
			if (stack) await stack.stop();
			await stopAll();
			out(dim('stopped.'));
		} catch (error) {
			process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
			code = code || 1;
		}
		process.exit(code);
	})();
	return stopping;
}

function installSignalHandlers(): void {
	let first = 0;
	const onSignal = (signal: NodeJS.Signals) => {
		// A terminal's Ctrl-C reaches npm and the demo, and npm forwards it once more: a repeat
		// within a second is the same Ctrl-C. A later one means "now".
		if (first && Date.now() - first > 1000) {
			// second Ctrl-C: leave now; the harness's exit hook kills n8n's process group
			process.stderr.write('stopping immediately\n');
			process.exit(130);
		}
		first ||= Date.now();
		void shutdown(exitCode, signal === 'SIGINT' ? 'Ctrl-C' : signal);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onSignal);
}

function printReady(s: DemoStack, result: StoryResult, interactive: boolean): void {
	heading('n8n is running');
	out(`  editor:    ${bold(cyan(`${s.n8n.baseUrl}/home/workflows`))}`);
	out(`  log in as: ${bold(OWNER_EMAIL)} / ${bold(OWNER_PASSWORD)}`);
	out(`  sandboxes: Kommo ${s.kommo.url} · Chargebee ${s.chargebee.url} · Paddle ${s.paddle.url} · Zuora ${s.zuora.url}`);
	out(`  n8n log:   ${s.n8n.userFolder}/n8n.log`);
	out();
	const won = s.workflow('kommo-won-to-chargebee');
	if (won) {
		out(`  Try it: "Umbrella" (plan Starter) got a task because Starter has no Chargebee price. Open`);
		out(`  ${s.n8n.baseUrl}/workflow/${won.json.id}  ("${won.json.name}"),`);
		out('  open the "Plan mapping" node, add a mapping Starter → "Starter USD Monthly", Save, Publish,');
		out(`  then type  ${bold('won Umbrella')}  here: the subscription is created and written back to the deal.`);
	}
	out(interactive ? `  Type ${bold('help')} for the commands; ${bold('Ctrl-C')} stops everything.` : `  Stop with Ctrl-C (SIGINT) or SIGTERM.`);
	const ready = {
		url: s.n8n.baseUrl,
		email: OWNER_EMAIL,
		password: OWNER_PASSWORD,
		passed: result.passed,
		steps: result.steps.map((r) => ({ chapter: r.chapter, title: r.title, ok: r.ok })),
		skipped: result.skipped,
		workflows: s.workflows.map((w) => ({ file: w.file, id: w.json.id, name: w.json.name, published: w.published })),
		sandboxes: { kommo: s.kommo.url, chargebee: s.chargebee.url, paddle: s.paddle.url, zuora: s.zuora.url },
		pid: process.pid,
	};
	out(`DEMO_READY ${JSON.stringify(ready)}`);
}

// ------------------------------------------------------------------ the prompt

const COMMANDS = `commands (a deal is its id or the start of its name):
  deals                         list the deals with stage, plan, billing system and ids
  show <deal>                   fields, notes and tasks of a deal
  new <plan> <vendor> [Invoice|Card] [name…]
                                a new deal in Negotiation (plan: ${PLANS.map((p) => p.name).join('/')}; vendor: Chargebee/Paddle/Zuora)
  won <deal>                    move the deal to "Closed - won" (Kommo sends the Won webhook)
  pay <deal> | fail <deal> | cancel <deal>
                                the deal's billing system charges / declines / cancels
  quit                          stop everything (same as Ctrl-C)`;

function findDeal(s: DemoStack, ref: string | undefined): Lead {
	if (!ref) throw new act.DemoError('which deal? (id or name)');
	const byId = s.kommo.leads.get(Number(ref));
	if (byId) return byId;
	const matches = [...s.kommo.leads.values()].filter((l) => l.name.toLowerCase().startsWith(ref.toLowerCase()));
	if (matches.length === 1) return matches[0];
	throw new act.DemoError(matches.length ? `"${ref}" matches ${matches.map((l) => l.name).join(', ')}` : `no deal "${ref}" (try: deals)`);
}

function listDeals(s: DemoStack): void {
	for (const lead of s.kommo.leads.values()) {
		const f = dealFields(s, lead.id);
		out(
			`  ${lead.id}  ${bold(lead.name.padEnd(16))} ${statusName(s, lead).padEnd(14)} ${String(f.Plan ?? '').padEnd(10)} ${String(f['Billing system'] ?? '').padEnd(9)} ` +
				dim(`${f['Billing customer ID'] ?? ''} ${f['Subscription ID'] ?? ''} ${f['Subscription status'] ?? ''}`),
		);
	}
}

function showDeal(s: DemoStack, lead: Lead): void {
	const f = dealFields(s, lead.id);
	out(`  ${bold(lead.name)} (deal ${lead.id}), ${statusName(s, lead)}, manager ${userName(s, lead.responsible_user_id)}`);
	for (const field of DEAL_FIELDS) if (f[field]) out(`    ${field}: ${cyan(f[field])}`);
	for (const note of s.kommo.notesFor(lead.id)) out(`    note  ${noteText(note).replace(/\n/g, '\n          ')}`);
	for (const task of s.kommo.tasksFor(lead.id)) out(`    task  ${describeTask(s, task)}`);
}

function newDeal(s: DemoStack, args: string[]): Lead {
	const plan = PLANS.find((p) => p.name.toLowerCase() === (args[0] ?? '').toLowerCase());
	const vendor = (Object.keys(VENDOR_LABEL) as Vendor[]).find((v) => v === (args[1] ?? '').toLowerCase());
	if (!plan || !vendor) throw new act.DemoError('usage: new <Starter|Pro|Enterprise> <Chargebee|Paddle|Zuora> [Invoice|Card] [name…]');
	let rest = args.slice(2);
	let method: string | undefined;
	if (rest[0] && /^(invoice|card)$/i.test(rest[0])) {
		method = rest[0][0].toUpperCase() + rest[0].slice(1).toLowerCase();
		rest = rest.slice(1);
	}
	const name = rest.join(' ') || `Demo deal ${s.kommo.leads.size + 1}`;
	const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '') || 'deal';
	const negotiation = s.kommo.mainPipeline.statuses.find((st) => st.name === 'Negotiation') ?? s.kommo.mainPipeline.statuses[0];
	const bob = s.kommo.users.find((u) => u.name === 'Bob Sales') ?? s.kommo.users[0];
	return s.kommo.addLead({
		name,
		price: plan.usdMinor,
		status_id: negotiation.id,
		responsible_user_id: bob.id,
		customFields: { Plan: plan.name, 'Billing system': VENDOR_LABEL[vendor], Country: 'US', ...(method ? { 'Payment method': method } : {}) },
		contacts: [{ first_name: 'Demo', last_name: name, email: `billing@${slug}.test` }],
	});
}

/** Runs an outside-world action as a step without expectations: prints what changed. */
async function freeStep(s: DemoStack, lead: Lead, title: string, fn: () => Promise<string>): Promise<StepResult> {
	return await runStep(s, { chapter: 'You', title, lead, act: fn, checks: [], timeoutMs: 1 });
}

function startPrompt(s: DemoStack): void {
	const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: 'demo> ' });
	rl.on('SIGINT', () => void shutdown(exitCode, 'Ctrl-C'));
	rl.on('close', () => void shutdown(exitCode, 'end of input'));
	let busy = false;
	rl.on('line', (line) => {
		if (busy) {
			out(dim('  (still busy with the previous command)'));
			return;
		}
		const [command, ...args] = line.trim().split(/\s+/);
		const run = async () => {
			switch ((command ?? '').toLowerCase()) {
				case '':
					return;
				case 'help':
				case '?':
					out(COMMANDS);
					return;
				case 'deals':
					listDeals(s);
					return;
				case 'show':
					showDeal(s, findDeal(s, args.join(' ')));
					return;
				case 'new': {
					const lead = newDeal(s, args);
					out(`  created deal ${lead.id} "${lead.name}" — win it with: won ${lead.id}`);
					return;
				}
				case 'won': {
					const lead = findDeal(s, args.join(' '));
					await freeStep(s, lead, `"${lead.name}" is won`, () => act.winDeal(s, lead));
					return;
				}
				case 'pay':
				case 'fail':
				case 'cancel': {
					const lead = findDeal(s, args.join(' '));
					const fn = { pay: act.pay, fail: act.fail, cancel: act.cancel }[command.toLowerCase() as 'pay' | 'fail' | 'cancel'];
					await freeStep(s, lead, `${command} for "${lead.name}"`, () => fn(s, lead));
					return;
				}
				case 'quit':
				case 'exit':
					await shutdown(exitCode, 'quit');
					return;
				default:
					out(`  unknown command "${command}" — type help`);
			}
		};
		busy = true;
		run()
			.catch((error) => out(`  ${error instanceof act.DemoError ? yellow('!') : FAIL} ${(error as Error).message}`))
			.finally(() => {
				busy = false;
				if (!stopping) rl.prompt();
			});
	});
	rl.prompt();
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	if (options.help) {
		out(HELP);
		return;
	}
	installSignalHandlers();
	const interactive = !options.ci && Boolean(process.stdin.isTTY);
	const keepRunning = !options.ci || options.keepRunning;

	heading('Kommo ↔ billing demo');
	const files = workflowFiles();
	out(`  workflows: ${files.length ? files.map((f) => f.split('/').pop()).join(', ') : red('none in workflows/')}`);
	out(dim('  starting the sandboxes and n8n (the first run installs n8n into a cache folder: a few minutes) …'));
	const started = Date.now();
	stack = await startStack({ log: (line) => out(dim(`  ${line}`)) });
	const s = stack;
	out(`  ${OK} n8n ${s.n8n.baseUrl} ready in ${Math.round((Date.now() - started) / 1000)} s with ${s.workflows.filter((w) => w.published).length} published workflow(s)`);

	const result = await playStory(s);
	exitCode = result.passed ? 0 : 1;
	if (process.env.DEMO_RESULT_FILE) writeFileSync(process.env.DEMO_RESULT_FILE, JSON.stringify(result, null, 2));

	if (!keepRunning) {
		await shutdown(exitCode, 'story finished');
		return;
	}
	printReady(s, result, interactive);
	if (interactive) startPrompt(s);
	// otherwise: the sandboxes' and n8n's handles keep the process alive until a signal arrives
}

main().catch(async (error: Error) => {
	process.stderr.write(`\n${FAIL} the demo could not start: ${error.message}\n`);
	if (/EADDRINUSE/.test(error.message)) process.stderr.write('  a fixed sandbox port is taken: unset *_SANDBOX_PORT or pick another port\n');
	if (/dist\//.test(error.message)) process.stderr.write('  run `npm run build` (npm run demo does it for you)\n');
	process.stderr.write(dim('  see docs/demo.md, "Troubleshooting"\n'));
	exitCode = 1;
	await shutdown(1, 'error');
});
