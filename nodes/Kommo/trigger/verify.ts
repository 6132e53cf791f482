/**
 * The Kommo Trigger's checks on a call: the URL secret ({@link verifySecret}), then
 * the account the call claims to come from, changes made by the credential's
 * own user (self-triggered loops), and re-reading status-change leads from
 * Kommo's API so that the filters apply to Kommo's copy, not the body's.
 *
 * Kommo does not sign webhooks (developers.kommo.com/docs/webhooks-general),
 * so everything in a body is a claim; only what is re-read through the API
 * with the credential is Kommo's word.
 */
import { createHash } from 'crypto';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { safeEqual } from '../../shared/crypto';
import type { RequestContext } from '../../shared/http';
import { accept, notYetActive, reject, type Verdict } from '../../shared/webhook';
import { kommoApiRequest, kommoGetAll } from '../transport';
import { filtersOf, passesFilters, SECRET_PARAMETER, type TriggerFilters } from './filters';
import type { KommoAccount, KommoWebhookItem } from './normalize';

/** What activation stored about the credential's account (static data). */
export interface KnownAccount {
	id: number | null;
	subdomain: string | null;
	userId: number | null;
}

export function knownAccount(data: IDataObject): KnownAccount {
	return {
		id: typeof data.accountId === 'number' ? data.accountId : null,
		subdomain: typeof data.accountSubdomain === 'string' ? data.accountSubdomain : null,
		userId: typeof data.currentUserId === 'number' ? data.currentUserId : null,
	};
}

/** Reads the credential's account (id, subdomain, the token's user) from `GET /api/v4/account`. */
export async function readAccount(ctx: RequestContext): Promise<KnownAccount> {
	const account = await kommoApiRequest.call(ctx, 'GET', '/api/v4/account');
	const id = Number(account?.id);
	const userId = Number(account?.current_user_id);
	return {
		id: Number.isSafeInteger(id) ? id : null,
		subdomain: typeof account?.subdomain === 'string' ? account.subdomain.toLowerCase() : null,
		userId: Number.isSafeInteger(userId) && userId > 0 ? userId : null,
	};
}

export function storeAccount(data: IDataObject, account: KnownAccount): void {
	data.accountId = account.id;
	data.accountSubdomain = account.subdomain;
	data.currentUserId = account.userId;
}

/**
 * Whether the call's account is the credential's. Compares `account[id]`; a
 * body with only `account[subdomain]` (older amoCRM accounts, 2016/2018
 * captures in ../shared/payloads/kommo) is compared by subdomain. Never passes
 * when our side does not know the account.
 */
export function sameAccount(claimed: KommoAccount, known: KnownAccount): boolean {
	if (claimed.id !== null) return known.id !== null && String(claimed.id) === String(known.id);
	if (claimed.subdomain !== null) return known.subdomain !== null && claimed.subdomain.toLowerCase() === known.subdomain;
	return false;
}

/**
 * Update events Kommo fires for our own API writes too (loops); the option is on by default for
 * these. Status changes are not among them: the token's user may also move deals in the UI, and
 * Kommo's webhook cannot tell the two apart (both carry that user's id), so a Won would be lost.
 */
export const UPDATE_EVENTS = new Set(['update_lead', 'responsible_lead', 'update_contact']);

/** True when the change was made by the credential's own user (`modified_user_id`). */
export function madeByOwnUser(item: KommoWebhookItem, userId: number | null): boolean {
	if (userId === null || !UPDATE_EVENTS.has(item.event)) return false;
	return String(item.modified_user_id) === String(userId);
}

/**
 * Re-reads the leads of lead items from Kommo (50 per request) and replaces
 * the body's status, pipeline and price with Kommo's values, keeping the
 * body's as `webhook_*`. Leads Kommo does not know are dropped. Non-lead items
 * are kept as they are.
 */
export async function verifyLeadsWithKommo(
	ctx: IWebhookFunctions,
	items: KommoWebhookItem[],
	filters: TriggerFilters,
): Promise<{ items: KommoWebhookItem[]; dropped: number }> {
	const check = (i: KommoWebhookItem) => i.entity === 'lead' && i.action !== 'delete';
	const ids = [...new Set(items.filter((i) => check(i) && typeof i.id === 'number').map((i) => i.id as number))];
	const fetched = new Map<number, IDataObject>();
	for (let i = 0; i < ids.length; i += 50) {
		const page = await kommoGetAll.call(ctx, '/api/v4/leads', 'leads', { 'filter[id][]': ids.slice(i, i + 50) }, 50, 50);
		for (const lead of page) fetched.set(Number(lead.id), lead);
	}
	const out: KommoWebhookItem[] = [];
	let dropped = 0;
	for (const item of items) {
		if (!check(item)) {
			out.push(item);
			continue;
		}
		const lead = typeof item.id === 'number' ? fetched.get(item.id) : undefined;
		if (!lead) {
			dropped++;
			continue;
		}
		const verified: KommoWebhookItem = {
			...item,
			webhook_status_id: item.status_id ?? null,
			webhook_pipeline_id: item.pipeline_id ?? null,
			status_id: lead.status_id,
			pipeline_id: lead.pipeline_id,
			price: lead.price,
			verified_with_api: true,
		};
		if (passesFilters(verified, filters)) out.push(verified);
		else dropped++;
	}
	return { items: out, dropped };
}

/** The stored form of the URL secret: a digest, so that read access to the workflow is not enough to forge calls. */
export function secretDigest(secret: string): string {
	return `sha256:${createHash('sha256').update(secret, 'utf8').digest('base64url')}`;
}

/** Compares a given secret with what static data holds (a digest, or a plaintext secret of an older install). */
export function secretMatches(given: string | undefined, data: IDataObject): boolean {
	if (typeof given !== 'string' || given === '') return false;
	if (typeof data.secretDigest === 'string') return safeEqual(secretDigest(given), data.secretDigest);
	if (typeof data.secret === 'string') return safeEqual(given, data.secret);
	return false;
}

/** The URL secret of the registered webhook; 503 while activation has not stored it yet. */
export function verifySecret(this: IWebhookFunctions): Verdict<true> {
	const data = this.getWorkflowStaticData('node');
	const query = this.getQueryData() as IDataObject;
	const given = Array.isArray(query[SECRET_PARAMETER]) ? undefined : query[SECRET_PARAMETER];
	if (typeof data.secretDigest !== 'string' && typeof data.secret !== 'string') return { ok: false, refusal: notYetActive() };
	if (!secretMatches(typeof given === 'string' ? given : undefined, data)) return reject(401, 'secret', 'Missing or wrong secret');
	return accept(true);
}

/** The credential's account (read once for an install activated before it was stored); 403 for a call from another one. */
export async function verifyAccount(this: IWebhookFunctions, claimed: KommoAccount, options: IDataObject): Promise<Verdict<KnownAccount>> {
	const data = this.getWorkflowStaticData('node');
	let known = knownAccount(data);
	if (options.checkAccount !== false || options.ignoreOwnChanges !== false) {
		if (known.id === null) {
			try {
				known = await readAccount(this);
				storeAccount(data, known);
			} catch (error) {
				return reject(503, 'account', `Could not read the Kommo account to check the call: ${(error as Error).message}`);
			}
		}
		if (options.checkAccount !== false && !sameAccount(claimed, known)) {
			return reject(403, 'account', 'The call comes from another Kommo account');
		}
	}
	return accept(known);
}

/** The items that pass the node's filters, without the credential user's own changes, and (Verify Leads) on Kommo's copy. */
export async function matchingItems(
	this: IWebhookFunctions,
	decoded: KommoWebhookItem[],
	known: KnownAccount,
	options: IDataObject,
): Promise<Verdict<KommoWebhookItem[]>> {
	const filters = filtersOf.call(this);
	let items = decoded.filter((item) => passesFilters(item, filters));
	if (options.ignoreOwnChanges !== false) items = items.filter((item) => !madeByOwnUser(item, known.userId));
	if (options.verifyWithApi === true && items.length > 0) {
		try {
			items = (await verifyLeadsWithKommo(this, items, filters)).items;
		} catch (error) {
			return reject(503, 'verify', `Could not verify the leads with Kommo: ${(error as Error).message}`);
		}
	}
	return accept(items);
}
