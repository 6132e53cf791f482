import type { INodeProperties } from 'n8n-workflow';
import * as checkOrder from './checkOrder';
import * as claim from './claim';
import * as clear from './clear';
import * as confirm from './confirm';
import * as count from './count';
import * as release from './release';

export const operations = { checkOrder, claim, clear, confirm, count, release };
export type Operation = keyof typeof operations;

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'claim',
		options: [
			{
				name: 'Check Order',
				value: 'checkOrder',
				action: 'Check that an event is not stale',
				description:
					"Compare the event's version with the last one applied to the deal: Current (apply it) or Stale (a newer change was applied already)",
			},
			{
				name: 'Claim',
				value: 'claim',
				action: 'Claim event keys',
				description: "Record each item's key; first-time keys go to New, keys seen before go to Duplicate",
			},
			{
				name: 'Clear History',
				value: 'clear',
				action: 'Clear the dedupe history',
				description: 'Forget every key this workflow has claimed',
			},
			{
				name: 'Confirm',
				value: 'confirm',
				action: 'Confirm claimed event keys',
				description: 'Make claims final after the effect landed (for Claim with "Claim Is Final: After a Confirm Node")',
			},
			{
				name: 'Count History',
				value: 'count',
				action: 'Count remembered keys',
				description: 'How many keys this workflow currently remembers',
			},
			{
				name: 'Release',
				value: 'release',
				action: 'Release event keys',
				description: "Forget the items' keys so that the vendor's retry is processed again",
			},
		],
	},
	...checkOrder.description,
	...claim.description,
	...confirm.description,
	...release.description,
	...clear.description,
	...count.description,
];
