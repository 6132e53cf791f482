// Screenshot sizes, apart from the script so that they can be unit-tested.
import type { WorkflowJson } from '../n8n';

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));

/**
 * Viewport for a workflow: "zoom to fit" then shows it at about 60 % (node labels readable)
 * unless it is very large. Fixed by SCREENSHOT_WIDTH / SCREENSHOT_HEIGHT when set.
 */
export function viewportFor(workflow: WorkflowJson): { width: number; height: number } {
	const nodes = workflow.nodes;
	const xs = nodes.map((n) => (n.position as number[] | undefined)?.[0] ?? 0);
	const ys = nodes.map((n) => (n.position as number[] | undefined)?.[1] ?? 0);
	const zoom = 0.6;
	const spanX = Math.max(...xs) - Math.min(...xs) + 300;
	const spanY = Math.max(...ys) - Math.min(...ys) + 250;
	return {
		width: Number(process.env.SCREENSHOT_WIDTH) || clamp(spanX * zoom + 200, 1440, 2880),
		height: Number(process.env.SCREENSHOT_HEIGHT) || clamp(spanY * zoom + 260, 810, 1620),
	};
}

