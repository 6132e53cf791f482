/**
 * The trigger's webhook endpoint in Chargebee (automatic mode): checkExists / create / delete,
 * changing the events of our endpoint in place, and explaining Chargebee's 5-endpoint cap when it
 * is reached. Manual mode registers nothing, but checks that the API options have a credential.
 */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { basicAuthDigest, randomSecret } from '../../shared/crypto';
import { attempt, callIdempotencyKey, CHARGEBEE_CREDENTIAL, chargebeeList, chargebeeRequest, idPath, isNotFound } from '../transport';
import { migrateStoredPair, refetchOn, type RegistrationData } from './verify';

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

export function selectedEvents(this: IHookFunctions | IWebhookFunctions): string[] {
	return (this.getNodeParameter('events', []) as string[]).map(String);
}

function sameEvents(a: string[] | undefined, b: string[]): boolean {
	if (!a) return false;
	const x = [...a].sort();
	const y = [...b].sort();
	return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Options that call the Chargebee API from webhook(). */
function apiOptionsInUse(options: IDataObject, mode = 'manual'): string[] {
	const used: string[] = [];
	if (refetchOn(options, mode)) used.push('Verify by Re-Fetching the Event');
	if (options.lookupCustomer === true) used.push('Look Up Customer When Missing');
	if (options.includeInvoicePdfUrl === true) used.push('Include Invoice PDF URL');
	return used;
}

/** Fails activation with a clear message when the API credential is needed but not set. */
async function requireApiCredential(this: IHookFunctions, why: string): Promise<void> {
	const credentials = await attempt(this.getCredentials(CHARGEBEE_CREDENTIAL));
	if (!credentials.ok) {
		throw new NodeOperationError(this.getNode(), `Select a Chargebee Billing API credential: ${why} needs it`, {
			description: 'A full-access key for automatic mode; a read-only key is enough for the options in manual mode.',
		});
	}
}

const isManual = (ctx: IHookFunctions) => ctx.getNodeParameter('mode', 'automatic') === 'manual';

function deleteEndpoint(this: IHookFunctions, id: string) {
	return attempt(
		chargebeeRequest.call(this, {
			method: 'POST',
			path: idPath('/webhook_endpoints/{id}/delete', id),
			idempotencyKey: callIdempotencyKey('webhook-delete'),
		}),
	);
}

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	if (isManual(this)) {
		const used = apiOptionsInUse(this.getNodeParameter('options', {}) as IDataObject, 'manual');
		if (used.length > 0) await requireApiCredential.call(this, used.join(', '));
		return true;
	}
	await requireApiCredential.call(this, 'automatic mode (it registers the webhook endpoint)');
	const data = this.getWorkflowStaticData('node') as RegistrationData;
	migrateStoredPair(data);
	if (!data.webhookEndpointId || !data.basicAuthDigest) return false;
	const result = await attempt(
		chargebeeRequest.call(this, {
			method: 'GET',
			path: idPath('/webhook_endpoints/{id}', data.webhookEndpointId),
		}),
	);
	if (!result.ok) {
		if (isNotFound(result.error)) {
			delete data.webhookEndpointId;
			return false;
		}
		throw result.error;
	}
	const endpoint = (result.value as IDataObject).webhook_endpoint as IDataObject;
	const url = this.getNodeWebhookUrl('default');
	return endpoint.url === url && endpoint.disabled !== true && sameEvents(data.registeredEvents, selectedEvents.call(this));
}

export async function create(this: IHookFunctions): Promise<boolean> {
	if (isManual(this)) return true;
	const url = this.getNodeWebhookUrl('default') as string;
	const events = selectedEvents.call(this);
	if (events.length === 0) {
		throw new NodeOperationError(this.getNode(), 'Select at least one event type under "Events"');
	}
	const data = this.getWorkflowStaticData('node') as RegistrationData;
	migrateStoredPair(data);
	// Only the events (or URL) changed: update our endpoint in place.
	if (await updateInPlace.call(this, data, url, events)) return true;

	// A stale endpoint for this URL (ours from before, or left over) is replaced: its
	// password is write-only in Chargebee, so it cannot be reused.
	const stale = new Set<string>();
	if (data.webhookEndpointId) stale.add(data.webhookEndpointId);
	const existing = await chargebeeList.call(this, '/webhook_endpoints', 'webhook_endpoint', { returnAll: true });
	for (const endpoint of existing) if (endpoint.url === url) stale.add(String(endpoint.id));
	for (const id of stale) {
		const removed = await deleteEndpoint.call(this, id);
		if (!removed.ok && !isNotFound(removed.error)) throw removed.error;
	}

	const user = `n8n-${randomSecret(9)}`;
	const password = randomSecret(32);
	// Named after the workflow, with its id so that two workflows (or a test listener
	// next to the published one) never share a name; Chargebee allows 50 characters.
	const workflow = this.getWorkflow();
	const suffix = ` (${workflow.id ?? '?'}${this.getActivationMode() === 'manual' ? ' test' : ''})`;
	const name = `n8n ${workflow.name ?? ''}`.trim().slice(0, Math.max(3, 50 - suffix.length)) + suffix;
	const created = await attempt(chargebeeRequest.call(this, {
		method: 'POST',
		path: '/webhook_endpoints',
		form: {
			name: name.slice(0, 50),
			url,
			api_version: 'v2',
			basic_auth_username: user,
			basic_auth_password: password,
			...(events.includes('*') ? {} : { enabled_events: events }),
		},
		idempotencyKey: callIdempotencyKey('webhook-create'),
	}));
	if (!created.ok) throw await capError.call(this, created.error as Error, url);
	const endpoint = (created.value as IDataObject).webhook_endpoint as IDataObject;
	Object.assign(data, {
		webhookEndpointId: String(endpoint.id),
		webhookUrl: url,
		basicAuthDigest: basicAuthDigest(user, password),
		registeredEvents: events,
	});
	delete data.basicAuthUser;
	delete data.basicAuthPassword;
	return true;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	if (isManual(this)) return true;
	const data = this.getWorkflowStaticData('node') as RegistrationData;
	if (data.webhookEndpointId) {
		const removed = await deleteEndpoint.call(this, data.webhookEndpointId);
		if (!removed.ok && !isNotFound(removed.error)) {
			this.logger.warn(
				`Chargebee Billing Trigger: could not delete webhook endpoint ${data.webhookEndpointId}: ${(removed.error as Error).message}`,
			);
			return false;
		}
	}
	for (const key of ['webhookEndpointId', 'webhookUrl', 'basicAuthDigest', 'basicAuthUser', 'basicAuthPassword', 'registeredEvents']) {
		delete data[key];
	}
	return true;
}
