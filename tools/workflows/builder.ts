/**
 * One small builder for the workflow JSON this repository writes: the shipped workflows
 * (workflows/*.json, see build.ts) and the benchmark's reference workflows
 * (bench/reference/build.ts). It knows n8n's shapes (nodes, `main` connections, If/Switch
 * filters, sticky notes, workflow settings), not this package's nodes (those are in nodes.ts).
 *
 * The files it writes are what users import, and tests compare them byte for byte, so the
 * builder writes keys in a fixed order. The files grew with three orders (see KEY_ORDER); each
 * generator names the one its files use. Moving all of them to one order is possible, but it
 * changes every shipped file and should be its own commit.
 */
import { createHash } from 'node:crypto';

import type {
	FilterOperatorValue,
	FilterTypeCombinator,
	IConnection,
	IConnections,
	INode,
	INodeParameters,
	IPinData,
	IWorkflowBase,
	IWorkflowSettings,
	NodeParameterValue,
	WorkflowFEMeta,
} from 'n8n-workflow';

export type Position = [number, number];

/** A node as written: n8n's INode (as a mapped type, so it also fits types with an index signature). */
export type WorkflowNode = Pick<INode, keyof INode>;

/** What a node carries besides its name, type, position and parameters. */
export type NodeOptions = Pick<INode, 'credentials' | 'webhookId' | 'onError' | 'executeOnce' | 'retryOnFail' | 'maxTries' | 'waitBetweenTries'>;

/** An importable workflow file: the parts of n8n's IWorkflowBase an export carries. */
export type WorkflowJson = Pick<IWorkflowBase, 'id' | 'name' | 'active' | 'connections'> & {
	nodes: WorkflowNode[];
	settings: IWorkflowSettings;
	pinData?: IPinData;
	meta?: WorkflowFEMeta;
	tags?: string[];
};

type WorkflowKey = keyof WorkflowJson;

export interface KeyOrder {
	node: readonly (keyof INode)[];
	workflow: readonly WorkflowKey[];
}

/** The key orders the committed files use (see the file comment). */
export const KEY_ORDER = {
	/** workflows/kommo-won-to-*.json and kommo-webhook-health.json: id first. */
	provisioning: {
		node: ['id', 'name', 'type', 'typeVersion', 'position', 'parameters', 'credentials', 'webhookId', 'onError', 'executeOnce'],
		workflow: ['id', 'name', 'active', 'nodes', 'connections', 'settings', 'pinData', 'meta'],
	},
	/** workflows/*-events-to-kommo.json, zuora-callouts-to-kommo.json, error-to-kommo-task.json: parameters first, as the n8n editor copies nodes. */
	events: {
		node: ['parameters', 'id', 'name', 'type', 'typeVersion', 'position', 'webhookId', 'credentials', 'onError'],
		workflow: ['id', 'name', 'nodes', 'connections', 'settings', 'pinData', 'active', 'meta', 'tags'],
	},
	/** bench/reference/*.json. */
	reference: {
		node: ['id', 'name', 'type', 'typeVersion', 'position', 'webhookId', 'parameters', 'credentials', 'retryOnFail', 'maxTries', 'waitBetweenTries'],
		workflow: ['id', 'name', 'active', 'settings', 'nodes', 'connections'],
	},
} as const satisfies Record<string, KeyOrder>;

/** Copies `value` with its keys in `order`; a key outside the order is an error, not dropped. */
function ordered<T extends object>(value: T, order: readonly (keyof T)[], what: string): T {
	const out: Partial<T> = {};
	for (const key of order) if (value[key] !== undefined) out[key] = value[key];
	const extra = Object.keys(value).filter((key) => value[key as keyof T] !== undefined && !order.includes(key as keyof T));
	if (extra.length) throw new Error(`${what}: no place for ${extra.join(', ')} in the key order`);
	return out as T;
}

// ------------------------------------------------------------------------------------- ids

/**
 * Ids `<prefix padded to 8 with 0>-0000-4000-<variant>-<n, 12 digits>`, n counting from 1: the
 * Won and health workflows (node ids `c0000000-…-8000-…`, condition ids `cc000000-…-9000-…`).
 */
export function sequentialIds(prefix: string, variant = '8000'): () => string {
	let count = 0;
	return () => `${prefix.padEnd(8, '0')}-0000-4000-${variant}-${String(++count).padStart(12, '0')}`;
}

/** A UUID-shaped id derived from `seed` (stable across runs): the event workflows. */
export function seededUuid(seed: string): string {
	const h = createHash('sha1').update(seed).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// --------------------------------------------------------------------------------- filters

/** One If/Switch condition (filter v2). `rightValue` left out (undefined) is not written. */
export type Condition = Omit<FilterConditionShape, 'rightValue'> & { rightValue?: NodeParameterValue };
interface FilterConditionShape {
	id: string;
	leftValue: NodeParameterValue;
	rightValue: NodeParameterValue;
	operator: FilterOperatorValue;
}

export function condition(id: string, leftValue: NodeParameterValue, operator: FilterOperatorValue, rightValue?: NodeParameterValue): Condition {
	const c: Condition = { id, leftValue, rightValue, operator };
	if (rightValue === undefined) delete c.rightValue;
	return c;
}

export interface FilterOptions {
	caseSensitive: boolean;
	typeValidation?: 'strict' | 'loose';
	combinator?: FilterTypeCombinator;
}

/** The `conditions` parameter of an If node, or of a Switch rule. */
export function filter(conditions: Condition[], options: FilterOptions): INodeParameters {
	return {
		options: { caseSensitive: options.caseSensitive, leftValue: '', typeValidation: options.typeValidation ?? 'loose', version: 2 },
		conditions: conditions as unknown as INodeParameters[],
		combinator: options.combinator ?? 'and',
	};
}

// --------------------------------------------------------------------------------- builder

export interface BuilderOptions {
	keyOrder: KeyOrder;
	/** The id of the node named `name` (called once per node, in the order nodes are added). */
	nodeId: (name: string) => string;
}

export interface StickyParameters {
	content: string;
	width?: number;
	height?: number;
}

const MAIN = 'main' as IConnection['type'];

export class WorkflowBuilder {
	private readonly list: WorkflowNode[] = [];
	private readonly connections: IConnections = {};

	constructor(private readonly options: BuilderOptions) {}

	/** Adds a node; returns its name, which is how connections and expressions refer to it. */
	node(name: string, type: string, typeVersion: number, position: Position, parameters: INodeParameters, options: NodeOptions = {}): string {
		if (this.list.some((n) => n.name === name)) throw new Error(`duplicate node ${name}`);
		this.list.push({ id: this.options.nodeId(name), name, type, typeVersion, position, parameters, ...options });
		return name;
	}

	/** A sticky note; unnamed ones are called as the editor calls them: "Sticky Note", "Sticky Note 2", … */
	sticky(position: Position, parameters: StickyParameters, name?: string): string {
		const count = this.list.filter((n) => n.type === 'n8n-nodes-base.stickyNote').length;
		return this.node(name ?? (count === 0 ? 'Sticky Note' : `Sticky Note ${count + 1}`), 'n8n-nodes-base.stickyNote', 1, position, { ...parameters });
	}

	/** from's output `output` → to's input 0. */
	connect(from: string, to: string, output = 0): void {
		const main = ((this.connections[from] ??= {})[MAIN] ??= []);
		while (main.length <= output) main.push([]);
		main[output]!.push({ node: to, type: MAIN, index: 0 });
	}

	/** Each node's output 0 → the next node. */
	chain(...names: string[]): void {
		for (let i = 1; i < names.length; i++) this.connect(names[i - 1]!, names[i]!);
	}

	get(name: string): WorkflowNode {
		const node = this.list.find((n) => n.name === name);
		if (!node) throw new Error(`no node ${name}`);
		return node;
	}

	/** Moves a node (one placed before its column was known). */
	place(name: string, position: Position): void {
		this.get(name).position = position;
	}

	get nodes(): readonly WorkflowNode[] {
		return this.list;
	}

	/** The workflow file's object, keys in the builder's order. */
	workflow(fields: Omit<WorkflowJson, 'nodes' | 'connections'>): WorkflowJson {
		const order = this.options.keyOrder;
		const nodes = this.list.map((n) => ordered(n, order.node, `node ${n.name}`));
		return ordered({ ...fields, nodes, connections: this.connections }, order.workflow, `workflow ${fields.name}`);
	}
}

// ----------------------------------------------------------------------------------- files

/** A workflow file's text: tab-indented JSON and a final newline. */
export function workflowText(workflow: WorkflowJson): string {
	return `${JSON.stringify(workflow, null, '\t')}\n`;
}
