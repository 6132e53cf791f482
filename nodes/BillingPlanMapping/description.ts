/** Parameters and credentials of Billing Plan Mapping. */
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { authenticationProperty } from '../Kommo/descriptions';

export const DEFAULT_PLAN_FIELD = 'Plan';

export const credentials: INodeTypeDescription['credentials'] = [
	// Kommo: the plan dropdown lists the options of the deal's plan field
	{ name: 'kommoApi', required: true, displayOptions: { show: { authentication: ['longLivedToken'] } } },
	{ name: 'kommoOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
	// the billing system: the price dropdown lists its prices
	{ name: 'chargebeeBillingApi', required: true, displayOptions: { show: { billingSystem: ['chargebee'] } } },
	{ name: 'paddleBillingApi', required: true, displayOptions: { show: { billingSystem: ['paddle'] } } },
	{ name: 'zuoraOAuth2Api', required: true, displayOptions: { show: { billingSystem: ['zuora'] } } },
];

export const properties: INodeProperties[] = [
	{
		displayName:
			'Maps the deal\'s Kommo plan to a price of the billing system. Deals whose plan has no row below leave on "Unmapped": nothing falls back to a default price.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{ ...authenticationProperty, displayName: 'Kommo Authentication' },
	{
		displayName: 'Billing System',
		name: 'billingSystem',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Chargebee', value: 'chargebee', description: 'Map to item prices (plans)' },
			{ name: 'Paddle', value: 'paddle', description: 'Map to prices' },
			{ name: 'Zuora', value: 'zuora', description: 'Map to product rate plans' },
		],
		default: 'chargebee',
		description: 'Where the subscription is created; its prices fill the price dropdowns',
	},
	{
		displayName: 'Kommo Plan Field Name or ID',
		name: 'planField',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getPlanFields' },
		default: DEFAULT_PLAN_FIELD,
		description:
			'The deal (lead) field that holds the plan: a list field whose options fill the Kommo Plan dropdowns. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: "Deal's Plan",
		name: 'dealPlan',
		type: 'string',
		default: '={{ $json.custom_fields_map?.[$parameter.planField] }}',
		description:
			'The plan of the deal in this item, as Kommo shows it. By default read from the plan field of the Kommo "Get lead" output.',
	},
	{
		displayName: 'Mappings',
		name: 'mappings',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Mapping',
		default: {},
		description: 'One row per Kommo plan',
		options: [
			{
				displayName: 'Mapping',
				name: 'mapping',
				values: [
					{
						displayName: 'Kommo Plan Name or ID',
						name: 'kommoPlan',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getKommoPlans', loadOptionsDependsOn: ['planField'] },
						default: '',
						description:
							'An option of the Kommo plan field. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Price Name or ID',
						name: 'priceId',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getBillingPrices', loadOptionsDependsOn: ['billingSystem'] },
						default: '',
						description:
							'Chargebee: an item price of a plan; Paddle: a price; Zuora: a product rate plan. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Quantity',
						name: 'quantity',
						type: 'number',
						typeOptions: { minValue: 1, numberPrecision: 0 },
						default: 1,
						description:
							'Units of the price (e.g. seats). Chargebee per-unit prices and Paddle use it; Zuora flat-fee rate plans ignore it.',
					},
				],
			},
		],
	},
];
