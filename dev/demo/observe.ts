// What the demo looks at: a Kommo deal's fields, notes and tasks; the vendor objects made for
// it; n8n's executions. Read straight from the sandboxes' memory and n8n's REST API.
import type { ExecutionSummary } from '../n8n';
import type { Lead, Note, Task } from '../sandbox/kommo';
import type { DemoStack, Vendor } from './stack';

type Json = Record<string, unknown>;

/** Fields the shipped workflows read or write, in display order. */
export const DEAL_FIELDS = ['Plan', 'Billing system', 'Payment method', 'Country', 'Billing customer ID', 'Subscription ID', 'Subscription status'];

export interface DealSnapshot {
	status: string;
	fields: Record<string, string>;
	noteIds: Set<number>;
	taskIds: Set<number>;
}

function text(value: unknown): string {
	if (value === undefined || value === null) return '';
	return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

export function dealFields(stack: DemoStack, leadId: number): Record<string, string> {
	const map = stack.kommo.leadFieldMap(leadId);
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(map)) out[name] = text(value);
	return out;
}

export function statusName(stack: DemoStack, lead: Lead): string {
	for (const pipeline of stack.kommo.pipelines) {
		const status = pipeline.statuses.find((s) => s.id === lead.status_id && s.pipeline_id === pipeline.id);
		if (status) return status.name;
	}
	return String(lead.status_id);
}

export function snapshot(stack: DemoStack, leadId: number): DealSnapshot {
	const lead = stack.kommo.leads.get(leadId)!;
	return {
		status: statusName(stack, lead),
		fields: dealFields(stack, leadId),
		noteIds: new Set(stack.kommo.notesFor(leadId).map((n) => n.id)),
		taskIds: new Set(stack.kommo.tasksFor(leadId).map((t) => t.id)),
	};
}

export function newNotes(stack: DemoStack, leadId: number, before: DealSnapshot): Note[] {
	return stack.kommo.notesFor(leadId).filter((n) => !before.noteIds.has(n.id));
}

export function newTasks(stack: DemoStack, leadId: number, before: DealSnapshot): Task[] {
	return stack.kommo.tasksFor(leadId).filter((t) => !before.taskIds.has(t.id));
}

export function noteText(note: Note): string {
	const params = note.params ?? {};
	return text(params.text ?? params.service ?? JSON.stringify(params));
}

export function userName(stack: DemoStack, id: number): string {
	return stack.kommo.users.find((u) => u.id === id)?.name ?? `user ${id}`;
}

export function describeTask(stack: DemoStack, task: Task): string {
	const due = new Date(task.complete_till * 1000).toISOString().replace('T', ' ').slice(0, 16);
	return `${task.text}  [for ${userName(stack, task.responsible_user_id)}, due ${due} UTC]`;
}

// ------------------------------------------------------------------ vendor objects of a deal

const sameId = (value: unknown, leadId: number) => value !== undefined && value !== null && String(value) === String(leadId);

export function chargebeeCustomers(stack: DemoStack, leadId: number): Json[] {
	return [...stack.chargebee.customers.values()].filter(
		(c) => !c.deleted && (c.id === `kommo-lead-${leadId}` || sameId(c.cf_kommo_lead_id, leadId)),
	);
}

function metaLeadId(subscription: Json): unknown {
	const meta = subscription.meta_data;
	if (meta && typeof meta === 'object') return (meta as Json).kommo_lead_id;
	if (typeof meta === 'string') {
		try {
			return (JSON.parse(meta) as Json).kommo_lead_id;
		} catch {
			return undefined;
		}
	}
	return undefined;
}

export function chargebeeSubscriptions(stack: DemoStack, leadId: number): Json[] {
	const customers = new Set(chargebeeCustomers(stack, leadId).map((c) => c.id));
	return [...stack.chargebee.subscriptions.values()].filter((s) => customers.has(s.customer_id) || sameId(metaLeadId(s), leadId));
}

function customLeadId(entity: Json): unknown {
	const data = entity.custom_data;
	return data && typeof data === 'object' ? (data as Json).kommo_lead_id : undefined;
}

export function paddleCustomers(stack: DemoStack, leadId: number): Json[] {
	return [...stack.paddle.customers.values()].filter((c) => sameId(customLeadId(c), leadId));
}

export function paddleTransactions(stack: DemoStack, leadId: number): Json[] {
	const customers = new Set(paddleCustomers(stack, leadId).map((c) => c.id));
	return [...stack.paddle.transactions.values()].filter((t) => customers.has(t.customer_id) || sameId(customLeadId(t), leadId));
}

export function paddleSubscriptions(stack: DemoStack, leadId: number): Json[] {
	const customers = new Set(paddleCustomers(stack, leadId).map((c) => c.id));
	return [...stack.paddle.subscriptions.values()].filter((s) => customers.has(s.customer_id) || sameId(customLeadId(s), leadId));
}

export function zuoraAccounts(stack: DemoStack, leadId: number) {
	return stack.zuora.accounts.filter((a) => sameId(a.crmId, leadId));
}

export function zuoraSubscriptions(stack: DemoStack, leadId: number) {
	const accounts = new Set(zuoraAccounts(stack, leadId).map((a) => a.id));
	return stack.zuora.subscriptions.filter((s) => accounts.has(s.accountId));
}

/** How many customers / subscriptions each vendor holds for the deal. */
export function vendorCounts(stack: DemoStack, leadId: number): Record<Vendor, { customers: number; subscriptions: number }> {
	return {
		chargebee: { customers: chargebeeCustomers(stack, leadId).length, subscriptions: chargebeeSubscriptions(stack, leadId).length },
		paddle: {
			customers: paddleCustomers(stack, leadId).length,
			subscriptions: paddleSubscriptions(stack, leadId).length + paddleTransactions(stack, leadId).filter((t) => !t.subscription_id).length,
		},
		zuora: { customers: zuoraAccounts(stack, leadId).length, subscriptions: zuoraSubscriptions(stack, leadId).length },
	};
}

// ------------------------------------------------------------------ n8n executions

const UNFINISHED = new Set(['new', 'running', 'waiting']);

export async function executions(stack: DemoStack): Promise<ExecutionSummary[]> {
	return await stack.n8n.api.executions();
}

/** Waits until n8n has no unfinished execution (or the timeout passes). */
export async function waitIdle(stack: DemoStack, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const all = await executions(stack);
		if (!all.some((e) => UNFINISHED.has(e.status))) return;
		if (Date.now() > deadline) return;
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

export function workflowName(stack: DemoStack, workflowId: string): string {
	return stack.workflows.find((w) => w.json.id === workflowId)?.json.name ?? workflowId;
}

/** The error message n8n recorded for a failed execution (node and message). */
export async function executionError(stack: DemoStack, id: string): Promise<string> {
	try {
		const detail = await stack.n8n.api.execution(id);
		const error = detail.data.resultData.error;
		const node = detail.data.resultData.lastNodeExecuted;
		return `${node ? `${node}: ` : ''}${error?.message ?? 'failed'}`;
	} catch (error) {
		return `could not read the execution: ${(error as Error).message}`;
	}
}
