/**
 * The Kommo Trigger's webhook registration (checkExists / create / delete): finding and
 * removing it without keeping its destination (which holds the URL secret) in static data.
 *
 * `GET /api/v4/webhooks` lists every webhook of the account (at most 100;
 * developers.kommo.com/reference/webhooks-list), each with its destination.
 * Ours is the one under our n8n webhook URL whose secret matches the stored
 * digest; `DELETE /api/v4/webhooks` takes the destination read from that list.
 */
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { randomSecret } from '../../shared/crypto';
import { kommoApiRequest } from '../transport';
import { SECRET_PARAMETER } from './filters';
import { knownAccount, readAccount, secretDigest, secretMatches, storeAccount } from './verify';

type HookContext = IHookFunctions;

async function listWebhooks(ctx: HookContext): Promise<IDataObject[]> {
	const response = await kommoApiRequest.call(ctx, 'GET', '/api/v4/webhooks');
	return ((response?._embedded as IDataObject | undefined)?.webhooks ?? []) as IDataObject[];
}

/** The secret in a destination under `base` (`{base}?secret=…`), else undefined. */
function secretOf(destination: unknown, base: string): string | undefined {
	if (typeof destination !== 'string' || !destination.startsWith(`${base}?`)) return undefined;
	try {
		return new URL(destination).searchParams.get(SECRET_PARAMETER) ?? undefined;
	} catch {
		return undefined;
	}
}

/** Our registration: under the current webhook URL, with the secret static data knows. */
export async function findRegistration(ctx: HookContext, webhookUrl: string, data: IDataObject): Promise<IDataObject | undefined> {
	const hooks = await listWebhooks(ctx);
	return hooks.find((h) => secretMatches(secretOf(h.destination, webhookUrl), data));
}

/**
 * Removes every registration of this trigger: under the current URL or the URL
 * it was registered with (n8n's address changed), plus a plaintext destination
 * an older install stored. Returns false when Kommo refused a removal.
 */
export async function removeRegistrations(ctx: HookContext, webhookUrl: string, data: IDataObject): Promise<boolean> {
	const bases = [...new Set([webhookUrl, typeof data.webhookUrl === 'string' ? data.webhookUrl : webhookUrl])];
	let hooks: IDataObject[];
	try {
		hooks = await listWebhooks(ctx);
	} catch (error) {
		ctx.logger.warn(`Kommo Trigger: could not list the account's webhooks: ${(error as Error).message}`);
		return false;
	}
	const ours = hooks
		.map((h) => String(h.destination ?? ''))
		.filter((d) => d === data.destination || bases.some((b) => secretOf(d, b) !== undefined));
	let ok = true;
	for (const destination of ours) {
		try {
			await kommoApiRequest.call(ctx, 'DELETE', '/api/v4/webhooks', { body: { destination } });
		} catch (error) {
			if ((error as { httpCode?: string | null }).httpCode === '404') continue;
			ctx.logger.warn(`Kommo Trigger: could not remove a webhook registration in Kommo: ${(error as Error).message.replace(destination, '<destination>')}`);
			ok = false;
		}
	}
	return ok;
}

/** Installs from before the digest keep working: their plaintext secret becomes a digest, the destination is dropped. */
export function migrateStaticData(data: IDataObject): void {
	if (typeof data.secret === 'string') {
		data.secretDigest = secretDigest(data.secret);
		if (typeof data.destination === 'string') data.webhookUrl = data.destination.split('?')[0];
		delete data.secret;
		delete data.destination;
	}
}

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	const data = this.getWorkflowStaticData('node');
	const webhookUrl = this.getNodeWebhookUrl('default') as string;
	if (typeof data.secretDigest !== 'string' && typeof data.secret !== 'string') return false;
	const hook = await findRegistration(this, webhookUrl, data);
	if (!hook || hook.disabled === true) return false;
	const events = [...(this.getNodeParameter('events', []) as string[])].sort();
	const settings = [...((hook.settings ?? []) as string[])].sort();
	if (events.join(',') !== settings.join(',')) return false;
	migrateStaticData(data);
	if (knownAccount(data).id === null) storeAccount(data, await readAccount(this));
	return true;
}

export async function create(this: IHookFunctions): Promise<boolean> {
	const data = this.getWorkflowStaticData('node');
	const webhookUrl = this.getNodeWebhookUrl('default') as string;
	const events = this.getNodeParameter('events', []) as string[];
	if (events.length === 0) return false;
	// An earlier registration (other URL, other events, or disabled by Kommo) goes first.
	await removeRegistrations(this, webhookUrl, data);
	const secret = randomSecret(24);
	const destination = `${webhookUrl}?${SECRET_PARAMETER}=${encodeURIComponent(secret)}`;
	const account = await readAccount(this);
	if (account.id === null) {
		throw new NodeOperationError(this.getNode(), 'Kommo did not say which account the credential belongs to', {
			description: 'GET /api/v4/account gave no id. Check the credential (subdomain, token) and activate the workflow again.',
		});
	}
	const hook = await kommoApiRequest.call(this, 'POST', '/api/v4/webhooks', {
		body: { destination, settings: events, sort: 10 },
	});
	// Only a digest of the secret is kept: static data is plain JSON (n8n's API, exports, backups).
	data.secretDigest = secretDigest(secret);
	data.webhookUrl = webhookUrl;
	delete data.secret;
	delete data.destination;
	storeAccount(data, account);
	data.webhookId = hook?.id ?? null;
	return true;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	const data = this.getWorkflowStaticData('node');
	const webhookUrl = this.getNodeWebhookUrl('default') as string;
	if (!(await removeRegistrations(this, webhookUrl, data))) return false;
	for (const key of ['secret', 'secretDigest', 'destination', 'webhookUrl', 'webhookId', 'accountId', 'accountSubdomain', 'currentUserId']) {
		delete data[key];
	}
	return true;
}
