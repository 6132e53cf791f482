/**
 * Webhook → Check and Heal: Kommo switches a webhook off (`disabled: true`) after more than 100
 * failed deliveries in 2 hours, and nothing switches it back on
 * (developers.kommo.com/docs/webhooks-general); the workflow stays active and simply stops
 * receiving. This lists the account's webhooks whose destination starts with the given prefix
 * (your n8n's webhook address), and re-registers each disabled one: removed and added again with
 * the same destination and events, so it is enabled. One item per matching webhook; the URL
 * secret in a destination is never output.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { kommoApiRequest } from '../../transport';
import { show } from '../common';

const display = show('webhook', 'checkHealth');

export const description: INodeProperties[] = [
	{
		displayName: 'Destination Starts With',
		name: 'destinationPrefix',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://n8n.example.com/webhook/',
		displayOptions: display,
		description: "Only webhooks whose destination starts with this are checked: your n8n's public webhook address",
	},
	{
		displayName: 'Re-Enable Disabled Webhooks',
		name: 'heal',
		type: 'boolean',
		default: true,
		displayOptions: display,
		description: 'Whether to register a disabled webhook again (same destination and events) so that Kommo delivers to it again',
	},
];

/** The destination without its query values (the URL secret stays out of the output). */
export function redactDestination(destination: string): string {
	const q = destination.indexOf('?');
	if (q < 0) return destination;
	const params = destination
		.slice(q + 1)
		.split('&')
		.map((pair) => `${pair.split('=')[0]}=***`);
	return `${destination.slice(0, q)}?${params.join('&')}`;
}

export async function execute(this: IExecuteFunctions, _items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	void _items;
	const prefix = String(this.getNodeParameter('destinationPrefix', 0) ?? '').trim();
	if (!/^https?:\/\/\S+/.test(prefix)) {
		throw new NodeOperationError(this.getNode(), `"${prefix}" is not an http(s) address`, {
			description: "Enter your n8n's public webhook address, e.g. https://n8n.example.com/webhook/",
		});
	}
	const heal = this.getNodeParameter('heal', 0, true) as boolean;
	const response = await kommoApiRequest.call(this, 'GET', '/api/v4/webhooks');
	const hooks = (((response?._embedded as IDataObject | undefined)?.webhooks ?? []) as IDataObject[]).filter(
		(h) => typeof h.destination === 'string' && h.destination.startsWith(prefix),
	);
	const out: INodeExecutionData[] = [];
	for (const hook of hooks) {
		const destination = String(hook.destination);
		const settings = ((hook.settings ?? []) as string[]).map(String);
		const wasDisabled = hook.disabled === true;
		let healed = false;
		if (wasDisabled && heal) {
			await kommoApiRequest.call(this, 'DELETE', '/api/v4/webhooks', { body: { destination } });
			await kommoApiRequest.call(this, 'POST', '/api/v4/webhooks', { body: { destination, settings, sort: Number(hook.sort ?? 10) || 10 } });
			healed = true;
		}
		out.push({
			json: { id: hook.id ?? null, destination: redactDestination(destination), settings, was_disabled: wasDisabled, healed },
		});
	}
	return out;
}
