/**
 * Shared by the real-n8n tests of the shipped "Kommo Won → <vendor>" workflows
 * (test/e2e/won-*.test.ts): seeding a deal; moving it to Won (or redelivering the webhook) and
 * waiting for the executions that this starts. The Kommo credential as the workflows reference
 * it comes from billing-workflows.ts.
 */
import type { ExecutionDetail, N8nHandle } from '../../../dev/n8n';
import { WON_STATUS_ID, type KommoSandbox, type Lead } from '../../../dev/sandbox/kommo';

export { kommoCredential, WORKFLOWS_DIR } from './billing-workflows';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` is true (or throws after the timeout). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			if (await check()) return;
		} catch {
			// not yet
		}
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(200);
	}
}

export interface DealSeed {
	name: string;
	plan?: string;
	billingSystem: string;
	email?: string | null;
	fields?: Record<string, unknown>;
}

let dealCounter = 0;

/** A deal with a main contact (with an email unless `email: null`) in the first stage. */
export function seedDeal(kommo: KommoSandbox, seed: DealSeed): Lead {
	dealCounter++;
	const email = seed.email === undefined ? `buyer${dealCounter}@${seed.name.toLowerCase().replace(/\W+/g, '')}.test` : seed.email;
	return kommo.addLead({
		name: seed.name,
		price: 1200,
		customFields: {
			'Billing system': seed.billingSystem,
			...(seed.plan ? { Plan: seed.plan } : {}),
			...(seed.fields ?? {}),
		},
		contacts: [{ first_name: 'Ada', last_name: `Buyer ${dealCounter}`, ...(email ? { email } : {}) }],
	});
}

export class WonRunner {
	constructor(
		readonly n8n: N8nHandle,
		readonly kommo: KommoSandbox,
		readonly workflowId: string,
	) {}

	async finishedCount(): Promise<number> {
		return (await this.n8n.api.executions({ workflowId: this.workflowId })).filter((e) => !['new', 'running', 'waiting'].includes(e.status)).length;
	}

	/**
	 * Moves the deal to Won (Kommo fires status_lead to the workflow's trigger) and returns the
	 * execution(s) it started, newest first. A deal already in Won is first moved back to the
	 * first stage (no execution: the trigger only passes Won), as a manager does to re-run Won.
	 */
	async win(lead: Lead, expectedExecutions = 1): Promise<ExecutionDetail[]> {
		const before = await this.finishedCount();
		if (lead.status_id === WON_STATUS_ID) {
			await this.kommo.moveLead(lead.id, this.kommo.mainPipeline.statuses[0].id);
			// Kommo's timestamps are in seconds: a new Won must not look like a redelivery of the last one
			await sleep(1100);
		}
		const deliveries = await this.kommo.moveLead(lead.id, WON_STATUS_ID);
		const status = deliveries.filter((d) => d.events.includes('status_lead'));
		if (status.length !== 1 || !status[0].ok) throw new Error(`the Won webhook was not accepted: ${JSON.stringify(status)}`);
		return await this.executionsAfter(before, expectedExecutions);
	}

	/** Kommo delivers the same status_lead webhook `times` times at once (a redelivery). */
	async redeliver(lead: Lead, times: number): Promise<ExecutionDetail[]> {
		const before = await this.finishedCount();
		const deliveries = (await Promise.all(Array.from({ length: times }, () => this.kommo.fire('status_lead', [lead.id])))).flat();
		if (deliveries.length !== times || deliveries.some((d) => !d.ok)) throw new Error(`redelivery not accepted: ${JSON.stringify(deliveries)}`);
		return await this.executionsAfter(before, times);
	}

	/**
	 * Someone who holds the trigger's URL posts a Won webhook for a deal that is NOT won in Kommo
	 * (status 142 written into the body only). Returns the execution it started.
	 */
	async forgeWon(lead: Lead): Promise<ExecutionDetail[]> {
		const before = await this.finishedCount();
		const destination = this.kommo.webhooks.find((w) => w.settings.includes('status_lead'))!.destination;
		const body = this.kommo.webhookBody('status_lead', [lead.id]).replace(/(status%5D%5B0%5D%5Bstatus_id%5D=)\d+/, `$1${WON_STATUS_ID}`);
		const delivery = await this.kommo.sendRaw(destination, body);
		if (delivery.status !== 200) throw new Error(`the forged webhook was not accepted: ${JSON.stringify(delivery)}`);
		return await this.executionsAfter(before, 1);
	}

	private async executionsAfter(before: number, count: number): Promise<ExecutionDetail[]> {
		const finished = await this.n8n.api.waitForExecutions(this.workflowId, before + count, 90_000);
		return await Promise.all(finished.slice(0, count).map((e) => this.n8n.api.execution(e.id)));
	}
}

/** Names of the nodes that ran in an execution. */
export function ran(execution: ExecutionDetail): string[] {
	return Object.keys(execution.data.resultData.runData);
}
