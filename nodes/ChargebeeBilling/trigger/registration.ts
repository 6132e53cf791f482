/**
 * Webhook endpoint housekeeping for the trigger's automatic mode: change the events of our
 * endpoint in place, and explain Chargebee's 5-endpoint cap when it is reached.
 */
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { attempt, callIdempotencyKey, chargebeeList, chargebeeRequest, idPath, isNotFound } from '../transport';
import type { RegistrationData } from './verify';

/** "You can create up to five Webhooks" (chargebee.com/docs/2.0/webhook_settings.html). */
export const MAX_ENDPOINTS_PER_SITE = 5;

/**
 * Updates our registered endpoint's events (and URL) in place: POST /webhook_endpoints/{id}. The
 * endpoint keeps its id and Basic pair, so retries Chargebee has scheduled for it (up to about 3
 * days) still arrive and authenticate. False when there is no endpoint to update (then create).
 */
export async function updateInPlace(this: IHookFunctions, data: RegistrationData, url: string, events: string[]): Promise<boolean> {
	if (!data.webhookEndpointId || !data.basicAuthDigest || events.includes('*')) return false;
	const updated = await attempt(
		chargebeeRequest.call(this, {
			method: 'POST',
			path: idPath('/webhook_endpoints/{id}', data.webhookEndpointId),
			form: { url, enabled_events: events },
			idempotencyKey: callIdempotencyKey('webhook-update'),
		}),
	);
	if (!updated.ok) {
		if (isNotFound(updated.error)) return false;
		throw updated.error;
	}
	Object.assign(data, { webhookUrl: url, registeredEvents: events });
	return true;
}

/** The error for a full site: the cap, and the endpoints n8n registered that may be stale. */
export async function capError(this: IHookFunctions, cause: Error, url: string): Promise<Error> {
	const listed = await attempt(chargebeeList.call(this, '/webhook_endpoints', 'webhook_endpoint', { returnAll: true }));
	if (!listed.ok || listed.value.length < MAX_ENDPOINTS_PER_SITE) return cause;
	const ours = (listed.value as IDataObject[]).filter((e) => String(e.name ?? '').startsWith('n8n ') && e.url !== url);
	const names = ours.map((e) => `"${String(e.name)}" (${String(e.id)}, ${String(e.url)})`).join('; ');
	return new NodeOperationError(
		this.getNode(),
		`Chargebee allows at most ${MAX_ENDPOINTS_PER_SITE} webhook endpoints per site and all ${listed.value.length} are in use`,
		{
			description: ours.length
				? `Endpoints registered by n8n that may be stale (e.g. from "Listen for test event" runs or deleted workflows): ${names}. Delete the ones no workflow uses in Chargebee (Settings → Configure Chargebee → Webhooks), then publish again.`
				: 'None of them was registered by n8n. Free one in Chargebee (Settings → Configure Chargebee → Webhooks), or use manual mode with an existing endpoint.',
		},
	);
}
