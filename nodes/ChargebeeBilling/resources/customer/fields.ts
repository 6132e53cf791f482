/**
 * Customer parameters shared by Create, Update and Find-or-create, and the
 * code that turns them into Chargebee's form fields.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { FormObject } from '../../transport';
import { DEFAULT_KOMMO_FIELD, InputError, checkCustomFieldName, jsonObject, parseLeadId } from '../../helpers';

/** Fields a customer can carry, for a collection (create: "Additional Fields", update: "Update Fields"). */
export function customerFieldOptions(withEmail: boolean): INodeProperties[] {
	const fields: INodeProperties[] = [
		{
			displayName: 'Auto Collection',
			name: 'autoCollection',
			type: 'options',
			options: [
				{ name: 'On', value: 'on', description: 'Charge the payment method on file automatically' },
				{ name: 'Off', value: 'off', description: 'Invoices wait for an offline payment' },
			],
			default: 'on',
		},
		{
			displayName: 'Company',
			name: 'company',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Custom Fields',
			name: 'customFields',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: {},
			description: 'Other Chargebee custom fields (API names start with cf_)',
			options: [
				{
					displayName: 'Field',
					name: 'field',
					values: [
						{
							displayName: 'Name',
							name: 'name',
							type: 'string',
							default: '',
							placeholder: 'cf_segment',
						},
						{
							displayName: 'Value',
							name: 'value',
							type: 'string',
							default: '',
						},
					],
				},
			],
		},
		...(withEmail
			? [
					{
						displayName: 'Email',
						name: 'email',
						type: 'string',
						placeholder: 'name@email.com',
						default: '',
					} as INodeProperties,
				]
			: []),
		{
			displayName: 'First Name',
			name: 'firstName',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Last Name',
			name: 'lastName',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Locale',
			name: 'locale',
			type: 'string',
			default: '',
			placeholder: 'pt-BR',
			description: 'Language of emails and invoices for this customer',
		},
		{
			displayName: 'Meta Data (JSON)',
			name: 'metaData',
			type: 'json',
			default: '{}',
			description: 'Free-form JSON stored on the customer as meta_data (replaces what is there)',
		},
		{
			displayName: 'Net Term Days',
			name: 'netTermDays',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Days the customer has to pay an invoice',
		},
		{
			displayName: 'Phone',
			name: 'phone',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Preferred Currency',
			name: 'preferredCurrencyCode',
			type: 'string',
			default: '',
			placeholder: 'USD',
			description: 'Three-letter ISO 4217 code; only on sites with several currencies',
		},
	];
	return fields;
}

export const kommoLeadIdFields = (displayOptions: INodeProperties['displayOptions']): INodeProperties[] => [
	{
		displayName: 'Kommo Lead ID',
		name: 'kommoLeadId',
		type: 'string',
		default: '',
		placeholder: '={{ $json.leadId }}',
		description:
			'Stored in the custom field below so that billing events can be traced back to the lead. Leave empty to not set it.',
		displayOptions,
	},
	{
		displayName: 'Kommo Lead ID Field',
		name: 'kommoLeadIdField',
		type: 'string',
		default: DEFAULT_KOMMO_FIELD,
		description:
			'API name of the Chargebee customer custom field that holds the Kommo lead ID. Create it first under Settings → Configure Chargebee → Custom Fields.',
		displayOptions,
	},
];

/** Form fields for a customer from the node parameters of item `i`. */
export function customerForm(
	this: IExecuteFunctions,
	i: number,
	fields: IDataObject,
	withLead = true,
): FormObject {
	const form: FormObject = {};
	const text = (key: string, param: string) => {
		const v = fields[param];
		if (v !== undefined && v !== null && String(v).trim() !== '') form[key] = String(v).trim();
	};
	text('email', 'email');
	text('first_name', 'firstName');
	text('last_name', 'lastName');
	text('company', 'company');
	text('phone', 'phone');
	text('locale', 'locale');
	if (fields.preferredCurrencyCode) {
		const code = String(fields.preferredCurrencyCode).trim().toUpperCase();
		if (!/^[A-Z]{3}$/.test(code)) {
			throw new InputError(`Preferred Currency "${String(fields.preferredCurrencyCode)}" is not a currency code`, 'Use a three-letter ISO 4217 code such as USD.');
		}
		form.preferred_currency_code = code;
	}
	if (fields.autoCollection !== undefined) form.auto_collection = String(fields.autoCollection);
	if (fields.netTermDays !== undefined) form.net_term_days = Number(fields.netTermDays);
	const meta = jsonObject(fields.metaData, 'Meta Data (JSON)');
	if (meta && Object.keys(meta).length > 0) form.meta_data = meta;
	const custom = ((fields.customFields as IDataObject | undefined)?.field as IDataObject[] | undefined) ?? [];
	for (const entry of custom) {
		const name = checkCustomFieldName(String(entry.name ?? ''), 'Custom field name');
		form[name] = String(entry.value ?? '');
	}
	if (withLead) {
		const leadId = parseLeadId(this.getNodeParameter('kommoLeadId', i, '') as string);
		if (leadId !== undefined) {
			const field = checkCustomFieldName(
				this.getNodeParameter('kommoLeadIdField', i, DEFAULT_KOMMO_FIELD) as string,
				'Kommo Lead ID Field',
			);
			form[field] = String(leadId);
		}
	}
	return form;
}

/** A customer id Chargebee accepts (letters, digits, _ - . @ ~; up to 50). */
export function checkCustomerId(id: string, parameter = 'Customer ID'): string {
	const trimmed = id.trim();
	if (trimmed.length > 50 || !/^[A-Za-z0-9_\-.@~]+$/.test(trimmed)) {
		throw new InputError(
			`${parameter} "${id}" is not a valid Chargebee id`,
			'Use up to 50 letters, digits and the characters _ - . @ ~, for example kommo-lead-12345.',
		);
	}
	return trimmed;
}

/** An http(s) URL parameter, or undefined when empty. */
export function checkUrl(value: unknown, parameter: string): string | undefined {
	const text = String(value ?? '').trim();
	if (text === '') return undefined;
	if (!/^https?:\/\/[^\s]+$/.test(text)) throw new InputError(`${parameter} "${text}" is not an http(s) URL`, 'Give a full URL such as https://example.com/thanks.');
	return text;
}
