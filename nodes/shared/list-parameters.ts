import type { IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/**
 * The Return All / Limit pair of every list operation, as n8n's own nodes show it: Limit only
 * while Return All is off. `displayOptions` are the operation's own (where a wrapper such as
 * Paddle's forOperation adds them later, pass none).
 */
export function returnAllAndLimit(displayOptions?: IDisplayOptions): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			...(displayOptions ? { displayOptions } : {}),
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { ...displayOptions, show: { ...displayOptions?.show, returnAll: [false] } },
		},
	];
}

/** How many results the item asks for: Infinity under Return All, else its Limit (default 50). */
export function listLimit(ctx: Pick<IExecuteFunctions, 'getNodeParameter'>, itemIndex: number): number {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	return returnAll ? Number.POSITIVE_INFINITY : Number(ctx.getNodeParameter('limit', itemIndex, 50));
}
