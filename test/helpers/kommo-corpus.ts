/**
 * The Kommo webhook bodies captured from real accounts (test/fixtures/kommo-payloads, copied from
 * ../shared/payloads/kommo; provenance in that folder's SOURCES.md), and how a test re-addresses
 * one to its own sandbox account. Used in-process (test/integration/kommo/payload-corpus.test.ts)
 * and through a real n8n (test/e2e/kommo.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const KOMMO_CORPUS_DIR = join(__dirname, '..', 'fixtures', 'kommo-payloads');
export const KOMMO_CORPUS_FILES = readdirSync(KOMMO_CORPUS_DIR).filter((f) => f.endsWith('.body') || f.endsWith('.txt'));

export const readKommoCorpus = (file: string): string => readFileSync(join(KOMMO_CORPUS_DIR, file), 'utf8');

/** The body with its account replaced by the given account (id and subdomain, wherever present). */
export function withAccount(body: string, account: { id: number; subdomain: string }): string {
	// Three EDITED bodies were truncated by their collector before the account keys
	// (SOURCES.md: "author truncated/edited"); Kommo always sends at least account[subdomain].
	if (!/account(%5B|\[)/.test(body)) body = `${body}&account%5Bsubdomain%5D=${account.subdomain}`;
	return body
		.replace(/(account(?:%5B|\[)id(?:%5D|\])=)\d+/, `$1${account.id}`)
		.replace(/(account(?:%5B|\[)subdomain(?:%5D|\])=)[^&]+/, `$1${account.subdomain}`);
}
