/**
 * The n8n versions this package supports, and a check for the n8n helpers a node needs, so that
 * an older n8n gets a message naming the version to update to instead of
 * "this.helpers.x is not a function". The range is stated in the README ("Install") and tested at
 * both ends (test/e2e, KOMMO_BILLING_E2E_N8N=oldest and current).
 */
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** The oldest n8n the package is tested with (the last 1.x line). */
export const OLDEST_SUPPORTED_N8N = '1.123';

interface HelperContext {
	helpers: object;
	getNode(): INode;
}

/** Throws a clear error when this n8n does not provide every helper in `names`. */
export function requireN8nHelpers(context: HelperContext, names: readonly string[], feature: string): void {
	const helpers = context.helpers as Record<string, unknown>;
	const missing = names.filter((name) => typeof helpers[name] !== 'function');
	if (missing.length === 0) return;
	throw new NodeOperationError(
		context.getNode(),
		`${feature} needs n8n ${OLDEST_SUPPORTED_N8N} or newer: this n8n does not provide ${missing.join(', ')}`,
		{
			description: `Update n8n to version ${OLDEST_SUPPORTED_N8N} or newer (Help → About n8n shows the running version); in queue mode, update the workers too.`,
		},
	);
}
