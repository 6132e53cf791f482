/** Custom-field mapping both ways: names/labels → Kommo values, Kommo values → {name: value}. */
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { customFieldsMap, multitextValues } from '../../../nodes/Kommo/custom-field-read';
import { buildFieldValues, toKommoValues } from '../../../nodes/Kommo/custom-field-write';
import { resolveField, type KommoFieldDef, type KommoFieldValue } from '../../../nodes/Kommo/custom-fields';

const node = { name: 'Kommo', type: 'kommo', typeVersion: 1, id: '1', position: [0, 0], parameters: {} } as INode;

const DEFS: KommoFieldDef[] = [
	{ id: 101, name: 'Plan', type: 'select', code: null, enums: [{ id: 1, value: 'Starter' }, { id: 2, value: 'Pro' }, { id: 3, value: 'Enterprise' }] },
	{ id: 102, name: 'Billing customer ID', type: 'text', code: null, enums: null },
	{ id: 103, name: 'Subscription ID', type: 'text', code: null, enums: null },
	{ id: 104, name: 'Subscription status', type: 'text', code: null, enums: null },
	{ id: 105, name: 'Billing system', type: 'select', code: null, enums: [{ id: 11, value: 'Chargebee' }, { id: 12, value: 'Paddle' }, { id: 13, value: 'Zuora' }] },
	{ id: 106, name: 'Seats', type: 'numeric', code: null, enums: null },
	{ id: 107, name: 'Add-ons', type: 'multiselect', code: null, enums: [{ id: 21, value: 'SSO' }, { id: 22, value: 'Audit log' }] },
	{ id: 108, name: 'Auto-renew', type: 'checkbox', code: null, enums: null },
	{ id: 109, name: 'Contract start', type: 'date', code: null, enums: null },
	{ id: 110, name: 'Invoice link', type: 'url', code: null, enums: null },
	{ id: 111, name: 'Email', type: 'multitext', code: 'EMAIL', enums: [{ id: 31, value: 'WORK', code: 'WORK' }] },
	{ id: 112, name: 'Region', type: 'text', code: null, enums: null },
	{ id: 113, name: 'Region', type: 'select', code: null, enums: [{ id: 41, value: 'EU' }] },
];

function errorOf(fn: () => unknown): NodeOperationError {
	try {
		fn();
	} catch (error) {
		return error as NodeOperationError;
	}
	throw new Error('expected an error');
}

describe('resolveField', () => {
	it('finds a field by exact name, case-insensitive name, id and code', () => {
		expect(resolveField(DEFS, 'Subscription ID', 'leads', node).id).toBe(103);
		expect(resolveField(DEFS, '  subscription   id ', 'leads', node).id).toBe(103);
		expect(resolveField(DEFS, '106', 'leads', node).name).toBe('Seats');
		expect(resolveField(DEFS, 106, 'leads', node).name).toBe('Seats');
		expect(resolveField(DEFS, 'email', 'contacts', node).id).toBe(111);
	});

	it('names an unknown field and lists the known ones', () => {
		const error = errorOf(() => resolveField(DEFS, 'Subscripton ID', 'leads', node, 3));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Unknown lead custom field "Subscripton ID"');
		expect(error.description).toContain('"Plan", "Billing customer ID", "Subscription ID", "Subscription status", "Billing system"');
		expect(error.context.itemIndex).toBe(3);
	});

	it('refuses an ambiguous name and gives the ids to use', () => {
		const error = errorOf(() => resolveField(DEFS, 'Region', 'leads', node));
		expect(error.message).toBe('2 lead custom fields are named "Region"');
		expect(error.description).toContain('112 (text), 113 (select)');
		expect(resolveField(DEFS, '113', 'leads', node).type).toBe('select');
	});

	it('refuses an empty name', () => {
		expect(errorOf(() => resolveField(DEFS, ' ', 'leads', node)).message).toBe('A lead custom field has no name');
	});
});

describe('toKommoValues (names/labels → Kommo)', () => {
	const def = (name: string) => DEFS.find((d) => d.name === name && d.id !== 113)!;

	it('maps enum labels (any case) and option ids to enum_id', () => {
		expect(toKommoValues(def('Plan'), 'Pro', node)).toEqual([{ enum_id: 2 }]);
		expect(toKommoValues(def('Plan'), 'enterprise', node)).toEqual([{ enum_id: 3 }]);
		expect(toKommoValues(def('Plan'), '1', node)).toEqual([{ enum_id: 1 }]);
		expect(toKommoValues(def('Add-ons'), 'SSO, audit log', node)).toEqual([{ enum_id: 21 }, { enum_id: 22 }]);
		expect(toKommoValues(def('Add-ons'), ['Audit log'], node)).toEqual([{ enum_id: 22 }]);
	});

	it('explains an unknown option with the list of options', () => {
		const error = errorOf(() => toKommoValues(def('Billing system'), 'Stripe', node));
		expect(error.message).toBe('Field "Billing system": "Stripe" is not one of its options');
		expect(error.description).toContain('"Chargebee", "Paddle", "Zuora"');
	});

	it('types numbers, checkboxes, dates, URLs and multitext', () => {
		expect(toKommoValues(def('Seats'), 25, node)).toEqual([{ value: '25' }]);
		expect(toKommoValues(def('Seats'), ' 2.5 ', node)).toEqual([{ value: '2.5' }]);
		expect(toKommoValues(def('Auto-renew'), 'yes', node)).toEqual([{ value: true }]);
		expect(toKommoValues(def('Auto-renew'), false, node)).toEqual([{ value: false }]);
		expect(toKommoValues(def('Contract start'), '2025-02-01T00:00:00Z', node)).toEqual([{ value: 1738368000 }]);
		expect(toKommoValues(def('Contract start'), 1738368000000, node)).toEqual([{ value: 1738368000 }]);
		expect(toKommoValues(def('Invoice link'), 'https://pay.example/inv/1', node)).toEqual([{ value: 'https://pay.example/inv/1' }]);
		expect(toKommoValues(def('Email'), 'a@x.test, b@x.test', node)).toEqual([
			{ value: 'a@x.test', enum_code: 'WORK' },
			{ value: 'b@x.test', enum_code: 'WORK' },
		]);
		expect(toKommoValues(def('Subscription ID'), 12345, node)).toEqual([{ value: '12345' }]);
	});

	it.each([
		['Seats', 'twenty', '"twenty" is not a number'],
		['Auto-renew', 'maybe', '"maybe" is not true or false'],
		['Contract start', 'next tuesday', '"next tuesday" is not a date'],
		['Invoice link', 'pay.example', '"pay.example" is not a URL'],
	])('rejects a bad %s value', (name, value, message) => {
		expect(errorOf(() => toKommoValues(def(name), value, node)).message).toBe(`Field "${name}": ${message}`);
	});
});

describe('buildFieldValues', () => {
	it('builds custom_fields_values in order, with names for error messages and what was written', () => {
		const built = buildFieldValues(
			DEFS,
			[
				{ field: 'Billing customer ID', value: 'kommo-lead-42' },
				{ field: 'Plan', value: 'pro' },
				{ field: 'Subscription ID', value: '' },
			],
			'leads',
			node,
		);
		expect(built.values).toEqual([
			{ field_id: 102, values: [{ value: 'kommo-lead-42' }] },
			{ field_id: 101, values: [{ enum_id: 2 }] },
		]);
		expect(built.names).toEqual(['Billing customer ID', 'Plan']);
		expect(built.written).toEqual({ 'Billing customer ID': 'kommo-lead-42', Plan: 'Pro' });
	});

	it('clears empty values when asked', () => {
		const built = buildFieldValues(DEFS, [{ field: 'Subscription ID', value: null }], 'leads', node, 0, 'clear');
		expect(built.values).toEqual([{ field_id: 103, values: null }]);
		expect(built.written).toEqual({ 'Subscription ID': null });
	});

	it('refuses the same field twice', () => {
		const error = errorOf(() => buildFieldValues(DEFS, [{ field: 'Plan', value: 'Pro' }, { field: '101', value: 'Starter' }], 'leads', node));
		expect(error.message).toBe('Field "Plan" is set twice');
	});
});

describe('customFieldsMap (Kommo → {name: value})', () => {
	const values: KommoFieldValue[] = [
		{ field_id: 101, field_name: 'Plan', field_code: null, field_type: 'select', values: [{ value: 'Pro', enum_id: 2, enum_code: null }] },
		{ field_id: 106, field_name: 'Seats', field_code: null, field_type: 'numeric', values: [{ value: '25' }] },
		{ field_id: 107, field_name: 'Add-ons', field_code: null, field_type: 'multiselect', values: [{ value: 'SSO', enum_id: 21 }] },
		{ field_id: 108, field_name: 'Auto-renew', field_code: null, field_type: 'checkbox', values: [{ value: true }] },
		{ field_id: 111, field_name: 'Email', field_code: 'EMAIL', field_type: 'multitext', values: [{ value: 'a@x.test', enum_code: 'WORK' }, { value: 'b@x.test', enum_code: 'PRIV' }] },
		{ field_id: 112, field_name: 'Region', field_code: null, field_type: 'text', values: [{ value: 'north' }] },
		{ field_id: 113, field_name: 'Region', field_code: null, field_type: 'select', values: [{ value: 'EU', enum_id: 41 }] },
	];

	it('gives enum labels, arrays for multi-value fields, typed numbers and booleans', () => {
		expect(customFieldsMap(values)).toEqual({
			Plan: 'Pro',
			Seats: 25,
			'Add-ons': ['SSO'],
			'Auto-renew': true,
			Email: ['a@x.test', 'b@x.test'],
			Region: 'north',
			'Region (113)': 'EU',
		});
		expect(customFieldsMap(null)).toEqual({});
	});

	it('round-trips: what buildFieldValues writes reads back as the same map', () => {
		const input = { Plan: 'Enterprise', 'Billing system': 'Paddle', 'Subscription status': 'active', 'Add-ons': ['SSO', 'Audit log'] };
		const built = buildFieldValues(DEFS, Object.entries(input).map(([field, value]) => ({ field, value })), 'leads', node);
		// What Kommo stores and returns for those values:
		const stored: KommoFieldValue[] = built.values.map((v) => {
			const def = DEFS.find((d) => d.id === v.field_id)!;
			return {
				field_id: def.id,
				field_name: def.name,
				field_code: def.code,
				field_type: def.type,
				values: (v.values as Array<{ enum_id?: number; value?: unknown }>).map((x) =>
					x.enum_id !== undefined ? { value: def.enums!.find((e) => e.id === x.enum_id)!.value, enum_id: x.enum_id } : { value: x.value },
				),
			};
		});
		expect(customFieldsMap(stored)).toEqual(input);
		expect(built.written).toEqual(input);
	});

	it('reads multitext values by code', () => {
		expect(multitextValues(values, 'EMAIL')).toEqual(['a@x.test', 'b@x.test']);
		expect(multitextValues(values, 'PHONE')).toEqual([]);
	});
});
