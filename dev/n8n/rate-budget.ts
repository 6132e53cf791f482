/**
 * The Kommo Rate Budget in a real n8n: the broker workflow (the trigger alone) and how the
 * Kommo credential is pointed at it once n8n runs (its URL holds n8n's port, known only then).
 * Used by test/e2e/kommo-budget-queue.test.ts and the benchmark (bench/lib/queue-budget.ts).
 */
import type { CredentialJson, N8nHandle, WorkflowJson } from './index';

export const BUDGET_WEBHOOK_ID = 'kb-kommo-rate-budget';
export const BUDGET_WEBHOOK_PATH = `${BUDGET_WEBHOOK_ID}/permit`;
export const BUDGET_SECRET = 'e2e-rate-budget-secret-0123456789abcdef';

export interface BudgetSettings {
	requestsPerSecond?: number;
}

/** The Kommo Rate Budget trigger on the given Kommo credential, published. */
export function budgetWorkflow(credential: { id: string; name: string }, settings: BudgetSettings = {}): WorkflowJson {
	return {
		id: 'kbRateBudget0001',
		name: 'Kommo Rate Budget',
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'b7d9e1a0-0001-4000-8000-000000000001',
				name: 'Kommo Rate Budget',
				type: 'n8n-nodes-kommo-billing.kommoRateBudget',
				typeVersion: 1,
				position: [0, 0],
				webhookId: BUDGET_WEBHOOK_ID,
				parameters: {
					authentication: 'longLivedToken',
					requestsPerSecond: settings.requestsPerSecond ?? 7,
				},
				credentials: { kommoApi: { id: credential.id, name: credential.name } },
			},
		],
		connections: {},
	};
}

/** Adds the budget secret (and fallback rate) to a Kommo credential before import. */
export function withBudgetSecret(credential: CredentialJson, fallback = 1): CredentialJson {
	return { ...credential, data: { ...credential.data, rateBudgetSecret: BUDGET_SECRET, rateBudgetFallback: fallback } };
}

/** Points the (imported) Kommo credential at the running broker: the editor's "Save" (PATCH /rest/credentials/:id). */
export async function pointAtBudget(n8n: N8nHandle, credential: CredentialJson, url = n8n.webhookUrl(BUDGET_WEBHOOK_PATH)): Promise<void> {
	const data = { ...withBudgetSecret(credential).data, ...credential.data, rateBudgetSecret: BUDGET_SECRET, rateBudgetUrl: url };
	await n8n.api.request('PATCH', `/rest/credentials/${credential.id}`, { name: credential.name, type: credential.type, data });
}
