/**
 * The searchable lists behind the account and subscription locators (locators.ts), read with
 * Object Query: accounts whose name starts with the search text (`name.SW:`, case-insensitive)
 * or whose number is the text; subscriptions whose number starts with it (Object Query calls
 * the subscription number `name`).
 */
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { objectQueryPage } from './object-query';

const PAGE_SIZE = 50;

/** Object Query reads `field.OP:value` to the end; brackets would turn it into an IN list. */
function searchText(filter: string | undefined): string {
	return (filter ?? '').trim().replace(/[[\]]/g, '');
}

export async function searchAccounts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const text = searchText(filter);
	const page = await objectQueryPage.call(this, 'accounts', {
		filters: text ? [`name.SW:${text}`] : [],
		pageSize: PAGE_SIZE,
		cursor: paginationToken,
	});
	let records = page.data;
	// On the first page, an account whose number is the text is listed too (Object Query has no OR).
	if (text && !paginationToken && /^[\w-]*\d[\w-]*$/.test(text)) {
		const byNumber = await objectQueryPage.call(this, 'accounts', { filters: [`accountnumber.EQ:${text}`], pageSize: 1 });
		records = [...byNumber.data.filter((a) => !records.some((r) => r.id === a.id)), ...records];
	}
	return {
		results: records.map((a) => ({
			name: `${String(a.name ?? a.accountNumber)} (${String(a.accountNumber)})`,
			value: String(a.accountNumber ?? a.id),
		})),
		paginationToken: page.nextPage,
	};
}

export async function searchSubscriptions(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const text = searchText(filter);
	const page = await objectQueryPage.call(this, 'subscriptions', {
		filters: text ? [`name.SW:${text}`] : [],
		pageSize: PAGE_SIZE,
		cursor: paginationToken,
	});
	// Object Query lists every version of a subscription; one entry per number (the latest).
	const latest = new Map<string, IDataObject>();
	for (const s of page.data) {
		const number = String(s.name ?? '');
		if (!number) continue;
		const seen = latest.get(number);
		if (!seen || s.isLatestVersion === true || Number(s.version ?? 0) > Number(seen.version ?? 0)) latest.set(number, s);
	}
	const results: INodeListSearchItems[] = [...latest.values()].map((s) => ({
		name: `${String(s.name)} (${String(s.status ?? 'unknown status')})`,
		value: String(s.name),
	}));
	return { results, paginationToken: page.nextPage };
}
