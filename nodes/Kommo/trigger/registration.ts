/**
 * Finding and removing the Kommo Trigger's webhook registration without
 * keeping its destination (which holds the URL secret) in static data.
 *
 * `GET /api/v4/webhooks` lists every webhook of the account (at most 100;
 * developers.kommo.com/reference/webhooks-list), each with its destination.
 * Ours is the one under our n8n webhook URL whose secret matches the stored
 * digest; `DELETE /api/v4/webhooks` takes the destination read from that list.
 */
import type { IDataObject, IHookFunctions } from 'n8n-workflow';

import { SECRET_PARAMETER } from './filters';
import { secretDigest, secretMatches } from './verify';
import { kommoApiRequest } from '../transport';

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
