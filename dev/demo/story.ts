// The scripted story: what happens, in order, and what must be seen afterwards in Kommo and
// the billing systems. Steps are built from the workflows that exist in workflows/ (a missing
// workflow skips its steps); each step acts on a sandbox, waits until its expected effects are
// observed (or a timeout), and prints what changed on the Kommo deal.
import type { Lead } from '../sandbox/kommo';
import * as act from './actions';
import {
	chargebeeCustomers,
	chargebeeSubscriptions,
	DEAL_FIELDS,
	dealFields,
	describeTask,
	executionError,
	executions,
	newNotes,
	newTasks,
	noteText,
	paddleCustomers,
	snapshot,
	userName,
	vendorCounts,
	waitIdle,
	workflowName,
	zuoraAccounts,
	zuoraSubscriptions,
	type DealSnapshot,
} from './observe';
import { bold, cyan, dim, FAIL, heading, OK, out, SKIP } from './print';
import { planMappings, type DemoStack } from './stack';

export interface StepContext {
	before: DealSnapshot;
	startedAt: number;
	executionsBefore: Set<string>;
	chargebeeDeliveriesBefore: number;
	paddleDeliveriesBefore: number;
	/** What the action reported (e.g. the callout's answer). */
	actResult: unknown;
}

/** true = satisfied; a string = what is seen instead (shown if the step times out). */
export type CheckResult = true | string;
export interface Check {
	/** What is expected (a function when it names a value known only after the action). */
	what: string | (() => string);
	test: (ctx: StepContext) => CheckResult | Promise<CheckResult>;
}

export interface StepDef {
	chapter: string;
	title: string;
	lead: Lead;
	/** Does the thing; returns a one-line account of what the outside world did. */
	act: (ctx: StepContext) => Promise<string>;
	checks: Check[];
	timeoutMs?: number;
}

export interface CheckOutcome {
	what: string;
	ok: boolean;
	detail?: string;
}

export interface StepResult {
	chapter: string;
	title: string;
	leadId: number;
	ok: boolean;
	skipped?: string;
	happened?: string;
	checks: CheckOutcome[];
	notes: string[];
	tasks: string[];
	fieldChanges: Array<{ field: string; before: string; after: string }>;
	executions: Array<{ id: string; workflow: string; status: string; error?: string }>;
	seconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------ reusable checks

function fieldEquals(stack: DemoStack, lead: Lead, field: string, expected: () => string | undefined, label: string): Check {
	return {
		what: `deal field "${field}" = ${label}`,
		test: () => {
			const want = expected();
			const have = dealFields(stack, lead.id)[field] ?? '';
			if (want === undefined) return `${label} does not exist yet`;
			return have === want ? true : `"${field}" is "${have}", expected "${want}"`;
		},
	};
}

function fieldFilled(stack: DemoStack, lead: Lead, field: string): Check {
	return {
		what: `deal field "${field}" is filled in`,
		test: () => (dealFields(stack, lead.id)[field] ? true : `"${field}" is empty`),
	};
}

function fieldMatches(stack: DemoStack, lead: Lead, field: string, pattern: RegExp, label: string): Check {
	return {
		what: `deal field "${field}" says ${label}`,
		test: () => {
			const have = dealFields(stack, lead.id)[field] ?? '';
			return pattern.test(have) ? true : `"${field}" is "${have}"`;
		},
	};
}

function noteAdded(stack: DemoStack, lead: Lead, containing?: () => string | undefined, label?: string): Check {
	return {
		what: containing ? () => `a note ${label ?? 'with the amount'}${containing() ? ` (${containing()})` : ''} was added to the deal` : 'a note was added to the deal',
		test: ({ before }) => {
			const notes = newNotes(stack, lead.id, before).map(noteText);
			const needle = containing?.();
			if (notes.length === 0) return 'no new note';
			if (!needle) return true;
			return notes.some((n) => n.includes(needle)) ? true : `no new note mentions "${needle}" (new: ${notes.map((n) => JSON.stringify(n)).join(', ')})`;
		},
	};
}

function taskAdded(stack: DemoStack, lead: Lead): Check {
	return {
		what: `a task for the deal's manager (${userName(stack, lead.responsible_user_id)}) was added`,
		test: ({ before }) => {
			const tasks = newTasks(stack, lead.id, before);
			if (tasks.length === 0) return 'no new task';
			return tasks.some((t) => t.responsible_user_id === lead.responsible_user_id)
				? true
				: `new task(s) are for ${tasks.map((t) => userName(stack, t.responsible_user_id)).join(', ')}`;
		},
	};
}

function chargebeeAnswered(stack: DemoStack, eventType: string): Check {
	return {
		what: `n8n answered Chargebee's ${eventType} with 2xx`,
		test: ({ chargebeeDeliveriesBefore }) => {
			const mine = stack.chargebee.deliveries
				.slice(chargebeeDeliveriesBefore)
				.filter((d) => d.eventType === eventType && d.url.startsWith(stack.n8n.baseUrl));
			if (mine.length === 0) return `Chargebee sent no ${eventType} to n8n (is it among the trigger's events?)`;
			return mine.every((d) => d.status >= 200 && d.status < 300) ? true : `answers: ${mine.map((d) => d.status || d.error).join(', ')}`;
		},
	};
}

function paddleAnswered(stack: DemoStack, eventTypes: string[]): Check {
	return {
		what: `n8n answered Paddle's ${eventTypes.join(' / ')} with 2xx`,
		test: ({ paddleDeliveriesBefore }) => {
			const mine = stack.paddle.deliveries
				.slice(paddleDeliveriesBefore)
				.filter((d) => eventTypes.includes(d.eventType) && d.destination.startsWith(stack.n8n.baseUrl));
			if (mine.length === 0) return `Paddle sent none of ${eventTypes.join(', ')} to n8n`;
			if (mine.some((d) => !d.result)) return 'delivery still in flight';
			return mine.some((d) => d.result!.status >= 200 && d.result!.status < 300)
				? true
				: `answers: ${mine.map((d) => d.result!.status || d.result!.error).join(', ')}`;
		},
	};
}

function workflowRan(stack: DemoStack, file: string): Check {
	const workflow = stack.workflow(file);
	return {
		what: `"${workflow?.json.name ?? file}" ran again`,
		test: async ({ executionsBefore }) => {
			const all = await executions(stack);
			const fresh = all.filter((e) => e.workflowId === workflow?.json.id && !executionsBefore.has(e.id));
			return fresh.some((e) => !['new', 'running', 'waiting'].includes(e.status)) ? true : 'no finished execution yet';
		},
	};
}

const money = (minor: unknown) => (Number(minor) / 100).toFixed(2);

// ------------------------------------------------------------------ the story

export function buildStory(stack: DemoStack): { steps: StepDef[]; skipped: string[] } {
	const steps: StepDef[] = [];
	const skipped: string[] = [];
	const has = (name: string) => Boolean(stack.workflow(name));
	const { chargebee: acme, paddle: globex, zuora: initech } = stack.deals;

	if (has('kommo-won-to-chargebee')) {
		const cbSub = () => chargebeeSubscriptions(stack, acme.id)[0];
		const cbCustomer = () => chargebeeCustomers(stack, acme.id)[0];
		steps.push({
			chapter: 'Chargebee',
			title: `"${acme.name}" (plan Pro, billed by Chargebee, pays by card) is won`,
			lead: acme,
			act: async () => await act.winDeal(stack, acme),
			checks: [
				{ what: 'Chargebee has one customer for the deal', test: () => (chargebeeCustomers(stack, acme.id).length === 1 ? true : `${chargebeeCustomers(stack, acme.id).length} customers`) },
				{
					what: 'Chargebee has a checkout page for the deal and no subscription yet (the customer has no card: a subscription now would be refused with payment_method_not_present)',
					test: () => {
						const pages = [...stack.chargebee.hostedPages.values()].filter((p) => (p._request?.customer as Record<string, unknown> | undefined)?.id === cbCustomer()?.id);
						return pages.length === 1 && chargebeeSubscriptions(stack, acme.id).length === 0 ? true : `${pages.length} pages, ${chargebeeSubscriptions(stack, acme.id).length} subscriptions`;
					},
				},
				fieldEquals(stack, acme, 'Billing customer ID', () => cbCustomer()?.id as string | undefined, 'the Chargebee customer id'),
				fieldMatches(stack, acme, 'Subscription status', /^awaiting payment$/, 'awaiting payment'),
				noteAdded(stack, acme),
			],
		});
		steps.push({
			chapter: 'Chargebee',
			title: 'Kommo delivers the same Won webhook again',
			lead: acme,
			act: async () => await act.redeliverWon(stack, acme),
			checks: [
				workflowRan(stack, 'kommo-won-to-chargebee'),
				{
					what: 'still one customer and one checkout page in Chargebee, none in Paddle or Zuora',
					test: () => {
						const c = vendorCounts(stack, acme.id);
						const pages = stack.chargebee.hostedPages.size;
						const ok = c.chargebee.customers === 1 && pages === 1 && c.paddle.customers + c.zuora.customers === 0;
						return ok ? true : JSON.stringify({ ...c, pages });
					},
				},
			],
		});
		if (has('chargebee-events-to-kommo')) {
			const amount = () => money(stack.chargebee.itemPrices.get(stack.catalog.chargebee.Pro)?.price);
			steps.push({
				chapter: 'Chargebee',
				title: 'Acme pays on the Chargebee checkout page',
				lead: acme,
				act: async () => await act.chargebeePay(stack, acme),
				checks: [
					chargebeeAnswered(stack, 'subscription_created'),
					chargebeeAnswered(stack, 'payment_succeeded'),
					{ what: 'Chargebee has one subscription for the deal', test: () => (chargebeeSubscriptions(stack, acme.id).length === 1 ? true : `${chargebeeSubscriptions(stack, acme.id).length} subscriptions`) },
					{
						what: `the subscription is on the plan's item price (${stack.catalog.chargebee.Pro})`,
						test: () => {
							const items = (cbSub()?.subscription_items as Array<Record<string, unknown>> | undefined) ?? [];
							return items.some((i) => i.item_price_id === stack.catalog.chargebee.Pro) ? true : `items: ${items.map((i) => String(i.item_price_id)).join(', ') || 'none'}`;
						},
					},
					fieldEquals(stack, acme, 'Subscription ID', () => cbSub()?.id as string | undefined, 'the Chargebee subscription id'),
					fieldMatches(stack, acme, 'Subscription status', /^active$/i, 'Active'),
					noteAdded(stack, acme, amount, 'with the amount'),
				],
			});
			steps.push({
				chapter: 'Chargebee',
				title: "A month later the renewal is charged and Acme's card is declined",
				lead: acme,
				act: async () => await act.chargebeeFailRenewal(stack, acme),
				checks: [chargebeeAnswered(stack, 'payment_failed'), taskAdded(stack, acme)],
			});
			steps.push({
				chapter: 'Chargebee',
				title: 'Dunning ends: Chargebee cancels the subscription',
				lead: acme,
				act: async () => await act.chargebeeCancel(stack, acme, 'Not Paid'),
				checks: [
					chargebeeAnswered(stack, 'subscription_cancelled'),
					fieldMatches(stack, acme, 'Subscription status', /cancel/i, 'cancelled'),
					taskAdded(stack, acme),
				],
			});
		} else skipped.push('Chargebee payments and cancellation (workflows/chargebee-events-to-kommo.json is not there)');
		const spare = stack.deals.spare;
		const sparePlan = String(stack.kommo.leadFieldMap(spare.id).Plan ?? '');
		if (!planMappings(stack.workflows, stack.kommo).chargebee[sparePlan]) {
			steps.push({
				chapter: 'Chargebee',
				title: `"${spare.name}" (plan ${sparePlan}) is won, but ${sparePlan} has no Chargebee price in the plan mapping`,
				lead: spare,
				act: async () => await act.winDeal(stack, spare),
				checks: [
					{
						what: 'nothing was created in Chargebee for the deal',
						test: () => (chargebeeCustomers(stack, spare.id).length + chargebeeSubscriptions(stack, spare.id).length === 0 ? true : JSON.stringify(vendorCounts(stack, spare.id).chargebee)),
					},
					taskAdded(stack, spare),
					{
						what: `the task names the plan "${sparePlan}"`,
						test: ({ before }) => (newTasks(stack, spare.id, before).some((t) => t.text.includes(sparePlan)) ? true : 'no new task names it'),
					},
					{ what: 'deal field "Subscription ID" stays empty', test: () => (dealFields(stack, spare.id)['Subscription ID'] ? `it is "${dealFields(stack, spare.id)['Subscription ID']}"` : true) },
				],
			});
		} else skipped.push(`the unmapped-plan deal (the Chargebee plan mapping already has a row for ${sparePlan})`);
	} else skipped.push('the Chargebee deal (workflows/kommo-won-to-chargebee.json is not there)');

	if (has('kommo-won-to-paddle')) {
		const customer = () => paddleCustomers(stack, globex.id)[0];
		steps.push({
			chapter: 'Paddle',
			title: `"${globex.name}" (plan Pro, Paddle, pays by invoice) is won`,
			lead: globex,
			act: async () => await act.winDeal(stack, globex),
			checks: [
				{ what: 'Paddle has one customer for the deal', test: () => (paddleCustomers(stack, globex.id).length === 1 ? true : `${paddleCustomers(stack, globex.id).length} customers`) },
				fieldEquals(stack, globex, 'Billing customer ID', () => customer()?.id as string | undefined, 'the Paddle customer id'),
				fieldFilled(stack, globex, 'Subscription ID'),
				noteAdded(stack, globex),
			],
		});
		if (has('paddle-events-to-kommo')) {
			const amount = () => money(stack.paddle.prices.get(stack.catalog.paddle.Pro)?.unit_price && (stack.paddle.prices.get(stack.catalog.paddle.Pro)!.unit_price as { amount: string }).amount);
			steps.push({
				chapter: 'Paddle',
				title: 'Globex pays the Paddle invoice',
				lead: globex,
				act: async () => await act.paddlePay(stack, globex),
				checks: [paddleAnswered(stack, ['transaction.completed', 'transaction.paid']), noteAdded(stack, globex, amount, 'with the amount')],
			});
		} else skipped.push('the Paddle payment (workflows/paddle-events-to-kommo.json is not there)');
	} else skipped.push('the Paddle deal (workflows/kommo-won-to-paddle.json is not there)');

	if (has('kommo-won-to-zuora')) {
		const account = () => zuoraAccounts(stack, initech.id)[0];
		const subscription = () => zuoraSubscriptions(stack, initech.id)[0];
		steps.push({
			chapter: 'Zuora',
			title: `"${initech.name}" (plan Enterprise, billed by Zuora) is won`,
			lead: initech,
			act: async () => await act.winDeal(stack, initech),
			checks: [
				{ what: 'Zuora has one account (CRM id = the deal) for the deal', test: () => (zuoraAccounts(stack, initech.id).length === 1 ? true : `${zuoraAccounts(stack, initech.id).length} accounts`) },
				{ what: 'Zuora has one subscription for the deal', test: () => (zuoraSubscriptions(stack, initech.id).length === 1 ? true : `${zuoraSubscriptions(stack, initech.id).length} subscriptions`) },
				{
					what: 'deal field "Billing customer ID" = the Zuora account (number or id)',
					test: () => {
						const have = dealFields(stack, initech.id)['Billing customer ID'] ?? '';
						const a = account();
						return a && (have === a.accountNumber || have === a.id) ? true : `"Billing customer ID" is "${have}"`;
					},
				},
				{
					what: 'deal field "Subscription ID" = the Zuora subscription (number or id)',
					test: () => {
						const have = dealFields(stack, initech.id)['Subscription ID'] ?? '';
						const s = subscription();
						return s && (have === s.subscriptionNumber || have === s.id) ? true : `"Subscription ID" is "${have}"`;
					},
				},
				fieldFilled(stack, initech, 'Subscription status'),
				noteAdded(stack, initech),
			],
		});
		if (has('zuora-callouts-to-kommo')) {
			const amount = () => {
				const price = subscription()?.ratePlans[0]?.ratePlanCharges[0]?.price;
				return price === undefined ? undefined : price.toFixed(2);
			};
			steps.push({
				chapter: 'Zuora',
				title: "Zuora calls out: Initech's payment was processed",
				lead: initech,
				act: async (ctx) => {
					const outcome = await act.zuoraCallout(stack, initech, 'payment');
					ctx.actResult = outcome;
					return outcome.summary;
				},
				checks: [
					{
						what: 'n8n answered the callout with 200',
						test: ({ actResult }) => ((actResult as act.CalloutOutcome | undefined)?.status === 200 ? true : `answer ${(actResult as act.CalloutOutcome | undefined)?.status}`),
					},
					noteAdded(stack, initech, amount, 'with the amount'),
				],
			});
		} else skipped.push('the Zuora callout (workflows/zuora-callouts-to-kommo.json is not there)');
	} else skipped.push('the Zuora deal (workflows/kommo-won-to-zuora.json is not there)');

	const provisioned = [
		{ lead: acme, file: 'kommo-won-to-chargebee' },
		{ lead: globex, file: 'kommo-won-to-paddle' },
		{ lead: initech, file: 'kommo-won-to-zuora' },
	].filter((d) => has(d.file));
	if (provisioned.length > 0) {
		const leads = provisioned.map((d) => d.lead);
		steps.push({
			chapter: 'All',
			title: `Kommo delivers the Won webhooks of ${leads.map((l) => l.name).join(', ')} once more`,
			lead: leads[0],
			act: async (ctx) => {
				ctx.actResult = Object.fromEntries(leads.map((l) => [l.id, JSON.stringify(vendorCounts(stack, l.id))]));
				const deliveries = await stack.kommo.fire('status_lead', leads.map((l) => l.id));
				return `Kommo re-sent status_lead for ${leads.length} deal(s) in one webhook to ${deliveries.length} endpoint(s)`;
			},
			checks: [
				...provisioned.map((d) => workflowRan(stack, d.file)),
				...leads.map((l) => ({
					what: `no second customer or subscription for "${l.name}" in any billing system`,
					test: ({ actResult }: StepContext): CheckResult => {
						const before = (actResult as Record<number, string>)[l.id];
						const now = JSON.stringify(vendorCounts(stack, l.id));
						return now === before ? true : `before ${before}, now ${now}`;
					},
				})),
			],
		});
	}

	return { steps, skipped };
}

// ------------------------------------------------------------------ running and printing

async function evaluate(checks: Check[], ctx: StepContext): Promise<CheckOutcome[]> {
	const outcomes: CheckOutcome[] = [];
	for (const check of checks) {
		const what = typeof check.what === 'function' ? check.what() : check.what;
		try {
			const result = await check.test(ctx);
			outcomes.push(result === true ? { what, ok: true } : { what, ok: false, detail: result });
		} catch (error) {
			outcomes.push({ what, ok: false, detail: (error as Error).message });
		}
	}
	return outcomes;
}

export async function runStep(stack: DemoStack, step: StepDef, index?: number, total?: number): Promise<StepResult> {
	const started = Date.now();
	heading(`${index ? `${index}/${total} · ` : ''}${step.chapter} · ${step.title}`);
	const ctx: StepContext = {
		before: snapshot(stack, step.lead.id),
		startedAt: started,
		executionsBefore: new Set((await executions(stack)).map((e) => e.id)),
		chargebeeDeliveriesBefore: stack.chargebee.deliveries.length,
		paddleDeliveriesBefore: stack.paddle.deliveries.length,
		actResult: undefined,
	};
	const result: StepResult = {
		chapter: step.chapter,
		title: step.title,
		leadId: step.lead.id,
		ok: false,
		checks: [],
		notes: [],
		tasks: [],
		fieldChanges: [],
		executions: [],
		seconds: 0,
	};
	try {
		result.happened = await step.act(ctx);
		out(`  ${dim('what happened:')} ${result.happened}`);
	} catch (error) {
		result.checks = [{ what: 'the step could be played', ok: false, detail: (error as Error).message }];
		out(`  ${FAIL} ${(error as Error).message}`);
		result.seconds = (Date.now() - started) / 1000;
		return result;
	}

	const deadline = Date.now() + (step.timeoutMs ?? 60_000);
	let outcomes = await evaluate(step.checks, ctx);
	while (outcomes.some((o) => !o.ok) && Date.now() < deadline) {
		await sleep(400);
		outcomes = await evaluate(step.checks, ctx);
	}
	// let every execution this step started finish, then look once more (and at what they did)
	await waitIdle(stack);
	outcomes = await evaluate(step.checks, ctx);

	const fresh = (await executions(stack)).filter((e) => !ctx.executionsBefore.has(e.id)).reverse();
	for (const e of fresh) {
		const failed = e.status === 'error' || e.status === 'crashed';
		result.executions.push({
			id: e.id,
			workflow: workflowName(stack, e.workflowId),
			status: e.status,
			...(failed ? { error: await executionError(stack, e.id) } : {}),
		});
	}
	const failedRuns = result.executions.filter((e) => e.error);
	outcomes.push(
		failedRuns.length === 0
			? { what: 'every workflow execution it started succeeded', ok: true }
			: { what: 'every workflow execution it started succeeded', ok: false, detail: failedRuns.map((e) => `${e.workflow} #${e.id}: ${e.error}`).join('; ') },
	);
	result.checks = outcomes;
	result.ok = outcomes.every((o) => o.ok);

	const after = dealFields(stack, step.lead.id);
	for (const field of DEAL_FIELDS) {
		const before = ctx.before.fields[field] ?? '';
		if ((after[field] ?? '') !== before) result.fieldChanges.push({ field, before, after: after[field] ?? '' });
	}
	result.notes = newNotes(stack, step.lead.id, ctx.before).map(noteText);
	result.tasks = newTasks(stack, step.lead.id, ctx.before).map((t) => describeTask(stack, t));
	result.seconds = (Date.now() - started) / 1000;
	printStep(result);
	return result;
}

function printStep(result: StepResult): void {
	if (result.executions.length > 0) {
		out(`  ${dim('n8n:')}`);
		for (const e of result.executions) {
			out(`    ${e.error ? FAIL : OK} ${e.workflow} ${dim(`(execution ${e.id}: ${e.status})`)}${e.error ? ` — ${e.error}` : ''}`);
		}
	}
	out(`  ${dim(`Kommo deal ${result.leadId}:`)}`);
	if (result.fieldChanges.length + result.notes.length + result.tasks.length === 0) out(`    ${dim('(unchanged)')}`);
	for (const change of result.fieldChanges) {
		out(`    field ${bold(change.field)}: ${change.before ? `${change.before} → ` : ''}${cyan(change.after || '(empty)')}`);
	}
	for (const note of result.notes) out(`    + note  ${note.replace(/\n/g, '\n            ')}`);
	for (const task of result.tasks) out(`    + task  ${task}`);
	out(`  ${dim('checks:')}`);
	for (const check of result.checks) out(`    ${check.ok ? OK : FAIL} ${check.what}${check.ok ? '' : ` — ${check.detail ?? ''}`}`);
	out(`  ${result.ok ? OK : FAIL} ${result.ok ? 'done' : 'NOT as expected'} ${dim(`(${result.seconds.toFixed(1)} s)`)}`);
}

export interface StoryResult {
	passed: boolean;
	steps: StepResult[];
	skipped: string[];
}

export async function playStory(stack: DemoStack): Promise<StoryResult> {
	const { steps, skipped } = buildStory(stack);
	const results: StepResult[] = [];
	for (const [i, step] of steps.entries()) results.push(await runStep(stack, step, i + 1, steps.length));
	heading('Story summary');
	for (const r of results) out(`  ${r.ok ? OK : FAIL} ${r.chapter} · ${r.title}`);
	for (const s of skipped) out(`  ${SKIP} skipped: ${s}`);
	if (steps.length === 0) out(`  ${FAIL} nothing to play: workflows/ has none of the shipped workflows`);
	const passed = steps.length > 0 && results.every((r) => r.ok);
	out();
	out(passed ? bold(`${OK} every step had its expected effect`) : bold(`${FAIL} ${results.filter((r) => !r.ok).length} step(s) did not have their expected effect`));
	return { passed, steps: results, skipped };
}
