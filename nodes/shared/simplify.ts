import type { IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

const DESCRIPTION = 'Whether to return a simplified version of the response instead of the raw data';

/**
 * The Simplify switch of a get or get-many operation, on by default as n8n's own nodes have it.
 *
 * `sinceVersion`: for an operation that existed before Simplify did, the switch is shown (and on)
 * only from that node version. A workflow saved with an older version has no `simplify`
 * parameter, so `simplifyWanted` reads false for it and the workflow keeps the full answer it was
 * built on. `displayOptions` are the operation's own (where a wrapper such as Paddle's
 * forOperation adds them later, pass none).
 */
export function simplifyParameter(
	displayOptions?: IDisplayOptions,
	sinceVersion?: number,
	description = DESCRIPTION,
): INodeProperties {
	const show = sinceVersion === undefined ? displayOptions?.show : { ...displayOptions?.show, '@version': [{ _cnd: { gte: sinceVersion } }] };
	const options: IDisplayOptions | undefined = show ? { ...displayOptions, show } : displayOptions;
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description,
		...(options ? { displayOptions: options } : {}),
	};
}

/**
 * The item's Simplify switch. n8n fills in the default (on) wherever the switch is shown; where it
 * is hidden (an operation in a node version before Simplify) there is no value, which means off.
 */
export function simplifyWanted(ctx: IExecuteFunctions, itemIndex: number): boolean {
	return ctx.getNodeParameter('simplify', itemIndex, false) as boolean;
}
