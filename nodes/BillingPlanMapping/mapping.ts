/**
 * The mapping itself, free of n8n: the rows a business user filled in the editor become a
 * table, and a deal's plan is looked up in it. Nothing is guessed: an empty plan, a plan
 * without a row, or a row without a price is "unmapped" with a reason a manager can act on;
 * there is no default price. Plans match by their label, ignoring case and extra spaces
 * (Kommo shows "Pro"; a hand-typed "pro " is the same plan).
 */
import { BILLING_SYSTEMS, type BillingSystem } from './billing-systems';

/** A configuration mistake in the mapping rows (the node turns it into an item error). */
export class MappingError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
		this.name = 'MappingError';
	}
}

export interface MappingRow {
	kommoPlan?: unknown;
	priceId?: unknown;
	quantity?: unknown;
}

export interface MappingEntry {
	/** The Kommo plan label as written in the row. */
	kommoPlan: string;
	/** Empty when the row names the plan but no price yet. */
	priceId: string;
	quantity: number;
}

export interface MappedPlan {
	kommoPlan: string;
	vendor: BillingSystem;
	priceId: string;
	quantity: number;
}

export interface UnmappedPlan {
	kommoPlan: string | null;
	vendor: BillingSystem;
	priceId: null;
	reason: string;
}

export type MappingResult = { mapped: true; plan: MappedPlan } | { mapped: false; plan: UnmappedPlan };

export const normalizePlan = (value: string): string => value.trim().replace(/\s+/g, ' ').toLowerCase();

function text(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value).trim();
}

function quantityOf(raw: unknown, plan: string, position: number): number {
	const value = raw === undefined || raw === null || raw === '' ? 1 : Number(raw);
	if (!Number.isInteger(value) || value < 1) {
		throw new MappingError(
			`Mapping ${position} ("${plan}"): quantity must be a whole number of at least 1, got "${text(raw)}"`,
			'Enter 1, or an expression that gives a whole number (e.g. the deal\'s seats).',
		);
	}
	return value;
}

/** Validates the rows and indexes them by normalised plan label. */
export function buildTable(rows: MappingRow[]): Map<string, MappingEntry> {
	const table = new Map<string, MappingEntry>();
	rows.forEach((row, index) => {
		const position = index + 1;
		const kommoPlan = text(row.kommoPlan);
		const priceId = text(row.priceId);
		if (kommoPlan === '') {
			if (priceId === '') return; // an untouched new row
			throw new MappingError(
				`Mapping ${position} has a price (${priceId}) but no Kommo plan`,
				'Choose the Kommo plan of this row, or remove the row.',
			);
		}
		const entry: MappingEntry = { kommoPlan, priceId, quantity: quantityOf(row.quantity, kommoPlan, position) };
		const key = normalizePlan(kommoPlan);
		const earlier = table.get(key);
		if (earlier && (earlier.priceId !== entry.priceId || earlier.quantity !== entry.quantity)) {
			throw new MappingError(
				`The Kommo plan "${kommoPlan}" is mapped twice, to ${earlier.priceId || '(no price)'} and to ${priceId || '(no price)'}`,
				'Keep one row per Kommo plan, so that a deal can only get one price.',
			);
		}
		table.set(key, entry);
	});
	return table;
}

export interface LookupContext {
	vendor: BillingSystem;
	/** The mapping node's name, so the reason says which node to open. */
	nodeName: string;
	/** The Kommo field the plan comes from (for the "empty plan" reason). */
	planField: string;
}

/** The deal's plan value(s) as Kommo gives them: a label, or a list (multiselect). */
function planValues(raw: unknown): string[] {
	const list = Array.isArray(raw) ? raw : [raw];
	return list.map(text).filter((v) => v !== '');
}

/** Looks the deal's plan up. Never falls back to another price. */
export function mapPlan(raw: unknown, table: Map<string, MappingEntry>, context: LookupContext): MappingResult {
	const { vendor, nodeName, planField } = context;
	const system = BILLING_SYSTEMS[vendor].label;
	const values = planValues(raw);
	const unmapped = (kommoPlan: string | null, reason: string): MappingResult => ({
		mapped: false,
		plan: { kommoPlan, vendor, priceId: null, reason },
	});
	if (values.length === 0) {
		return unmapped(null, `The deal has no plan: its "${planField}" field is empty. Choose the plan in Kommo, then move the deal to Won again.`);
	}
	if (values.length > 1) {
		return unmapped(
			values.join(', '),
			`The deal has ${values.length} plans in "${planField}" (${values.join(', ')}); a subscription gets one. Keep one plan in Kommo, then move the deal to Won again.`,
		);
	}
	const [value] = values;
	const entry = table.get(normalizePlan(value));
	if (!entry) {
		return unmapped(value, `Plan "${value}" has no mapping to ${system}. Open the "${nodeName}" node and add it.`);
	}
	if (entry.priceId === '') {
		return unmapped(
			entry.kommoPlan,
			`Plan "${entry.kommoPlan}" is listed in the "${nodeName}" node without a ${system} ${BILLING_SYSTEMS[vendor].priceNoun}. Open the node and choose one.`,
		);
	}
	return { mapped: true, plan: { kommoPlan: entry.kommoPlan, vendor, priceId: entry.priceId, quantity: entry.quantity } };
}
